"""Reading a TensorBoard logdir into a Store: run discovery, ordered merge of a run's event
files, TensorBoard's purge semantics, a numpy fast path for scalar records, and live tailing.

A run is a directory holding event files (any file whose name contains "tfevents"), named
relative to the logdir ("." for the logdir itself). A run's files are read in name order
(their names start with the creation time) and every point is kept. Local paths and fsspec
URLs (s3://, gs://, memory://, file://) work the same way.

`load()` raises `LogdirError` (an OSError) only when the logdir itself is missing or cannot
be listed; damaged files are read around their damage, which is reported once per file.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nbboard import store as st
from nbboard.records import HParamsData, MeshData
from nbboard.tfevents import decode as dec
from nbboard.tfevents.reader import (
    SESSION_START,
    Damage,
    EventFileReader,
    decode_event,
    fast_scalars,
)
from nbboard.tfevents.wire import DecodeError

PROCESS_BATCH = 1 << 17  # records decoded per batch of one chunk

log = logging.getLogger("nbboard.logdir")


class LogdirError(OSError):
    """The logdir does not exist or cannot be listed (the one error `load` raises)."""


PROJECTOR_CONFIG = "projector_config.pbtxt"


def is_event_file(name: str) -> bool:
    """TensorBoard's rule: an event file's name contains 'tfevents'."""
    return "tfevents" in name


# ---- file systems ----------------------------------------------------------------------


class _LocalFS:
    """Listing and ranged reads on the local disk."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(os.path.expanduser(root))
        self.projector: dict[str, tuple[str, float, int]] = {}  # rel dir -> (path, mtime, size)

    def check(self) -> None:
        if not os.path.isdir(self.root):
            if os.path.exists(self.root):
                raise LogdirError(f"nbboard: logdir {self.root!r} is not a directory")
            raise LogdirError(f"nbboard: logdir {self.root!r} does not exist")
        try:
            os.listdir(self.root)
        except OSError as e:
            raise LogdirError(f"nbboard: cannot list logdir {self.root!r}: {e}") from e

    def list(self) -> list[tuple[str, str, int]]:
        """(run relative dir, file path, size) of every event file under the root."""
        out = []
        projector = {}
        stack = [self.root]
        while stack:
            d = stack.pop()
            try:
                it = os.scandir(d)
            except OSError:
                continue
            with it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(e.path)
                        elif is_event_file(e.name) and e.is_file():
                            rel = os.path.relpath(d, self.root).replace(os.sep, "/")
                            out.append((rel, e.path, e.stat().st_size))
                        elif e.name == PROJECTOR_CONFIG:
                            rel = os.path.relpath(d, self.root).replace(os.sep, "/")
                            stt = e.stat()
                            projector[rel] = (e.path, stt.st_mtime, stt.st_size)
                    except OSError:
                        continue
        self.projector = projector
        return out

    def run_key(self, rel: str) -> str:
        return self.root if rel == "." else os.path.normpath(os.path.join(self.root, rel))

    def full(self, path: str) -> str:
        return os.path.abspath(path)

    @staticmethod
    def read_range(path: str, start: int, length: int) -> bytes:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(start)
            return f.read(max(min(length, size - start), 0))  # read(n) would allocate all n


