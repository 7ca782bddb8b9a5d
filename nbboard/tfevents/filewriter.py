"""Event files on disk and the background thread that encodes and writes them.

The training thread writes each scalar into the writer's ring of slots (tfevents/journal.py) and
appends every other record as a small tuple to a deque; this thread takes both in order, turns
them into framed Event records (scalars in numpy batches), writes them and flushes to the OS at
least every `interval` seconds, so a killed process leaves files readable up to then.
"""

from __future__ import annotations

import atexit
import errno
import io
import itertools
import os
import socket
import threading
import time
import warnings
import weakref
from collections import deque
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import numpy as np

from nbboard.tfevents.messages import event, session_log_start
from nbboard.tfevents.record import frame
from nbboard.tfevents.simple_values import encode_scalar_batch, encode_scalar_rows, scalar_tail

_uid = itertools.count()

_file_index = itertools.count()
_open_files: dict[int, EventFileWriter] = {}
_col0, _col1, _col2, _col3, _col4 = (itemgetter(i) for i in range(5))

# Marks a pending item whose payload is a finished Event message.
RAW_EVENT = object()

# Every event file path this process's writers opened (remote parts start with it), so a
# logdir tailer feeding the same Store skips them (nbboard.logdir.follow_into).
written_paths: set[str] = set()


def event_file_name(filename_suffix: str = "") -> str:
    """An event file name like torch's: events.out.tfevents.<time>.<host>.<pid>.<uid><suffix>."""
    return "events.out.tfevents.%010d.%s.%s.%s%s" % (
        time.time(), socket.gethostname(), os.getpid(), next(_uid), filename_suffix)


#: errors that mean "no room": the record is kept in memory and written when room returns
NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
BACKLOG_LIMIT = 256 << 20  # bytes of records a full disk keeps in memory per file


