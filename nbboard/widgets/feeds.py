"""Record feeds: every non-scalar Store series (and run-level record) as compact binary deltas.

`RecordFeed` tracks, per series, how many records the page holds and sends only new ones.
`RecordView` is the base of the views built on it (Images, Histograms, Text, ...).

Wire format (decoded by js/src/lib/records.ts)::

    content = {"type": "records", "full": bool,
               "series": [[id, kind, run, tag, start, reset, steps, wall_times, metas], ...],
               "plugins": {run: {plugin: json}}}
    buffers = one per series row: the binary parts of its records, each 8-byte aligned;
              meta["p"] = [[offset, nbytes], ...] locates a record's parts in its row's buffer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ipywidgets
import numpy as np
import traitlets

from nbboard import store as st
from nbboard.records import (
    AudioData,
    CustomScalarsLayout,
    FigureData,
    HistogramData,
    HParamsData,
    ImageData,
    MeshData,
    PRCurveData,
    TextData,
)
from nbboard.store import Store

from .base import Runtime, View, pack_parts
from .projector import ID_BASE, ProjectorFeed
from .scalars import ScalarFeed, resolve_source

#: A message stops growing past this many bytes of binary parts; the rest follows next push.
MAX_BYTES_PER_MESSAGE = 8 << 20

Encoded = tuple[dict[str, Any], list[bytes]]


def _image(rec: ImageData) -> Encoded:
    meta: dict[str, Any] = {"w": rec.width, "h": rec.height, "c": rec.channels, "fmt": rec.format}
    if rec.format == "gif":
        meta["fps"] = rec.fps
        return meta, [rec.encoded]
    if rec.boxes is not None:
        # Boxes and labels are drawn by the page over the plain pixels (labels stay text, never HTML).
        from nbboard.summary.image import encode_png

        meta["boxes"] = np.asarray(rec.boxes, dtype=np.float64).round(3).tolist()
        meta["labels"] = list(rec.labels) if rec.labels is not None else None
        meta["rescale"] = rec.rescale
        return meta, [encode_png(rec.array)]
    return meta, [rec.encoded]


def _histogram(rec: HistogramData) -> Encoded:
    meta = {"min": _num(rec.min), "max": _num(rec.max), "num": _num(rec.num), "sum": _num(rec.sum),
            "sum_squares": _num(rec.sum_squares)}
    limits = np.ascontiguousarray(rec.bucket_limit, dtype=np.float64)
    counts = np.ascontiguousarray(rec.bucket, dtype=np.float64)
    return meta, [limits.tobytes(), counts.tobytes()]


def _audio(rec: AudioData) -> Encoded:
    return {"sample_rate": rec.sample_rate, "channels": rec.num_channels, "frames": rec.length_frames}, [rec.encoded]


def _text(rec: TextData) -> Encoded:
    return {"text": rec.text}, []


def _pr_curve(rec: PRCurveData) -> Encoded:
    data = np.ascontiguousarray(rec.data, dtype=np.float64)
    return {"n": int(data.shape[1])}, [data.tobytes()]


def _mesh(rec: MeshData) -> Encoded:
    meta: dict[str, Any] = {"config": rec.config}
    parts: list[bytes] = []
    for name, arr, dtype in (("vertices", rec.vertices, np.float32), ("faces", rec.faces, np.int32),
                             ("colors", rec.colors, np.uint8)):
        if arr is None:
            meta[name] = None
            continue
        a = np.ascontiguousarray(arr, dtype=dtype)
        meta[name] = list(a.shape)
        meta.setdefault("parts", []).append(name)
        parts.append(a.tobytes())
    return meta, parts


def _figure(rec: FigureData) -> Encoded:
    return {}, [rec.json.encode("utf-8")]


def _num(x: Any) -> float | str:
    """A JSON-safe number: NaN and ±inf travel as strings."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def _jsonable(x: Any) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return _num(x) if isinstance(x, (float, np.floating)) else int(x)
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return str(x)


def _hparams(rec: HParamsData) -> Any:
    return {"hparams": _jsonable(rec.hparams), "metrics": _jsonable(rec.metrics),
            "domains": _jsonable(rec.hparam_domains), "group": rec.group_name, "start": rec.start_time_secs}