class _RemoteFS:
    """Listing and ranged reads through fsspec (object stores, memory://, ...)."""

    projector: dict[str, tuple[str, float, int]] = {}  # projector files are read from local runs only

    def __init__(self, url: str) -> None:
        import fsspec

        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.root = self.root.rstrip("/")
        self.protocol = self.url.split("://", 1)[0]

    def check(self) -> None:
        try:
            self.fs.invalidate_cache()
            if not self.fs.isdir(self.root):
                raise LogdirError(f"nbboard: logdir {self.url!r} does not exist")
        except LogdirError:
            raise
        except Exception as e:
            raise LogdirError(f"nbboard: cannot list logdir {self.url!r}: {e!r}") from e

    def list(self) -> list[tuple[str, str, int]]:
        try:
            self.fs.invalidate_cache()
            found = self.fs.find(self.root, detail=True)
        except Exception as e:  # a flaky listing: try again at the next poll
            log.debug("listing %s failed: %r", self.url, e)
            return []
        out = []
        for path, info in found.items():
            base = path.rsplit("/", 1)[-1]
            if not is_event_file(base) or info.get("type") == "directory":
                continue
            d = path.rsplit("/", 1)[0] if "/" in path else ""
            rel = "." if d == self.root else d[len(self.root) + 1 :] if d.startswith(self.root + "/") else None
            if rel is None:
                continue
            out.append((rel, path, int(info.get("size") or 0)))
        return out

    def run_key(self, rel: str) -> str:
        return self.url if rel == "." else self.url + "/" + rel

    def full(self, path: str) -> str:
        return self.fs._strip_protocol(path)

    def read_range(self, path: str, start: int, length: int) -> bytes:
        try:
            return self.fs.cat_file(path, start=start, end=start + length)
        except FileNotFoundError:
            return b""


def _filesystem(logdir: str) -> _LocalFS | _RemoteFS:
    if logdir.startswith("file://"):
        return _LocalFS(logdir[len("file://") :])
    if "://" in logdir:
        return _RemoteFS(logdir)
    return _LocalFS(logdir)


def store_root(logdir: str) -> str:
    """The Store logdir for `logdir` (file:// URLs become local paths)."""
    logdir = os.fspath(logdir)
    return logdir[len("file://") :] if logdir.startswith("file://") else logdir


# ---- progress ----------------------------------------------------------------------------


class _TextProgress:
    """A minimal progress line on stderr (works in a terminal and in a notebook cell)."""

    def __init__(self, total: int, delay: float) -> None:
        self.total = max(total, 1)
        self.n = 0
        self.start = time.monotonic()
        self.delay = delay
        self.last = 0.0
        self.shown = False

    def update(self, k: int) -> None:
        self.n += k
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < 0.2:
            return
        self.last = now
        self._draw()

    def _draw(self) -> None:
        self.shown = True
        frac = min(self.n / self.total, 1.0)
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\rnbboard: reading logdir [{bar:<30}] {frac:4.0%} "
                         f"{self.n / 1e6:.1f}/{self.total / 1e6:.1f} MB")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()


def _progress(total: int, progress: bool | None) -> Any:
    if progress is False:
        return None
    delay = 0.0 if progress else 0.5  # auto: only loads slower than half a second show a bar
    try:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="B", unit_scale=True, desc="nbboard: reading logdir",
                    delay=delay, leave=False)
    except ImportError:
        return _TextProgress(total, delay)


# ---- one run -----------------------------------------------------------------------------


@dataclass
class _RunState:
    key: str
    files: dict[str, EventFileReader] = field(default_factory=dict)
    metadata: dict[str, dec.Metadata] = field(default_factory=dict)
    file_version: float | None = None
    most_recent_step: int = -(1 << 63)
    hparams: dict[str, Any] = field(default_factory=dict)
    hparams_dirty: bool = False
    series: dict[str, Any] = field(default_factory=dict)
    layout: Any = None
    embeddings: set[tuple[str, int]] = field(default_factory=set)
    pending: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)


def _version(s: str) -> float:
    try:
        return float(s.split(":", 1)[1]) if ":" in s else float(s)
    except ValueError:
        return 0.0


