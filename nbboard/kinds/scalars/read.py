"""Reading scalars: TF1's simple_value field, the scalars plugin's 0-d tensor, and tensors whose
metadata says DATA_CLASS_SCALAR without a plugin (what the reader's fast path also takes)."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.tfevents.messages import DATA_CLASS_SCALAR
from nbboard.tfevents.protos import parse_tensor
from nbboard.tfevents.wire import I32, DecodeError

SCALARS = "scalars"


def _first_float(x: Any) -> float:
    arr = np.asarray(x)
    if arr.size == 0 or arr.dtype.kind not in "biufc":
        raise DecodeError("scalar tensor without a number")
    return float(arr.reshape(-1)[0].real)


def read_legacy(tag: str, wt: int, v: object) -> list[Decoded] | None:
    """Summary.Value.simple_value (field 2, a float)."""
    if wt != I32 or not isinstance(v, bytes):
        return None
    return [Decoded(SCALARS, tag, float(struct.unpack("<f", v)[0]))]


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The scalars plugin's tensor: its first number."""
    if tensor is None:
        return []
    return [Decoded(SCALARS, tag, _first_float(parse_tensor(tensor)))]


def claim(tag: str, md: Metadata, t: Any) -> list[Decoded] | None:
    """A tensor with no plugin whose data class is scalar."""
    if md.plugin or md.data_class != DATA_CLASS_SCALAR:
        return None
    return [Decoded(SCALARS, tag, _first_float(t))]


def takes_float(md: Metadata) -> bool:
    """Whether a tag's 0-d float tensors are scalars (the reader's columnar fast path)."""
    return md.plugin == SCALARS or (not md.plugin and md.data_class == DATA_CLASS_SCALAR)
