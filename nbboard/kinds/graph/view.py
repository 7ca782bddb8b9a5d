"""The model graph view (`Graph`): a run's add_graph record, a traced model or a GraphData, sent once
as a binary JSON snapshot to the page, where layout, expand/collapse, search and export happen."""

from __future__ import annotations

import json
import sys
from typing import Any

import traitlets

from nbboard.kinds.graph.record import GraphData
from nbboard.kinds.graph.trace import trace_graph
from nbboard.kinds.graph.write import GRAPHS
from nbboard.store import Store
from nbboard.widgets.base import Rebuilt, Runtime, View, _read_static, page_library
from nbboard.widgets.source import resolve_source


def graph_source() -> str:
    """The graph bundle's code (static/graph.js: dagre + the graph view)."""
    return _read_static("graph.js")


def graph_runtime() -> Runtime:
    """The kernel's graph runtime model (static/graph.js), the same model a Board's Graph tab uses:
    shipped to the page once, and only when a graph is shown, so the scalar runtime stays small."""
    return page_library("graph")


def _find_run(store: Store, run: str | None) -> str | None:
    """`run` if given, else '.' when it holds a graph, else the first run that holds one."""
    if run is not None:
        return run
    with_graph = [r for r in store.runs() if store.plugin_record(r, GRAPHS) is not None]
    if not with_graph:
        return None
    return "." if "." in with_graph else with_graph[0]


class GraphFeed:
    """The graphs a view shows, each sent whole (binary JSON) whenever it is new to the page: every
    run's graph in a Store (the page picks the run), one run's (`run`), or a graph given directly
    (run "")."""

    def __init__(self, store: Store | None, run: str | None, static: GraphData | None = None) -> None:
        self.store, self.run, self.static = store, run, static
        self._sent: dict[str, GraphData] = {}
        self._version = 0
        self._store_version = -1

    def records(self) -> dict[str, GraphData]:
        """Run → its graph now, for every run this feed shows that has one."""
        if self.static is not None:
            return {"": self.static}
        assert self.store is not None
        runs = [self.run] if self.run is not None else self.store.runs()
        out: dict[str, GraphData] = {}
        for r in runs:
            try:
                rec = self.store.plugin_record(r, GRAPHS)
            except KeyError:
                continue
            if rec is not None:
                out[r] = rec
        return out

    def record(self) -> GraphData | None:
        """The graph the page shows first (None until a run has one): `run`'s, else '.''s, else the
        first run's."""
        if self.static is not None:
            return self.static
        assert self.store is not None
        try:
            run = _find_run(self.store, self.run)
            return self.store.plugin_record(run, GRAPHS) if run is not None else None
        except KeyError:
            return None

    def poll(self) -> tuple[dict, list[bytes]] | None:
        """The next run's graph as one snapshot when it is new, else None (one run per poll)."""
        version = -1
        if self.store is not None:  # a new graph always bumps the Store's version
            version = self.store.version
            if version == self._store_version:
                return None
        for run, rec in self.records().items():
            if self._sent.get(run) is rec:
                continue
            self._sent[run] = rec
            self._version += 1
            data = json.dumps(rec.to_json(), separators=(",", ":"), allow_nan=False).encode("utf-8")
            return {"type": "graph", "full": True, "version": self._version, "run": run}, [data]
        self._store_version = version  # every graph of this version is on the page
        return None

    def reset(self) -> None:
        """The page lost its copy: send the snapshots again."""
        self._sent.clear()
        self._store_version = -1

    def describe(self) -> dict:
        """The runs whose graphs this feed sends (for the output's JSON description)."""
        runs = [r for r in self.records() if r] if self.static is None else []
        return {"runs": runs, "tags": []}


class Graph(View):
    """An expandable, searchable model graph.

    ``Graph(writer)`` / ``Graph("runs/exp1")`` show the graphs logged with `add_graph`, with a run
    selector when several runs have one (and follow newer ones); ``Graph(store, run="exp1")`` shows
    one run's; ``Graph(model, example_input)`` traces directly.
    `expand` lists module ids to open at start ("all" opens everything); `height` is in pixels.
    """

    kind = traitlets.Unicode("graph").tag(sync=True)
    RUNTIME = "graph"

    def __init__(self, source: Any = None, input_to_model: Any = None, *, run: str | None = None,
                 expand: list[str] | str | None = None, height: int | None = None,
                 use_strict_trace: bool = True, max_rate: float = 10.0, **kwargs: Any) -> None:
        opts: dict[str, Any] = {}
        if height is not None:
            if not isinstance(height, int) or not 120 <= height <= 5000:
                raise ValueError(f"height must be an int number of pixels in [120, 5000], got {height!r}")
            opts["height"] = height
        if expand is not None:
            if expand != "all" and not (isinstance(expand, (list, tuple)) and all(isinstance(e, str) for e in expand)):
                raise ValueError(f"expand must be 'all' or a list of module ids, got {expand!r}")
            opts["expand"] = expand if expand == "all" else list(expand)
        self._static: GraphData | None = None
        self.store: Store | None = None
        self.logdir: str | None = None
        self.run: str | None = run
        if isinstance(source, GraphData):
            self._static = source
        elif _is_module(source):
            self._static = trace_graph(source, input_to_model, use_strict_trace)
        else:
            self.store, self.logdir = resolve_source(source)
        title = self._static.model if self._static is not None else (self.logdir or "")
        kwargs.setdefault("title", title)
        kwargs.setdefault("_runtime", graph_runtime())
        super().__init__(options=opts, max_rate=max_rate, **kwargs)
        self._feed = GraphFeed(self.store, self.run, self._static)

    @classmethod
    def rebuild(cls, store: Store, desc: dict[str, Any]) -> Rebuilt:
        return Rebuilt([GraphFeed(store, desc.get("run"))], dict(desc.get("options") or {}))

    def record(self) -> GraphData | None:
        """The graph this view shows now (None until a run has one)."""
        return self._feed.record()

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        return self._feed.poll()

    def _resync(self) -> None:
        self._feed.reset()

    def describe(self) -> dict:
        """Kind, source and the graph's size, for the output's JSON description."""
        rec = self.record()
        d: dict[str, Any] = {"kind": self.kind, "logdir": self.logdir, "run": self.run,
                             "options": dict(self.options)}
        if rec is not None:
            d.update(model=rec.model, nodes=len(rec.nodes), groups=len(rec.groups), params=rec.params)
        return d


def _is_module(x: Any) -> bool:
    """True for a torch.nn.Module; torch is not imported for it (a module exists only if torch is)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.nn.Module)
