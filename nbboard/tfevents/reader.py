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
from nbboard.tfevents.wire import I32, I64, LEN, VARINT, DecodeError, read_varint, signed64

log = logging.getLogger("nbboard.reader")

_header = struct.Struct("<QI").unpack_from
_u32 = struct.Struct("<I").unpack_from
_MAX_RECORD = 1 << 31  # protobuf's hard limit: a longer "length" is garbage
_SCAN_WINDOW = 1 << 20  # bytes examined per step while resynchronising
_BLOCK = 1 << 16  # records handled per numpy batch (bounds temporary memory)
_TF2_SCALAR = int.from_bytes(bytes([0x42, 0x0A, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04]), "little")


@dataclass
class Scan:
    """Result of framing a buffer: payload offsets/lengths of the good records and the damage."""

    starts: np.ndarray  # int64 offsets of each good record's payload in the buffer
    lengths: np.ndarray  # int64 payload lengths
    consumed: int  # bytes fully dealt with; the rest is an incomplete record (or undecided bytes)
    corrupt: int = 0  # corrupt stretches / records skipped
    skipped_bytes: int = 0
    resyncing: bool = False  # ended inside a corrupt stretch (no valid record found yet)


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
    """The shortest period (≤ 16) with which the last record lengths repeat, or 0."""
    h = len(hist)
    for p in range(1, 17):
        if 2 * p > h:
            break
        if hist[h - p :] == hist[h - 2 * p : h - p]:
            return p
    return 0


def _walk(buf: bytes, n: int, pos: int, out: list[Any]) -> int:
    """Follow valid record headers from `pos`, appending record starts to `out`; return where
    it stopped (a bad header, a partial header, or the start of an incomplete record).

    Records of a training loop repeat their lengths in short cycles (one per tag), so after a
    few records the next thousands are predicted from the cycle and their headers (length and
    its CRC) verified in one numpy gather; the first mismatch goes back to the plain loop.
    """
    starts: list[int] = []
    add = starts.append
    hist: list[int] = []
    hadd = hist.append
    hget = HEADER_CRCS.get
    u64 = u32 = None
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
        cyc = hist[-p:]
        stride = sum(cyc) + 16 * p
        offs = np.cumsum([0] + [c + 16 for c in cyc[:-1]], dtype=np.int64)
        cyc_len = np.array(cyc, dtype=np.uint64)
        cyc_crc = np.array([header_crc(c) for c in cyc], dtype=np.uint32)
        walk = 48
        while True:  # predict the cycle on, 4x further each time it held all the way
            k = min(k_cycles, (n - pos) // stride)
            if k < 2:
                break
            if u64 is None:
                u64 = np.ndarray((n - 7,), dtype="<u8", buffer=buf, strides=(1,))
                u32 = np.ndarray((n - 11,), dtype="<u4", buffer=buf, offset=8, strides=(1,))
            grid = pos + stride * np.arange(k, dtype=np.int64)[:, None] + offs  # (k, p)
            ok = ((u64[grid] == cyc_len) & (u32[grid] == cyc_crc)).ravel()
            positions = grid.ravel()
            good = len(ok) if ok.all() else int(ok.argmin())
            if good:
                out.append(starts)
                starts = []
                add = starts.append
                out.append(positions[:good])
                pos = int(positions[good - 1]) + cyc[(good - 1) % p] + 16
                hist.clear()
            if good == len(ok):
                k_cycles = min(k_cycles * 4, 1 << 15)
                continue
            k_cycles = 64
            # a cycle that held a while then ended: most likely a new run of one length (a
            # writer's batch of one tag) starts here, so predict again after two records
            walk = 2 if good else 48
            break


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
                          skipped + int((mine + 16).sum()), resync))
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
    the data offsets of the records whose CRC failed."""
    parts = [np.asarray(c, dtype=np.int64) for c in chunks if len(c)]
    s = np.concatenate(parts) if parts else np.empty(0, np.int64)
    if not len(s):
        return Scan(s, s.copy(), pos, corrupt, skipped, resyncing), s
    nb = len(buf)
    lens = np.ndarray((nb - 7,), dtype="<u8", buffer=buf, strides=(1,))[s].astype(np.int64)
    data = s + 12
    ends = data + lens
    footer = np.ndarray((nb - 3,), dtype="<u4", buffer=buf, strides=(1,))[ends]
    pool = workers() if len(data) >= 4 * _BLOCK else None
    if pool is None:
        ok = check_crcs(buf, mv, data, lens, footer)
    else:  # a big chunk: its parts checked on all cores
        cut = np.linspace(0, len(data), 5).astype(np.int64).tolist()
        parts = [pool.submit(check_crcs, buf, mv, data[a:b], lens[a:b], footer[a:b]) for a, b in zip(cut, cut[1:])]
        ok = np.concatenate([f.result() for f in parts])
    bad_at = data[:0]
    if not ok.all():
        bad = ~ok
        corrupt += int(bad.sum())
        skipped += int((lens[bad] + 16).sum())
        bad_at = data[bad]
        data, lens = data[ok], lens[ok]
    return Scan(data, lens, pos, corrupt, skipped, resyncing), bad_at


_LINEAR_MAX = 512  # records up to this long are checked in groups (check_crcs)
_GROUP = 512  # records per group check


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
    are checked in groups of `_GROUP` of one length: their bytes XORed together in numpy (8 bytes
    at a time), one CRC call per group, compared with the XOR of their stored CRCs. A group that
    fails is checked record by record, so a damaged record is found as before; damage in several
    records of one group escapes only if their errors cancel exactly (odds 2^-32 for random
    damage, the same as a damaged record passing its own CRC). A training loop's 1M scalar records
    cost ~2,000 CRC calls instead of 1M."""
    m = len(data)
    want = unmask_crcs(footer)
    ok = np.ones(m, dtype=bool)
    short = lens <= _LINEAR_MAX
    if m < 4 * _GROUP or not short.any():
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
        g0 = np.arange(0, k, _GROUP)
        sizes = np.diff(np.append(g0, k))
        pos = data[sel]
        if L >= 8 and u64 is not None:
            q = L // 8
            offs = [8 * j for j in range(q)] + ([L - 8] if L % 8 else [])
            cols = np.stack([np.bitwise_xor.reduceat(u64[pos + o], g0) for o in offs], axis=1)
            x = np.empty((len(g0), L), dtype=np.uint8)
            x[:, :8 * q] = cols[:, :q].view(np.uint8).reshape(len(g0), 8 * q)
            if L % 8:
                x[:, L - 8:] = np.ascontiguousarray(cols[:, q]).view(np.uint8).reshape(len(g0), 8)
        else:
            x = np.stack([np.bitwise_xor.reduceat(u8[pos + j], g0) for j in range(L)], axis=1) if L else np.zeros((len(g0), 0), np.uint8)
        xb = x.tobytes()
        got = np.fromiter((crc32c(xb[i * L:(i + 1) * L]) for i in range(len(g0))), dtype=np.uint32, count=len(g0))
        zero = np.uint32(crc32c(bytes(L)))
        exp = np.bitwise_xor.reduceat(want[sel], g0) ^ np.where(sizes % 2 == 0, zero, np.uint32(0))
        for gi in np.flatnonzero(got != exp).tolist():
            suspects.append(sel[g0[gi]:g0[gi] + sizes[gi]])
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


