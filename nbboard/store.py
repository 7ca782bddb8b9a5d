"""Store: the in-kernel, columnar record of every logged event (runs → tags → typed series).

Every view reads the Store. Writers in this kernel append to it directly; the logdir
reader fills it from event files. Each series carries a version (points appended so far)
and an epoch (bumped when points are discarded) so views can send only what is new.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from nbboard.kinds import REGISTRY, kind


class Series:
    """A series of typed records (images, histograms, text, ...): steps, wall times and values."""

    __slots__ = ("kind", "_steps", "_wall_times", "_values", "version", "epoch")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._steps: list[int] = []
        self._wall_times: list[float] = []
        self._values: list[Any] = []
        self.version = 0
        self.epoch = 0

    def append(self, step: int, value: Any, wall_time: float) -> None:
        """Append one record (caller holds the Store lock)."""
        self._steps.append(step)
        self._wall_times.append(wall_time)
        self._values.append(value)
        self.version += 1

    def purge_from(self, step: int) -> None:
        """Drop every record with step ≥ `step`."""
        keep = [i for i, s in enumerate(self._steps) if s < step]
        if len(keep) == len(self._steps):
            return
        self._steps = [self._steps[i] for i in keep]
        self._wall_times = [self._wall_times[i] for i in keep]
        self._values = [self._values[i] for i in keep]
        self.epoch += 1

    def __len__(self) -> int:
        return len(self._steps)

    def __getitem__(self, i: int) -> Any:
        return self._values[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._values))

    @property
    def steps(self) -> np.ndarray:
        return np.asarray(self._steps, dtype=np.int64)

    @property
    def wall_times(self) -> np.ndarray:
        return np.asarray(self._wall_times, dtype=np.float64)

    @property
    def values(self) -> list[Any]:
        return list(self._values)

    def items(self, start: int = 0, stop: int | None = None) -> list[tuple[int, float, Any]]:
        """(step, wall_time, value) triples in logged order, records start..stop only (a view's
        poll takes just the new ones, under the Store lock, without copying the whole series)."""
        return list(zip(self._steps[start:stop], self._wall_times[start:stop], self._values[start:stop]))

    def __repr__(self) -> str:
        return f"Series({self.kind!r}, {len(self)} records)"


class _Run:
    """One run: tag → series, plus the run's plugin-level records (hparams, custom scalar layout)."""

    __slots__ = ("key", "series", "plugins", "rank", "group", "ranks")

    def __init__(self, key: str) -> None:
        self.key = key
        self.series: dict[str, Any] = {}
        self.plugins: dict[str, Any] = {}
        self.rank = -1  # this run's rank in a distributed job (its folder is `<group>/rank<r>`)
        self.group: str | None = None  # the key of the run it is a rank of
        self.ranks: dict[int, _Run] = {}  # a group run's ranks, rank -> run


def run_key(path: str) -> str:
    """The Store's key for a run directory: an absolute local path or a URL, without trailing '/'."""
    if "://" in path:
        return path.rstrip("/")
    return os.path.abspath(os.path.expanduser(path))


class ReadState:
    """What the logdir readers feeding one Store's data have read (nbboard.logdir fills it): each
    run's event files with their offsets. Readers of equal or nested logdirs share it, so every
    file is read once, and when one reader stops another goes on from where it left off."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held by a reader while it reads into this data
        self.runs: dict[str, Any] = {}  # run key -> the run's reading state (files, offsets, metadata)
        self.side_seen: dict[str, tuple[float, int]] = {}  # side file path -> (mtime, size) read


class _Data:
    """The shared, locked data behind one or more Store views."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.runs: dict[str, _Run] = {}
        self.version = 0  # bumped whenever a run or a tag appears
        self.reading = ReadState()  # the event files read into this data so far
        self.alerts: Any = None  # the AlertEngine, made on first use (Store.alerts)
        self.problems: dict[str, tuple[str, str, str]] = {}  # file -> (run key, kind, what is wrong)


