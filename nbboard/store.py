"""Store: the in-kernel, columnar record of every logged event (runs → tags → typed series).

Every view reads the Store. Writers in this kernel append to it directly; the logdir
reader fills it from event files. Each series carries a version (points appended so far)
and an epoch (bumped when points are discarded) so views can send only what is new.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

# Plugin names, as TensorBoard's plugins call them (plus nbboard's own for plotly figures).
SCALARS = "scalars"
IMAGES = "images"
VIDEOS = "videos"
HISTOGRAMS = "histograms"
AUDIO = "audio"
TEXT = "text"
PR_CURVES = "pr_curves"
HPARAMS = "hparams"
MESH = "mesh"
CUSTOM_SCALARS = "custom_scalars"
TENSORS = "tensor"
FIGURES = "nbboard_plotly"
GRAPHS = "graphs"
PROJECTOR = "projector"

_MIN_CAPACITY = 64


class ScalarSeries:
    """A scalar series as three growable numpy columns: int64 steps, float64 values and wall times."""

    __slots__ = ("_steps", "_values", "_wall_times", "_n", "version", "epoch")

    def __init__(self) -> None:
        self._steps = np.empty(_MIN_CAPACITY, dtype=np.int64)
        self._values = np.empty(_MIN_CAPACITY, dtype=np.float64)
        self._wall_times = np.empty(_MIN_CAPACITY, dtype=np.float64)
        self._n = 0
        self.version = 0  # total points ever appended; a view that has seen v needs points [v - dropped:]
        self.epoch = 0  # bumped when points are removed (purge), so views resend the whole series

    kind = SCALARS

    def _grow(self, need: int) -> None:
        cap = len(self._steps)
        new = max(need, cap + (cap >> 1), _MIN_CAPACITY)  # ×1.5: ≤ 36 bytes per point at worst
        for name in ("_steps", "_values", "_wall_times"):
            old = getattr(self, name)
            arr = np.empty(new, dtype=old.dtype)
            arr[: self._n] = old[: self._n]
            setattr(self, name, arr)

    def append(self, step: int, value: float, wall_time: float) -> None:
        """Append one point (caller holds the Store lock)."""
        n = self._n
        if n == len(self._steps):
            self._grow(n + 1)
        self._steps[n] = step
        self._values[n] = value
        self._wall_times[n] = wall_time
        self._n = n + 1
        self.version += 1

    def extend(self, steps: np.ndarray, values: np.ndarray, wall_times: np.ndarray) -> None:
        """Append many points at once (caller holds the Store lock)."""
        k = len(steps)
        if k == 0:
            return
        n = self._n
        if n + k > len(self._steps):
            self._grow(n + k)
        self._steps[n : n + k] = steps
        self._values[n : n + k] = values
        self._wall_times[n : n + k] = wall_times
        self._n = n + k
        self.version += k

    def purge_from(self, step: int) -> None:
        """Drop every point with step ≥ `step` (TensorBoard's purge semantics)."""
        keep = self._steps[: self._n] < step
        if keep.all():
            return
        k = int(keep.sum())
        for name in ("_steps", "_values", "_wall_times"):
            arr = getattr(self, name)
            arr[:k] = arr[: self._n][keep]
        self._n = k
        self.epoch += 1

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self._n]

    @property
    def values(self) -> np.ndarray:
        return self._values[: self._n]

    @property
    def wall_times(self) -> np.ndarray:
        return self._wall_times[: self._n]

    def nbytes(self) -> int:
        """Bytes held by the columns (capacity included)."""
        return self._steps.nbytes + self._values.nbytes + self._wall_times.nbytes

    def __repr__(self) -> str:
        return f"ScalarSeries({self._n} points)"


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

    __slots__ = ("key", "series", "plugins")

    def __init__(self, key: str) -> None:
        self.key = key
        self.series: dict[str, ScalarSeries | Series] = {}
        self.plugins: dict[str, Any] = {}


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
        self.projector_seen: dict[str, tuple[float, int]] = {}  # config path -> (mtime, size) read