class LogdirReader:
    """Reads a logdir into a Store; each `poll()` picks up appended records, new files and runs.

    `skip(path)` says which event files to leave alone (a kernel's own writers' files). Every
    reader of one Store's data (any logdir: equal, nested) shares the runs' reading state
    (`store.reading`: files and offsets), so a file another reader already read is not read
    again, and a reader that stops leaves nothing behind: the others go on from its offsets.
    """

    def __init__(self, logdir: str, store: st.Store,
                 skip: Callable[[str], bool] | None = None) -> None:
        self.logdir = os.fspath(logdir)
        self.fs = _filesystem(self.logdir)
        self.store = store
        self.skip = skip
        self.shared = store.reading
        self.runs: dict[str, _RunState] = {}  # the runs under this logdir (shared states)
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise LogdirError if the logdir is missing or cannot be listed."""
        self.fs.check()

    @property
    def damage(self) -> list[Damage]:
        """Damage found so far, one entry per damaged file."""
        return [r.damage for run in self.runs.values() for r in run.files.values()
                if r.damage.total or r.damage.skipped_bytes]

    def poll(self, progress: bool | None = False) -> bool:
        """Read whatever is new; True if anything was read."""
        with self._lock:
            listing = self.fs.list()
            with self.shared.lock:  # other readers of this Store's data wait: each file is read once
                return self._poll(listing, progress)

    def _run_state(self, key: str) -> _RunState:
        """The shared reading state of run `key`, made (and the run added to the Store) if new."""
        run = self.runs.get(key)
        if run is None:
            run = self.shared.runs.get(key)
            if run is None:
                run = self.shared.runs[key] = _RunState(key)
                self.store.ensure_run(key)
            self.runs[key] = run
        return run

    def _poll(self, listing: list[tuple[str, str, int]], progress: bool | None) -> bool:
        projector_changed = self._projector() if self.fs.projector else False
        todo: list[tuple[_RunState, EventFileReader, int]] = []
        for rel, path, size in sorted(listing, key=lambda x: (x[0], x[1].rsplit("/", 1)[-1], x[1])):
            key = self.fs.run_key(rel)
            run = self.runs.get(key) or self.shared.runs.get(key)
            reader = run.files.get(path) if run is not None else None
            if reader is None:
                if self.skip is not None and self.skip(self.fs.full(path)):
                    continue
                run = self._run_state(key)
                reader = run.files[path] = EventFileReader(path, self.fs.read_range)
            elif key not in self.runs:  # a run another reader of this data found first
                self.runs[key] = run
            if reader.changed(size):
                todo.append((run, reader, size))
        if not todo:
            return projector_changed
        total = sum(max(size - r.offset, 0) for _, r, size in todo)
        bar = _progress(total, progress) if progress is not False and total else None
        changed_runs: set[str] = set()
        try:
            for run, reader, size in todo:
                before = reader.offset
                while True:
                    got = reader.read(size)
                    if got is None:
                        break
                    data, scan = got
                    if len(scan.starts):
                        self._process(run, data, scan.starts, scan.lengths, reader.damage)
                        changed_runs.add(run.key)
                    if not reader.more:
                        break
                reader.damage.report()
                if bar is not None:
                    bar.update(max(reader.offset - before, 0))
        finally:
            if bar is not None:
                bar.close()
        for key in changed_runs:
            self._finish_hparams(self.runs[key])
        return bool(changed_runs) or projector_changed

    # ---- decoding one chunk of records ------------------------------------------------
    def _process(self, run: _RunState, data: bytes, starts: np.ndarray, lengths: np.ndarray,
                 damage: Damage) -> None:
        """Decode a chunk's records into the Store, in order, in batches of bounded size."""
        step = PROCESS_BATCH
        try:
            for a in range(0, len(starts), step):
                self._process_batch(run, data, starts[a : a + step], lengths[a : a + step], damage)
        finally:
            self._flush_pending(run)

    def _process_batch(self, run: _RunState, data: bytes, starts: np.ndarray, lengths: np.ndarray,
                       damage: Damage) -> None:
        if run.file_version is None:
            try:
                first = decode_event(memoryview(data)[int(starts[0]) : int(starts[0] + lengths[0])])
                if first.file_version is not None:
                    run.file_version = _version(first.file_version)
            except DecodeError:
                pass
        legacy = run.file_version is None or run.file_version < 2
        fast = None if legacy else fast_scalars(data, starts, lengths)
        self._chunk = (data, starts, lengths, damage)
        if fast is None:
            generic = range(len(starts))
            ok_idx = np.empty(0, dtype=np.int64)
        else:
            okm = fast["ok"]
            generic = np.nonzero(~okm)[0].tolist()
            ok_idx = np.nonzero(okm)[0]
        done = 0  # fast records [0, done) of ok_idx are in the Store
        mv = memoryview(data)
        st_l = starts.tolist()
        ln_l = lengths.tolist()
        store = self.store
        for i in generic:
            try:
                ev = decode_event(mv[st_l[i] : st_l[i] + ln_l[i]])
            except Exception:  # damaged bytes behind a valid CRC: count, skip
                damage.bad_events += 1
                continue
            if ev.file_version is not None:
                run.file_version = _version(ev.file_version)
            items: list[dec.Decoded] = []
            for raw in ev.values:
                try:
                    items.extend(dec.decode_value(raw, run.metadata))
                except Exception:
                    damage.bad_events += 1
            purge = (not legacy and ev.session_status == SESSION_START)
            legacy_purge = legacy and ev.has_summary and ev.step < run.most_recent_step
            has_scalar = any(d.kind == st.SCALARS for d in items)
            if purge or has_scalar:  # fast points logged before this event go in first
                if fast is not None and done < len(ok_idx):
                    upto = int(np.searchsorted(ok_idx, i))
                    if upto > done:
                        self._append_fast(run, fast, done, upto)
                        done = upto
                if run.pending:
                    self._flush_pending(run)
            if purge:
                store.purge(run.key, ev.step)
            if legacy_purge:
                tags = {d.tag for d in items}
                with store.lock:
                    for t in tags:
                        s = run.series.get(t)
                        if s is not None:
                            s.purge_from(ev.step)
            if ev.has_summary:
                run.most_recent_step = ev.step
            if ev.graph_def is not None:
                self._graph(run, ev.graph_def, damage)
            if items:
                self._append_items(run, ev.step, ev.wall_time, items, damage)
        if fast is not None and done < len(ok_idx):
            self._append_fast(run, fast, done, len(ok_idx))

    def _graph(self, run: _RunState, graph_def: bytes, damage: Damage) -> None:
        """Keep a GraphDef as the run's graph record (the graph view's GraphData)."""
        try:
            from nbboard.summary.graph import read_graph_def

            rec = read_graph_def(graph_def)
        except ImportError:
            rec = graph_def
        except Exception:
            damage.bad_events += 1
            return
        self.store.set_plugin_record(run.key, st.GRAPHS, rec)

    def _projector(self) -> bool:
        """Load embeddings listed by new or changed projector_config.pbtxt files (torch's
        add_embedding output); each (tag, step) is added once."""
        changed = False
        seen = self.shared.projector_seen  # shared, like the event files: read once per Store data
        for rel, (path, mtime, size) in sorted(self.fs.projector.items()):
            if seen.get(path) == (mtime, size):
                continue
            if self.skip is not None and self.skip(self.fs.full(path)):
                continue
            seen[path] = (mtime, size)
            try:
                from nbboard.summary.embedding import read_embeddings

                recs = read_embeddings(os.path.dirname(path))
            except Exception as e:  # a half-written or foreign config: try again when it changes
                log.warning("nbboard: could not read %s: %r", path, e)
                continue
            run = self._run_state(self.fs.run_key(rel))
            for rec in recs:
                if (rec.tag, rec.step) in run.embeddings:
                    continue
                run.embeddings.add((rec.tag, rec.step))
                self._append_one(run, rec.tag, st.PROJECTOR, rec.step, rec, mtime, Damage(path))
                changed = True
        return changed

    def _append_fast(self, run: _RunState, fast: dict[str, Any], a: int, b: int) -> None:
        """Append fast-path scalar records [a, b) (in record order) grouped by tag."""
        ti = fast["tag_index"][a:b]
        steps, values, wts = fast["steps"][a:b], fast["values"][a:b], fast["wall_times"][a:b]
        tensor = fast["tensor"][a:b]
        tags = fast["tags"]
        if len(tags) == 1 or (len(ti) and (ti == ti[0]).all()):
            groups = [(int(ti[0]), np.arange(len(ti)))] if len(ti) else []
        else:
            order = np.argsort(ti, kind="stable")
            sorted_ti = ti[order]
            bounds = np.flatnonzero(np.diff(sorted_ti)) + 1
            groups = []
            for s0, s1 in zip(np.r_[0, bounds].tolist(), np.r_[bounds, len(ti)].tolist()):
                groups.append((int(sorted_ti[s0]), order[s0:s1]))
            groups.sort(key=lambda g: int(g[1][0]))  # series appear in the order tags first occur
        for g, sel in groups:
            tag = tags[g]
            tens = tensor[sel]
            if tens.any():
                md = run.metadata.get(tag)
                if md is None or not (md.plugin == st.SCALARS or (
                        not md.plugin and md.data_class == dec.DATA_CLASS_SCALAR)):
                    # a 0-d float tensor of another plugin: decode those records the slow way
                    for r in fast["records"][a:b][sel[tens]].tolist():
                        self._generic_record(run, r)
                    sel = sel[~tens]
                    if not len(sel):
                        continue
            run.pending.setdefault(tag, []).append((steps[sel], values[sel], wts[sel]))

    def _flush_pending(self, run: _RunState) -> None:
        """Append the buffered fast-path points, one extend per tag (so columns are sized once)."""
        store = self.store
        for tag, parts in run.pending.items():
            s = run.series.get(tag)
            if s is None or s.kind != st.SCALARS:
                try:
                    s = run.series[tag] = store.scalar_series(run.key, tag)
                except ValueError:
                    continue
            if len(parts) == 1:
                cols = parts[0]
            else:
                cols = tuple(np.concatenate([p[j] for p in parts]) for j in range(3))
            with store.lock:
                s.extend(*cols)
        run.pending.clear()

    def _generic_record(self, run: _RunState, r: int) -> None:
        """Decode record number `r` of the chunk being processed through the generic path."""
        data, starts, lengths, damage = self._chunk
        a = int(starts[r])
        try:
            ev = decode_event(memoryview(data)[a : a + int(lengths[r])])
            items = [d for raw in ev.values for d in dec.decode_value(raw, run.metadata)]
        except Exception:
            damage.bad_events += 1
            return
        self._append_items(run, ev.step, ev.wall_time, items, damage)

    def _append_items(self, run: _RunState, step: int, wall_time: float,
                      items: list[dec.Decoded], damage: Damage) -> None:
        store = self.store
        meshes: dict[str, MeshData] = {}
        for d in items:
            kind = d.kind
            if kind == st.MESH:
                m = meshes.get(d.tag)
                if m is None:
                    meshes[d.tag] = d.value
                else:
                    for part in ("vertices", "faces", "colors"):
                        if getattr(d.value, part) is not None:
                            setattr(m, part, getattr(d.value, part))
                    m.config = m.config or d.value.config
                continue
            if kind == st.HPARAMS:
                run.hparams.update(d.value)
                run.hparams_dirty = True
                continue
            if kind == st.CUSTOM_SCALARS:
                layout = d.value
                if run.layout is not None:  # nbboard writes each call's part; merge like its writer
                    try:
                        from nbboard.summary.custom_scalars import merge_layouts

                        layout = type(layout)(merge_layouts(run.layout.categories, layout.categories))
                    except Exception:
                        pass
                run.layout = layout
                store.set_plugin_record(run.key, st.CUSTOM_SCALARS, layout)
                continue
            self._append_one(run, d.tag, kind, step, d.value, wall_time, damage)
        for tag, m in meshes.items():
            self._append_one(run, tag, st.MESH, step, m, wall_time, damage)

    def _append_one(self, run: _RunState, tag: str, kind: str, step: int, value: Any,
                    wall_time: float, damage: Damage) -> None:
        store = self.store
        s = run.series.get(tag)
        try:
            if s is None or s.kind != kind:
                s = run.series[tag] = (store.scalar_series(run.key, tag) if kind == st.SCALARS
                                       else store.record_series(run.key, tag, kind))
        except ValueError:  # the tag already holds another kind in this run
            damage.bad_events += 1
            return
        with store.lock:
            s.append(step, value, wall_time)

    def _finish_hparams(self, run: _RunState) -> None:
        """(Re)build the run's HParamsData from its hparams pieces and its metric scalars."""
        hp = run.hparams
        if "session_start" not in hp and "experiment" not in hp:
            return
        exp = hp.get("experiment", {})
        ssi = hp.get("session_start", {})
        metrics: dict[str, float] = {}
        for name in exp.get("metrics", []):
            s = run.series.get(name)
            if s is not None and s.kind == st.SCALARS and len(s):
                metrics[name] = float(s.values[-1])
        infos = exp.get("hparam_infos", {})
        domains = {k: v for k, v in infos.items() if v is not None}
        rec = HParamsData(hparams=dict(ssi.get("hparams", {})), metrics=metrics,
                          hparam_domains=domains or None, group_name=ssi.get("group_name", ""),
                          start_time_secs=ssi.get("start_time_secs", 0.0))
        key = (tuple(sorted(rec.hparams.items(), key=str)), tuple(sorted(metrics.items())))
        if hp.get("_built") == key and not run.hparams_dirty:
            return
        hp["_built"] = key
        run.hparams_dirty = False
        self.store.set_plugin_record(run.key, st.HPARAMS, rec)


