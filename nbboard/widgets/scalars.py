"""The scalar view (`Scalars`) and its feed: what a view has sent of each scalar series, and the deltas."""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
import traitlets

from nbboard.store import SCALARS, Store, default_store

from .base import View, check_regex

#: At most this many points go into one message; the rest follow on the next push.
MAX_POINTS_PER_MESSAGE = 2_000_000

OPTION_KEYS = {
    "smoothing", "x_axis", "log_y", "ignore_outliers", "run_filter", "tag_filter", "hidden_runs", "collapsed",
}


class _Sent:
    __slots__ = ("id", "run", "tag", "series", "sent", "epoch")

    def __init__(self, sid: int, run: str, tag: str, series: Any) -> None:
        self.id = sid
        self.run = run
        self.tag = tag
        self.series = series
        self.sent = 0  # points of `series` the page holds (as far as we know)
        self.epoch = series.epoch


class ScalarFeed:
    """Tracks, per scalar series of a Store, how many points were sent; builds binary deltas.

    Wire format (see js/src/lib/wire.ts): content ``{"type": "scalars", "series": [[id, run,
    tag, start, count, reset], ...]}`` and one buffer holding, per series in order, ``count``
    float64 steps, then values, then wall times.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._store_version = -1
        self._series: dict[tuple[str, str], _Sent] = {}
        self._next_id = 0

    def reset(self) -> None:
        """Forget what was sent (the page asked for everything again)."""
        for e in self._series.values():
            e.sent = 0
            e.epoch = -1  # forces a reset flag so the page drops what it holds
        self._full = True

    _full = True

    def _discover(self) -> None:
        store = self.store
        if store.version == self._store_version:
            return
        self._store_version = store.version
        for run in store.runs():
            try:
                tags = store.tags(run).get(SCALARS, [])
            except KeyError:
                continue
            for tag in tags:
                if (run, tag) not in self._series:
                    self._series[(run, tag)] = _Sent(self._next_id, run, tag, store.scalars(run, tag))
                    self._next_id += 1

    def poll(self, max_points: int = MAX_POINTS_PER_MESSAGE) -> tuple[dict, list[bytes]] | None:
        """The delta since the last poll, or None when nothing changed."""
        rows: list[list] = []
        chunks: list[bytes] = []
        budget = max_points
        with self.store.lock:
            self._discover()
            for e in self._series.values():
                s = e.series
                n = len(s)
                reset = s.epoch != e.epoch
                if reset:
                    e.epoch = s.epoch
                    e.sent = 0
                if n <= e.sent and not reset:
                    continue
                if n < e.sent:  # should not happen without an epoch change; be safe
                    e.sent = 0
                    reset = True
                k = min(n - e.sent, budget)
                if k <= 0 and not reset:
                    continue
                a, b = e.sent, e.sent + k
                chunks.append(np.asarray(s.steps[a:b], dtype=np.float64).tobytes())
                chunks.append(np.ascontiguousarray(s.values[a:b], dtype=np.float64).tobytes())
                chunks.append(np.ascontiguousarray(s.wall_times[a:b], dtype=np.float64).tobytes())
                rows.append([e.id, e.run, e.tag, a, k, bool(reset)])
                e.sent = b
                budget -= k
                if budget <= 0:
                    break
        if not rows:
            return None
        content = {"type": "scalars", "series": rows}
        if self._full:
            content["full"] = True
            self._full = False
        return content, [b"".join(chunks)]

    def describe(self) -> dict:
        """Runs and tags this feed has seen (for the output's JSON description)."""
        runs = sorted({r for r, _ in self._series})
        tags = sorted({t for _, t in self._series})
        return {"runs": runs, "tags": tags}


def resolve_source(source: Any) -> tuple[Store, str | None]:
    """A Store (and its logdir, if any) from a logdir path, a Store, a SummaryWriter or None."""
    if source is None:
        return default_store(), None
    if isinstance(source, Store):
        return source, source.logdir
    if isinstance(source, (str, os.PathLike)):
        logdir = os.fspath(source)
        store = default_store().select(logdir)
        _follow(store, logdir)
        return store, store.logdir
    store = getattr(source, "store", None)
    if isinstance(store, Store):  # a SummaryWriter
        logdir = source.get_logdir() if hasattr(source, "get_logdir") else getattr(source, "log_dir", None)
        if logdir is None:
            return store, store.logdir
        view = store.select(logdir)
        return view, view.logdir
    raise TypeError(
        f"source must be a logdir path, a Store or a SummaryWriter, got {type(source).__name__}"
    )


_followers: dict[str, Any] = {}
_followers_lock = threading.Lock()


def _follow(store: Store, logdir: str) -> None:
    """Tail the logdir's event files (other processes, older runs) into the Store.

    One follower thread per logdir per kernel. Followers of nested logdirs (and `Store.follow`)
    share the Store's reading state, so each event file is read once; the reader skips the
    files this kernel's own writers write. A missing local logdir is created, as a training
    script about to write there would, so `%nbboard` can come first.
    """
    from nbboard.logdir import follow_into

    key = store.logdir or logdir
    with _followers_lock:
        f = _followers.get(key)
        if f is not None and getattr(f, "alive", True):
            return
        if "://" not in logdir:
            os.makedirs(logdir, exist_ok=True)
        _followers[key] = follow_into(default_store(), logdir)


def _options(smoothing: float | None, x_axis: str | None, log_y: bool | None, ignore_outliers: bool | None,
             runs: str | None, tags: str | None, extra: dict | None) -> dict:
    opts: dict = dict(extra or {})
    unknown = set(opts) - OPTION_KEYS
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)}; accepted: {sorted(OPTION_KEYS)}")
    if smoothing is not None:
        if not 0 <= smoothing < 1:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
        opts["smoothing"] = float(smoothing)
    if x_axis is not None:
        if x_axis not in ("step", "relative", "wall"):
            raise ValueError(f"x_axis must be 'step', 'relative' or 'wall', got {x_axis!r}")
        opts["x_axis"] = x_axis
    if log_y is not None:
        opts["log_y"] = bool(log_y)
    if ignore_outliers is not None:
        opts["ignore_outliers"] = bool(ignore_outliers)
    for key, name, value in (("run_filter", "runs", runs), ("tag_filter", "tags", tags)):
        if value is not None:
            opts[key] = check_regex(name, str(value))
        elif opts.get(key) is not None:
            opts[key] = check_regex(f"options[{key!r}]", str(opts[key]))
    return opts


