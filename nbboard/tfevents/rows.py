"""Regular stretches of an event file read as tables, without an index array per record.

A training loop's writer leaves long stretches where the same few record lengths repeat: one tag's
points back to back (nbboard's writer flushes per tag), or one record per tag per step (torch's).
Framing finds them (`reader._walk`) as `Rows`: k rows of a cycle of p records at a fixed byte
stride. A field of slot j of every row is then a strided view of the buffer (no gather), so the
rows' header checks, their data CRCs and the decoding of their scalar points cost a few numpy
passes per slot instead of ~10 gathers per record. Records outside rows, and rows whose bytes do
not fit (a histogram, a damaged record), are left to the per-record paths in `reader`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
from crc32c import crc32c

from nbboard.tfevents.record import unmask_crcs

_U = np.uint64
GROUP = 512  # messages per CRC group (check_crcs explains the grouping)
MIN_RECORDS = 4096  # a stretch shorter than this is read record by record (numpy's cost per call)
TF2_TAIL = bytes([0x42, 0x0A, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04])  # a 0-d DT_FLOAT tensor's bytes before its float
_TEMPLATES = 8  # distinct layouts tried per slot before the rest is left to the per-record path


class Rows(NamedTuple):
    """`k` rows of `len(lens)` records each: row r's record j has its header at
    `pos + r * stride + offs[j]` and a payload of `lens[j]` bytes (a tuple: framing makes
    thousands of short-lived ones)."""

    pos: int
    k: int
    stride: int
    offs: tuple[int, ...]
    lens: tuple[int, ...]

    @property
    def p(self) -> int:
        return len(self.lens)

    def positions(self) -> np.ndarray:
        """The header offset of every record, in file order."""
        grid = self.pos + self.stride * np.arange(self.k, dtype=np.int64)[:, None] + np.asarray(self.offs, np.int64)
        return grid.ravel()

    def sub(self, r0: int, r1: int) -> Rows:
        """Rows [r0, r1)."""
        return Rows(self.pos + r0 * self.stride, r1 - r0, self.stride, self.offs, self.lens)


def _col(buf: Any, dtype: str, at: int, stride: int, k: int) -> np.ndarray:
    """The k values of `dtype` at `at`, `at + stride`, ... (a view of the buffer)."""
    return np.ndarray((k,), dtype=dtype, buffer=buf, offset=at, strides=(stride,))


_HEAD_ROWS = 2048  # rows whose headers are checked at a time (a stretch ends within one)


def headers_ok(buf: Any, rows: Rows, crcs: list[int]) -> int:
    """How many records of `rows` (file order), from the first, have the predicted length and
    length CRC: checked `_HEAD_ROWS` rows at a time, up to the first that does not."""
    if rows.p == 1 and rows.k <= _HEAD_ROWS:  # the common small case, with numpy's cost per call kept low
        ok = (_col(buf, "<u8", rows.pos, rows.stride, rows.k) == _U(rows.lens[0])) & (
            _col(buf, "<u4", rows.pos + 8, rows.stride, rows.k) == np.uint32(crcs[0]))
        return rows.k if ok.all() else int(ok.argmin())
    good = 0
    for r0 in range(0, rows.k, _HEAD_ROWS):
        k = min(_HEAD_ROWS, rows.k - r0)
        ok = np.empty((k, rows.p), dtype=bool)
        for j, (o, ln, c) in enumerate(zip(rows.offs, rows.lens, crcs)):
            at = rows.pos + r0 * rows.stride + o
            ok[:, j] = (_col(buf, "<u8", at, rows.stride, k) == _U(ln)) & (
                _col(buf, "<u4", at + 8, rows.stride, k) == np.uint32(c))
        flat = ok.ravel()
        if not flat.all():
            return good + int(flat.argmin())
        good += len(flat)
    return good


def group_crcs(words: np.ndarray, L: int) -> np.ndarray:
    """CRC32C of each row of `L`-byte messages given as XORed 8-byte words: `words[:, i]` holds
    bytes [8i, 8i+8) for i < L // 8, and a last column bytes [L-8, L) when L % 8 (L >= 8)."""
    g = len(words)
    q = L // 8
    x = np.empty((g, L), dtype=np.uint8)
    x[:, :8 * q] = np.ascontiguousarray(words[:, :q]).view(np.uint8).reshape(g, 8 * q)
    if L % 8:
        x[:, L - 8:] = np.ascontiguousarray(words[:, q]).view(np.uint8).reshape(g, 8)
    return crc_rows(x)