# ---- tailing -------------------------------------------------------------------------------


class Follower:
    """A stoppable background thread that polls a LogdirReader every `interval` seconds."""

    def __init__(self, reader: LogdirReader, interval: float = 0.5) -> None:
        self.reader = reader
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Follower:
        """Start polling (idempotent)."""
        if not self.alive:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="nbboard-logdir-follow",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        last_error = ""
        while not self._stop.is_set():
            try:
                self.reader.poll()
                last_error = ""
            except Exception as e:  # keep tailing through transient errors, logging each once
                if repr(e) != last_error:
                    last_error = repr(e)
                    log.warning("nbboard: tailing %s: %s", self.reader.logdir, last_error)
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout)

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Follower({self.reader.logdir!r}, {'running' if self.alive else 'stopped'})"


def _own_files(path: str) -> bool:
    """Whether `path` is (a part of) an event file written by a writer in this process."""
    from nbboard.tfevents.filewriter import written_paths

    if not written_paths:
        return False
    if os.path.basename(path) == PROJECTOR_CONFIG:  # written next to the writer's event file
        d = os.path.dirname(path)
        return any(os.path.dirname(p) == d for p in list(written_paths))
    if path in written_paths:
        return True
    return any(path.startswith(p) for p in list(written_paths))


def follow_into(store: st.Store, logdir: str, interval: float = 0.5,
                skip_own: bool = True) -> Follower:
    """Tail `logdir` into an existing Store (e.g. the one this kernel's writers record into),
    skipping the event files this process's own writers write, so nothing is counted twice."""
    reader = LogdirReader(store_root(logdir), store, skip=_skip_for(logdir) if skip_own else None)
    return Follower(reader, interval).start()  # a logdir that does not exist yet is waited for


