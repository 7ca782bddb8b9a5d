"""A notebook's nbboard outputs replaced by static placeholders whose data the page inlines, then
rendered by nbconvert."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nbboard.export.formats import MIME, WIDGET_STATE_MIME, WIDGET_VIEW_MIME, ExportError
from nbboard.export.logs import Logs, resolve_logdir
from nbboard.export.page import Page, html_exporter
from nbboard.export.views import PROJECTION_TIMEOUT, build_view, view_classes


def _widget_states(nb: Any) -> dict[str, dict]:
    try:
        return dict(nb.metadata["widgets"][WIDGET_STATE_MIME]["state"])
    except (KeyError, TypeError):
        return {}


def _saved_state(output_data: dict, states: dict[str, dict]) -> dict | None:
    ref = output_data.get(WIDGET_VIEW_MIME)
    if not isinstance(ref, dict):
        return None
    entry = states.get(str(ref.get("model_id", "")))
    return entry.get("state") if isinstance(entry, dict) else None


def nbboard_outputs(nb: Any) -> Iterator[tuple[Any, dict]]:
    """Each nbboard output of the notebook's code cells with its JSON description ({} when it is
    unreadable; some tools store JSON mime data as text)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data")
            if not isinstance(data, dict) or MIME not in data:
                continue
            desc = data[MIME]
            if isinstance(desc, str):
                try:
                    desc = json.loads(desc)
                except ValueError:
                    desc = {}
            yield out, desc if isinstance(desc, dict) else {}


def _rewrite_outputs(nb: Any, base_dir: Path, search: Sequence[str], page: Page, logs: Logs,
                     projection_timeout: float) -> None:
    """Replace each nbboard output by its placeholder (or a message when its logs are gone)."""
    states = _widget_states(nb)
    for out, desc in nbboard_outputs(nb):
        saved = _saved_state(out["data"], states)
        out["data"] = {"text/html": _view_html(desc, base_dir, search, page, logs, projection_timeout, saved)}
        out.get("metadata", {}).pop(MIME, None)


def _view_html(desc: dict, base_dir: Path, search: Sequence[str], page: Page, logs: Logs,
               projection_timeout: float, saved: dict | None) -> str:
    kind = desc.get("kind")
    logdir = desc.get("logdir")
    if kind not in view_classes():
        return page.add_missing(desc, f"this version cannot export a view of kind {kind!r}.")
    if not logdir:
        return page.add_missing(desc, "this view showed data with no logdir (an in-kernel Store or a "
                                      "traced model), so there are no logs to export it from.")
    path = resolve_logdir(str(logdir), base_dir, search)
    if path is None:
        return page.add_missing(desc, f"its logdir {logdir} is gone, so this view could not be exported "
                                      "(pass --logdir DIR to say where the logs are now).")
    try:
        store = logs.store(path)
        return page.add_view(build_view(desc, store, projection_timeout=projection_timeout, saved_state=saved))
    except ExportError:
        raise
    except Exception as err:  # unreadable logs: say so in place of the view, export the rest
        return page.add_missing(desc, f"its logs in {path} could not be read ({err}).")


def render_notebook(nb: Any, base_dir: str | os.PathLike, *, logdirs: Sequence[str] = (),
                    theme: str = "light", title: str | None = None, exclude_input: bool = False,
                    projection_timeout: float = PROJECTION_TIMEOUT) -> tuple[str, Page]:
    """A notebook node as one offline HTML page: (html, what it inlined)."""
    nb = copy.deepcopy(nb)
    page = Page()
    _rewrite_outputs(nb, Path(base_dir), [str(d) for d in logdirs], page, Logs(), projection_timeout)
    nb.metadata.pop("widgets", None)  # the widget manager would load from a CDN; views are inlined instead
    resources: dict[str, Any] = {"nbboard_footer": page.footer(), "metadata": {"name": title or "notebook"}}
    if title:
        nb.metadata["title"] = title
    body, _ = html_exporter(theme, exclude_input).from_notebook_node(nb, resources=resources)
    return body, page
