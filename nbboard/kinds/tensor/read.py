"""Reading raw tensors: add_tensor's 'tensor' plugin, and any numeric tensor no other kind reads."""

from __future__ import annotations

from typing import Any

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.tensor.record import TensorData
from nbboard.tfevents.protos import parse_tensor

TENSOR = "tensor"


def claim(tag: str, md: Metadata, t: Any) -> list[Decoded] | None:
    """A numeric tensor is kept as it is; strings are left to others."""
    if isinstance(t, list):
        return None
    return [Decoded(TENSOR, tag, TensorData(t))]


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The 'tensor' plugin's value (numbers only, as TensorBoard shows them)."""
    if tensor is None:
        return []
    return claim(tag, md, parse_tensor(tensor)) or []
