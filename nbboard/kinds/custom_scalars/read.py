"""Reading custom-scalar layouts: the plugin's Layout proto, merged across events per run as
nbboard's writer merges each call's part."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.custom_scalars.record import CustomScalarsLayout
from nbboard.kinds.custom_scalars.write import merge_layouts
from nbboard.tfevents.protos import fields, first_string, string
from nbboard.tfevents.wire import LEN

CUSTOM_SCALARS = "custom_scalars"


def parse_layout(buf: bytes) -> CustomScalarsLayout:
    """tensorboard.Layout {category=2 {title=1, chart=2 {title=1, multiline=2 {tag=1},
    margin=3 {series=1 {value=1, lower=2, upper=3}}}}} → CustomScalarsLayout."""
    cats = []
    for fn, wt, v in fields(buf):
        if fn != 2 or wt != LEN:
            continue
        title = ""
        charts = []
        for f2, w2, v2 in fields(v):
            if f2 == 1 and w2 == LEN:
                title = string(v2)
            elif f2 == 2 and w2 == LEN:
                ctitle, kind, tags = "", "Multiline", []
                for f3, w3, v3 in fields(v2):
                    if f3 == 1 and w3 == LEN:
                        ctitle = string(v3)
                    elif f3 == 2 and w3 == LEN:
                        kind = "Multiline"
                        tags = [string(x) for f4, w4, x in fields(v3) if f4 == 1 and w4 == LEN]
                    elif f3 == 3 and w3 == LEN:
                        kind = "Margin"
                        tags = []
                        for f4, w4, s in fields(v3):
                            if f4 == 1 and w4 == LEN:
                                tags.extend(string(x) for f5, w5, x in fields(s) if w5 == LEN)
                charts.append({"title": ctitle, "kind": kind, "tags": tags})
        cats.append({"title": title, "charts": charts})
    return CustomScalarsLayout(cats)


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The layout in the tensor's first string."""
    raw = first_string(tensor)
    return [] if raw is None else [Decoded(CUSTOM_SCALARS, tag, parse_layout(raw))]


def fold(state: dict[str, Any], layout: CustomScalarsLayout) -> None:
    """Merge a layout read from the files into the run's."""
    prev = state.get("layout")
    if prev is not None:
        layout = CustomScalarsLayout(merge_layouts(prev.categories, layout.categories))
    state["layout"] = layout


def build(state: dict[str, Any], series: Mapping[str, Any]) -> CustomScalarsLayout | None:
    """The run's merged layout."""
    return state.get("layout")
