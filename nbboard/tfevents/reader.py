"""Tolerant TFRecord reading and Event decoding for TensorBoard event files.

`scan_records` frames a byte buffer into records, checking both masked CRCs of every record;
a truncated last record is left unconsumed (it is still being written), a corrupt stretch is
skipped by resynchronising on the next record whose header and data CRCs are both valid.
`EventFileReader` keeps one file's read offset for incremental (tailing) reads, and
`decode_event` turns an Event payload into its few fields the loader needs.
"""

from __future__ import annotations

import logging
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from crc32c import crc32c

from nbboard.tfevents.messages import SESSION_START as SESSION_START  # re-exported (logdir)
from nbboard.tfevents.pool import workers
from nbboard.tfevents.record import HEADER_CRCS, header_crc, masked_crc, unmask_crcs
from nbboard.tfevents.rows import (
    GROUP,
    MIN_RECORDS,
    TF2_TAIL,
    Rows,
    crc_rows,
    crcs_ok,
    failing_groups,
    group_crcs,
    headers_ok,
    varint_values,
    word_offsets,
)
from nbboard.tfevents.rows import scalars as rows_scalars
from nbboard.tfevents.wire import I32, I64, LEN, VARINT, DecodeError, read_varint, signed64

log = logging.getLogger("nbboard.reader")

_header = struct.Struct("<QI").unpack_from
_u32 = struct.Struct("<I").unpack_from
_MAX_RECORD = 1 << 31  # protobuf's hard limit: a longer "length" is garbage
_SCAN_WINDOW = 1 << 20  # bytes examined per step while resynchronising
_BLOCK = 1 << 16  # records handled per numpy batch (bounds temporary memory)
_U = np.uint64
_HEAD = 0x0A000A002A  # the summary header's fixed bytes: 0x2a, 0x0a (value), 0x0a (tag)
_TF2_SCALAR = int.from_bytes(TF2_TAIL, "little")


@dataclass
class Scan:
    """Result of framing a buffer: payload offsets/lengths of the good records and the damage."""

    starts: np.ndarray  # int64 offsets of each good record's payload in the buffer
    lengths: np.ndarray  # int64 payload lengths
    consumed: int  # bytes fully dealt with; the rest is an incomplete record (or undecided bytes)
    corrupt: int = 0  # corrupt stretches / records skipped
    skipped_bytes: int = 0
    resyncing: bool = False  # ended inside a corrupt stretch (no valid record found yet)
    rows: list[tuple[int, Rows]] = field(default_factory=list)  # regular stretches: (first record, Rows)


def _valid_at(buf: bytes, mv: memoryview, q: int, n: int) -> int:
    """At offset q: 1 = a complete valid record, 0 = a valid header whose data is incomplete,
    -1 = no valid record."""
    ln, hc = _header(buf, q)
    if ln > _MAX_RECORD or hc != header_crc(ln):
        return -1
    end = q + 12 + ln
    if end + 4 > n:
        return 0
    return 1 if masked_crc(mv[q + 12 : end]) == _u32(buf, end)[0] else -1


def _resync(buf: bytes, mv: memoryview, start: int, n: int) -> int | None:
    """The offset of the next plausible record at or after `start`, or None if none before n-12."""
    q = start
    while q + 12 <= n:
        hi = min(n - 12, q + _SCAN_WINDOW)
        cnt = hi - q + 1
        lens = np.ndarray((cnt,), dtype="<u8", buffer=mv, offset=q, strides=(1,))
        crcs = np.ndarray((cnt,), dtype="<u4", buffer=mv, offset=q + 8, strides=(1,))
        cand = np.nonzero(lens <= np.uint64(_MAX_RECORD))[0]
        if len(cand):
            cl = lens[cand]
            uniq, inv = np.unique(cl, return_inverse=True)
            expect = np.array([header_crc(int(u)) for u in uniq], dtype=np.uint32)[inv]
            for c in cand[crcs[cand] == expect].tolist():
                if _valid_at(buf, mv, q + c, n) >= 0:
                    return q + c
        q = hi + 1
    return None


def _period(hist: list[int]) -> int:
    """The shortest period (≤ 16) with which the last record lengths repeat, or 0: over the last
    4 periods where there are that many (two tags of equal length side by side in a longer
    cycle, 27 27 38 38, are not a cycle of one)."""
    h = len(hist)
    for p in range(1, 17):
        if 2 * p > h:
            break
        m = min(h, 4 * p)
        if hist[h - m + p :] == hist[h - m : h - p]:
            return p
    return 0


