"""The pending scalars of a writer, and their crash safety: a ring of fixed slots, written by
`add_scalar` and read by the writer thread, kept in a memory-mapped file beside the event files.

`add_scalar` reserves a position and writes its point into a slot of a ring of fixed 40-byte
slots (~0.2 µs); that ring is the only place a pending scalar waits (no Python object per point),
and the writer thread takes the slots in position order, in numpy, straight into the batch
encoder. The ring lives in a shared mapping of `<log_dir>/.nbboard-journal.<host>.<pid>.<n>`, so
the page cache holds each point the moment the call returns and it outlives the process —
`kill -9` included (a power cut is another matter: that is what fsync on close is for). The
writer thread, having written a batch to the event files, records in the header how far the
journal is now in the files ("durable"). A live writer holds an exclusive flock on its journal; a
journal nobody holds belongs to a dead process, and `recover()` (run by a new SummaryWriter on
the same log_dir and by every read of a logdir) writes the points after "durable" that its event
files lack into a `.recovered` event file beside them, then deletes the journal. A clean close
deletes it too. Without a journal file (NBBOARD_JOURNAL=0, a remote log_dir) the ring is the
same, in private memory.

A slot holds (pos+1, step, value, wall_time, tag_id << 32 | (pos+1) mod 2^32); a slot is
valid for position p when both copies of p+1 agree, so stale slots of an earlier lap, a slot a
caller has reserved but not written yet, and a record torn by the kill are all rejected. Tag ids
map to (run folder, tag) in a `.tags` file written once per new tag; id 0 marks a slot to skip.
"""

from __future__ import annotations

import errno
import fcntl
import itertools
import json
import mmap
import os
import socket
import struct
import time
import warnings
from typing import Any

import numpy as np

PREFIX = ".nbboard-journal."
MAGIC = b"NBJOURN1"
HEADER = 64  # magic, slots (q), durable (q)
SLOT = struct.Struct("<qqddq")  # pos+1, step, value, wall_time, tag_id << 32 | (pos+1) & M
SLOT_BYTES = SLOT.size
SLOTS = 1 << 17  # 5 MiB: the most scalars that wait for the writer thread (0.1 s at full speed)
MASK = SLOTS - 1
LOW = 0xFFFFFFFF
SLOT_DTYPE = np.dtype([("pos1", "<i8"), ("step", "<i8"), ("value", "<f8"), ("wall", "<f8"),
                       ("tail", "<u8")])
HOLE_AGE = 1.0  # seconds a reserved slot may stay unwritten before the reader skips it
_DURABLE = struct.Struct("<q")
_uid = itertools.count()


def enabled() -> bool:
    """Journals are on unless NBBOARD_JOURNAL=0."""
    return os.environ.get("NBBOARD_JOURNAL", "1") != "0"


