"""Turn user inputs (torch tensors of any dtype/device, numpy, lists, numbers) into numpy or
Python numbers, with errors that name the method, the argument and what is accepted."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


class InputError(TypeError, ValueError):
    """A writer method was given an argument it cannot accept (names method and argument).

    Both a TypeError and a ValueError, so code catching either (as with torch) still works."""


def describe(x: Any) -> str:
    """A short description of a value for error messages."""
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    if shape is not None:
        return f"{type(x).__module__.split('.')[0]}.{type(x).__name__} of shape {tuple(shape)} and dtype {dtype}"
    r = repr(x)
    if len(r) > 60:
        r = r[:57] + "..."
    return f"{type(x).__name__} {r}"


def is_torch_tensor(x: Any) -> bool:
    """True for a torch.Tensor, without importing torch."""
    t = type(x)
    return t.__module__.startswith("torch") and hasattr(x, "detach") and hasattr(x, "dtype")


def check_readable(t: Any, method: str, arg: str) -> None:
    """InputError naming `arg` for a tensor whose data cannot be read (the meta device)."""
    if t.device.type == "meta":
        raise InputError(f"{method}: {arg} is a tensor on the meta device, which holds no values; "
                         f"pass a tensor on the CPU or an accelerator (got {describe(t)})")


def to_numpy(x: Any, method: str, arg: str, *, copy: bool = True,
             bf16_as_half: bool = False) -> np.ndarray:
    """Convert a tensor/array/list/number to a numpy array (a private copy by default).

    torch tensors are detached and moved to the CPU; bfloat16 becomes float32 (numpy has none),
    or float16 with `bf16_as_half` (what torch's make_np does for images, video and audio).
    """
    if is_torch_tensor(x):
        check_readable(x, method, arg)
        t = x.detach()
        if t.device.type != "cpu":
            t = t.cpu()
        if str(t.dtype) == "torch.bfloat16":
            t = t.half() if bf16_as_half else t.float()
        try:
            arr = t.numpy()
        except (TypeError, RuntimeError) as e:
            raise InputError(f"{method}: {arg} has unsupported tensor dtype {t.dtype}") from e
        return arr.copy() if copy else arr
    if isinstance(x, np.ndarray):
        return x.copy() if copy else x
    if isinstance(x, (numbers.Number, np.generic)):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        try:  # a nested list of numbers (or of CPU tensors): numpy converts it in one C pass
            arr = np.asarray(x)
            if arr.dtype != object:
                return arr
        except Exception:  # the element-wise path below names the problem
            pass
        try:  # GPU/bf16/grad tensors inside the list: convert each element like a lone one
            arr = np.asarray([to_numpy(v, method, arg, copy=False) if not isinstance(v, (numbers.Number, str, bytes)) else v for v in x])
        except (ValueError, TypeError, InputError) as e:
            raise InputError(f"{method}: {arg} is a {type(x).__name__} that is not a regular "
                             f"numeric array ({e}); pass a tensor, a numpy array or a nested list of numbers") from e
        if arr.dtype == object:
            raise InputError(f"{method}: {arg} is a ragged or mixed {type(x).__name__}; pass a "
                             "tensor, a numpy array or a rectangular nested list of numbers")
        return arr
    raise InputError(f"{method}: {arg} must be a torch.Tensor, a numpy array, a list or a number; "
                     f"got {describe(x)}")


def to_float(x: Any, method: str, arg: str) -> float:
    """Convert a Python/numpy number or a one-element tensor/array to float (NaN/inf allowed)."""
    if isinstance(x, (numbers.Real, np.bool_)):  # bool too (an int)
        return float(x)
    if is_torch_tensor(x) or isinstance(x, np.ndarray):
        size = x.numel() if is_torch_tensor(x) else x.size
        if size != 1:
            raise InputError(f"{method}: {arg} must be a number or a one-element tensor; "
                             f"got {describe(x)}")
        if is_torch_tensor(x):
            check_readable(x, method, arg)
            if x.is_complex():
                raise InputError(f"{method}: {arg} must be real; got complex {describe(x)}")
            return float(x.item())
        if np.iscomplexobj(x):
            raise InputError(f"{method}: {arg} must be real; got complex {describe(x)}")
        return float(x.reshape(()))
    raise InputError(f"{method}: {arg} must be a number (int, float, numpy scalar) or a "
                     f"one-element tensor; got {describe(x)}")


#: Steps are int64 in the files (Event.step) and in the Store's columns.
STEP_MIN, STEP_MAX = -(1 << 63), (1 << 63) - 1


def to_step(x: Any, method: str, arg: str = "global_step") -> int:
    """Convert a step (int, numpy int, one-element tensor, integral float) to int, like torch;
    it must fit int64, as TensorBoard's Event.step does."""
    if x is None:
        return 0
    if type(x) is int:
        v = x
    elif isinstance(x, (numbers.Integral, np.integer)):
        v = int(x)
    elif isinstance(x, (float, np.floating)):
        if not math.isfinite(x):
            raise InputError(f"{method}: {arg} must be a finite integer; got {x!r}")
        v = int(x)
    elif is_torch_tensor(x) or isinstance(x, np.ndarray):
        try:
            f = to_float(x, method, arg)
        except InputError:
            raise InputError(f"{method}: {arg} must be an int or a one-element tensor; "
                             f"got {describe(x)}") from None
        if not math.isfinite(f):
            raise InputError(f"{method}: {arg} must be a finite integer; got {f!r}")
        v = int(f)
    else:
        raise InputError(f"{method}: {arg} must be an int (or None for step 0); got {describe(x)}")
    if not STEP_MIN <= v <= STEP_MAX:
        raise InputError(f"{method}: {arg} must fit a 64-bit integer "
                         f"(between -2**63 and 2**63 - 1); got {v}")
    return v


def to_walltime(x: Any, method: str) -> float | None:
    """Validate an optional walltime (seconds since the epoch)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{method}: walltime must be a number of seconds since the epoch or "
                         f"None; got {describe(x)}") from None
    if not math.isfinite(v):
        raise InputError(f"{method}: walltime must be finite; got {v!r}")
    return v


def check_tag(tag: Any, method: str, arg: str = "tag") -> str:
    """A non-empty str tag as a plain str: str subclasses (np.str_, StrEnum) are accepted like
    torch does and reduced to their text (a `(str, Enum)` member's value, not its repr)."""
    if not isinstance(tag, str):
        raise InputError(f"{method}: {arg} must be a str; got {describe(tag)}")
    if not tag:
        raise InputError(f"{method}: {arg} must be a non-empty str")
    check_text(tag, method, arg)
    return tag if type(tag) is str else str.__str__(tag)


def check_text(s: str, method: str, arg: str) -> None:
    """Raise InputError naming `arg` if `s` cannot be written as UTF-8 (a lone surrogate such
    as "\\ud800": the event file could not hold it)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(f"{method}: {arg} must be text that UTF-8 can encode; {s!r} holds "
                         f"{s[e.start:e.end]!r} at {e.start} (a lone surrogate)") from None


def as_array(x: Any, method: str, arg: str) -> np.ndarray:
    """A numpy view of a tensor/array/list, converted like torch's make_np (bfloat16 → float16)."""
    if not (is_torch_tensor(x) or isinstance(x, (np.ndarray, list, tuple))):
        raise InputError(f"{method}: {arg} must be a torch.Tensor, a numpy array or a nested list "
                         f"of numbers; got {describe(x)}")
    arr = to_numpy(x, method, arg, copy=False, bf16_as_half=True)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{method}: {arg} must hold real numbers (uint8 0–255, float 0–1, int or "
                         f"bool); got {describe(x)}")
    return arr