def _walk(buf: bytes, n: int, pos: int, out: list[Any]) -> int:
    """Follow valid record headers from `pos`, appending record starts to `out` (lists, arrays,
    and `Rows` for regular stretches); return where it stopped (a bad header, a partial header,
    or the start of an incomplete record).

    Records of a training loop repeat their lengths in short cycles (one per tag), so after a
    few records the next thousands are predicted from the cycle and their headers (length and
    its CRC) verified with a strided view per slot; the first mismatch goes back to the plain loop.
    """
    starts: list[int] = []
    add = starts.append
    hist: list[int] = []
    hadd = hist.append
    hget = HEADER_CRCS.get
    k_cycles = 64
    walk = 48  # records followed one by one before the next prediction
    while True:
        cnt = 0
        while pos + 16 <= n and cnt < walk:
            ln, hc = _header(buf, pos)
            if hget(ln) != hc and (ln > _MAX_RECORD or header_crc(ln) != hc):
                out.append(starts)
                return pos
            add(pos)
            hadd(ln)
            pos += ln + 16
            cnt += 1
        if pos + 16 > n:
            if pos > n:  # the last header's record is not complete yet
                pos = starts.pop()
            out.append(starts)
            return pos
        p = _period(hist)
        del hist[:-32]
        if not p:
            walk = min(2 * walk, 48)
            continue
        cyc = tuple(hist[-p:])
        stride = sum(cyc) + 16 * p
        offs = tuple(int(o) for o in np.cumsum([0] + [c + 16 for c in cyc[:-1]]))
        cyc_crc = [header_crc(c) for c in cyc]
        walk = 48
        while True:  # predict the cycle on, 4x further each time it held all the way
            k = min(k_cycles, (n - pos) // stride)
            if k < 2:
                break
            rows = Rows(pos, k, stride, offs, cyc)
            good = headers_ok(buf, rows, cyc_crc)
            held = good == k * p
            if good:
                if starts:
                    out.append(starts)
                    starts = []
                    add = starts.append
                full, rest = divmod(good, p)
                if full:
                    _add_rows(out, rows.sub(0, full))
                if rest:
                    out.append(rows.sub(full, full + 1).positions()[:rest])
                last = good - 1
                pos += stride * (last // p) + offs[last % p] + cyc[last % p] + 16
                hist.clear()
            if held:
                k_cycles = min(k_cycles * 8, 1 << 16)
                continue
            k_cycles = 64
            # a cycle that held a while then ended: most likely a new run of one length (a
            # writer's batch of one tag) starts here, so predict again after two records
            walk = 2 if good else 48
            break


def _add_rows(out: list[Any], rows: Rows) -> None:
    """Append `rows` to the framed chunks, joined to the last chunk when that continues it."""
    last = out[-1] if out else None
    if (isinstance(last, Rows) and last.lens == rows.lens and last.stride == rows.stride
            and last.pos + last.k * last.stride == rows.pos):
        out[-1] = Rows(last.pos, last.k + rows.k, last.stride, last.offs, last.lens)
    else:
        out.append(rows)


def scan_records(buf: bytes, resyncing: bool = False, final: bool = False) -> Scan:
    """Frame `buf` into TFRecords, checking each record's length and data CRCs.

    `resyncing` says the buffer starts inside a corrupt stretch. With `final`, trailing bytes
    that cannot be a complete record are counted as damage; otherwise they wait for more data.
    """
    mv = memoryview(buf)
    chunks, pos, corrupt, skipped, resync = _frame(buf, mv, 0, len(buf), resyncing, final)
    return _checked(buf, mv, chunks, pos, corrupt, skipped, resync)[0]


def scan_many(bufs: list[bytes], resyncing: list[bool]) -> tuple[bytes, list[Scan]]:
    """`scan_records` for the new bytes of several files at once: each is framed on its own, the
    data CRCs of all are checked together (numpy's cost per call paid once, not once per file:
    a sweep's 1,000 small files). Returns the buffers joined and a Scan per buffer, whose starts
    index the joined buffer and whose `consumed` counts its own bytes."""
    big = b"".join(bufs)
    mv = memoryview(big)
    framed = []
    chunks: list[Any] = []
    lo = 0
    for b, rs in zip(bufs, resyncing):
        hi = lo + len(b)
        ch, pos, corrupt, skipped, resync = _frame(big, mv, lo, hi, rs, False)
        framed.append((pos - lo, corrupt, skipped, resync))
        chunks.extend(ch)
        lo = hi
    whole, bad = _checked(big, mv, chunks, 0, 0, 0, False)
    bounds = np.cumsum([0] + [len(b) for b in bufs])
    cut = np.searchsorted(whole.starts, bounds)
    bad_in = np.searchsorted(bounds, bad, side="right") - 1
    bad_len = np.ndarray((len(big) - 7,), dtype="<u8", buffer=big, strides=(1,))[bad - 12].astype(np.int64) if len(bad) else bad
    scans = []
    for i, (consumed, corrupt, skipped, resync) in enumerate(framed):
        a, b = int(cut[i]), int(cut[i + 1])
        mine = bad_len[bad_in == i]
        scans.append(Scan(whole.starts[a:b], whole.lengths[a:b], consumed, corrupt + len(mine),
                          skipped + int((mine + 16).sum()), resync,
                          [(f - a, r) for f, r in whole.rows if a <= f < b]))
    return big, scans


def _frame(buf: bytes, mv: memoryview, lo: int, n: int, resyncing: bool,
           final: bool) -> tuple[list[Any], int, int, int, bool]:
    """Follow the records of `buf[lo:n]`: (record starts in chunks, where it stopped, corrupt
    stretches, bytes skipped, whether it ended inside a corrupt stretch); data CRCs unchecked."""
    chunks: list[Any] = []  # record start offsets, as lists and arrays in file order
    corrupt = 0
    skipped = 0
    pos = lo
    if resyncing:
        nxt = _resync(buf, mv, lo, n)
        if nxt is None:
            keep = 0 if final else min(n - lo, 11)
            return chunks, n - keep, 0, n - keep - lo, not final
        skipped += nxt - lo
        pos = nxt
    while True:
        # the hot loop: follow valid headers (data CRCs are checked in bulk afterwards)
        pos = _walk(buf, n, pos, chunks)
        if pos + 12 > n:
            break  # a partial header: wait for the rest
        ln, hc = _header(buf, pos)
        if ln <= _MAX_RECORD and hc == header_crc(ln):
            break  # a valid header whose data is still being written
        corrupt += 1  # a corrupt stretch: find the next valid record
        nxt = _resync(buf, mv, pos + 1, n)
        if nxt is None:
            keep = 0 if final else min(n - pos, 11)
            skipped += n - keep - pos
            return chunks, n - keep, corrupt, skipped, not final
        skipped += nxt - pos
        pos = nxt
    if final and pos < n:  # an incomplete record at the end of a finished file
        corrupt += 1
        skipped += n - pos
        pos = n
    return chunks, pos, corrupt, skipped, False


def _checked(buf: bytes, mv: memoryview, chunks: list[Any], pos: int, corrupt: int, skipped: int,
             resyncing: bool) -> tuple[Scan, np.ndarray]:
    """The Scan of framed records (their data CRCs checked, the bad ones counted as damage), and
    the data offsets of the records whose CRC failed. Regular stretches (`Rows`) are checked
    through strided views, the other records through gathers (`check_crcs`)."""
    parts: list[np.ndarray] = []
    rows: list[tuple[int, Rows]] = []
    loose: list[tuple[int, int]] = []  # record ranges outside rows
    count = 0
    for c in chunks:
        if isinstance(c, Rows) and c.k * c.p >= MIN_RECORDS and min(c.lens) >= 8:
            rows.append((count, c))
            parts.append(c.positions())
        elif isinstance(c, Rows):  # a short stretch (or tiny records): read as the loose records are
            loose.append((count, count + c.k * c.p))
            parts.append(c.positions())
        elif len(c):
            loose.append((count, count + len(c)))
            parts.append(np.asarray(c, dtype=np.int64))
        else:
            continue
        count += len(parts[-1])
    s = np.concatenate(parts) if parts else np.empty(0, np.int64)
    if not len(s):
        return Scan(s, s.copy(), pos, corrupt, skipped, resyncing), s
    data = s + 12
    lens = np.empty(len(s), dtype=np.int64)
    ok = np.ones(len(s), dtype=bool)
    for first, r in rows:
        m = r.k * r.p
        lens[first:first + m].reshape(r.k, r.p)[:] = r.lens
        ok[first:first + m] = crcs_ok(buf, r)
    if loose:
        idx = np.concatenate([np.arange(a, b) for a, b in loose]) if len(loose) > 1 else np.arange(*loose[0])
        nb = len(buf)
        ls = np.ndarray((nb - 7,), dtype="<u8", buffer=buf, strides=(1,))[s[idx]].astype(np.int64)
        lens[idx] = ls
        di = data[idx]
        footer = np.ndarray((nb - 3,), dtype="<u4", buffer=buf, strides=(1,))[di + ls]
        pool = workers() if len(idx) >= 4 * _BLOCK else None
        if pool is None:
            ok[idx] = check_crcs(buf, mv, di, ls, footer)
        else:  # a big chunk: its parts checked on all cores
            cut = np.linspace(0, len(idx), 5).astype(np.int64).tolist()
            futs = [pool.submit(check_crcs, buf, mv, di[a:b], ls[a:b], footer[a:b]) for a, b in zip(cut, cut[1:])]
            ok[idx] = np.concatenate([f.result() for f in futs])
    bad_at = data[:0]
    if not ok.all():
        bad = ~ok
        corrupt += int(bad.sum())
        skipped += int((lens[bad] + 16).sum())
        bad_at = data[bad]
        data, lens = data[ok], lens[ok]
        rows = []  # record numbers moved: the damaged chunk is decoded record by record
    return Scan(data, lens, pos, corrupt, skipped, resyncing, rows), bad_at


_LINEAR_MAX = 512  # records up to this long are checked in groups (check_crcs)


def _crcs_one_by_one(mv: memoryview, data: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Each record's CRC32C, one call per record."""
    crcs = np.empty(len(data), dtype=np.uint32)
    ends = data + lens
    for a in range(0, len(data), _BLOCK):  # in blocks: no million-element Python lists
        b = min(a + _BLOCK, len(data))
        crcs[a:b] = np.fromiter(
            map(crc32c, map(mv.__getitem__, map(slice, data[a:b].tolist(), ends[a:b].tolist()))),
            dtype=np.uint32, count=b - a)
    return crcs


def check_crcs(buf: bytes, mv: memoryview, data: np.ndarray, lens: np.ndarray, footer: np.ndarray) -> np.ndarray:
    """Which records' data match their stored (masked) CRC32C.

    CRC32C is affine over GF(2): for messages of one length L, crc(m1 ^ ... ^ mk) equals
    crc(m1) ^ ... ^ crc(mk), XORed once more with crc(L zero bytes) when k is even. So short records
    are checked in groups of `GROUP` of one length: their bytes XORed together in numpy (8 bytes
    at a time), one CRC call per group, compared with the XOR of their stored CRCs. A group that
    fails is checked record by record, so a damaged record is found as before; damage in several
    records of one group escapes only if their errors cancel exactly (odds 2^-32 for random
    damage, the same as a damaged record passing its own CRC). A training loop's 1M scalar records
    cost ~2,000 CRC calls instead of 1M."""
    m = len(data)
    want = unmask_crcs(footer)
    ok = np.ones(m, dtype=bool)
    short = lens <= _LINEAR_MAX
    if m < 4 * GROUP or not short.any():
        return _crcs_one_by_one(mv, data, lens) == want
    long_ = np.flatnonzero(~short)
    if len(long_):
        ok[long_] = _crcs_one_by_one(mv, data[long_], lens[long_]) == want[long_]
    nb = len(buf)
    u64 = np.ndarray((nb - 7,), dtype="<u8", buffer=buf, strides=(1,)) if nb >= 8 else None
    u8 = np.frombuffer(buf, dtype=np.uint8)
    idx = np.flatnonzero(short)
    order = idx[np.argsort(lens[idx].astype(np.uint16), kind="stable")]  # by length, file order within
    ls = lens[order]
    cuts = np.flatnonzero(np.diff(ls)) + 1
    suspects: list[np.ndarray] = []
    for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(order)]):
        sel = order[a:b]
        L = int(ls[a])
        k = len(sel)
        if k < 8:  # too few to be worth a group
            suspects.append(sel)
            continue
        g0 = np.arange(0, k, GROUP)
        pos = data[sel]
        if L >= 8 and u64 is not None:
            got = group_crcs(np.stack([np.bitwise_xor.reduceat(u64[pos + o], g0) for o in word_offsets(L)], axis=1), L)
        else:
            got = crc_rows(np.stack([np.bitwise_xor.reduceat(u8[pos + j], g0) for j in range(L)], axis=1)
                           if L else np.zeros((len(g0), 0), np.uint8))
        for a in failing_groups(got, want[sel], L):
            suspects.append(sel[a:a + GROUP])
    if suspects:
        sus = np.concatenate(suspects)
        ok[sus] = _crcs_one_by_one(mv, data[sus], lens[sus]) == want[sus]
    return ok


@dataclass
class Damage:
    """What was wrong with one event file: corrupt stretches/records, undecodable events."""

    path: str
    corrupt_records: int = 0
    skipped_bytes: int = 0
    bad_events: int = 0
    incomplete_bytes: int = 0  # bytes of a last record still being written (not damage yet)
    reported: bool = False

    @property
    def total(self) -> int:
        return self.corrupt_records + self.bad_events

    def report(self) -> None:
        """Warn once per file (warnings + logging) when it has damage."""
        if self.reported or self.total == 0:
            return
        self.reported = True
        msg = (f"nbboard: {self.path}: skipped {self.corrupt_records} corrupt record(s) "
               f"({self.skipped_bytes} bytes) and {self.bad_events} undecodable event(s); "
               "read on past the damage")
        log.warning(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=3)


class Buffers:
    """Read buffers used again once nothing holds a view of them: reading into pages the
    process has touched before costs about a third of reading into fresh ones (no page faults),
    and a loader reads file after file of about one size. Reuse is safe by construction: a
    buffer anything still views (a memoryview, a numpy array) cannot shrink, so is not taken."""

    def __init__(self, keep: int = 3) -> None:
        self.keep = keep
        self._bufs: list[bytearray] = []

    def take(self, n: int) -> bytearray:
        """A buffer of at least `n` bytes that nothing views."""
        for b in self._bufs:
            if len(b) >= n and _unviewed(b):
                return b
        b = bytearray(n)
        self._bufs = sorted([*self._bufs, b], key=len)[-self.keep :]
        return b


def _unviewed(b: bytearray) -> bool:
    """Whether no buffer view of `b` exists (a bytearray with views refuses to be resized)."""
    if not b:
        return True
    try:
        last = b.pop()  # a shrink by one byte: no reallocation, and the append puts it back
    except BufferError:
        return False
    b.append(last)
    return True


class EventFileReader:
    """Incremental reader of one event file: each `read()` returns the records appended since.

    `open_range(path, start, length)` returns up to `length` bytes of the file from `start`;
    `read_into(path, start, length, buffers)`, where the file system has it, reads them into a
    buffer of `buffers` (a local file).
    """

    chunk = 256 << 20  # read big files in pieces of this size

    def __init__(self, path: str, open_range: Callable[[str, int, int], bytes],
                 read_into: Callable[[str, int, int, Buffers], memoryview] | None = None) -> None:
        self.path = path
        self._open_range = open_range
        self._read_into = read_into
        self.offset = 0  # bytes consumed
        self.size = -1  # file size when last read
        self._resyncing = False
        self.damage = Damage(path)

    def changed(self, size: int) -> bool:
        """Whether a stat'ed `size` means there may be new records."""
        return size != self.size

    def read(self, size: int | None = None, buffers: Buffers | None = None) -> tuple[bytes | memoryview, Scan] | None:
        """Read (up to `chunk` bytes of) what was appended and frame it; None when nothing new.
        Call again while `more` is true. With `buffers`, a local file's bytes are read into one
        of them (a view of it is returned)."""
        self._rewound(size)
        limit = self.chunk
        while True:
            try:
                if buffers is not None and self._read_into is not None:
                    data: bytes | memoryview = self._read_into(self.path, self.offset, limit, buffers)
                else:
                    data = self._open_range(self.path, self.offset, limit)
            except (OSError, ValueError):
                return None
            if not data:
                self.size = self.offset if size is None else size
                return None
            scan = scan_records(data, self._resyncing)
            if scan.consumed == 0 and len(data) == limit:
                limit *= 2  # one record larger than the chunk
                continue
            break
        self.took(len(data), scan, size, len(data) == limit)
        return data, scan

    def _rewound(self, size: int | None) -> None:
        if size is not None and size < self.offset:
            self.offset = 0  # replaced by a shorter file (an object store rewrite): read again
            self._resyncing = False

    def fetch(self, size: int) -> bytes | None:
        """All that was appended up to the stat'ed `size` (for `scan_many`; `took` then says what
        its scan found); None when there is nothing or the file cannot be read."""
        self._rewound(size)
        try:
            data = self._open_range(self.path, self.offset, max(size - self.offset, 0))
        except (OSError, ValueError):
            return None
        if not data:
            self.size = size
            return None
        return data

    @property
    def resyncing(self) -> bool:
        """Whether the unread bytes start inside a corrupt stretch."""
        return self._resyncing

    def took(self, nbytes: int, scan: Scan, size: int | None, full: bool = False) -> None:
        """Account for `nbytes` read from `offset` and framed as `scan` (`full`: as many as were
        asked for, so there may be more)."""
        self.more = full and scan.consumed > 0
        if not self.more:
            self.size = self.offset + nbytes if size is None else size
        self._resyncing = scan.resyncing
        self.offset += scan.consumed
        d = self.damage
        d.corrupt_records += scan.corrupt
        d.skipped_bytes += scan.skipped_bytes
        d.incomplete_bytes = nbytes - scan.consumed

    more = False


# ---- Event decoding --------------------------------------------------------------------


@dataclass
class Event:
    """The fields of an Event the loader uses; summary values stay raw until decoded."""

    wall_time: float = 0.0
    step: int = 0
    file_version: str | None = None
    values: list[bytes] = field(default_factory=list)  # raw Summary.Value messages
    session_status: int | None = None
    other: list[tuple[int, bytes]] = field(default_factory=list)  # (field, bytes): graph_def, ...
    has_summary: bool = False


def decode_event(payload: bytes | memoryview) -> Event:
    """Decode an Event message (raises DecodeError on malformed bytes)."""
    ev = Event()
    buf = payload
    pos = 0
    n = len(buf)
    while pos < n:
        tag, pos = read_varint(buf, pos)
        fn, wt = tag >> 3, tag & 7
        if wt == VARINT:
            v, pos = read_varint(buf, pos)
            if fn == 2:
                ev.step = signed64(v)
        elif wt == I64:
            if pos + 8 > n:
                raise DecodeError("truncated 64-bit field")
            if fn == 1:
                ev.wall_time = struct.unpack_from("<d", buf, pos)[0]
            pos += 8
        elif wt == LEN:
            ln, pos = read_varint(buf, pos)
            if pos + ln > n:
                raise DecodeError("truncated length-delimited field")
            body = bytes(buf[pos : pos + ln])
            pos += ln
            if fn == 5:
                ev.has_summary = True
                ev.values.extend(_summary_values(body))
            elif fn == 3:
                ev.file_version = body.decode("utf-8", "replace")
            elif fn == 7:
                ev.session_status = _session_status(body)
            else:
                ev.other.append((fn, body))
        elif wt == I32:
            if pos + 4 > n:
                raise DecodeError("truncated 32-bit field")
            pos += 4
        else:
            raise DecodeError(f"unsupported wire type {wt}")
    return ev


def _summary_values(buf: bytes) -> list[bytes]:
    out = []
    pos = 0
    n = len(buf)
    while pos < n:
        tag, pos = read_varint(buf, pos)
        fn, wt = tag >> 3, tag & 7
        pos = _skip(buf, pos, wt, n, out if fn == 1 else None)
    return out


def _skip(buf: bytes, pos: int, wt: int, n: int, keep: list[bytes] | None = None) -> int:
    if wt == VARINT:
        return read_varint(buf, pos)[1]
    if wt == I64:
        pos += 8
    elif wt == I32:
        pos += 4
    elif wt == LEN:
        ln, pos = read_varint(buf, pos)
        if keep is not None and pos + ln <= n:
            keep.append(buf[pos : pos + ln])
        pos += ln
    else:
        raise DecodeError(f"unsupported wire type {wt}")
    if pos > n:
        raise DecodeError("truncated field")
    return pos


def _session_status(buf: bytes) -> int:
    pos = 0
    n = len(buf)
    while pos < n:
        tag, pos = read_varint(buf, pos)
        fn, wt = tag >> 3, tag & 7
        if fn == 1 and wt == VARINT:
            v, pos = read_varint(buf, pos)
            return v
        pos = _skip(buf, pos, wt, n)
    return 0


def scalar_columns(m: int) -> tuple[np.ndarray, ...]:
    """Columns for `fast_scalars`' points of m records (tag index, from_tensor, steps, values,
    wall times), made by the thread that hands the batch to the pool: results then live in its
    heap, not a decode thread's (glibc keeps a thread heap's freed top resident: results made
    there left ~5 MB per thread held after a load)."""
    return (np.empty(m, np.int32), np.zeros(m, bool), np.empty(m, np.int64), np.empty(m, np.float32),
            np.empty(m, np.float64))


def fast_scalars(buf: bytes | memoryview, starts: np.ndarray, lengths: np.ndarray,
                 rows: list[tuple[int, Rows]] | None = None,
                 cols: tuple[np.ndarray, ...] | None = None) -> dict[str, Any] | None:
    """Batch-decode records that are plain scalar Events {wall_time, step?, summary{value{tag,
    simple_value}}} (what torch, tensorboardX and nbboard write for add_scalar), or TF2's
    {tag, 0-d DT_FLOAT tensor} values without metadata, with numpy.

    Returns {"ok": bool mask of records decoded here, "tags": list[str], "tag_index": int
    array into tags, "steps", "values" (float32, as stored), "wall_times", "from_tensor",
    "records"} for the ok records (in record order), or None if none. `rows`: the records'
    regular stretches ((first record number, Rows), as framing found them), decoded through
    strided views (`rows.scalars`); the other records one gather per field (`_gather_scalars`).
    `cols`: `scalar_columns(m)` to hold the points (views of them are returned), made here when
    not given.
    """
    if not rows:
        return _gather_scalars(buf, starts, lengths)
    m = len(starts)
    okm = np.zeros(m, dtype=bool)
    # the points go to their records' places (pieces interleave: no sort), one piece at a time
    if cols is None:
        cols = scalar_columns(m)
    index: dict[str, int] = {}
    for rec, tag, *piece in rows_scalars(buf, rows):
        okm[rec] = True
        for c, v in zip(cols, (index.setdefault(tag, len(index)), *piece)):
            c[rec] = v
    rest = np.flatnonzero(~okm)
    g = _gather_scalars(buf, starts[rest], lengths[rest]) if len(rest) else None
    if g is not None:
        rec = rest[g["records"]]
        okm[rec] = True
        remap = np.array([index.setdefault(tag, len(index)) for tag in g["tags"]], dtype=np.intp)
        for c, v in zip(cols, (remap[g["tag_index"]], g["from_tensor"], g["steps"], g["values"], g["wall_times"])):
            c[rec] = v
    if okm.all():
        records, out = np.arange(m), cols
    else:
        records = np.flatnonzero(okm)
        if not len(records):
            return None
        n = len(records)
        for c in cols:  # the decoded records' points moved to the front, in place
            c[:n] = c[records]
        out = tuple(c[:n] for c in cols)
    return {"ok": okm, "tags": list(index), "tag_index": out[0], "from_tensor": out[1], "steps": out[2],
            "values": out[3], "wall_times": out[4], "records": records}


def _gather_scalars(buf: bytes, starts: np.ndarray, lengths: np.ndarray) -> dict[str, Any] | None:
    """`fast_scalars` for records anywhere in the buffer. Steps of up to 7 varint bytes (< 2^49)
    are read here, others by the generic path. Each field is one gather of 8 bytes per record
    (the gathers are the cost: ~10 ms per 1M records each), and the summary's six header bytes
    are checked at once against what the record's length says they must be."""
    m = len(starts)
    nb = len(buf)
    if m == 0 or nb < 20:
        return None
    u8 = np.frombuffer(buf, dtype=np.uint8)
    u64 = np.ndarray((nb - 7,), dtype="<u8", buffer=buf, strides=(1,))
    cand = (lengths >= 20) & (u8[starts] == 0x09)  # 0x09: wall_time first; 20: the shortest scalar
    sub = None if cand.all() else np.flatnonzero(cand)  # records looked at (None: all)
    if sub is not None and not len(sub):
        return None
    ev = starts if sub is None else starts[sub]
    end = ev + (lengths if sub is None else lengths[sub])
    wt = np.ndarray((nb - 7,), dtype="<f8", buffer=buf, strides=(1,))[ev + 1]
    x9 = u64[ev + 9]  # byte 9 (0x10: a step follows) and the step varint's first 7 bytes
    has_step = (x9 & _U(0xFF)) == _U(0x10)
    x = x9 >> _U(8)
    term = ~x & _U(0x0080808080808080)
    lowest = term & (~term + _U(1))  # the varint's last byte's high bit
    mask = (lowest << _U(1)) - _U(1)
    steps = np.where(has_step, varint_values(x & mask & _U(0x7F7F7F7F7F7F7F7F), 7), 0)
    p = ev + 9 + np.where(has_step, (np.bitwise_count(mask) >> 3).astype(np.int64) + 1, 0)  # the summary
    r = end - p  # the summary's bytes: 0x2a L1 0x0a L2 0x0a TL tag... (all lengths one byte)
    ok = (r >= 11) & (r <= 129) & (~has_step | (term != _U(0)))
    head = u64[np.minimum(p, end - 11)] & _U(0xFFFFFFFFFFFF)
    lens = (r - 2) << 8 | (r - 4) << 24 | _HEAD  # L1, L2 as the record's length says
    tail = u64[end - 8]  # ... 0x15 f32: simple_value last
    simple = ok & (head.view(np.int64) == (lens | (r - 11) << 40)) & ((tail >> _U(24)) & _U(0xFF) == _U(0x15))
    tensor = None
    if not simple.all():  # TF2's scalar tensor: 0x42 0x0a {dtype DT_FLOAT, shape [], content f32}
        maybe = np.flatnonzero(ok & ~simple)
        if len(maybe):
            tensor = np.zeros(len(ev), dtype=bool)
            tensor[maybe] = ((head[maybe].view(np.int64) == (lens[maybe] | (r[maybe] - 18) << 40))
                             & (u64[end[maybe] - 12] == _U(_TF2_SCALAR)))
            ok = simple | tensor
        else:
            ok = simple
    else:
        ok = simple
    kept = None if ok.all() else np.flatnonzero(ok)  # of the records looked at
    if kept is not None:
        if not len(kept):
            return None
        p, r, end, tail, wt, steps = p[kept], r[kept], end[kept], tail[kept], wt[kept], steps[kept]
        if tensor is not None:
            tensor = tensor[kept]
    values = (tail >> _U(32)).astype(np.uint32).view(np.float32)
    ts = p + 6
    tl = r - 11 if tensor is None else r - np.where(tensor, 18, 11)
    # tag identity: its last 8 bytes (with the header bytes before a short tag, which its length
    # fixes), its first 8 when longer, its length; longer tags are verified in full below
    k2 = u64[ts + tl - 8]
    if (tl < 2).any():  # the 8 bytes reach before the summary: drop those
        k2 = np.where(tl < 2, k2 >> (np.maximum(2 - tl, 0) * 8).astype(np.uint64), k2)
    long8 = tl > 8
    if long8.all():
        k1 = u64[ts]
    else:
        k1 = np.zeros(len(ts), dtype=np.uint64)
        k1[long8] = u64[ts[long8]]
    h = (k1 * _U(0x9E3779B97F4A7C15)) ^ (k2 * _U(0xC2B2AE3D27D4EB4F)) ^ tl.astype(np.uint64)
    _, first, inv = _factorize(h)
    same = (k1 == k1[first][inv]) & (k2 == k2[first][inv]) & (tl == tl[first][inv])
    tags: list[str] = []
    for gi, f in enumerate(first.tolist()):
        a = int(ts[f])
        L = int(tl[f])
        raw = bytes(buf[a : a + L])
        if L > 16:  # the first and last 8 bytes matched: compare the 8-byte words between
            sel = np.nonzero((inv == gi) & same)[0]
            at = ts[sel]
            for o in range(8, L - 8, 8):
                same[sel] &= u64[at + o] == np.uint64(int.from_bytes(raw[o:o + 8], "little"))
        try:
            tags.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            tags.append(raw.decode("utf-8", "replace"))
            same[inv == gi] = False
    looked = np.arange(len(ev)) if kept is None else kept  # decoded records among those looked at
    if not same.all():
        keep = np.flatnonzero(same)
        looked, inv, steps, values, wt = looked[keep], inv[keep], steps[keep], values[keep], wt[keep]
        if tensor is not None:
            tensor = tensor[keep]
    records = looked if sub is None else sub[looked]
    okm = np.zeros(m, dtype=bool)
    okm[records] = True
    return {
        "ok": okm,
        "tags": tags,
        "tag_index": inv,
        "steps": steps,
        "values": values,
        "wall_times": wt,
        "from_tensor": np.zeros(len(records), dtype=bool) if tensor is None else tensor,
        "records": records,  # record numbers of the decoded points
    }


def _factorize(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`np.unique(h, return_index=True, return_inverse=True)` for arrays of few distinct values
    (a batch's tags), except that the index is of some occurrence, not always the first: the
    values of a sample are looked up for all (in a table of their hashes' top bits, or by binary
    search: 3-8x cheaper than unique's sort), and only the misses sorted."""
    u, i = np.unique(h[:64], return_index=True)
    top = u >> _U(52)  # a table of the hashes' top 12 bits, where they tell the sample's apart
    if len(np.unique(top)) == len(u):
        table = np.zeros(1 << 12, dtype=np.intp)
        table[top] = np.arange(len(u))
        pos = table[h >> _U(52)]
    else:
        pos = np.searchsorted(u, h)
        np.minimum(pos, len(u) - 1, out=pos)
    miss = np.flatnonzero(u[pos] != h)
    if len(miss):
        mu, mi = np.unique(h[miss], return_index=True)
        allu, alli = np.concatenate([u, mu]), np.concatenate([i, miss[mi]])
        o = np.argsort(allu, kind="stable")
        u, i = allu[o], alli[o]
        pos = np.searchsorted(u, h)
    return u, i, pos