class Journal:
    """One writer's ring of pending scalars: slots the calling threads fill, taken in order by the
    writer thread, which then sets the durable mark. `log_dir` None: in private memory, no file."""

    hole_age = HOLE_AGE  # (tests shorten it)

    def __init__(self, log_dir: str | None) -> None:
        self.log_dir = log_dir
        size = HEADER + SLOTS * SLOT_BYTES
        self.path: str | None = None
        self.fd: int | None = None
        self.tags_fd: int | None = None
        if log_dir is None:
            self.mm: Any = bytearray(size)
        else:
            self.path = os.path.join(log_dir, f"{PREFIX}{socket.gethostname()}.{os.getpid()}.{next(_uid)}")
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                # reserve the blocks now: a page of a sparse file mapped on a full disk would kill
                # the process with SIGBUS when first written
                os.posix_fallocate(fd, 0, size)
                self.mm = mmap.mmap(fd, size)
            except BaseException:
                os.close(fd)
                os.unlink(self.path)
                raise
            self.fd = fd
            self.tags_path = self.path + ".tags"
            self.tags_fd = os.open(self.tags_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.mm[:HEADER] = MAGIC + struct.pack("<qq", SLOTS, 0) + bytes(HEADER - 24)
        self.put = SLOT.pack_into  # put(mm, offset, ...): bound once, called per add_scalar
        # next(seq) reserves a position (atomic under the GIL); the caller then writes its slot
        self.seq = itertools.count()
        self.read = 0  # the writer thread has taken the positions below this
        self.durable = 0  # positions below this are in the event files
        # a caller reaching `limit` calls room(): at half a ring ahead of `durable` it wakes the
        # writer thread; a whole ring ahead, it must wait for room
        self.limit = SLOTS // 2
        self.stuck = False  # the last drain could not write everything (a full disk)
        self._stall = (-1, 0.0)  # (position, since when) of the first slot found unwritten
        self._tags = itertools.count(1)
        self.ids: dict[Any, int] = {}  # tag (main run) or (run folder, tag) -> shifted id
        self.where: dict[int, tuple[int, str]] = {}  # id -> (event file index, tag)
        self._by_file: dict[tuple[int, str], int] = {}

    def tag(self, run_dir: str, tag: str, file_index: int) -> int:
        """A new (run folder, tag) of event file `file_index`: its id, shifted into a slot's last
        field (one id per file and tag, written once)."""
        tid = self._by_file.get((file_index, tag))
        if tid is None:
            tid = self._by_file[(file_index, tag)] = next(self._tags)
            self.where[tid] = (file_index, tag)
            if self.tags_fd is not None:
                rel = os.path.relpath(run_dir, self.log_dir)
                os.write(self.tags_fd, (json.dumps({"id": tid, "run": rel, "tag": tag}) + "\n").encode())
        return tid << 32

    def reserved(self) -> int:
        """How many positions callers have reserved (read without reserving one)."""
        return int(repr(self.seq)[6:-1])  # "count(N)"

    def room(self, pos: int, owner: Any) -> None:
        """Position `pos` reached `limit`. Half a ring ahead: wake `owner` (the writer thread).
        A whole ring ahead: write the ring on this thread (`owner.drain`), waiting for a slot
        another caller is still writing; if the files still cannot take the points (a full disk),
        give up crash safety for the older half of the ring (the file writer keeps them in memory)."""
        if pos < self.durable + SLOTS:
            owner.wake()
            self.limit = min(pos + SLOTS // 8, self.durable + SLOTS)
            return
        try:
            deadline = time.monotonic() + 2 * self.hole_age
            while True:
                try:
                    owner.drain()
                except Exception:
                    pass  # reported by the writer's flush/close
                if pos < self.read + SLOTS or time.monotonic() > deadline:
                    break
                time.sleep(0.001)  # a caller reserved a slot it has not written yet
        except BaseException:  # interrupted (KeyboardInterrupt): the slot is skipped, not waited for
            self.put(self.mm, HEADER + (pos & MASK) * SLOT_BYTES, pos + 1, 0, 0.0, 0.0, (pos + 1) & LOW)
            raise
        if pos >= self.durable + SLOTS:
            self.durable = max(self.durable, min(pos - SLOTS // 2, self.read))
        self.limit = self.durable + SLOTS

    def take(self, final: bool = False) -> np.ndarray:
        """For the writer thread: the slots written from `read` on, in position order, up to the
        first one reserved and not written yet (skipped once HOLE_AGE old, or at once when
        `final`: a caller interrupted between reserving and writing). Advances `read`."""
        a = self.read
        n = min(self.reserved() - a, SLOTS)
        if n <= 0:
            return np.empty(0, dtype=SLOT_DTYPE)
        i = a & MASK
        first = min(n, SLOTS - i)
        mm = self.mm
        raw = mm[HEADER + i * SLOT_BYTES : HEADER + (i + first) * SLOT_BYTES]  # a copy, under the GIL
        if first < n:
            raw += mm[HEADER : HEADER + (n - first) * SLOT_BYTES]
        recs = np.frombuffer(raw, dtype=SLOT_DTYPE)
        expect = np.arange(a + 1, a + n + 1, dtype=np.int64)
        ok = (recs["pos1"] == expect) & ((recs["tail"] & np.uint64(LOW)).astype(np.int64)
                                         == (expect & LOW))
        stop = a + n
        if not final:
            bad = np.flatnonzero(~ok)
            for b in bad[:2].tolist():
                p, (stalled, since) = a + b, self._stall
                if p == stalled and time.monotonic() - since >= self.hole_age:
                    continue  # abandoned (its caller was interrupted): skipped
                if p != stalled:
                    self._stall = (p, time.monotonic())
                stop = p
                break
        keep = ok[: stop - a]
        recs = recs[: stop - a]
        self.read = stop
        return recs if keep.all() else recs[keep]

    def set_durable(self, pos: int) -> None:
        """Positions below `pos` are in the event files (called by the writer thread)."""
        self.stuck = False
        if pos > self.durable:
            self.durable = pos
            self.limit = pos + SLOTS // 2
            _DURABLE.pack_into(self.mm, 16, pos)

    def close(self) -> None:
        """Everything is in the files: delete the journal."""
        if self.fd is None:
            return
        try:
            self.mm.close()
        finally:
            for fd in (self.fd, self.tags_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            for p in (self.path, self.tags_path):
                try:
                    os.unlink(p)
                except OSError:
                    pass

    def flush_map(self) -> None:
        """Push the mapping to the page cache (a journal left for recovery: the disk is full)."""
        if self.fd is not None:
            self.mm.flush()


def open_journal(log_dir: str) -> Journal | None:
    """A journal for a writer of local `log_dir`, or None (switched off, or it cannot be made:
    a warning says why once; logging goes on without crash safety)."""
    if not enabled():
        return None
    try:
        return Journal(log_dir)
    except OSError as e:
        key = (log_dir, e.errno)
        if key not in _warned:
            _warned.add(key)
            warnings.warn(f"nbboard: no crash journal in {log_dir!r} ({e.strerror or e}); "
                          "points logged in the last half second before a crash may be lost",
                          RuntimeWarning, stacklevel=3)
        return None


_warned: set[Any] = set()


# ---- recovery -------------------------------------------------------------------------------
def is_journal(name: str) -> bool:
    return name.startswith(PREFIX) and not name.endswith(".tags")


def recover(path: str) -> list[str]:
    """Recover one journal if its writer is dead: write the points its event files lack into
    `.recovered` event files and delete it. Returns the event files written ([] when the
    journal is live, empty, unreadable, or was made on another machine: an exclusive flock
    proves a writer dead only on this one)."""
    host = os.path.basename(path)[len(PREFIX):].rsplit(".", 2)[0]
    if host != socket.gethostname():
        return []  # flock says nothing about a process on another machine sharing this folder
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return []
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return []  # its writer is alive
            raise
        written = _replay(path, fd)
        for p in (path, path + ".tags"):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        return written
    except OSError as e:
        warnings.warn(f"nbboard: could not recover the crash journal {path!r}: {e}",
                      RuntimeWarning, stacklevel=2)
        return []
    finally:
        os.close(fd)


def recover_dir(log_dir: str) -> list[str]:
    """Recover the dead journals directly inside `log_dir` (a new writer's start)."""
    try:
        names = os.listdir(log_dir)
    except OSError:
        return []
    out: list[str] = []
    for n in names:
        if is_journal(n):
            out += recover(os.path.join(log_dir, n))
    return out


def _replay(path: str, fd: int) -> list[str]:
    size = os.fstat(fd).st_size
    if size < HEADER:
        return []
    with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as mm:
        if mm[:8] != MAGIC:
            return []
        slots, durable = struct.unpack_from("<qq", mm, 8)
        raw = np.frombuffer(mm, dtype=np.uint8, count=slots * SLOT_BYTES, offset=HEADER).copy()
    recs = raw.view(SLOT_DTYPE)
    # the position each slot would hold in the lap after `durable`
    idx = np.arange(slots, dtype=np.int64)
    pos = durable + ((idx - durable) % slots)
    ok = (recs["pos1"] == pos + 1) & ((recs["tail"] & LOW).astype(np.int64) == ((pos + 1) & LOW))
    if not ok.any():
        return []
    order = np.argsort(pos[ok], kind="stable")
    got = recs[ok][order]
    tags = _tag_table(path + ".tags")
    log_dir = os.path.dirname(path)
    host_pid = "." + ".".join(os.path.basename(path)[len(PREFIX):].split(".")[:-1]) + "."
    tids = (got["tail"] >> np.uint64(32)).astype(np.int64)
    written = []
    for tid in np.unique(tids):
        where = tags.get(int(tid))
        if where is None:
            continue
        rel, tag = where
        sel = got[tids == tid]
        run_dir = os.path.normpath(os.path.join(log_dir, rel))
        have = _logged(run_dir, host_pid, tag)
        keep = np.fromiter(((int(s), float(w)) not in have for s, w in zip(sel["step"], sel["wall"])),
                           dtype=bool, count=len(sel))
        if keep.any():
            written.append(_write(run_dir, tag, sel[keep]))
    return written


def _tag_table(path: str) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    d = json.loads(line)
                    out[int(d["id"])] = (str(d["run"]), str(d["tag"]))
                except (ValueError, KeyError, TypeError):
                    continue  # a line torn by the kill: its tag has no points yet
    except OSError:
        pass
    return out


def _logged(run_dir: str, host_pid: str, tag: str) -> set[tuple[int, float]]:
    """(step, wall_time) of `tag`'s scalars in the event files this journal's process wrote."""
    from nbboard.tfevents.reader import fast_scalars, scan_records

    have: set[tuple[int, float]] = set()
    try:
        names = os.listdir(run_dir)
    except OSError:
        return have
    for n in names:
        if "tfevents" not in n or host_pid not in n:
            continue
        with open(os.path.join(run_dir, n), "rb") as f:
            buf = f.read()
        scan = scan_records(buf, final=True)
        fs = fast_scalars(buf, scan.starts, scan.lengths)
        if fs is None or tag not in fs["tags"]:
            continue
        mine = fs["tag_index"] == fs["tags"].index(tag)
        have.update(zip(fs["steps"][mine].tolist(), fs["wall_times"][mine].tolist()))
    return have


def _write(run_dir: str, tag: str, recs: np.ndarray) -> str:
    """A `.recovered` event file in `run_dir` with these points of `tag`."""
    from nbboard.tfevents.filewriter import EventFileWriter
    from nbboard.tfevents.simple_values import encode_scalar_batch, scalar_tail

    f = EventFileWriter(run_dir, ".recovered")
    try:
        f.write(encode_scalar_batch(tag, recs["wall"].copy(), recs["step"].copy(),
                                    recs["value"].copy(), scalar_tail(tag)))
    finally:
        f.close()
    return f.path