def crc_rows(x: np.ndarray) -> np.ndarray:
    """CRC32C of each row of a uint8 matrix (one call per row: a group's XORed messages)."""
    g, L = x.shape
    xb = x.tobytes()
    return np.fromiter((crc32c(xb[i * L:(i + 1) * L]) for i in range(g)), dtype=np.uint32, count=g)


def failing_groups(got: np.ndarray, want: np.ndarray, L: int) -> list[int]:
    """The starts (into `want`) of the groups of `GROUP` messages of `L` bytes whose XOR's CRC
    `got` is not the XOR of their stored CRCs `want`: CRC32C is affine, so the two agree for
    intact messages once the CRC of L zero bytes is XORed in for an even count."""
    g0 = np.arange(0, len(want), GROUP)
    even = np.diff(np.append(g0, len(want))) % 2 == 0
    exp = np.bitwise_xor.reduceat(want, g0) ^ np.where(even, np.uint32(crc32c(bytes(L))), np.uint32(0))
    return g0[got != exp].tolist()


def word_offsets(L: int) -> list[int]:
    """Where the 8-byte words that `group_crcs` takes start in an `L`-byte message."""
    return [8 * j for j in range(L // 8)] + ([L - 8] if L % 8 else [])


def crcs_ok(buf: Any, rows: Rows) -> np.ndarray:
    """Which records of `rows` (file order) match their stored data CRC. Rows are checked in
    groups of `GROUP` per slot (CRC32C is affine: the XOR of a group's messages has the XOR of
    their CRCs, with the CRC of zeros once more for an even count); a failing group is checked
    record by record. Payloads of 8 bytes or more (framing keeps shorter ones out of rows)."""
    k, S = rows.k, rows.stride
    ok = np.ones((k, rows.p), dtype=bool)
    g0 = np.arange(0, k, GROUP)
    mv = memoryview(buf)
    for j, (o, L) in enumerate(zip(rows.offs, rows.lens)):
        d = rows.pos + o + 12
        want = unmask_crcs(_col(buf, "<u4", d + L, S, k))
        words = np.stack([np.bitwise_xor.reduceat(_col(buf, "<u8", d + w, S, k), g0) for w in word_offsets(L)], axis=1)
        for a in failing_groups(group_crcs(words, L), want, L):
            for r in range(a, min(a + GROUP, k)):
                at = d + r * S
                ok[r, j] = crc32c(mv[at:at + L]) == int(want[r])
    return ok.ravel()


def clip(rows: list[tuple[int, Rows]], lo: int, hi: int) -> list[tuple[int, Rows]]:
    """The whole rows of `rows` ((first record number, Rows) pairs) among records [lo, hi),
    renumbered from lo."""
    out = []
    for first, r in rows:
        p = r.p
        last = first + r.k * p
        if last <= lo or first >= hi:
            continue
        r0 = max(0, -(-(lo - first) // p))
        r1 = min(r.k, (hi - first) // p)
        if r1 > r0:
            out.append((first + r0 * p - lo, r.sub(r0, r1)))
    return out


def _layout(payload: bytes) -> tuple[int, int, bool, str] | None:
    """A scalar record's layout (where its step's varint ends, where the summary starts, whether
    its value is TF2's tensor, its tag), or None for any other record."""
    L = len(payload)
    if L < 20 or payload[0] != 0x09:
        return None
    kv = 0
    if payload[9] == 0x10:
        kv = next((i + 1 for i in range(7) if payload[10 + i] < 0x80), 0)
        if not kv:
            return None
        p = 10 + kv
    else:
        p = 9
    r = L - p
    if not 11 <= r <= 129 or payload[p:p + 5] != bytes([0x2A, r - 2, 0x0A, r - 4, 0x0A]):
        return None
    if payload[p + 5] == r - 11 and payload[L - 5] == 0x15:
        tensor, tl = False, r - 11
    elif r >= 18 and payload[p + 5] == r - 18 and payload[L - 12:L - 4] == TF2_TAIL:
        tensor, tl = True, r - 18
    else:
        return None
    if tl < 1:
        return None
    try:
        tag = payload[p + 6:p + 6 + tl].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return kv, p, tensor, tag


def _matching(buf: Any, d: int, L: int, S: int, k: int, payload: bytes, kv: int, p: int) -> np.ndarray:
    """Which of the k rows (payloads at d + r*S) have `payload`'s layout and tag: the same bytes
    but for the wall time, the step's value and the float."""
    eq = _col(buf, "u1", d, S, k) == 0x09
    if kv:  # 0x10, then the varint's continuation bits as in the template
        m = 0xFF | sum(0x80 << (8 * (1 + i)) for i in range(kv))
        e = 0x10 | sum(0x80 << (8 * (1 + i)) for i in range(kv - 1))
        eq &= (_col(buf, "<u8", d + 9, S, k) & _U(m)) == _U(e)
    for w in list(range(p, L - 12, 8)) + [L - 12]:  # the summary's bytes up to the float
        eq &= _col(buf, "<u8", d + w, S, k) == _U(int.from_bytes(payload[w:w + 8], "little"))
    return eq


def _steps(w: np.ndarray, kv: int) -> np.ndarray:
    """The steps from the varints of `kv` bytes at the start of each word."""
    return varint_values(w & _U(int.from_bytes(b"\x7f" * kv + b"\x00" * (8 - kv), "little")), kv)


def varint_values(y: np.ndarray, kv: int = 8) -> np.ndarray:
    """The values of varints given as words holding their 7-bit groups (continuation bits and the
    bytes after the varint cleared), up to `kv` bytes long: the groups are joined pairwise, in as
    many rounds as `kv` bytes need (one for up to 2 bytes, three for 5-8). `y` is worked on."""
    for bits, (lo, hi) in enumerate(_JOIN[: (kv - 1).bit_length()]):
        t = y & hi
        y &= lo
        t >>= _U(1 << bits)
        y |= t
    return y.view(np.int64)


_JOIN = [(_U(0x007F007F007F007F), _U(0x7F007F007F007F00)),  # (kept, moved down) per round
         (_U(0x00003FFF00003FFF), _U(0x3FFF00003FFF0000)),
         (_U(0x000000000FFFFFFF), _U(0x0FFFFFFF00000000))]


def scalars(buf: Any, rows: list[tuple[int, Rows]]) -> Iterator[tuple[Any, str, bool, np.ndarray, np.ndarray, np.ndarray]]:
    """The scalar points of `rows` ((first record number, Rows) pairs), a piece per slot and
    layout: (record numbers: a slice where every row matched, else an array; tag, from_tensor,
    steps, values, wall times). Rows of a slot that match none of its first few layouts are in
    no piece."""
    for first, rw in rows:
        k, S, p = rw.k, rw.stride, rw.p
        for j, (o, L) in enumerate(zip(rw.offs, rw.lens)):
            d = rw.pos + o + 12
            left: np.ndarray | None = None  # rows not matched yet (None: all of them)
            for _ in range(_TEMPLATES):
                r = 0 if left is None else int(np.argmax(left))
                payload = bytes(buf[d + r * S:d + r * S + L])
                lay = _layout(payload)
                if lay is None:
                    break
                kv, at, tensor, tag = lay
                eq = _matching(buf, d, L, S, k, payload, kv, at)
                if left is not None:
                    eq &= left
                sel = None if left is None and eq.all() else np.flatnonzero(eq)
                take: Any = slice(None) if sel is None else sel
                rec: Any = slice(first + j, first + j + p * k, p) if sel is None else first + j + p * sel
                wts = _col(buf, "<f8", d + 1, S, k)[take].astype(np.float64)
                vals = _col(buf, "<f4", d + L - 4, S, k)[take]
                steps = _steps(_col(buf, "<u8", d + 10, S, k)[take], kv) if kv else np.zeros(len(wts), np.int64)
                yield rec, tag, tensor, steps, vals, wts
                if sel is None:
                    break
                left = ~eq if left is None else left & ~eq
                if not left.any():
                    break