class EventFileWriter:
    """One events file in a run directory; writes framed records, flushes, fsyncs on close.

    A local file is written unbuffered, whole records at a time. When the disk is full (or a
    quota or file-size limit is hit) the torn tail is cut off so the file ends at a whole
    record, the records are kept in memory (up to BACKLOG_LIMIT), one warning says so, and each
    later flush retries them: writing resumes, in order, when space returns.
    """

    def __init__(self, run_dir: str, filename_suffix: str = "", purge_step: int | None = None,
                 opener: Callable[[str], Any] | None = None, owner: EventWriterThread | None = None) -> None:
        self.run_dir = run_dir
        self.owner = owner  # the one writer thread that writes and flushes this file
        self.path = os.path.join(run_dir, event_file_name(filename_suffix))
        written_paths.add(self.path if "://" in self.path else os.path.abspath(self.path))  # the logdir reader skips these
        self.local = opener is None
        self._size = 0  # bytes of whole records in a local file
        self._backlog: list[bytes] = []  # records a full disk refused, oldest first
        self.backlog_bytes = 0
        self._dropped = 0
        self._full = False  # warned of a full disk, not yet resumed
        self._vanished = False  # warned that the file was deleted and could not be made again
        if opener is None:
            os.makedirs(run_dir, exist_ok=True)
            self._fh = open(self.path, "ab", buffering=0)
        else:
            self._fh = opener(self.path)
        self.closed = False
        self.index = next(_file_index)  # what queued items carry (ints keep them out of the GC)
        _open_files[self.index] = self
        self._tails: dict[str, bytes] = {}
        now = time.time()
        step = purge_step or 0
        first = [event(now, step, file_version="brain.Event:2")]
        if purge_step is not None:
            first.append(event(now, step, session_log=session_log_start()))
        self.write(b"".join(map(frame, first)))
        if opener is None or owner is None:
            self._fh.flush()  # local: the file holds its header at once, as torch's does
        else:
            owner.fresh.add(self)  # remote: uploaded by its writer thread's next drain

    def tail(self, tag: str) -> bytes:
        """The cached constant part of a scalar event for `tag`."""
        t = self._tails.get(tag)
        if t is None:
            t = self._tails[tag] = scalar_tail(tag)
        return t

    def write(self, data: bytes | memoryview) -> None:
        if not len(data):
            return
        if not self.local:
            self._fh.write(data)
            return
        self._check_vanished()
        if self._backlog:  # the disk was full: keep the order, retried on flush
            self._keep(data)
        else:
            self._write_whole(data)

    def _write_whole(self, data: bytes | memoryview) -> bool:
        """Write `data` completely or not at all (True when written); a full disk's torn tail
        is truncated away and the data kept."""
        mv = memoryview(data)
        done = 0
        try:
            while done < len(data):
                done += self._fh.write(mv[done:]) or 0
        except OSError as e:
            if e.errno not in NO_SPACE:
                raise
            try:
                os.ftruncate(self._fh.fileno(), self._size)  # the file ends at a whole record
            except OSError:
                pass
            if not self._full:
                self._full = True
                warnings.warn(f"nbboard: cannot write {self.path}: {e.strerror or e}. Training goes "
                              "on; what is logged stays in the Store and in memory and is written "
                              "when space returns", RuntimeWarning, stacklevel=2)
            self._keep(data)
            return False
        self._size += len(data)
        return True

    def _keep(self, data: bytes | memoryview) -> None:
        if self.backlog_bytes + len(data) > BACKLOG_LIMIT:
            self._dropped += len(data)
            return
        self._backlog.append(bytes(data))
        self.backlog_bytes += len(data)

    def _retry(self) -> None:
        """Write what a full disk refused, if there is room now."""
        data = b"".join(self._backlog)
        self._backlog = []
        self.backlog_bytes = 0
        if self._write_whole(data):
            self._full = False
            lost = f"; {self._dropped} bytes of records beyond the {BACKLOG_LIMIT >> 20} MiB kept " \
                   "in memory were not written (the Store has them)" if self._dropped else \
                   "; nothing was lost"
            warnings.warn(f"nbboard: writing {self.path} resumed{lost}", RuntimeWarning, stacklevel=2)
            self._dropped = 0

    def flush(self) -> None:
        if self._backlog:
            self._retry()
        self._fh.flush()

    def _check_vanished(self) -> None:
        """If the file was deleted under us (its folder removed, say), start it again at the same
        path with a header, so what is logged from now on is on disk again; one warning."""
        try:
            if os.fstat(self._fh.fileno()).st_nlink > 0:
                return
        except (OSError, ValueError, AttributeError):  # closed, or not a real file
            return
        try:
            os.makedirs(self.run_dir, exist_ok=True)
            fh = open(self.path, "ab", buffering=0)
        except OSError as e:
            if not self._vanished:
                self._vanished = True
                warnings.warn(f"nbboard: {self.path} was deleted and cannot be made again "
                              f"({e.strerror or e}); logging goes on in the Store only",
                              RuntimeWarning, stacklevel=3)
            return
        self._fh.close()
        self._fh = fh
        self._size = 0
        self._vanished = False
        warnings.warn(f"nbboard: {self.path} was deleted while being written; writing goes on in a "
                      "new file at that path (what was in the old one is only in the Store now)",
                      RuntimeWarning, stacklevel=3)
        self._write_whole(frame(event(time.time(), 0, file_version="brain.Event:2")))

    def close(self, fsync: bool = True) -> None:
        """Flush, fsync (unless `fsync` is false) and close; a remote file uploads its rest."""
        if self.closed:
            return
        self.closed = True
        _open_files.pop(self.index, None)
        if self.owner is not None:
            self.owner.fresh.discard(self)
        if self._backlog:
            self._retry()
            if self._backlog:
                warnings.warn(f"nbboard: closing {self.path} with {self.backlog_bytes} bytes of "
                              "records not written (no space); the Store has them",
                              RuntimeWarning, stacklevel=2)
        self._fh.flush()
        if fsync:
            try:
                os.fsync(self._fh.fileno())
            except (AttributeError, OSError, ValueError):
                pass  # remote files have no descriptor; their close commits them
        self._fh.close()