def _layout(rec: CustomScalarsLayout) -> Any:
    return {"categories": _jsonable(rec.categories)}


ENCODERS: dict[str, Callable[[Any], Encoded]] = {
    st.IMAGES: _image, st.VIDEOS: _image, st.HISTOGRAMS: _histogram, st.AUDIO: _audio, st.TEXT: _text,
    st.PR_CURVES: _pr_curve, st.MESH: _mesh, st.FIGURES: _figure,
}
PLUGIN_ENCODERS: dict[str, Callable[[Any], Any]] = {st.HPARAMS: _hparams, st.CUSTOM_SCALARS: _layout}
ALL_KINDS = tuple(ENCODERS)
ALL_PLUGINS = tuple(PLUGIN_ENCODERS)


class _Sent:
    __slots__ = ("id", "kind", "run", "tag", "series", "sent", "epoch")

    def __init__(self, sid: int, kind: str, run: str, tag: str, series: Any) -> None:
        self.id, self.kind, self.run, self.tag, self.series = sid, kind, run, tag, series
        self.sent = 0
        self.epoch = series.epoch


class RecordFeed:
    """Tracks, per record series of the given kinds, how many records were sent; builds binary deltas."""

    def __init__(self, store: Store, kinds: tuple[str, ...], plugins: tuple[str, ...] = ()) -> None:
        unknown = set(kinds) - set(ENCODERS) | set(plugins) - set(PLUGIN_ENCODERS)
        if unknown:
            raise ValueError(f"no record encoder for {sorted(unknown)}")
        self.store = store
        self.kinds = tuple(kinds)
        self.plugins = tuple(plugins)
        self._store_version = -1
        self._series: dict[tuple[str, str], _Sent] = {}
        self._plugin_sent: dict[tuple[str, str], Any] = {}  # (run, plugin) -> the record object sent
        self._next_id = 0
        self._full = True

    def reset(self) -> None:
        """Forget what was sent (the page asked for everything again)."""
        for e in self._series.values():
            e.sent = 0
            e.epoch = -1
        self._plugin_sent.clear()
        self._store_version = -1
        self._full = True

    def _discover(self) -> dict[str, dict[str, Any]]:
        """Find new series; return run-level records that changed since last sent."""
        store = self.store
        plugins: dict[str, dict[str, Any]] = {}
        if store.version == self._store_version:
            return plugins
        self._store_version = store.version
        for run in store.runs():
            try:
                tags = store.tags(run)
            except KeyError:
                continue
            self._add_series(run, tags)
            for plugin in self.plugins:
                rec = store.plugin_record(run, plugin)
                if rec is not None and self._plugin_sent.get((run, plugin)) is not rec:
                    self._plugin_sent[(run, plugin)] = rec  # held, so a new record never shares its id
                    plugins.setdefault(run, {})[plugin] = PLUGIN_ENCODERS[plugin](rec)
        return plugins

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
            plugins = self._discover()
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
                meta, parts = ENCODERS[e.kind](rec)
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
        if not rows and not plugins:
            return None
        content: dict[str, Any] = {"type": "records", "series": rows, "plugins": plugins}
        if self._full:
            content["full"] = True
            self._full = False
        return content, buffers

    def has_kind(self, kind: str) -> bool:
        """Whether a series of `kind` has been seen."""
        return any(e.kind == kind for e in self._series.values())

    def describe(self) -> dict:
        """Runs and tags this feed has seen (for the output's JSON description)."""
        with self.store.lock:
            for run in self.store.runs():
                self._add_series(run, self.store.tags(run))
        runs = sorted({r for r, _ in self._series})
        tags = sorted({t for _, t in self._series})
        return {"runs": runs, "tags": tags}


# A Board's Projector tab projects with PCA only: t-SNE and UMAP take minutes of CPU on large
# embeddings, which a dashboard left open beside a training loop should not spend unasked;
# `nbboard.Projector(..., methods=("pca", "tsne", "umap"))` computes them.
BOARD_PROJECTIONS = ("pca",)


