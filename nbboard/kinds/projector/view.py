"""The embedding projector view (`Projector`): embeddings in 3-D/2-D, projected on a worker
thread (PCA, t-SNE, UMAP), coloured by metadata, with sprites and nearest neighbours."""

from __future__ import annotations

import re
from typing import Any

import traitlets

from nbboard.kinds.projector import projection
from nbboard.kinds.projector.feed import ProjectorFeed
from nbboard.store import Store
from nbboard.widgets.base import Rebuilt, View, _read_static, library_trait, page_library
from nbboard.widgets.source import resolve_source

#: The 3-D bundle's name on the page (the views' trait `_scene3d`, the kinds' `library`).
SCENE3D = "scene3d"


def scene3d_source() -> str:
    """The 3-D bundle's code (static/scene3d.js: three.js, the projector and mesh views, the
    t-SNE/UMAP worker), shipped to a page only once embeddings or meshes are shown there."""
    return _read_static("scene3d.js")


class Projector(View):
    """The 3-D embedding projector for the embeddings of a logdir, a Store or a SummaryWriter.

    ``Projector(writer)``, ``Projector("runs/", tags="feat", color_by="label", methods=("pca", "tsne"))``.
    The kernel always computes PCA, and the `methods` asked for — t-SNE (scikit-learn) and UMAP
    (umap-learn) when installed — on a background thread, for up to `max_points` points (defaults in
    nbboard.kinds.projector.projection). t-SNE and UMAP the kernel does not compute are computed in
    the page (a Web Worker, up to 20,000 points), with their parameters, while the kernel trains
    and in exported pages.
    """

    kind = traitlets.Unicode("projector").tag(sync=True)
    ui = traitlets.Dict().tag(sync=True)
    LIBRARIES = (SCENE3D,)
    #: the 3-D bundle (three.js, this view's code and its t-SNE/UMAP worker)
    _scene3d = library_trait()

    def __init__(self, source: Any = None, *, tags: str | None = None,
                 methods: tuple[str, ...] = projection.METHODS, max_points: dict[str, int] | None = None,
                 color_by: str | None = None, dims: int = 3, neighbors: int = 10, height: int = 520,
                 ui: dict | None = None, max_rate: float = 10.0, **kwargs: Any) -> None:
        if tags is not None:
            re.compile(tags)
        if dims not in (2, 3):
            raise ValueError(f"dims must be 2 or 3, got {dims!r}")
        if not 1 <= int(neighbors) <= 100:
            raise ValueError(f"neighbors must be in [1, 100], got {neighbors!r}")
        if not 200 <= int(height) <= 4000:
            raise ValueError(f"height must be in [200, 4000] pixels, got {height!r}")
        store, logdir = resolve_source(source)
        opts: dict[str, Any] = {"dims": dims, "neighbors": int(neighbors), "height": int(height),
                                "methods": list(dict.fromkeys(("pca", *methods)))}
        if tags is not None:
            opts["tag_filter"] = tags
        if color_by is not None:
            opts["color_by"] = str(color_by)
        kwargs.setdefault("title", logdir or "")
        kwargs.setdefault("_scene3d", page_library(SCENE3D))
        super().__init__(options=opts, ui=dict(ui or {}), max_rate=max_rate, **kwargs)
        self.store = store
        self.logdir = logdir
        self._feed = ProjectorFeed(store, tuple(methods), max_points, tags, wake=self._pusher.wake)

    @classmethod
    def rebuild(cls, store: Store, desc: dict[str, Any]) -> Rebuilt:
        """The projections the live view computed (all of them, waited for by the exporter)."""
        opts = dict(desc.get("options") or {})
        methods = tuple(m for m in (opts.get("methods") or projection.METHODS) if m in projection.METHODS)
        return Rebuilt([ProjectorFeed(store, methods or ("pca",), None, opts.get("tag_filter"))], opts, {"ui": {}},
                       list(cls.LIBRARIES))

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        return self._feed.poll()

    def _resync(self) -> None:
        self._feed.reset()

    def describe(self) -> dict:
        return {"kind": self.kind, "logdir": self.logdir, **self._feed.describe(), "options": dict(self.options)}
