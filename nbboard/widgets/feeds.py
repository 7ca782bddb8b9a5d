"""Record feeds: every non-scalar Store series (and run-level record) as compact binary deltas.

`RecordFeed` tracks, per series, how many records the page holds and sends only new ones.
`RecordView` is the base of the views built on it (Images, Histograms, Text, ...).

Wire format (decoded by js/src/lib/records.ts)::

    content = {"type": "records", "full": bool,
               "series": [[id, kind, run, tag, start, reset, steps, wall_times, metas], ...],
               "plugins": {run: {plugin: json}},
               "problems": [{run, kind, file, message}, ...]}  # (when they changed: every file
                                                                 # of these kinds that could not be read)
    buffers = one per series row: the binary parts of its records, each 8-byte aligned;
              meta["p"] = [[offset, nbytes], ...] locates a record's parts in its row's buffer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from nbboard.kinds import REGISTRY, load_attr
from nbboard.store import Store

from .base import Rebuilt, View, check_regex, library_trait, page_library
from .source import resolve_source, source_title
from .wire import pack_parts

#: A message stops growing past this many bytes of binary parts; the rest follows next push.
MAX_BYTES_PER_MESSAGE = 8 << 20

#: Every kind of series with a record feed, and every run-level kind with one (a Board shows all).
ALL_KINDS = tuple(k.name for k in REGISTRY.values() if k.feed is not None and not k.run_level)
ALL_PLUGINS = tuple(k.name for k in REGISTRY.values() if k.feed is not None and k.run_level)


class _Sent:
    __slots__ = ("id", "kind", "run", "tag", "series", "sent", "epoch")

    def __init__(self, sid: int, kind: str, run: str, tag: str, series: Any) -> None:
        self.id, self.kind, self.run, self.tag, self.series = sid, kind, run, tag, series
        self.sent = 0
        self.epoch = series.epoch


class RecordFeed:
    """Tracks, per record series of the given kinds, how many records were sent; builds binary deltas."""

    def __init__(self, store: Store, kinds: tuple[str, ...], plugins: tuple[str, ...] = ()) -> None:
        unknown = set(kinds) - set(ALL_KINDS) | set(plugins) - set(ALL_PLUGINS)
        if unknown:
            raise ValueError(f"no record encoder for {sorted(unknown)}")
        self.store = store
        self.kinds = tuple(kinds)
        self._encoders = {k: REGISTRY[k].feed for k in self.kinds}
        self.plugins = tuple(plugins)
        self._store_version = -1
        self._series: dict[tuple[str, str], _Sent] = {}
        self._plugin_sent: dict[tuple[str, str], Any] = {}  # (run, plugin) -> the record object sent
        self._next_id = 0
        self._full = True
        self._problems: list[dict[str, str]] = []  # the unreadable files last sent

    def reset(self) -> None:
        """Forget what was sent (the page asked for everything again)."""
        for e in self._series.values():
            e.sent = 0
            e.epoch = -1
        self._plugin_sent.clear()
        self._store_version = -1
        self._full = True
        self._problems = []

    def _discover(self) -> tuple[dict[str, dict[str, Any]], list[dict[str, str]] | None]:
        """Find new series; return run-level records that changed since last sent, and the files
        of these kinds that cannot be read when that list changed (else None)."""
        store = self.store
        plugins: dict[str, dict[str, Any]] = {}
        if store.version == self._store_version:
            return plugins, None
        self._store_version = store.version
        problems = store.problems(self.kinds + self.plugins)
        for run in store.runs():
            try:
                tags = store.tags(run)
                ranks = store.rank_runs(run)
            except KeyError:
                continue
            self._add_run(run, tags, ranks)
            for plugin in self.plugins:
                rec = store.plugin_record(run, plugin)
                if rec is not None and self._plugin_sent.get((run, plugin)) is not rec:
                    self._plugin_sent[(run, plugin)] = rec  # held, so a new record never shares its id
                    plugins.setdefault(run, {})[plugin] = REGISTRY[plugin].feed(rec)
        return plugins, (problems if problems != self._problems else None)

    def _add_run(self, run: str, tags: dict[str, list[str]], ranks: dict[int, str]) -> None:
        """A run's series; a distributed run's per rank, under each rank folder's name (a view
        shows `exp/rank0`, `exp/rank1`, ... as TensorBoard does; scalars fold them, records not)."""
        if not ranks:
            self._add_series(run, tags)
            return
        for name in ranks.values():
            try:
                self._add_series(name, self.store.tags(name))
            except KeyError:
                continue

    def _add_series(self, run: str, tags: dict[str, list[str]]) -> None:
        for kind in self.kinds:
            for tag in tags.get(kind, []):
                if (run, tag) not in self._series:
                    self._series[(run, tag)] = _Sent(self._next_id, kind, run, tag, self.store.series(run, tag))
                    self._next_id += 1

    def poll(self, max_bytes: int = MAX_BYTES_PER_MESSAGE) -> tuple[dict, list[bytes]] | None:
        """The delta since the last poll, or None when nothing changed."""
        rows: list[list] = []
        buffers: list[bytes] = []
        budget = max_bytes
        with self.store.lock:
            plugins, problems = self._discover()
            work = []
            for e in self._series.values():
                s = e.series
                n = len(s)
                reset = s.epoch != e.epoch
                if reset:
                    e.epoch, e.sent = s.epoch, 0
                if n < e.sent:
                    e.sent, reset = 0, True
                if n == e.sent and not reset:
                    continue
                work.append((e, reset, s.items(e.sent, n)))
        # Encoding (PNG, WAV, ...) happens outside the Store lock so writers never wait on it.
        for e, reset, items in work:
            if budget <= 0:
                break
            metas, chunks, steps, walls = [], [], [], []
            off = 0
            for step, wall, rec in items:
                meta, parts = self._encoders[e.kind](rec)
                meta["p"], ch, off = pack_parts(parts, off)
                chunks += ch
                metas.append(meta)
                steps.append(int(step))
                walls.append(float(wall))
                if off >= budget:
                    break
            rows.append([e.id, e.kind, e.run, e.tag, e.sent, bool(reset), steps, walls, metas])
            buffers.append(b"".join(chunks))
            e.sent += len(metas)
            budget -= off
        if not rows and not plugins and problems is None:
            return None
        content: dict[str, Any] = {"type": "records", "series": rows, "plugins": plugins}
        if problems is not None:
            content["problems"] = self._problems = problems
        if self._full:
            content["full"] = True
            self._full = False
        return content, buffers

    def has_kind(self, kind: str) -> bool:
        """Whether a series (or run-level record) of `kind`, or an unreadable file of it, has been seen."""
        return (any(e.kind == kind for e in self._series.values())
                or any(p == kind for _r, p in self._plugin_sent)
                or any(p["kind"] == kind for p in self._problems))

    def describe(self) -> dict:
        """Runs and tags this feed has seen (for the output's JSON description)."""
        with self.store.lock:
            for run in self.store.runs():
                self._add_run(run, self.store.tags(run), self.store.rank_runs(run))
        runs = sorted({r for r, _ in self._series})
        tags = sorted({t for _, t in self._series})
        return {"runs": runs, "tags": tags}


def board_feeds(store: Store, wake: Callable[[], None] | None = None) -> list[Any]:
    """What a Board feeds its tabs beside its scalars: one record feed of every kind that has a
    record feed, then each kind's own Board feed (the projector's embeddings). The Board widget
    and the exporter both build them here, so an exported Board shows what the live one did."""
    feeds: list[Any] = [RecordFeed(store, ALL_KINDS, ALL_PLUGINS)]
    for k in REGISTRY.values():
        if k.board_feed:
            feeds.append(load_attr(k.board_feed)(store, wake))
    return feeds


def has_kind(feed: Any, kind: str) -> bool:
    """Whether a Board feed has seen records of `kind` (a feed without `has_kind` carries none)."""
    check = getattr(feed, "has_kind", None)
    return bool(check is not None and check(kind))


def board_options(feeds: list[Any]) -> dict[str, Any]:
    """The options the Board's feeds give its tabs (the projector's projection buttons)."""
    out: dict[str, Any] = {}
    for f in feeds:
        out.update(getattr(f, "options", None) or {})
    return out


def poll_all(view: View, feeds: list[Any], last: tuple[dict, list[bytes]] | None = None
             ) -> tuple[dict, list[bytes]] | None:
    """Poll every feed of a view: send each delta now, in order, and return the final one (`last`,
    the view's own delta, if it has one) for the pusher to send."""
    msgs = [m for m in (feed.poll() for feed in feeds) if m is not None]
    if last is not None:
        msgs.append(last)
    for m in msgs[:-1]:
        view.send(*m)
    return msgs[-1] if msgs else None


def merge_described(d: dict, feeds: list[Any]) -> dict:
    """`d` (a view's description) with the runs and tags every feed has seen added."""
    for f in feeds:
        seen = f.describe()
        d["runs"] = sorted(set(d.get("runs", [])) | set(seen["runs"]))
        d["tags"] = sorted(set(d.get("tags", [])) | set(seen["tags"]))
    return d


class RecordView(View):
    """Base of the views of non-scalar kinds: a source (logdir, Store or writer) and its feeds
    (`feeds`: a RecordFeed of the view's KINDS and PLUGINS, unless a view adds more).

    `runs`/`tags` are regular expressions that start as the view's run/tag filters; `ui` holds
    the view's UI state (mode, sliders) so a saved notebook reopens as it was left.
    """

    KINDS: tuple[str, ...] = ()
    PLUGINS: tuple[str, ...] = ()
    ui = traitlets.Dict().tag(sync=True)

    def __init__(self, source: Any = None, *, runs: str | None = None, tags: str | None = None,
                 ui: dict | None = None, max_rate: float = 10.0, **kwargs: Any) -> None:
        check_regex("runs", runs)
        check_regex("tags", tags)
        store, logdir = resolve_source(source)
        opts: dict[str, Any] = {}
        if runs is not None:
            opts["run_filter"] = runs
        if tags is not None:
            opts["tag_filter"] = tags
        kwargs.setdefault("title", source_title(source, logdir))
        super().__init__(options=opts, ui=dict(ui or {}), max_rate=max_rate, **kwargs)
        self.store = store
        self.logdir = logdir
        self._feeds = self.feeds(store)

    def picture_kinds(self) -> tuple[str, ...] | None:
        """Its record kinds: their tags are listed (images shown) in the output's picture."""
        return tuple(self.KINDS)

    @classmethod
    def feeds(cls, store: Store) -> list[Any]:
        """The feeds that send this view its data (the exporter drains the same ones)."""
        return [RecordFeed(store, cls.KINDS, cls.PLUGINS)]

    @classmethod
    def rebuild(cls, store: Store, desc: dict[str, Any]) -> Rebuilt:
        return Rebuilt(cls.feeds(store), dict(desc.get("options") or {}), {"ui": {}}, list(cls.LIBRARIES))

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        return poll_all(self, self._feeds)

    def _resync(self) -> None:
        for f in self._feeds:
            f.reset()

    def describe(self) -> dict:
        d = {"kind": self.kind, "logdir": self.logdir, "runs": [], "tags": [], "options": dict(self.options)}
        return merge_described(d, self._feeds)


class BoardRecords(View):
    """What a Board adds for its record tabs: the `board_feeds`, `ui` state, and the page
    libraries a kind needs (plotly.js), attached only once such records are logged.

    Mixed in before `Scalars` (``class Board(BoardRecords, Scalars)``): the record deltas are
    sent alongside the scalar one.
    """

    ui = traitlets.Dict().tag(sync=True)
    _plotly = library_trait()
    _graph = library_trait()
    _scene3d = library_trait()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._board_feeds = board_feeds(self.store, wake=self._pusher.wake)  # type: ignore[attr-defined]
        self._records: RecordFeed = self._board_feeds[0]
        self._libraries = {k.name: k.library[0] for k in REGISTRY.values() if k.library is not None}
        self.options = {**self.options, **board_options(self._board_feeds)}

    @classmethod
    def rebuild(cls, store: Store, desc: dict[str, Any]) -> Rebuilt:
        """The scalars (`super()`), then the Board's feeds, and the libraries of kinds present."""
        base = super().rebuild(store, desc)  # type: ignore[misc]
        feeds = board_feeds(store)
        libs = [k.library[0] for k in REGISTRY.values()
                if k.library is not None and any(k.name in store.tags(r) for r in store.runs())]
        return Rebuilt([*base.feeds, *feeds], {**base.options, **board_options(feeds)}, {"ui": {}}, libs)

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        msg = poll_all(self, self._board_feeds, super()._poll())
        for name, library in list(self._libraries.items()):
            if any(has_kind(f, name) for f in self._board_feeds):  # a `_<library>` trait for each
                setattr(self, f"_{library}", page_library(library))
                del self._libraries[name]
        return msg

    def _resync(self) -> None:
        super()._resync()
        for f in self._board_feeds:
            f.reset()

    def describe(self) -> dict:
        return merge_described(super().describe(), self._board_feeds)
