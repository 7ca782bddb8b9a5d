"""Raw tensors: add_tensor, and numeric tensors no other kind reads."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.tensor import read

KIND = Kind(
    name=read.TENSOR,
    accessor="tensors",
    read=read.read,
    claim=read.claim,
)