def _skip_for(logdir: str) -> Callable[[str], bool]:
    if "://" in logdir and not logdir.startswith("file://"):
        fs = _filesystem(logdir)
        strip = fs.fs._strip_protocol  # type: ignore[union-attr]

        def skip(path: str) -> bool:
            from nbboard.tfevents.filewriter import written_paths

            return any(path == strip(p) or path.startswith(strip(p)) for p in list(written_paths))

        return skip
    return _own_files


def read_logdir(logdir: str, store: st.Store | None = None,
                progress: bool | None = None) -> LogdirReader:
    """Read everything under `logdir` once; the reader keeps offsets (for tailing) and damage."""
    root = store_root(logdir)
    if store is None:
        store = st.Store(root)
    reader = LogdirReader(root, store)
    reader.check()
    reader.poll(progress)
    return reader


def load(logdir: str, follow: bool = False, progress: bool | None = None,
         interval: float = 0.5) -> st.Store:
    """Read every event file under `logdir` into a new Store (runs named relative to it).

    `follow=True` keeps tailing in a background thread (`store.follow()` starts it later,
    `store.stop_following()` or the returned Store's follower `.stop()` ends it). `progress`:
    True/False, or None to show a bar only for loads slower than half a second.
    Raises LogdirError if `logdir` is missing or cannot be listed.
    """
    reader = read_logdir(logdir, progress=progress)
    store = reader.store
    store._follower = Follower(reader, interval)
    if follow:
        store._follower.start()
    return store