class EventFileReader:
    """Incremental reader of one event file: each `read()` returns the records appended since.

    `open_range(path, start, length)` returns up to `length` bytes of the file from `start`.
    """

    chunk = 256 << 20  # read big files in pieces of this size

    def __init__(self, path: str, open_range: Callable[[str, int, int], bytes]) -> None:
        self.path = path
        self._open_range = open_range
        self.offset = 0  # bytes consumed
        self.size = -1  # file size when last read
        self._resyncing = False
        self.damage = Damage(path)

    def changed(self, size: int) -> bool:
        """Whether a stat'ed `size` means there may be new records."""
        return size != self.size

    def read(self, size: int | None = None) -> tuple[bytes, Scan] | None:
        """Read (up to `chunk` bytes of) what was appended and frame it; None when nothing new.
        Call again while `more` is true."""
        self._rewound(size)
        limit = self.chunk
        while True:
            try:
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


def fast_scalars(buf: bytes, starts: np.ndarray, lengths: np.ndarray) -> dict[str, Any] | None:
    """Batch-decode records that are plain scalar Events {wall_time, step?, summary{value{tag,
    simple_value}}} (what torch, tensorboardX and nbboard write for add_scalar), or TF2's
    {tag, 0-d DT_FLOAT tensor} values without metadata, with numpy.

    Returns {"ok": bool mask of records decoded here, "tags": list[str], "tag_index": int
    array into tags, "steps", "values", "wall_times"} for the ok records, or None if none.
    """
    m = len(starts)
    if m == 0:
        return None
    nb = len(buf)
    u8 = np.frombuffer(buf, dtype=np.uint8)
    pad = nb - 7
    if pad <= 0:
        return None
    u64 = np.ndarray((pad,), dtype="<u8", buffer=buf, strides=(1,))
    ev = starts
    end = starts + lengths
    ok = (lengths >= 17) & (u8[ev] == 0x09)
    if not ok.any():
        return None
    evc = np.where(ok, ev, 0)
    endc = np.where(ok, end, 16)
    wt = np.ndarray((pad,), dtype="<f8", buffer=buf, strides=(1,))[np.minimum(evc + 1, pad - 1)]
    b9 = u8[np.minimum(evc + 9, nb - 1)]
    has_step = b9 == 0x10
    # step varint: up to 8 bytes at ev+10 (longer ones take the generic path)
    x = u64[np.minimum(evc + 10, pad - 1)]
    hi = np.uint64(0x8080808080808080)
    term = ~x & hi
    lowest = term & (~term + np.uint64(1))
    ok &= ~has_step | (term != 0)
    mask = (lowest << np.uint64(1)) - np.uint64(1)
    mask = np.where(lowest == np.uint64(1 << 63), np.uint64(0xFFFFFFFFFFFFFFFF), mask)
    y = x & mask & np.uint64(0x7F7F7F7F7F7F7F7F)
    y = (y & np.uint64(0x007F007F007F007F)) | ((y & np.uint64(0x7F007F007F007F00)) >> np.uint64(1))
    y = (y & np.uint64(0x00003FFF00003FFF)) | ((y & np.uint64(0x3FFF00003FFF0000)) >> np.uint64(2))
    y = (y & np.uint64(0x000000000FFFFFFF)) | ((y & np.uint64(0x0FFFFFFF00000000)) >> np.uint64(4))
    # varint byte count = index of the terminating byte + 1
    nbytes = np.zeros(m, dtype=np.int64)
    for j in range(8):
        nbytes[lowest == np.uint64(1 << (8 * j + 7))] = j + 1
    steps = np.where(has_step, y.astype(np.int64), 0)
    p = evc + 9 + np.where(has_step, 1 + nbytes, 0)
    pc = np.minimum(p, nb - 7)
    # summary: 0x2a L1 0x0a L2 0x0a TL tag... 0x15 f32, all lengths one byte
    b = u64[np.minimum(pc, pad - 1)]  # bytes p..p+7
    byte = [((b >> np.uint64(8 * j)) & np.uint64(0xFF)).astype(np.int64) for j in range(6)]
    l1, l2, tl = byte[1], byte[3], byte[5]
    ok &= (byte[0] == 0x2A) & (byte[2] == 0x0A) & (byte[4] == 0x0A)
    ok &= (l1 < 128) & (l2 == l1 - 2) & (p + 2 + l1 == endc)
    # the value after the tag: simple_value (0x15 f32), or TF2's scalar tensor
    # (0x42 0x0a {dtype DT_FLOAT, shape [], tensor_content f32}), plugin checked by the caller
    simple = (tl == l2 - 7) & (u8[np.maximum(endc - 5, 0)] == 0x15)
    tensor = (tl == l2 - 14) & (u64[np.maximum(endc - 12, 0)] == np.uint64(_TF2_SCALAR))
    ok &= simple | tensor
    if not ok.any():
        return None
    idx = np.nonzero(ok)[0]
    ts = (p + 6)[idx]
    tl = tl[idx]
    endo = endc[idx]
    values = np.ndarray((nb - 3,), dtype="<f4", buffer=buf, strides=(1,))[endo - 4].astype(np.float64)
    # tag identity: first and last (up to) 8 bytes plus length; longer tags are verified in full
    k1 = u64[np.minimum(ts, pad - 1)]
    w = np.minimum(tl, 8).astype(np.uint64)
    lowmask = np.where(w >= 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                       (np.uint64(1) << (w * np.uint64(8))) - np.uint64(1))
    k1 = k1 & lowmask
    k2 = u64[np.clip(ts + tl - 8, 0, pad - 1)] >> ((np.uint64(8) - w) * np.uint64(8) % np.uint64(64))
    k2 = np.where(w == 0, np.uint64(0), k2)
    h = (k1 * np.uint64(0x9E3779B97F4A7C15)) ^ (k2 * np.uint64(0xC2B2AE3D27D4EB4F)) ^ tl.astype(np.uint64)
    uniq, first, inv = np.unique(h, return_index=True, return_inverse=True)
    same = (k1 == k1[first][inv]) & (k2 == k2[first][inv]) & (tl == tl[first][inv])
    tags: list[str] = []
    for gi, f in enumerate(first.tolist()):
        a = int(ts[f])
        L = int(tl[f])
        raw = buf[a : a + L]
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
    okm = np.zeros(m, dtype=bool)
    okm[idx[same]] = True
    keep = same
    return {
        "ok": okm,
        "tags": tags,
        "tag_index": inv[keep],
        "steps": steps[idx][keep],
        "values": values[keep],
        "wall_times": wt[idx][keep],
        "from_tensor": tensor[idx][keep],  # TF2 tensor layout: a scalar only if the tag's plugin says so
        "records": idx[keep],  # record numbers of the decoded points
    }
