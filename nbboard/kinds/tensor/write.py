"""Raw tensors (add_tensor): a tensor/array of the dtypes torch's add_tensor accepts → TensorData,
and the 'tensor' plugin encoder (TensorProto with tensor_content)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.convert import InputError, describe, is_torch_tensor, to_numpy
from nbboard.kinds.tensor.record import TensorData
from nbboard.tfevents.messages import plugin_metadata, summary, summary_value, tensor_proto

PLUGIN_NAME = "tensor"

# numpy dtypes matching torch's _TENSOR_TYPE_MAP (bfloat16 arrives as float32, complex32 as complex64)
ACCEPTED = tuple(np.dtype(d) for d in (np.float16, np.float32, np.float64, np.int8, np.uint8,
                                       np.int16, np.int32, np.int64, np.complex64, np.complex128,
                                       np.bool_))
_ACCEPTED_TEXT = ("float16/half, bfloat16, float32, float64, int8, uint8, int16, int32, int64, "
                  "complex32, complex64, complex128, bool")
_MAX_BYTES = 1 << 31  # protobuf's hard limit, which torch checks too


def make_tensor(tensor: Any, method: str = "add_tensor") -> TensorData:
    """A private numpy copy of `tensor`; bfloat16 is kept as float32 (exact; TensorBoard's reader
    cannot decode DT_BFLOAT16) and complex32 as complex64."""
    if is_torch_tensor(tensor):
        dt = str(tensor.dtype)
        if dt in ("torch.complex32", "torch.chalf"):
            import torch

            tensor = tensor.detach().cpu().to(torch.complex64)
        elif dt.startswith(("torch.q", "torch.float8", "torch.uint16", "torch.uint32", "torch.uint64")):
            raise InputError(f"{method}: tensor has unsupported dtype {tensor.dtype}; accepted: "
                             f"{_ACCEPTED_TEXT}")
    elif not isinstance(tensor, (np.ndarray, np.generic, list, tuple, int, float, bool, complex)):
        raise InputError(f"{method}: tensor must be a torch.Tensor, a numpy array or a (nested) list "
                         f"of numbers; got {describe(tensor)}")
    arr = to_numpy(tensor, method, "tensor")
    if arr.dtype not in ACCEPTED:
        raise InputError(f"{method}: tensor has unsupported dtype {arr.dtype}; accepted: {_ACCEPTED_TEXT}")
    if arr.nbytes >= _MAX_BYTES:
        raise InputError(f"{method}: tensor is {arr.nbytes} bytes, over protobuf's 2 GB limit")
    return TensorData(np.asarray(arr, order="C"))


def on_device_ok(tensor: Any) -> bool:
    """True for a device tensor of a dtype copied to the host as it is (the others take the
    host path, which converts or refuses them)."""
    return str(tensor.dtype) in _AS_IS


_AS_IS = {"torch.float16", "torch.float32", "torch.float64", "torch.int8", "torch.uint8",
          "torch.int16", "torch.int32", "torch.int64", "torch.complex64", "torch.complex128",
          "torch.bool"}


def device_tensor(tensor: Any, method: str = "add_tensor") -> tuple[Any, Any]:
    """(the detached device tensor to copy to the host, build(host) → TensorData)."""
    t = tensor.detach()
    if t.numel() * t.element_size() >= _MAX_BYTES:
        raise InputError(f"{method}: tensor is {t.numel() * t.element_size()} bytes, over "
                         "protobuf's 2 GB limit")
    return t, lambda host: TensorData(np.ascontiguousarray(host.numpy()))


def encode(tag: str, rec: TensorData) -> bytes:
    """Summary{value{tag, tensor, metadata: plugin 'tensor'}} as torch's tensor_proto summary."""
    return summary(summary_value(tag, tensor=tensor_proto(rec.array), metadata=plugin_metadata(PLUGIN_NAME)))
