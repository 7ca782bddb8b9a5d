"""Crash safety for scalars: a journal in a memory-mapped file beside a writer's event files.

`add_scalar` writes each point into a ring of fixed 40-byte slots in a shared mapping of
`<log_dir>/.nbboard-journal.<host>.<pid>.<n>` (~0.2 µs): the page cache holds it the moment the
call returns, so it outlives the process — `kill -9` included (a power cut is another matter:
that is what fsync on close is for). The writer thread, having written a batch to the event
files, records in the header how far the journal is now in the files ("durable"). A live
writer holds an exclusive flock on its journal; a journal nobody holds belongs to a dead
process, and `recover()` (run by a new SummaryWriter on the same log_dir and by every read of a
logdir) writes the points after "durable" that its event files lack into a `.recovered` event
file beside them, then deletes the journal. A clean close deletes it too.

A slot holds (pos+1, step, value, wall_time, tag_id << 32 | (pos+1) mod 2^32); a slot is
valid for position p when both copies of p+1 agree, so stale slots of an earlier lap and a
record torn by the kill are both rejected. Tag ids map to (run folder, tag) in a `.tags` file
written once per new tag.
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
import warnings
from typing import Any

import numpy as np

PREFIX = ".nbboard-journal."
MAGIC = b"NBJOURN1"
HEADER = 64  # magic, slots (q), durable (q)
SLOT = struct.Struct("<qqddq")  # pos+1, step, value, wall_time, tag_id << 32 | (pos+1) & M
SLOT_BYTES = SLOT.size
SLOTS = 1 << 17  # 5 MiB: 0.26 s of add_scalar at full speed between two writer-thread drains
MASK = SLOTS - 1
LOW = 0xFFFFFFFF
_DURABLE = struct.Struct("<q")
_uid = itertools.count()


def enabled() -> bool:
    """Journals are on unless NBBOARD_JOURNAL=0."""
    return os.environ.get("NBBOARD_JOURNAL", "1") != "0"


class Journal:
    """One writer's journal: slots the calling threads fill, a durable mark the writer thread sets."""

    def __init__(self, log_dir: str) -> None:
        self.log_dir = log_dir
        self.path = os.path.join(log_dir, f"{PREFIX}{socket.gethostname()}.{os.getpid()}.{next(_uid)}")
        size = HEADER + SLOTS * SLOT_BYTES
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
        self.mm[:HEADER] = MAGIC + struct.pack("<qq", SLOTS, 0) + bytes(HEADER - 24)
        self.tags_path = self.path + ".tags"
        self.tags_fd = os.open(self.tags_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.put = SLOT.pack_into  # put(mm, offset, ...): bound once, called per add_scalar
        # next(seq) reserves a position (atomic under the GIL). A caller queues its item first,
        # then reserves: so every position below one the writer thread reserves for itself
        # (its snapshot, a hole in the ring) belongs to an item already queued.
        self.seq = itertools.count()
        self.durable = 0  # positions below this are in the event files
        self.limit = SLOTS  # durable + SLOTS: a position from here on would overwrite a live slot
        self.stuck = False  # the last drain could not write everything (a full disk)
        self._tags = itertools.count(1)
        self.ids: dict[Any, int] = {}  # tag (main run) or (run folder, tag) -> shifted id

    def tag(self, run_dir: str, tag: str) -> int:
        """A new (run folder, tag): its id, shifted into a slot's last field (written once)."""
        tid = next(self._tags)
        rel = os.path.relpath(run_dir, self.log_dir)
        os.write(self.tags_fd, (json.dumps({"id": tid, "run": rel, "tag": tag}) + "\n").encode())
        return tid << 32

    def room(self, pos: int, drain: Any) -> None:
        """The ring is full up to position `pos`: write the queue on this thread (drain) so the
        slot about to be reused is in the files. If it still is not (a full disk), give up crash
        safety for the older half of the ring (those points stay in memory for the file)."""
        try:
            drain()
        except Exception:
            pass  # reported by the writer's flush/close
        if pos >= self.limit:
            self.durable = pos - SLOTS // 2
            self.limit = self.durable + SLOTS

    def snapshot(self) -> int:
        """For the writer thread, before it takes the queue: positions below the returned one
        are queued (it reserves a position of its own: a slot never written)."""
        return next(self.seq)

    def set_durable(self, pos: int) -> None:
        """Positions below `pos` are in the event files (called by the writer thread)."""
        self.stuck = False
        if pos > self.durable:
            self.durable = pos
            self.limit = pos + SLOTS
            _DURABLE.pack_into(self.mm, 16, pos)

    def close(self) -> None:
        """Everything is in the files: delete the journal."""
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
    recs = raw.view(np.dtype([("pos1", "<i8"), ("step", "<i8"), ("value", "<f8"),
                              ("wall", "<f8"), ("tail", "<u8")]))
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