def board_feeds(store: Store, wake: Callable[[], None] | None = None) -> tuple[RecordFeed, ProjectorFeed]:
    """What a Board feeds its record tabs beside its scalars: every record kind, and the embeddings
    (series ids from ID_BASE, so the page merges both into one set of records). The Board widget and
    the exporter both build them here, so an exported Board shows what the live one did."""
    return (RecordFeed(store, ALL_KINDS, ALL_PLUGINS),
            ProjectorFeed(store, BOARD_PROJECTIONS, id_base=ID_BASE, wake=wake))


def poll_both(view: View, records: RecordFeed, scalar_msg: tuple[dict, list[bytes]] | None,
              *more: RecordFeed | ProjectorFeed) -> tuple[dict, list[bytes]] | None:
    """For a view fed scalars and records (and `more` record feeds): send the record deltas now,
    in order, and return the scalar one (or the last record delta when no scalar changed)."""
    msgs = [m for m in (feed.poll() for feed in (records, *more)) if m is not None]
    if scalar_msg is not None:
        msgs.append(scalar_msg)
    for m in msgs[:-1]:
        view.send(*m)
    return msgs[-1] if msgs else None


def _check_regex(name: str, value: str | None) -> None:
    if value is None:
        return
    import re

    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"{name} must be a regular expression; {value!r} is not ({err})") from None


class RecordView(View):
    """Base of the views of non-scalar kinds: a source (logdir, Store or writer) and a RecordFeed.

    `runs`/`tags` are regular expressions that start as the view's run/tag filters; `ui` holds
    the view's UI state (mode, sliders) so a saved notebook reopens as it was left.
    """

    KINDS: tuple[str, ...] = ()
    PLUGINS: tuple[str, ...] = ()
    WITH_SCALARS = False
    ui = traitlets.Dict().tag(sync=True)

    def __init__(self, source: Any = None, *, runs: str | None = None, tags: str | None = None,
                 ui: dict | None = None, max_rate: float = 10.0, **kwargs: Any) -> None:
        _check_regex("runs", runs)
        _check_regex("tags", tags)
        store, logdir = resolve_source(source)
        opts: dict[str, Any] = {}
        if runs is not None:
            opts["run_filter"] = runs
        if tags is not None:
            opts["tag_filter"] = tags
        kwargs.setdefault("title", logdir or "")
        super().__init__(options=opts, ui=dict(ui or {}), max_rate=max_rate, **kwargs)
        self.store = store
        self.logdir = logdir
        self._records = RecordFeed(store, self.KINDS, self.PLUGINS)
        self._scalars = ScalarFeed(store) if self.WITH_SCALARS else None

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        if self._scalars is None:
            return self._records.poll()
        return poll_both(self, self._records, self._scalars.poll())

    def _resync(self) -> None:
        self._records.reset()
        if self._scalars is not None:
            self._scalars.reset()

    def describe(self) -> dict:
        seen = self._records.describe()
        return {"kind": self.kind, "logdir": self.logdir, **seen, "options": dict(self.options)}


class BoardRecords(View):
    """What a Board adds for its record tabs: the `board_feeds` (every record kind and the
    embeddings), `ui` state, plotly on demand.

    Mixed in before `Scalars` (``class Board(BoardRecords, Scalars)``): the records delta is sent
    alongside the scalar one, and plotly.js is attached only once a plotly figure is logged.
    """

    ui = traitlets.Dict().tag(sync=True)
    _plotly = traitlets.Instance(Runtime, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._records, self._projector = board_feeds(self.store, wake=self._pusher.wake)  # type: ignore[attr-defined]
        self.options = {**self.options, "methods": list(BOARD_PROJECTIONS)}  # the Projector tab's buttons

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        msg = poll_both(self, self._records, super()._poll(), self._projector)
        if self._plotly is None and self._records.has_kind(st.FIGURES):
            from .figures import plotly_library

            self._plotly = plotly_library()
        return msg

    def _resync(self) -> None:
        super()._resync()
        self._records.reset()
        self._projector.reset()

    def describe(self) -> dict:
        d = super().describe()
        for seen in (self._records.describe(), self._projector.describe()):
            d["runs"] = sorted(set(d.get("runs", [])) | set(seen["runs"]))
            d["tags"] = sorted(set(d.get("tags", [])) | set(seen["tags"]))
        return d
