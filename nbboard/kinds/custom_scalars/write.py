"""Custom scalars: the layout dict → CustomScalarsLayout, merging of successive layouts, and the
encoder (a serialized Layout proto in a DT_STRING tensor under `custom_scalars__config__`)."""

from __future__ import annotations

from typing import Any

from nbboard.convert import InputError, describe
from nbboard.kinds.custom_scalars.record import CustomScalarsLayout
from nbboard.tfevents.messages import plugin_metadata, summary, summary_value, tensor_proto
from nbboard.tfevents.wire import field_bytes, field_string

PLUGIN_NAME = "custom_scalars"
CONFIG_TAG = "custom_scalars__config__"
KINDS = ("Multiline", "Margin")
_SHAPE = "{category: {chart title: ['Multiline' or 'Margin', [tags]]}}"


def make_layout(layout: Any, method: str = "add_custom_scalars") -> CustomScalarsLayout:
    """Validate a torch-style layout dict and turn it into a list of categories."""
    if not isinstance(layout, dict):
        raise InputError(f"{method}: layout must be a dict {_SHAPE}; got {describe(layout)}")
    categories = []
    for cat, charts in layout.items():
        if not isinstance(cat, str):
            raise InputError(f"{method}: layout keys (categories) must be str; got {describe(cat)}")
        if not isinstance(charts, dict):
            raise InputError(f"{method}: layout[{cat!r}] must be a dict of chart title -> "
                             f"['Multiline' or 'Margin', [tags]]; got {describe(charts)}")
        out = []
        for title, spec in charts.items():
            where = f"layout[{cat!r}][{title!r}]"
            if not isinstance(title, str):
                raise InputError(f"{method}: chart titles in layout[{cat!r}] must be str; got {describe(title)}")
            if not isinstance(spec, (list, tuple)) or len(spec) != 2:
                raise InputError(f"{method}: {where} must be ['Multiline' or 'Margin', [tags]]; "
                                 f"got {describe(spec)}")
            kind, tags = spec
            if kind not in KINDS:
                raise InputError(f"{method}: {where}[0] must be 'Multiline' or 'Margin'; got {describe(kind)}")
            if isinstance(tags, str) or not isinstance(tags, (list, tuple)) or \
                    not all(isinstance(t, str) for t in tags):
                raise InputError(f"{method}: {where}[1] must be a list of str tags; got {describe(tags)}")
            if kind == "Margin" and len(tags) != 3:
                raise InputError(f"{method}: {where} is a Margin chart and needs exactly 3 tags "
                                 f"[value, lower, upper]; got {len(tags)}")
            out.append({"title": title, "kind": kind, "tags": list(tags)})
        categories.append({"title": cat, "charts": out})
    return CustomScalarsLayout(categories)


def merge_layouts(existing_categories: list[dict[str, Any]],
                  new_categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A new category list: same-titled categories merge their charts, a same-titled chart is
    replaced in place; nothing passed in is modified."""
    merged = [{"title": c["title"], "charts": [dict(ch) for ch in c["charts"]]} for c in existing_categories]
    index = {c["title"]: c for c in merged}
    for cat in new_categories:
        target = index.get(cat["title"])
        if target is None:
            target = index[cat["title"]] = {"title": cat["title"], "charts": []}
            merged.append(target)
        charts = target["charts"]
        for ch in cat["charts"]:
            new = {"title": ch["title"], "kind": ch["kind"], "tags": list(ch["tags"])}
            for i, old in enumerate(charts):
                if old["title"] == ch["title"]:
                    charts[i] = new
                    break
            else:
                charts.append(new)
    return merged


def _chart(ch: dict[str, Any]) -> bytes:
    """Chart {title = 1, multiline = 2 {repeated tag = 1}, margin = 3 {repeated Series series = 1
    {value = 1, lower = 2, upper = 3}}}."""
    out = field_string(1, ch["title"])
    tags = ch["tags"]
    if ch["kind"] == "Margin":
        series = field_string(1, tags[0]) + field_string(2, tags[1]) + field_string(3, tags[2])
        return out + field_bytes(3, field_bytes(1, series))
    return out + field_bytes(2, b"".join(field_string(1, t) for t in tags))


def layout_proto(categories: list[dict[str, Any]]) -> bytes:
    """Layout {version = 1 (0, omitted), repeated Category category = 2 {title = 1, chart = 2}}."""
    return b"".join(
        field_bytes(2, field_string(1, c["title"]) + b"".join(field_bytes(2, _chart(ch)) for ch in c["charts"]))
        for c in categories)


def encode(tag: str, rec: CustomScalarsLayout) -> bytes:
    """Summary{value{custom_scalars__config__, DT_STRING scalar tensor, plugin 'custom_scalars'}}."""
    tensor = tensor_proto(strings=[layout_proto(rec.categories)], shape=())
    return summary(summary_value(CONFIG_TAG, tensor=tensor, metadata=plugin_metadata(PLUGIN_NAME)))