class EventWriterThread:
    """Encodes and writes the pending items of one SummaryWriter on a background thread.

    Scalars wait in `journal`, the writer's ring of slots (tfevents/journal.py), once the
    SummaryWriter has given it one. Other items wait in `queue`: (file index, wall_time, step,
    tag, payload, encode[, mark]): `encode(tag, payload)` gives one or more Summary messages, or
    `encode is RAW_EVENT` and payload is a whole Event message; `mark` is the ring's reserved count
    when the item was queued, so the scalars logged before it are written before it. A float
    payload with encode None is a scalar queued as a tuple (a writer without a ring: a forked
    child's synchronous one).
    """

    def __init__(self, interval: float = 0.5, sync: bool = False) -> None:
        self.queue: deque = _DrainingQueue(self) if sync else deque()
        self.pending_bytes = 0  # approximate raw bytes queued (callers add, drain resets)
        self.interval = interval
        self._io = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._error: BaseException | None = None
        self._dirty: set[EventFileWriter] = set()
        self.fresh: set[EventFileWriter] = set()  # its new remote files, not uploaded yet
        self.journal: Any = None  # the writer's ring of pending scalars (tfevents.journal), if any
        self._thread: threading.Thread | None = None
        if not sync:
            self._thread = threading.Thread(target=self._run, name="nbboard-event-writer", daemon=True)
            self._thread.start()
        _live.add(self)

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.drain()
            except BaseException as e:  # keep the thread alive; report on flush/close
                self._error = e

    def wake(self) -> None:
        """Drain now rather than at the next interval (the ring is filling up)."""
        self._wake.set()

    def drain(self, final: bool = False) -> None:
        """Encode and write everything queued so far, then flush touched files to the OS.

        A file whose write or flush fails does not stop the others; the first error is raised
        at the end, and a file whose flush failed stays dirty so the next drain retries it.
        `final` (close): a ring slot reserved and never written is skipped at once.
        """
        with self._io:
            j = self.journal
            q = self.queue
            recs = j.take(final) if j is not None else None
            n = len(q)
            if n == 0 and not self._dirty and not self.fresh and (recs is None or not len(recs)):
                if j is not None and not j.stuck:
                    j.set_durable(j.read)
                return
            while self.fresh:
                try:
                    self._dirty.add(self.fresh.pop())
                except KeyError:  # the file was closed meanwhile
                    break
            if j is None:
                items = [q.popleft() for _ in range(n)]
            else:  # an item waits while a scalar logged before it is not written yet
                items = []
                for _ in range(n):
                    if len(q[0]) > 6 and q[0][6] > j.read:
                        break
                    items.append(q.popleft())
            self.pending_bytes = 0
            errors = self._write_items(items, recs)
            failed = set()
            for f in self._dirty:
                if f.closed:
                    continue
                try:
                    f.flush()
                except Exception as e:
                    errors.append(e)
                    failed.add(f)
                if f.backlog_bytes:
                    failed.add(f)  # a full disk: retried at the next drain
            self._dirty = failed
            if j is not None:
                if not errors and not any(f.backlog_bytes for f in failed):
                    j.set_durable(j.read)  # everything the ring held up to there is in the files
                else:
                    j.stuck = True
            if errors:
                raise errors[0]

    def _write_items(self, items: list[tuple], recs: Any = None) -> list[Exception]:
        """Encode `items` and the ring's slots `recs` in order (a marked item after the slots
        before its mark) and write each file's share; returns the write errors (per file)."""
        chunks: dict[int, list[Any]] = {}
        pos = recs["pos1"] if recs is not None and len(recs) else None  # positions + 1
        done = 0  # slots of recs already encoded
        start = 0
        n = len(items)
        while start < n:
            # a maximal run of scalar items is encoded in numpy batches, one per (file, tag)
            end = start
            while end < n and items[end][5] is None:
                end += 1
            if end > start:
                self._write_scalars(items[start:end], chunks)
            if end < n:
                item = items[end]
                if pos is not None and len(item) > 6:
                    cut = int(np.searchsorted(pos, item[6], side="right"))  # pos + 1 <= mark
                    if cut > done:
                        self._write_ring(recs[done:cut], chunks)
                        done = cut
                self._write_record(item, chunks)
            start = end + 1
        if pos is not None and done < len(pos):
            self._write_ring(recs[done:], chunks)
        errors: list[Exception] = []
        for idx, parts in chunks.items():
            f = _open_files.get(idx)
            if f is None:
                continue
            try:
                f.write(parts[0] if len(parts) == 1 else b"".join(parts))
            except Exception as e:  # this file's records are lost; the other files' are not
                errors.append(e)
            self._dirty.add(f)
        return errors

    def _write_ring(self, recs: Any, chunks: dict[int, list[Any]]) -> None:
        """Encode ring slots (journal.SLOT_DTYPE, in position order) in numpy batches, one per
        (file, tag); slots of id 0 (skipped) and of closed files are dropped."""
        where = self.journal.where
        tids = recs["tail"] >> np.uint64(32)
        if (tids == tids[0]).all():  # one file, one tag: no grouping, no gathers
            groups: list[tuple[int, Any]] = [(int(tids[0]), slice(None))]
        else:
            order = np.argsort(tids, kind="stable")
            ordered = tids[order]
            bounds = [0, *(np.flatnonzero(ordered[1:] != ordered[:-1]) + 1).tolist(), len(order)]
            groups = [(int(ordered[a]), order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
        for tid, sel in groups:
            w = where.get(tid)
            if w is None:
                continue
            idx, tag = w
            f = _open_files.get(idx)
            if f is None:
                continue
            try:
                data = encode_scalar_rows(tag, recs["wall"][sel], recs["step"][sel],
                                          recs["value"][sel], f.tail(tag))
            except Exception as e:  # validated on the caller, so a bug: lose these points only
                warnings.warn(f"nbboard: could not encode the scalars of {tag!r}: {e!r}", stacklevel=1)
                continue
            chunks.setdefault(idx, []).append(data)

    @staticmethod
    def _write_scalars(items: list[tuple], chunks: dict[int, list[Any]]) -> None:
        n = len(items)
        wt = np.fromiter(map(_col1, items), dtype=np.float64, count=n)
        st = np.fromiter(map(_col2, items), dtype=np.int64, count=n)
        vs = np.fromiter(map(_col4, items), dtype=np.float64, count=n)
        keys = list(zip(map(_col0, items), map(_col3, items)))  # (file index, tag) per item
        groups: dict[tuple[int, str], Any] = {}
        if keys.count(keys[0]) == n:  # one file, one tag: no grouping, no gathers
            groups[keys[0]] = slice(None)
        else:
            for i, k in enumerate(keys):
                groups.setdefault(k, []).append(i)
        for (idx, tag), sel in groups.items():
            if isinstance(sel, list):
                sel = np.array(sel, dtype=np.intp)
            f = _open_files.get(idx)
            if f is None:
                continue
            try:
                data = encode_scalar_batch(tag, wt[sel], st[sel], vs[sel], f.tail(tag))
            except Exception as e:  # validated on the caller, so a bug: lose these points only
                warnings.warn(f"nbboard: could not encode the scalars of {tag!r}: {e!r}", stacklevel=1)
                continue
            chunks.setdefault(idx, []).append(data)

    @staticmethod
    def _write_record(item: tuple, chunks: dict[int, list[Any]]) -> None:
        f, wall_time, step, tag, payload, encode = item[:6]
        try:
            if encode is RAW_EVENT:
                events = [payload]
            else:
                sums = encode(tag, payload)
                if isinstance(sums, bytes):
                    sums = [sums]
                events = [event(wall_time, step, summary_bytes=s) for s in sums]
        except Exception as e:  # validated on the caller, so this is a bug: keep going
            warnings.warn(f"nbboard: could not encode {tag!r}: {e!r}", stacklevel=1)
            return
        chunks.setdefault(f, []).extend(frame(e) for e in events)

    def flush(self, final: bool = False) -> None:
        """Write everything queued so far (on the calling thread) and flush it to the OS; a
        scalar another thread is still writing into the ring is waited for (a bounded time)."""
        j = self.journal
        target = j.reserved() if j is not None else 0
        try:
            self.drain(final)
            if j is not None and j.read < target:
                deadline = time.monotonic() + 2 * j.hole_age
                while j.read < target and time.monotonic() < deadline:
                    time.sleep(0.001)
                    self.drain()
        except Exception as e:  # reported like a background failure
            self._error = self._error or e
        if self._error is not None:
            err, self._error = self._error, None
            raise RuntimeError(f"nbboard: writing event files failed: {err!r}") from err

    def close(self) -> None:
        """Flush and stop the thread (it is forgotten even when the flush raises)."""
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self.flush(final=True)
        finally:
            _live.discard(self)
            j, self.journal = self.journal, None
            if j is not None:
                if not j.stuck:
                    j.close()  # all in the files
                else:  # a full disk: a later writer or read recovers what the files lack
                    j.flush_map()


_live: weakref.WeakSet[EventWriterThread] = weakref.WeakSet()


class _DrainingQueue(deque):
    """The queue of a synchronous writer (a forked child's): each item is written and flushed
    before the logging call returns, so a child ending in os._exit (as multiprocessing's and
    DataLoader's workers do) loses nothing it logged."""

    def __init__(self, owner: EventWriterThread) -> None:
        super().__init__()
        self._owner = weakref.ref(owner)

    def append(self, item: Any) -> None:
        super().append(item)
        owner = self._owner()
        if owner is not None:
            owner.drain()


def in_forked_child() -> bool:
    """Whether this process is a fork of one that opened event files (its writers write
    synchronously: a forked worker typically ends without running exit hooks)."""
    return _forked


_forked = False
_held: list[threading.Lock] = []
_inherited: list[Any] = []


def _before_fork() -> None:
    """No writer thread is mid-write when the process forks, and no file buffer holds data a
    child would write again: take every writer's I/O lock and flush the files."""
    for t in list(_live):
        t._io.acquire()
        _held.append(t._io)
    for f in list(_open_files.values()):
        if isinstance(f._fh, io.IOBase):  # a local file (a remote one buffers in Python only)
            try:
                f._fh.flush()
            except Exception:  # the writer thread reports it at its next flush
                pass


def _after_fork_in_parent() -> None:
    while _held:
        _held.pop().release()


def _after_fork_in_child() -> None:
    """The child starts with none of the parent's writers: no queued items, no open files (their
    handles are dropped unflushed: the parent owns what they hold), no paths to skip."""
    global _forked
    _after_fork_in_parent()
    for t in list(_live):
        t.queue.clear()
        t._dirty.clear()
        t.fresh.clear()
        t._stop = True
    _live.clear()
    for f in list(_open_files.values()):
        f.closed = True
        _inherited.append(f._fh)  # kept, never closed: closing a remote one would upload its part
        f._fh = _Dropped()
    _open_files.clear()
    written_paths.clear()
    _forked = True


class _Dropped:
    """Stands for a file handle a forked child inherited and must never write or flush."""

    def write(self, data: bytes) -> None:
        raise OSError("this event file belongs to the parent process")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)


def flush_all() -> None:
    """Put what every writer thread of this process still queues on disk (a failing writer
    reports itself; the others still flush)."""
    for t in list(_live):
        try:
            t.flush()
        except Exception:
            pass


def _close_all_at_exit() -> None:
    """Write what is queued, then close every open file: a remote file uploads its last part
    only on close, so a process that never called close() would lose its last records."""
    for t in list(_live):
        try:
            t.close()
        except Exception as e:
            warnings.warn(f"nbboard: writing event files at exit failed: {e!r}", stacklevel=1)
    for f in list(_open_files.values()):
        try:
            f.close(fsync=False)  # local data already reached the OS; skip the disk sync
        except Exception as e:
            warnings.warn(f"nbboard: closing {f.path} at exit failed: {e!r}", stacklevel=1)


def _register_exit_hook(fn: Callable[[], None]) -> None:
    """Run `fn` at exit before concurrent.futures refuses new work (fsspec's async filesystems
    need its executors to upload), i.e. as a threading exit hook registered after its own
    (they run in reverse order); plain atexit where that private hook is missing."""
    import concurrent.futures.thread  # noqa: F401  registers the executors' exit hook first

    register = getattr(threading, "_register_atexit", None)
    if register is None:
        atexit.register(fn)
    else:
        register(fn)


_register_exit_hook(_close_all_at_exit)
