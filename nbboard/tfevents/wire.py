"""Protobuf wire-format encoding and decoding for the few messages TensorBoard's files use.

Messages are built bottom-up as bytes: `field_bytes(1, field_varint(2, 7))`. Decoding walks
a message's fields with `iter_fields`. No generated code and no protobuf dependency.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np

VARINT, I64, LEN, I32 = 0, 1, 2, 5

_pack_d = struct.Struct("<d").pack
_pack_f = struct.Struct("<f").pack
_unpack_d = struct.Struct("<d").unpack_from
_unpack_f = struct.Struct("<f").unpack_from

# One-byte varints are by far the most common: precompute them.
_SMALL = [bytes([i]) for i in range(128)]


def varint(n: int) -> bytes:
    """Encode a non-negative int (or a negative int64, as ten bytes two's complement)."""
    if 0 <= n < 128:
        return _SMALL[n]
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def key(field: int, wire_type: int) -> bytes:
    """The tag bytes of a field."""
    return varint((field << 3) | wire_type)


def field_varint(field: int, n: int) -> bytes:
    """An int32/int64/uint64/bool/enum field."""
    return key(field, VARINT) + varint(int(n))


def field_double(field: int, x: float) -> bytes:
    """A double field."""
    return key(field, I64) + _pack_d(x)


def field_float(field: int, x: float) -> bytes:
    """A float field."""
    return key(field, I32) + _pack_f(x)


def field_bytes(field: int, b: bytes) -> bytes:
    """A bytes, string or embedded-message field."""
    return key(field, LEN) + varint(len(b)) + b


def field_string(field: int, s: str) -> bytes:
    """A string field (UTF-8)."""
    return field_bytes(field, s.encode("utf-8"))


def packed_doubles(field: int, values: np.ndarray) -> bytes:
    """A packed repeated double field."""
    return field_bytes(field, np.ascontiguousarray(values, dtype="<f8").tobytes())


# ---- decoding -----------------------------------------------------------------------


class DecodeError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """Decode a varint at `pos`; return (value, new position)."""
    result = 0
    shift = 0
    n = len(buf)
    while True:
        if pos >= n:
            raise DecodeError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError("varint too long")


def iter_fields(buf: bytes | memoryview, raw_fixed: bool = False) -> Iterator[tuple[int, int, object]]:
    """Yield (field number, wire type, value) for each field: int for VARINT, bytes for LEN,
    float for I64 (as double) and I32 (as float); callers reinterpret fixed ints if needed.
    With `raw_fixed`, I64 and I32 values are their raw 8 / 4 bytes instead."""
    copy = not isinstance(buf, bytes)  # a slice of bytes is bytes already: skip bytes() (hot path)
    pos = 0
    n = len(buf)
    while pos < n:
        tag, pos = read_varint(buf, pos)
        field, wt = tag >> 3, tag & 7
        if field == 0:
            raise DecodeError("field number 0")
        if wt == VARINT:
            v, pos = read_varint(buf, pos)
            yield field, wt, v
        elif wt == LEN:
            ln, pos = read_varint(buf, pos)
            if pos + ln > n:
                raise DecodeError("truncated length-delimited field")
            yield field, wt, bytes(buf[pos : pos + ln]) if copy else buf[pos : pos + ln]
            pos += ln
        elif wt == I64:
            if pos + 8 > n:
                raise DecodeError("truncated 64-bit field")
            yield field, wt, bytes(buf[pos : pos + 8]) if raw_fixed else _unpack_d(buf, pos)[0]
            pos += 8
        elif wt == I32:
            if pos + 4 > n:
                raise DecodeError("truncated 32-bit field")
            yield field, wt, bytes(buf[pos : pos + 4]) if raw_fixed else _unpack_f(buf, pos)[0]
            pos += 4
        else:
            raise DecodeError(f"unsupported wire type {wt}")


def signed64(n: int) -> int:
    """Reinterpret a decoded varint as a signed int64."""
    return n - (1 << 64) if n >= (1 << 63) else n


def unpack_varints(b: bytes) -> list[int]:
    """Decode a packed repeated varint field's payload."""
    out = []
    pos = 0
    while pos < len(b):
        v, pos = read_varint(b, pos)
        out.append(signed64(v))
    return out
