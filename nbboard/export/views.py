"""Views rebuilt from logs: the feeds a live view uses (`View.rebuild`), drained to the end on a
Store read from the logs, with no kernel."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from nbboard.export.formats import ExportError
from nbboard.export.payload import Message
from nbboard.kinds import VIEWS, load_view
from nbboard.widgets.wire import PROTOCOL

#: Seconds to wait for the projector's background projections (t-SNE, UMAP) before exporting what is done.
PROJECTION_TIMEOUT = 120.0


@functools.cache
def view_classes() -> dict[str, type]:
    """Every view class by the kind string its model carries (the Board and each kind's views)."""
    from nbboard.widgets.board import Board

    out: dict[str, type] = {"board": Board}
    for name in VIEWS:
        cls = load_view(name)
        out[cls.kind.default_value] = cls  # type: ignore[attr-defined]
    return out


def _drain(feed: Any, out: list[Message], timeout: float) -> None:
    """Poll `feed` until it has nothing more; a feed with `done()` (the projector's background
    projections, 2-D layouts included) is polled until done or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        while (m := feed.poll()) is not None:
            out.append(m)
        if not hasattr(feed, "done") or feed.done() or time.monotonic() > deadline:
            return
        time.sleep(0.05)


@dataclass
class BuiltView:
    """A view rebuilt from logs: its model state, messages, and the inlined code it needs."""

    state: dict
    messages: list[Message]
    runtime: str = "main"
    libs: list[str] = field(default_factory=list)


def build_view(desc: dict, store: Any, *, projection_timeout: float = PROJECTION_TIMEOUT,
               saved_state: dict | None = None) -> BuiltView:
    """The state and messages of the view `desc` describes, read from `store` with no kernel."""
    kind = str(desc.get("kind", ""))
    cls = view_classes().get(kind)
    if cls is None:
        raise ExportError(f"unknown nbboard view kind {kind!r}")
    saved = saved_state or {}
    rebuilt = cls.rebuild(store, desc)  # type: ignore[attr-defined]
    msgs: list[Message] = []
    for feed in rebuilt.feeds:
        _drain(feed, msgs, projection_timeout)
    runtime = cls.RUNTIME  # type: ignore[attr-defined]
    state: dict[str, Any] = {
        "kind": kind,
        "title": saved.get("title", desc.get("title", desc.get("logdir") or "")),
        "options": {**rebuilt.options, **(saved.get("options") or {})},
        "_uid": hashlib.sha256(json.dumps(desc, sort_keys=True, default=str).encode()).hexdigest()[:16],
        "_runtime": f"IPY_MODEL_nbb-lib-{runtime}",
        "_protocol": PROTOCOL,  # the exported models speak the live views' protocol
        **rebuilt.state,
    }
    if "ui" in state and isinstance(saved.get("ui"), dict):
        state["ui"] = dict(saved["ui"])
    for lib in rebuilt.libraries:
        state[f"_{lib}"] = f"IPY_MODEL_nbb-lib-{lib}"
    return BuiltView(state, msgs, runtime, list(rebuilt.libraries))
