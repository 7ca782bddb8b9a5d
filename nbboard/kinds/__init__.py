"""The registry: the one list of the kinds of data nbboard logs, reads, stores and shows.

Each kind lives in its own folder (see `contract.Kind` for what a kind provides). Adding a
kind is a folder and a line here; the Store, the logdir reader, the record feeds, the Board,
export and `nbboard.<View>` all read this table.
"""

from __future__ import annotations

import importlib
from typing import Any

from nbboard.kinds import (
    alerts,
    audio,
    custom_scalars,
    figures,
    graph,
    histograms,
    hparams,
    images,
    mesh,
    pr_curves,
    profiler,
    projector,
    scalars,
    tensor,
    text,
    videos,
)
from nbboard.kinds.contract import Kind

#: Kind name → Kind, in the order kinds claim tensors no plugin reads (tensor last: it takes any).
REGISTRY: dict[str, Kind] = {k.name: k for k in (
    scalars.KIND,
    images.KIND,
    videos.KIND,
    audio.KIND,
    histograms.KIND,
    text.KIND,
    pr_curves.KIND,
    hparams.KIND,
    mesh.KIND,
    custom_scalars.KIND,
    figures.KIND,
    graph.KIND,
    projector.KIND,
    alerts.KIND,
    profiler.KIND,
    tensor.KIND,
)}

#: Public view name → "module:attribute" (what `nbboard.Images` and the exporter import).
VIEWS: dict[str, str] = {name: path for k in REGISTRY.values() for name, path in k.views.items()}


def kind(name: str) -> Kind:
    """The registered kind called `name` (KeyError naming the kinds there are)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no kind {name!r}; kinds: {sorted(REGISTRY)}") from None


def load_attr(path: str) -> Any:
    """What a registry entry names as "module:attribute", imported now (views, page libraries and
    Board feeds need anywidget and the built front end; writing and reading do not)."""
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_view(name: str) -> type:
    """The view class registered under `name` (`nbboard.Images` is `load_view("Images")`)."""
    return load_attr(VIEWS[name])


def library_source(name: str) -> str:
    """The ES-module source of the page library a kind registers under `name` (plotly.js)."""
    for k in REGISTRY.values():
        if k.library is not None and k.library[0] == name:
            return load_attr(k.library[1])()
    raise KeyError(f"no page library {name!r}")