class Store:
    """Runs → tags → typed series, shared by writers, readers and views.

    `logdir` decides how runs are named: relative to it (``"."`` for the logdir itself),
    and only runs under it are listed. A Store made by `select` shares its data.
    """

    def __init__(self, logdir: str | None = None, *, _data: _Data | None = None) -> None:
        self._data = _data if _data is not None else _Data()
        self.logdir = run_key(logdir) if logdir is not None else None
        self._follower: Any = None

    # ---- naming -------------------------------------------------------------------
    def _root(self) -> str:
        return self.logdir if self.logdir is not None else os.getcwd()

    def _name(self, key: str) -> str | None:
        root = self._root()
        if key == root:
            return "."
        prefix = root if root.endswith(("/", os.sep)) else root + ("/" if "://" in root else os.sep)
        if key.startswith(prefix):
            return key[len(prefix) :].replace(os.sep, "/")
        return None if self.logdir is not None else key

    def _key(self, run: str) -> str:
        if run == ".":
            return self._root()
        root = self._root()
        if "://" in root:
            return root.rstrip("/") + "/" + run
        return os.path.normpath(os.path.join(root, run))

    def _run(self, run: str) -> _Run:
        r = self._data.runs.get(self._key(run))
        if r is None or self._name(r.key) is None:
            raise KeyError(f"no run {run!r} in this Store; runs: {self.runs()}")
        return r

    # ---- reading ------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Bumped whenever any run or tag appears (a cheap check for views)."""
        return self._data.version

    @property
    def lock(self) -> threading.RLock:
        return self._data.lock

    @property
    def reading(self) -> ReadState:
        """The event files read into this Store's data (shared by every Store made by `select`)."""
        return self._data.reading

    def to_pandas(self, kind: str | None = None, *, pivot: bool = False,
                  extra_columns: Any = None) -> Any:
        """This Store's `kind` (scalars by default; histograms, text, hparams) as a pandas
        DataFrame with tbparse's columns and dtypes (`pivot=True`: scalars wide, one column per
        tag; `extra_columns`: "wall_time", "dir_name"). See nbboard.frames."""
        from nbboard.frames import KINDS, to_pandas

        return to_pandas(self, kind or KINDS[0], pivot=pivot, extra_columns=extra_columns)

    def to_polars(self, kind: str | None = None, *, pivot: bool = False,
                  extra_columns: Any = None) -> Any:
        """The table to_pandas gives, as a polars DataFrame (see nbboard.frames.to_polars)."""
        from nbboard.frames import KINDS, to_polars

        return to_polars(self, kind or KINDS[0], pivot=pivot, extra_columns=extra_columns)

    def select(self, logdir: str) -> Store:
        """A Store over the same data, listing only the runs under `logdir`, named relative to it."""
        s = Store(logdir, _data=self._data)
        return s

    def runs(self, ranks: bool = False) -> list[str]:
        """TensorBoard run names: each run's directory relative to the logdir, '.' for the root.

        The ranks of a distributed run (folders `<run>/rank<r>`, see `ranks`) are listed as their
        run; `ranks=True` lists each rank's folder instead, as TensorBoard and tbparse name them."""
        with self._data.lock:
            names = [self._name(k) for k, r in self._data.runs.items()
                     if ((not r.ranks or r.series or r.plugins) if ranks else r.group is None)]
        return sorted(n for n in names if n is not None)

    def ranks(self, run: str) -> list[int]:
        """The ranks of a distributed run whose processes each wrote their own folder, [] for a
        run of one process."""
        r = self._run(run)
        with self._data.lock:
            return sorted(r.ranks)

    def rank_runs(self, run: str) -> dict[int, str]:
        """The ranks of a distributed run and the name of each rank's own folder (`exp/rank1`,
        `exp/rank1/sub`): the run names TensorBoard gives them, which `series` and the typed
        accessors also take."""
        r = self._run(run)
        with self._data.lock:
            names = {k: self._name(v.key) for k, v in r.ranks.items()}
        return {k: n for k, n in sorted(names.items()) if n is not None}

    def _sources(self, r: _Run) -> list[_Run]:
        """The run and then its ranks in rank order: where its tags and records are found."""
        return [r, *(r.ranks[k] for k in sorted(r.ranks))] if r.ranks else [r]

    def tags(self, run: str) -> dict[str, list[str]]:
        """Tags of `run` keyed by plugin name (a distributed run's: those of all its ranks)."""
        r = self._run(run)
        out: dict[str, list[str]] = {}
        seen: set[str] = set()
        with self._data.lock:
            for src in self._sources(r):
                for tag, s in src.series.items():
                    if tag not in seen:
                        seen.add(tag)
                        out.setdefault(s.kind, []).append(tag)
                for plugin in src.plugins:
                    out.setdefault(plugin, [])
        return out

    def series(self, run: str, tag: str, rank: int | None = None) -> Any:
        """The series logged under `tag` in `run`, of whatever kind. In a distributed run, that of
        `rank`, by default the run's own or its lowest rank's (the one TensorBoard users log from)."""
        r = self._run(run)
        with self._data.lock:
            if rank is not None:
                if rank not in r.ranks:
                    raise KeyError(f"run {run!r} has no rank {rank!r}; ranks: {sorted(r.ranks)}")
                srcs = [r.ranks[rank]]
            else:
                srcs = self._sources(r)
            for src in srcs:
                s = src.series.get(tag)
                if s is not None:
                    return s
        where = f"run {run!r}" if rank is None else f"rank {rank} of run {run!r}"
        raise KeyError(f"no tag {tag!r} in {where}")

    def _typed(self, run: str, tag: str, kind: str, rank: int | None = None) -> Any:
        s = self.series(run, tag, rank)
        if s.kind != kind:
            raise KeyError(f"tag {tag!r} in run {run!r} holds {s.kind}, not {kind}")
        return s

    def __getattr__(self, name: str) -> Any:
        """The registered kinds' accessors: `store.images(run, tag)` is the images series of a
        tag, `store.hparams(run)` a run-level record (None if the run has none)."""
        for k in REGISTRY.values():
            if k.accessor == name:
                if k.run_level:
                    return lambda run: self.plugin_record(run, k.name)
                return lambda run, tag, rank=None: self._typed(run, tag, k.name, rank)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def alerts(self) -> Any:
        """The alert engine of this Store's data (nbboard.kinds.alerts.engine.AlertEngine):
        `store.alerts.add("Loss/train", above=10)`, `.rules()`, `.fired()`, `.nonfinite = False`.
        Made on first use; its rules watch every run of the data (`runs=` narrows them)."""
        e = self._data.alerts
        if e is None:
            from nbboard.kinds.alerts.engine import AlertEngine

            with self._data.lock:
                e = self._data.alerts
                if e is None:
                    e = self._data.alerts = AlertEngine(self._data, Store(_data=self._data).series_for)
        return e

    def add_alert(self, tag: Any, **rule: Any) -> Any:
        """Declare an alert rule on the runs of this Store (see SummaryWriter.add_alert); it is kept
        in the logdir (`nbboard-alerts.<host>.<pid>.json`) so later sessions see it."""
        return self.alerts.add(tag, scope=self.logdir, root=self.logdir, **rule)

    def plugin_record(self, run: str, plugin: str) -> Any:
        """A run-level record kept by plugin name (hparams, custom_scalars, graphs, projector);
        a distributed run's own, else its lowest rank's."""
        r = self._run(run)
        with self._data.lock:
            for src in self._sources(r):
                rec = src.plugins.get(plugin)
                if rec is not None:
                    return rec
        return None

    # ---- writing (used by writers and readers) -----------------------------------
    def _get_run(self, key: str) -> _Run:
        r = self._data.runs.get(key)
        if r is None:
            r = self._data.runs[key] = _Run(key)
            self._data.version += 1
        return r

    def ensure_run(self, key: str) -> None:
        """Make the run with Store key `key` exist (even with no data yet)."""
        with self._data.lock:
            self._get_run(key)

    def set_rank(self, key: str, group: str, rank: int) -> None:
        """Make run `key` rank `rank` of the distributed run `group` (writers of a job's
        processes and readers of their folders say so; the first word on a run stands)."""
        with self._data.lock:
            r = self._get_run(key)
            if r.group is not None or key == group:
                return
            g = self._get_run(group)
            if rank in g.ranks or g.group is not None:
                return
            r.group, r.rank = group, rank
            g.ranks[rank] = r
            self._data.version += 1

    def series_for(self, key: str, tag: str, kind_name: str) -> Any:
        """The series of `kind_name` for (run key, tag), created if new (the kind's own series
        class, or a generic record Series). Append under `self.lock`."""
        with self._data.lock:
            r = self._get_run(key)
            s = r.series.get(tag)
            if s is None:
                new = kind(kind_name).new_series
                s = r.series[tag] = new() if new is not None else Series(kind_name)
                self._data.version += 1
            elif s.kind != kind_name:
                raise ValueError(f"tag {tag!r} already holds {s.kind} data in this run, not {kind_name}")
            return s

    def check_kind(self, key: str, tag: str, kind: str) -> None:
        """Raise ValueError if (key, tag) already holds another kind (checked before any append)."""
        r = self._data.runs.get(key)
        if r is not None:
            s = r.series.get(tag)
            if s is not None and s.kind != kind:
                raise ValueError(
                    f"tag {tag!r} already holds {s.kind} data in this run; cannot log {kind} under it"
                )

    def append(self, key: str, tag: str, kind: str, step: int, value: Any, wall_time: float) -> None:
        """Append one record of `kind` (not scalars) to (run key, tag)."""
        with self._data.lock:
            self.series_for(key, tag, kind).append(step, value, wall_time)

    def set_plugin_record(self, key: str, plugin: str, value: Any) -> None:
        """Keep a run-level record (hparams session, custom scalar layout)."""
        with self._data.lock:
            self._get_run(key).plugins[plugin] = value
            self._data.version += 1

    def set_problem(self, key: str, kind: str, path: str, message: str | None) -> None:
        """Say that file `path` of run `key`, read for `kind`, could not be read (`message`: what
        is wrong), or could after all (None). Views show these beside the kind's records."""
        with self._data.lock:
            before = self._data.problems.get(path)
            if message is None:
                self._data.problems.pop(path, None)
            else:
                self._data.problems[path] = (key, kind, message)
            if self._data.problems.get(path) != before:
                self._data.version += 1

    def problems(self, kinds: tuple[str, ...] | None = None) -> list[dict[str, str]]:
        """Files that could not be read, under this Store's runs: {run, kind, file, message}, by file."""
        with self._data.lock:
            items = sorted(self._data.problems.items())
        out = []
        for path, (key, of_kind, message) in items:
            name = self._name(key)
            if name is None or (kinds is not None and of_kind not in kinds):
                continue
            out.append({"run": name, "kind": of_kind, "file": os.path.basename(path), "message": message})
        return out

    def forget_all(self) -> None:
        """Drop every run (a forked child starts without its parent's data)."""
        with self._data.lock:
            self._data.runs.clear()
            self._data.problems.clear()
            self._data.reading = ReadState()
            self._data.alerts = None  # the parent's engine does not tick in this process
            self._data.version += 1

    def purge(self, key: str, step: int) -> None:
        """Drop every point at step ≥ `step` in run `key` (purge_step / SessionLog.START)."""
        with self._data.lock:
            r = self._data.runs.get(key)
            if r is not None:
                for s in r.series.values():
                    s.purge_from(step)

    #: How a Store starts tailing its logdir: `(store, logdir, interval) -> follower`. The logdir
    #: reader sets it when imported (`import nbboard` does), so the Store needs no file code.
    tailer: Callable[[Store, str, float], Any] | None = None

    def follow(self, interval: float = 0.5) -> Any:
        """Start tailing this Store's logdir in a background thread; returns the follower.

        Files another reader of this data (a view's follower, a parent logdir's) already reads
        are not read again: readers share `reading`."""
        f = self._follower
        if f is not None:
            return f.start()
        if Store.tailer is None:
            raise RuntimeError("Store.follow needs nbboard.logdir (import nbboard loads it)")
        self._follower = Store.tailer(self, self._root(), interval)
        return self._follower

    def stop_following(self) -> None:
        """Stop the tailing thread started by `follow()` / `load(..., follow=True)`."""
        f = self._follower
        if f is not None:
            f.stop()

    def __repr__(self) -> str:
        return f"Store(logdir={self.logdir!r}, runs={self.runs()})"


_default_store: Store | None = None
_default_lock = threading.Lock()


def default_store() -> Store:
    """The kernel's shared Store that every SummaryWriter records into unless given another."""
    global _default_store
    with _default_lock:
        if _default_store is None:
            _default_store = Store()
        return _default_store
