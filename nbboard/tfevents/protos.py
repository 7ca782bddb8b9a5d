"""Reading the TensorFlow protos inside Summary values: field walks, numbers, strings, packed
repeated fields, SummaryMetadata and TensorProto (to numpy). Knows no plugin: the kinds use it."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from nbboard.tfevents.messages import DT_BFLOAT16, DT_HALF, DT_STRING, NUMPY_DTYPES
from nbboard.tfevents.wire import (
    I32,
    I64,
    LEN,
    VARINT,
    DecodeError,
    iter_fields,
    read_varint,
    signed64,
)

# TensorFlow DataType → numpy dtype (little-endian); 14 = bfloat16 is widened by hand.
_DTYPES = {code: dt.newbyteorder("<") for dt, code in NUMPY_DTYPES.items()}


_MAX_ELEMENTS = 1 << 27  # refuse absurd shapes in damaged files instead of allocating them


@dataclass
class Metadata:
    """A tag's SummaryMetadata: plugin name, plugin content bytes and data class."""

    plugin: str = ""
    content: bytes = b""
    data_class: int = 0


def fields(buf: bytes) -> list[tuple[int, int, Any]]:
    """All (field, wire type, value) of a message, read at once; LEN values as bytes, fixed64/32
    as their raw bytes (`wire.iter_fields` with raw_fixed)."""
    return list(iter_fields(buf, True))  # raw_fixed; positional is measurably cheaper here


def f64(wt: int, v: Any) -> float:
    if wt == I64:
        return struct.unpack("<d", v)[0]
    if wt == I32:
        return struct.unpack("<f", v)[0]
    raise DecodeError("expected a fixed-width number")


def string(v: Any) -> str:
    if not isinstance(v, bytes):
        raise DecodeError("expected a string")
    return v.decode("utf-8", "replace")


def packed(wt: int, v: Any, fmt: str) -> list[float]:
    """A repeated float/double field, packed (LEN) or one element."""
    dt = np.dtype(fmt)
    if not isinstance(v, bytes):
        raise DecodeError("expected a float field")
    if wt == LEN:
        k = len(v) // dt.itemsize
        return np.frombuffer(v[: k * dt.itemsize], dtype=dt).tolist()
    if len(v) == dt.itemsize:
        return [np.frombuffer(v, dtype=dt)[0].item()]
    raise DecodeError("float field of the wrong width")


def varints(wt: int, v: Any) -> list[int]:
    if wt == VARINT:
        return [v]
    if wt != LEN:
        raise DecodeError("expected varints")
    out = []
    pos = 0
    while pos < len(v):
        x, pos = read_varint(v, pos)
        out.append(x)
    return out


def parse_metadata(buf: bytes) -> Metadata:
    """SummaryMetadata {plugin_data = 1 {plugin_name = 1, content = 2}, data_class = 4}."""
    md = Metadata()
    for fn, wt, v in fields(buf):
        if fn == 1 and wt == LEN:
            for f2, w2, v2 in fields(v):
                if f2 == 1 and w2 == LEN:
                    md.plugin = string(v2)
                elif f2 == 2 and w2 == LEN:
                    md.content = bytes(v2)
        elif fn == 4 and wt == VARINT:
            md.data_class = v
    return md


def parse_tensor(buf: bytes) -> np.ndarray | list[bytes]:
    """A TensorProto as a numpy array, or a list of bytes for DT_STRING (shape kept in `.shape`
    only for arrays; string tensors come back flat)."""
    dtype = 0
    shape: list[int] = []
    content = None
    vals: list[Any] = []
    strings: list[bytes] = []
    for fn, wt, v in fields(buf):
        if fn == 1 and wt == VARINT:
            dtype = v
        elif fn == 2 and wt == LEN:
            for f2, w2, v2 in fields(v):
                if f2 == 2 and w2 == LEN:
                    size = 0
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == VARINT:
                            size = signed64(v3)
                    shape.append(size)
                elif f2 == 3 and w2 == VARINT and v2:
                    shape = []  # unknown_rank
        elif fn == 4 and wt == LEN:
            content = v
        elif fn == 8 and wt == LEN:
            strings.append(bytes(v))
        elif fn == 5:
            vals.extend(packed(wt, v, "<f4"))
        elif fn == 6:
            vals.extend(packed(wt, v, "<f8"))
        elif fn in (7, 10):
            vals.extend(signed64(x) for x in varints(wt, v))
        elif fn in (11, 13, 16, 17):
            vals.extend(varints(wt, v))
        elif fn in (9, 12):
            vals.extend(packed(wt, v, "<f4" if fn == 9 else "<f8"))
    if any(d < 0 for d in shape):
        raise DecodeError(f"negative tensor dimension in {shape}")
    count = int(np.prod(shape, dtype=np.float64)) if shape else 1
    if count > _MAX_ELEMENTS:
        raise DecodeError(f"tensor of shape {shape} is too large")
    if dtype == DT_STRING:
        return strings
    if dtype == DT_BFLOAT16:
        if content is not None:
            raw = np.frombuffer(content[: len(content) // 2 * 2], dtype="<u2")
        else:
            raw = np.asarray(vals, dtype=np.uint32).astype(np.uint16)
        arr = (raw.astype(np.uint32) << 16).view(np.float32)
    elif dtype in _DTYPES:
        dt = np.dtype(_DTYPES[dtype])
        if content is not None:
            arr = np.frombuffer(content[: len(content) // dt.itemsize * dt.itemsize], dtype=dt)
        elif dtype == DT_HALF:
            arr = np.asarray(vals, dtype=np.uint32).astype(np.uint16).view(np.float16)
        elif dt.kind == "c":
            f = np.asarray(vals, dtype=np.float64)
            arr = (f[0::2] + 1j * f[1::2]).astype(dt) if len(f) >= 2 else np.zeros(0, dt)
        else:
            arr = np.asarray(vals).astype(dt) if vals else np.zeros(0, dt)
    else:
        raise DecodeError(f"unsupported tensor dtype {dtype}")
    if len(arr) > count:
        arr = arr[:count]
    elif len(arr) < count:
        if count > (1 << 20):  # a tiny message claiming a huge tensor: damaged
            raise DecodeError(f"tensor of shape {shape} holds only {len(arr)} values")
        if len(arr) == 0:
            arr = np.zeros(count, dtype=arr.dtype)
        else:  # protobuf convention: the last value repeats
            arr = np.concatenate([arr, np.full(count - len(arr), arr[-1], dtype=arr.dtype)])
    return arr.reshape(shape).copy() if shape else arr.reshape(()).copy()


def first_string(tensor: bytes | None) -> bytes | None:
    """The first element of a DT_STRING TensorProto (None for no tensor, numbers or no strings):
    how plugins that keep one serialized message per value store it."""
    if tensor is None:
        return None
    t = parse_tensor(tensor)
    return t[0] if isinstance(t, list) and t else None