class Scalars(View):
    """Live scalar charts for the runs of a logdir, a Store or a SummaryWriter.

    ``Scalars("runs/")``, ``Scalars(writer)``, ``Scalars(store, smoothing=0.9, runs="lr.*")``.
    `runs`/`tags` are regular expressions that start as the view's run/tag filters.
    """

    kind = traitlets.Unicode("scalars").tag(sync=True)

    def __init__(
        self,
        source: Any = None,
        *,
        runs: str | None = None,
        tags: str | None = None,
        smoothing: float | None = None,
        x_axis: str | None = None,
        log_y: bool | None = None,
        ignore_outliers: bool | None = None,
        options: dict | None = None,
        max_rate: float = 10.0,
        **kwargs: Any,
    ) -> None:
        opts = _options(smoothing, x_axis, log_y, ignore_outliers, runs, tags, options)  # before following
        store, logdir = resolve_source(source)
        kwargs.setdefault("title", logdir or "")
        super().__init__(options=opts, max_rate=max_rate, **kwargs)
        self.store = store
        self.logdir = logdir
        self._feed = ScalarFeed(store)

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        return self._feed.poll()

    def _resync(self) -> None:
        self._feed.reset()

    def describe(self) -> dict:
        with self.store.lock:
            self._feed._discover()
            seen = self._feed.describe()
        return {"kind": self.kind, "logdir": self.logdir, **seen, "options": dict(self.options)}
