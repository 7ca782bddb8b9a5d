"""LogdirReader: reads a logdir's event files into a Store, a chunk of records at a time, each
value decoded by the kind that reads it; a run's side files (projector) likewise."""


from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from nbboard import store as st
from nbboard.kinds import REGISTRY
from nbboard.kinds.contract import Decoded, Kind, Metadata
from nbboard.logdir.decode import EVENT_FIELDS, decode_value
from nbboard.logdir.fs import filesystem
from nbboard.logdir.progress import progress_bar
from nbboard.ranks import rank_of
from nbboard.tfevents.pool import Ahead, cores, workers
from nbboard.tfevents.reader import (
    SESSION_START,
    Buffers,
    Damage,
    EventFileReader,
    Scan,
    decode_event,
    fast_scalars,
    scalar_columns,
    scan_many,
)
from nbboard.tfevents.rows import Rows
from nbboard.tfevents.rows import clip as clip_rows
from nbboard.tfevents.wire import DecodeError

#: The kind whose single floats the columnar fast path reads (scalars).
FLOAT_KIND: Kind = next(k for k in REGISTRY.values() if k.takes_float is not None)
_MERGE_EVENT = {k.name: k.merge_event for k in REGISTRY.values() if k.merge_event is not None}
_FOLD = {k.name: k for k in REGISTRY.values() if k.fold is not None}
_SIDE_READERS = {p: k for k in REGISTRY.values() for p in k.side_files}
PROCESS_BATCH = 1 << 15  # records decoded per batch of one chunk
TRIM_BYTES = 16 << 20  # a poll that read this much hands the freed heap back to the OS
GROUP_FILE_BYTES = 4 << 20  # files with at most this many new bytes are read in groups ...
GROUP_BYTES = 8 << 20  # ... of about this many bytes (_start_group)
_UNSET: Any = object()

_trim: Any = False  # glibc's malloc_trim once looked up (None where there is none)


def _give_back_memory() -> None:
    """Hand the pages freed after a big read back to the OS. glibc keeps the freed heap of the
    chunk's many 1-8 MB arrays (its mmap threshold rises as such blocks are freed), so without
    this a load of N points would hold ~2x the Store's bytes (bench/reader.py measures it)."""
    global _trim
    if _trim is False:
        try:
            import ctypes

            _trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
        except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl, Windows)
            _trim = None
    if _trim is not None:
        _trim(0)

log = logging.getLogger("nbboard.logdir")