class _Data:
    """The shared, locked data behind one or more Store views."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.runs: dict[str, _Run] = {}
        self.version = 0  # bumped whenever a run or a tag appears
        self.reading = ReadState()  # reader: the event files read into this data so far


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

    def select(self, logdir: str) -> Store:
        """A Store over the same data, listing only the runs under `logdir`, named relative to it."""
        s = Store(logdir, _data=self._data)
        return s

    def runs(self) -> list[str]:
        """TensorBoard run names: each run's directory relative to the logdir, '.' for the root."""
        with self._data.lock:
            names = [self._name(k) for k in self._data.runs]
        return sorted(n for n in names if n is not None)

    def tags(self, run: str) -> dict[str, list[str]]:
        """Tags of `run` keyed by plugin name."""
        r = self._run(run)
        out: dict[str, list[str]] = {}
        with self._data.lock:
            for tag, s in r.series.items():
                out.setdefault(s.kind, []).append(tag)
            for plugin in r.plugins:
                out.setdefault(plugin, [])
        return out

    def series(self, run: str, tag: str) -> ScalarSeries | Series:
        """The series logged under `tag` in `run`, of whatever kind."""
        r = self._run(run)
        try:
            return r.series[tag]
        except KeyError:
            raise KeyError(f"no tag {tag!r} in run {run!r}") from None

    def _typed(self, run: str, tag: str, kind: str) -> Any:
        s = self.series(run, tag)
        if s.kind != kind:
            raise KeyError(f"tag {tag!r} in run {run!r} holds {s.kind}, not {kind}")
        return s

    def scalars(self, run: str, tag: str) -> ScalarSeries:
        """Scalar series with numpy `.steps`, `.values`, `.wall_times`."""
        return self._typed(run, tag, SCALARS)

    def images(self, run: str, tag: str) -> Series:
        """Series of ImageData (add_image, add_images, add_image_with_boxes, matplotlib figures)."""
        return self._typed(run, tag, IMAGES)

    def videos(self, run: str, tag: str) -> Series:
        """Series of ImageData holding GIFs (add_video)."""
        return self._typed(run, tag, VIDEOS)

    def histograms(self, run: str, tag: str) -> Series:
        """Series of HistogramData."""
        return self._typed(run, tag, HISTOGRAMS)

    def audio(self, run: str, tag: str) -> Series:
        """Series of AudioData."""
        return self._typed(run, tag, AUDIO)

    def texts(self, run: str, tag: str) -> Series:
        """Series of TextData."""
        return self._typed(run, tag, TEXT)

    def pr_curves(self, run: str, tag: str) -> Series:
        """Series of PRCurveData."""
        return self._typed(run, tag, PR_CURVES)

    def meshes(self, run: str, tag: str) -> Series:
        """Series of MeshData (parts merged per step)."""
        return self._typed(run, tag, MESH)

    def tensors(self, run: str, tag: str) -> Series:
        """Series of TensorData (add_tensor)."""
        return self._typed(run, tag, TENSORS)

    def figures(self, run: str, tag: str) -> Series:
        """Series of FigureData (plotly figures from add_figure)."""
        return self._typed(run, tag, FIGURES)

    def hparams(self, run: str) -> Any:
        """The HParamsData of `run` (a session written by add_hparams), or None."""
        return self._run(run).plugins.get(HPARAMS)

    def custom_scalars(self, run: str) -> Any:
        """The CustomScalarsLayout of `run`, or None."""
        return self._run(run).plugins.get(CUSTOM_SCALARS)

    def plugin_record(self, run: str, plugin: str) -> Any:
        """A run-level record kept by plugin name (hparams, custom_scalars, graphs, projector)."""
        return self._run(run).plugins.get(plugin)

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

    def scalar_series(self, key: str, tag: str) -> ScalarSeries:
        """The scalar series for (run key, tag), created if new. Append under `self.lock`."""
        with self._data.lock:
            r = self._get_run(key)
            s = r.series.get(tag)
            if s is None:
                s = r.series[tag] = ScalarSeries()
                self._data.version += 1
            elif s.kind != SCALARS:
                raise ValueError(f"tag {tag!r} already holds {s.kind} data in this run, not scalars")
            return s

    def record_series(self, key: str, tag: str, kind: str) -> Series:
        """The record series for (run key, tag) of `kind`, created if new."""
        with self._data.lock:
            r = self._get_run(key)
            s = r.series.get(tag)
            if s is None:
                s = r.series[tag] = Series(kind)
                self._data.version += 1
            elif s.kind != kind:
                raise ValueError(f"tag {tag!r} already holds {s.kind} data in this run, not {kind}")
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
            self.record_series(key, tag, kind).append(step, value, wall_time)

    def set_plugin_record(self, key: str, plugin: str, value: Any) -> None:
        """Keep a run-level record (hparams session, custom scalar layout)."""
        with self._data.lock:
            self._get_run(key).plugins[plugin] = value
            self._data.version += 1

    def purge(self, key: str, step: int) -> None:
        """Drop every point at step ≥ `step` in run `key` (purge_step / SessionLog.START)."""
        with self._data.lock:
            r = self._data.runs.get(key)
            if r is not None:
                for s in r.series.values():
                    s.purge_from(step)

    # reader: live tailing of this Store's logdir (nbboard.logdir does the work)
    def follow(self, interval: float = 0.5) -> Any:
        """Start tailing this Store's logdir in a background thread; returns the Follower.

        Files another reader of this data (a view's follower, a parent logdir's) already reads
        are not read again: readers share `reading`."""
        from nbboard.logdir import Follower, follow_into

        f = self._follower
        if isinstance(f, Follower):
            return f.start()
        self._follower = follow_into(self, self._root(), interval=interval)
        return self._follower

    def stop_following(self) -> None:  # reader:
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