class _Ready:
    """A fast_scalars result computed already, in a Future's clothes."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _slice_fast(fast: dict[str, Any] | None, lo: int, hi: int) -> dict[str, Any] | None:
    """The part of a group's fast_scalars result for its records [lo, hi) (one file's)."""
    if fast is None:
        return None
    rec = fast["records"]
    a, b = (int(x) for x in np.searchsorted(rec, [lo, hi]))
    if a == b:
        return None
    out = {k: fast[k][a:b] for k in ("tag_index", "steps", "values", "wall_times", "from_tensor")}
    out.update(ok=fast["ok"][lo:hi], tags=fast["tags"], records=rec[a:b] - lo)
    return out


# ---- one run -----------------------------------------------------------------------------


@dataclass
class _RunState:
    key: str
    files: dict[str, EventFileReader] = field(default_factory=dict)
    metadata: dict[str, Metadata] = field(default_factory=dict)
    file_version: float | None = None
    most_recent_step: int = -(1 << 63)
    series: dict[str, Any] = field(default_factory=dict)
    folded: dict[str, dict[str, Any]] = field(default_factory=dict)  # run-level kind → its state
    built: dict[str, Any] = field(default_factory=dict)  # run-level kind → the record last built
    side_seen: set[tuple[str, str, int, str | None]] = field(default_factory=set)  # (kind, tag, step, key) read
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
        self.fs = filesystem(self.logdir, tuple(_SIDE_READERS))
        self.store = store
        self.skip = skip
        self.shared = store.reading
        self.runs: dict[str, _RunState] = {}  # the runs under this logdir (shared states)
        self._read_bytes = 0  # bytes the last poll read
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
            self._read_bytes = 0
            with self.shared.lock:  # other readers of this Store's data wait: each file is read once
                changed = self._poll(listing, progress)
            if self._read_bytes >= TRIM_BYTES:  # the chunks' arrays are freed by now
                _give_back_memory()
            return changed

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
        side_changed = self._side_files() if self.fs.side else False
        todo: list[tuple[_RunState, EventFileReader, int]] = []
        for rel, path, size in sorted(listing, key=lambda x: (x[0], x[1].rsplit("/", 1)[-1], x[1])):
            key = self.fs.run_key(rel)
            run = self.runs.get(key) or self.shared.runs.get(key)
            reader = run.files.get(path) if run is not None else None
            if reader is None:
                if self.skip is not None and self.skip(self.fs.full(path)):
                    continue
                run = self._run_state(key)
                reader = run.files[path] = EventFileReader(path, self.fs.read_range, self.fs.read_into)
                ranked = rank_of(rel, path.rsplit("/", 1)[-1])
                if ranked is not None:  # a rank's folder of a distributed run
                    self.store.set_rank(key, self.fs.run_key(ranked[1]), ranked[0])
            elif key not in self.runs:  # a run another reader of this data found first
                self.runs[key] = run
            if reader.changed(size):
                todo.append((run, reader, size))
        if not todo:
            return side_changed
        total = sum(max(size - r.offset, 0) for _, r, size in todo)
        bar = progress_bar(total, progress) if progress is not False and total else None
        changed_runs: set[str] = set()
        try:
            for end, started in self._started(todo):
                end(started, bar, changed_runs)
        finally:
            if bar is not None:
                bar.close()
        for key in changed_runs:
            self._build_run_records(self.runs[key])
        self._read_bytes = total
        return bool(changed_runs) or side_changed

    def _started(self, todo: list[tuple[_RunState, EventFileReader, int]]) -> Iterator[tuple[Any, Any]]:
        """The new bytes of the files in `todo`, in order, read, framed and handed to the decode
        pool: small files in groups (`_start_group`; a group is handed on once the next one is
        read, so the pool decodes one while the next is read), big ones a chunk at a time
        (`_start_chunk`; their decoding is split over the pool already: reading the next file
        meanwhile cost more CPU than it saved, measured). Yields (end, started):
        `end(started, bar, changed_runs)` puts the records into the Store."""
        group: list[tuple[_RunState, EventFileReader, int]] = []
        grouped = 0
        held = None  # a started group, handed on once the next group is started
        buffers = Buffers()  # big files' chunks are read into buffers used again
        for item in [*todo, None]:  # None: the end, where the last group is started
            if item is not None:
                run, reader, size = item
                new = size - reader.offset if size >= reader.offset else size
                small = 0 < new <= GROUP_FILE_BYTES
                if small:  # read with others, checked and decoded together
                    group.append(item)
                    grouped += new
                    if grouped < GROUP_BYTES:
                        continue
            if group:  # in order: the files before this one first
                started = (self._end_group, self._start_group(group))
                group, grouped = [], 0
                if held is not None:
                    yield held
                held = started
            if item is None or small:
                continue
            if held is not None:
                yield held
                held = None
            while True:
                got = reader.read(size, buffers)
                data, scan = got if got is not None else (b"", None)
                yield self._end_chunk, (run, reader, data, scan, got is None or not reader.more,
                                        self._start_chunk(run, data, scan))
                if got is None or not reader.more:
                    break
        if held is not None:
            yield held

    def _start_group(self, group: list[tuple[_RunState, EventFileReader, int]]) -> Any:
        """Read the new bytes of several small files (in order) at once, frame each on its own
        and check their CRCs together; their scalar records are batch-decoded together on the
        decode pool meanwhile (while the next group is read: numpy there, Python here).
        `_end_group` puts each file's records into its run."""
        members, datas = [], []
        for run, reader, size in group:
            data = reader.fetch(size)
            if data is not None:
                members.append((run, reader, size))
                datas.append(data)
        if not datas:
            return None
        big, scans = scan_many(datas, [r.resyncing for _, r, _ in members])
        bounds = np.cumsum([0, *(len(sc.starts) for sc in scans)])
        fast: Any = None
        if bounds[-1]:
            rows = [(f + int(bounds[i]), r) for i, sc in enumerate(scans) for f, r in sc.rows]
            args = (big, np.concatenate([sc.starts for sc in scans]), np.concatenate([sc.lengths for sc in scans]), rows,
                    scalar_columns(int(bounds[-1])) if rows else None)
            pool = workers()
            fast = pool.submit(fast_scalars, *args) if pool is not None else _Ready(fast_scalars(*args))
        return members, datas, big, scans, bounds, fast

    def _end_group(self, started: Any, bar: Any, changed_runs: set[str]) -> None:
        if started is None:
            return
        members, datas, big, scans, bounds, fast = started
        whole = fast.result() if fast is not None else None
        try:
            for i, ((run, reader, size), data, scan) in enumerate(zip(members, datas, scans)):
                before = reader.offset
                reader.took(len(data), scan, size)
                if len(scan.starts):
                    self._process(run, big, scan.starts, scan.lengths, reader.damage,
                                  pre=_slice_fast(whole, int(bounds[i]), int(bounds[i + 1])))
                    changed_runs.add(run.key)
                reader.damage.report()
                if bar is not None:
                    bar.update(max(reader.offset - before, 0))
        finally:
            self._chunk = None

    # ---- decoding one chunk of records ------------------------------------------------
    def _start_chunk(self, run: _RunState, data: bytes | memoryview, scan: Scan | None) -> Ahead | None:
        """Hand a big file's chunk to the decode pool: its scalar records, in batches of bounded
        size, are decoded on all cores a few batches ahead of the one `_end_chunk` puts into the
        Store. None where there is no pool or the file is of a version before 2 (no fast path)."""
        if scan is None or not len(scan.starts):
            return None
        pool = workers()
        starts, lengths, rows = scan.starts, scan.lengths, scan.rows
        if pool is None or self._legacy(run, data, starts, lengths):
            return None
        step = PROCESS_BATCH

        def batch(a: int) -> tuple[Any, ...]:
            b = min(a + step, len(starts))
            part = clip_rows(rows, a, b) if rows else None
            return data, starts[a:b], lengths[a:b], part, scalar_columns(b - a) if part else None

        return Ahead(pool, fast_scalars, [partial(batch, a) for a in range(0, len(starts), step)], depth=2 * cores())

    def _end_chunk(self, work: tuple[Any, ...], bar: Any, changed_runs: set[str]) -> None:
        """Put a chunk started by `_start_chunk` into the Store; a file's damage is reported
        after its last chunk."""
        run, reader, data, scan, last, ahead = work
        if scan is not None:
            if len(scan.starts):
                self._process(run, data, scan.starts, scan.lengths, reader.damage, rows=scan.rows, ahead=ahead)
                changed_runs.add(run.key)
            if bar is not None:
                bar.update(scan.consumed)
        if last:
            reader.damage.report()

    def _process(self, run: _RunState, data: bytes, starts: np.ndarray, lengths: np.ndarray,
                 damage: Damage, pre: Any = _UNSET, rows: list[tuple[int, Rows]] | None = None,
                 ahead: Ahead | None = None) -> None:
        """Decode a chunk's records into the Store, in order, in batches of bounded size (one
        batch when `pre`, their fast_scalars result, is given: a small file's of a group);
        `rows`: the chunk's regular stretches as framing found them; `ahead`: the batches'
        fast_scalars futures (`_start_chunk`)."""
        if pre is not _UNSET:
            try:
                self._process_batch(run, data, starts, lengths, damage, _Ready(pre))
            finally:
                self._chunk = None
                self._flush_pending(run)
            return
        step = PROCESS_BATCH
        try:
            for k, a in enumerate(range(0, len(starts), step)):
                part = clip_rows(rows, a, a + step) if rows and ahead is None else None
                self._process_batch(run, data, starts[a : a + step], lengths[a : a + step], damage,
                                    ahead[k] if ahead else None, part)
        finally:
            self._chunk = None  # the chunk's bytes go once it is decoded (a follower lives on)
            self._flush_pending(run)

    def _legacy(self, run: _RunState, data: bytes, starts: np.ndarray, lengths: np.ndarray) -> bool:
        """Whether the run's file is of a version before 2 (its purges differ, no fast path),
        learning the version from the chunk's first record when not known yet."""
        if run.file_version is None:
            try:
                first = decode_event(memoryview(data)[int(starts[0]) : int(starts[0] + lengths[0])])
                if first.file_version is not None:
                    run.file_version = _version(first.file_version)
            except DecodeError:
                pass
        return run.file_version is None or run.file_version < 2

    def _process_batch(self, run: _RunState, data: bytes, starts: np.ndarray, lengths: np.ndarray,
                       damage: Damage, ahead: Any = None, rows: list[tuple[int, Rows]] | None = None) -> None:
        """Decode one batch into the Store; `ahead`: its fast_scalars result's future when decoded
        ahead on the pool."""
        legacy = self._legacy(run, data, starts, lengths)
        fast = None if legacy else ahead.result() if ahead is not None else fast_scalars(data, starts, lengths, rows)
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
        st_l = starts.tolist() if len(generic) else []
        ln_l = lengths.tolist() if len(generic) else []
        store = self.store
        for i in generic:
            try:
                ev = decode_event(mv[st_l[i] : st_l[i] + ln_l[i]])
            except Exception:  # damaged bytes behind a valid CRC: count, skip
                damage.bad_events += 1
                continue
            if ev.file_version is not None:
                run.file_version = _version(ev.file_version)
            items: list[Decoded] = []
            for raw in ev.values:
                try:
                    items.extend(decode_value(raw, run.metadata))
                except Exception:
                    damage.bad_events += 1
            purge = (not legacy and ev.session_status == SESSION_START)
            legacy_purge = legacy and ev.has_summary and ev.step < run.most_recent_step
            has_scalar = any(d.kind == FLOAT_KIND.name for d in items)
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
            for fn, body in ev.other:
                if fn in EVENT_FIELDS:
                    self._event_field(run, fn, body, damage)
            if items:
                self._append_items(run, ev.step, ev.wall_time, items, damage)
        if fast is not None and done < len(ok_idx):
            self._append_fast(run, fast, done, len(ok_idx))

    def _event_field(self, run: _RunState, fn: int, body: bytes, damage: Damage) -> None:
        """An Event field a kind reads (graph_def): the run's record of that kind."""
        name, reader = EVENT_FIELDS[fn]
        try:
            rec = reader(body)
        except Exception:
            damage.bad_events += 1
            return
        self.store.set_plugin_record(run.key, name, rec)

    def _side_files(self) -> bool:
        """Read new or changed files beside the event files that a kind reads (torch's projector
        config and embeddings); each (tag, step) is added once."""
        changed = False
        rebuild: set[str] = set()
        seen = self.shared.side_seen  # shared, like the event files: read once per Store data
        for path, (rel, pattern, mtime, size) in sorted(self.fs.side.items()):
            if seen.get(path) == (mtime, size):
                continue
            if self.skip is not None and self.skip(self.fs.full(path)):
                continue
            seen[path] = (mtime, size)
            kind = _SIDE_READERS[pattern]
            try:
                found = kind.read_side_file(path)  # type: ignore[misc]
            except Exception as e:  # a half-written or foreign file: try again when it changes
                what = str(e) if isinstance(e, ValueError) else repr(e)
                log.warning("nbboard: could not read %s: %s", path, what)
                self.store.set_problem(self.fs.run_key(rel), kind.name, self.fs.full(path), what)
                continue
            self.store.set_problem(self.fs.run_key(rel), kind.name, self.fs.full(path), None)
            run = self._run_state(self.fs.run_key(rel))
            for item in found:
                key = (kind.name, item.tag, item.step, item.key)
                if key in run.side_seen:
                    continue
                run.side_seen.add(key)
                if kind.fold is not None:  # a piece of a run-level record (a sweep's hparams file)
                    kind.fold(run.folded.setdefault(kind.name, {}), item.value)
                    rebuild.add(run.key)
                else:
                    self._append_one(run, item.tag, kind.name, item.step, item.value, mtime, Damage(path))
                changed = True
        for key in rebuild:
            self._build_run_records(self.runs[key])
        return changed

    def _append_fast(self, run: _RunState, fast: dict[str, Any], a: int, b: int) -> None:
        """Append fast-path scalar records [a, b) (in record order) grouped by tag: a radix sort
        of the small tag numbers, and a slice, not a gather, where a tag's points lie together."""
        ti = fast["tag_index"][a:b]
        n = len(ti)
        if not n:
            return
        steps, values, wts = fast["steps"][a:b], fast["values"][a:b], fast["wall_times"][a:b]
        tensor = fast["from_tensor"][a:b]
        tags = fast["tags"]
        counts = np.bincount(ti, minlength=len(tags))
        present = np.flatnonzero(counts)
        groups: list[tuple[int, Any]]
        if len(present) == 1:
            groups = [(int(present[0]), slice(0, n))]
        else:
            small = ti.astype(np.uint8 if len(tags) <= 256 else np.uint16 if len(tags) <= 65536 else np.int64)
            order = np.argsort(small, kind="stable")  # radix sort for 8/16-bit keys
            ends = np.cumsum(counts[present])
            begins = (ends - counts[present]).tolist()
            firsts = order[begins].tolist()  # stable: each tag's first record in the batch
            groups = []
            for _, g, b0, b1 in sorted(zip(firsts, present.tolist(), begins, ends.tolist())):
                sel = order[b0:b1]  # series appear in the order tags first occur
                lo = int(sel[0])
                groups.append((g, slice(lo, lo + b1 - b0) if int(sel[-1]) - lo == b1 - b0 - 1 else sel))
        mixed = bool(tensor.any())
        for g, sel in groups:
            tag = tags[g]
            if mixed:
                tens = tensor[sel]
                if tens.any():
                    md = run.metadata.get(tag)
                    if md is None or not FLOAT_KIND.takes_float(md):  # type: ignore[misc]
                        # a 0-d float tensor of another plugin: decode those records the slow way
                        idx = np.arange(n)[sel]
                        for r in fast["records"][a:b][idx[tens]].tolist():
                            self._generic_record(run, r)
                        sel = idx[~tens]
                        if not len(sel):
                            continue
            run.pending.setdefault(tag, []).append((steps[sel], values[sel], wts[sel]))

    def _flush_pending(self, run: _RunState) -> None:
        """Append the buffered fast-path points, each tag's columns sized once for all its parts."""
        store = self.store
        for tag, parts in run.pending.items():
            s = run.series.get(tag)
            if s is None or s.kind != FLOAT_KIND.name:
                try:
                    s = run.series[tag] = store.series_for(run.key, tag, FLOAT_KIND.name)
                except ValueError:
                    continue
            with store.lock:
                if len(parts) > 1:
                    s.reserve(sum(len(p[0]) for p in parts))
                for cols in parts:
                    s.extend(*cols)
        run.pending.clear()

    def _generic_record(self, run: _RunState, r: int) -> None:
        """Decode record number `r` of the chunk being processed through the generic path."""
        data, starts, lengths, damage = self._chunk
        a = int(starts[r])
        try:
            ev = decode_event(memoryview(data)[a : a + int(lengths[r])])
            items = [d for raw in ev.values for d in decode_value(raw, run.metadata)]
        except Exception:
            damage.bad_events += 1
            return
        self._append_items(run, ev.step, ev.wall_time, items, damage)

    def _append_items(self, run: _RunState, step: int, wall_time: float,
                      items: list[Decoded], damage: Damage) -> None:
        """Append one event's decoded items: a kind's parts joined first (mesh), run-level pieces
        folded into the run's state (built into records once the chunk is read)."""
        merging: dict[str, list[Decoded]] = {}
        for d in items:
            if d.kind in _MERGE_EVENT:
                merging.setdefault(d.kind, []).append(d)
            elif d.kind in _FOLD:
                try:
                    _FOLD[d.kind].fold(run.folded.setdefault(d.kind, {}), d.value)  # type: ignore[misc]
                except Exception:
                    damage.bad_events += 1
            else:
                self._append_one(run, d.tag, d.kind, step, d.value, wall_time, damage)
        for name, parts in merging.items():
            for d in _MERGE_EVENT[name](parts):
                self._append_one(run, d.tag, d.kind, step, d.value, wall_time, damage)

    def _append_one(self, run: _RunState, tag: str, kind: str, step: int, value: Any,
                    wall_time: float, damage: Damage) -> None:
        store = self.store
        s = run.series.get(tag)
        try:
            if s is None or s.kind != kind:
                s = run.series[tag] = store.series_for(run.key, tag, kind)
        except ValueError:  # the tag already holds another kind in this run
            damage.bad_events += 1
            return
        with store.lock:
            s.append(step, value, wall_time)

    def _build_run_records(self, run: _RunState) -> None:
        """(Re)build each run-level record (hparams session, custom-scalar layout) from the pieces
        read and the run's series; the Store gets it only when it changed."""
        for name, state in run.folded.items():
            try:
                rec = _FOLD[name].build(state, run.series)  # type: ignore[misc]
            except Exception as e:  # a damaged piece: keep what the Store has
                log.warning("nbboard: could not build the %s record of %s: %r", name, run.key, e)
                continue
            prev = run.built.get(name)
            if rec is None or (prev is not None and vars(prev) == vars(rec)):
                continue
            run.built[name] = rec
            self.store.set_plugin_record(run.key, name, rec)
