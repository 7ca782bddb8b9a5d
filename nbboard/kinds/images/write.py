"""Images: tensors/arrays in any dataformats → HWC uint8 ImageData (pixels exactly as torch's
add_image/add_images/add_image_with_boxes make them); PNG encoding and the Summary.Image message.

Conversion and validation run on the calling thread and end in one private uint8 copy; PNG
encoding (and drawing boxes) runs later, on the background thread, via `ImageData.encoded`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from nbboard.convert import InputError, as_array, describe
from nbboard.kinds.images.record import ImageData
from nbboard.tfevents.messages import image_message, summary, summary_value

GRID_COLUMNS = 8  # torch's make_grid: 8 images per row, no padding
_AXES = {4: "NCHW", 3: "HWC", 2: "HW"}


def to_uint8(arr: np.ndarray) -> np.ndarray:
    """Pixels as torch scales them: uint8 unchanged, anything else ×255 in float32, clipped, truncated."""
    if arr.dtype == np.uint8:
        return arr
    out = np.multiply(arr, np.float32(255), dtype=np.float32, casting="unsafe")  # cast, then ×255
    np.clip(out, 0, 255, out=out)
    with np.errstate(invalid="ignore"):
        return out.astype(np.uint8)


def check_dataformats(dataformats: Any, shape: tuple[int, ...], method: str, arg: str) -> str:
    """Validate `dataformats` against the array's shape; returns it upper-cased."""
    if not isinstance(dataformats, str):
        raise InputError(f"{method}: dataformats must be a str such as 'CHW', 'HWC', 'HW' or "
                         f"'NCHW'; got {describe(dataformats)}")
    fmt = dataformats.upper()
    if len(fmt) not in _AXES or sorted(fmt) != sorted(_AXES[len(fmt)]):
        raise InputError(f"{method}: dataformats={dataformats!r} is not accepted; use an ordering "
                         "of 'CHW' (3 dims), 'HW' (2 dims) or 'NCHW' (4 dims), e.g. 'CHW', 'HWC', "
                         "'HW', 'NCHW', 'NHWC'")
    if len(shape) != len(fmt):
        raise InputError(f"{method}: {arg} has shape {tuple(shape)}; with dataformats="
                         f"{dataformats!r} expected {len(fmt)} dims")
    return fmt


def to_hwc(x: Any, dataformats: Any, method: str, arg: str = "img_tensor") -> np.ndarray:
    """A private C-contiguous HWC uint8 copy of the image (a grid for 4-dim formats), as torch
    computes it; grey becomes RGB like torch."""
    arr = as_array(x, method, arg)
    fmt = check_dataformats(dataformats, arr.shape, method, arg)
    if len(fmt) == 4:
        return _grid(arr, fmt, method, arg)
    src = to_uint8(arr)
    if len(fmt) == 2:
        hw = src.transpose([fmt.index(c) for c in "HW"])
        h, w = hw.shape
        c, hwc = 1, hw[:, :, None]
    else:
        hwc = src.transpose([fmt.index(c) for c in "HWC"])
        h, w, c = hwc.shape
        if c not in (1, 2, 3, 4):
            raise InputError(f"{method}: {arg} has {c} channels (shape {tuple(arr.shape)}, "
                             f"dataformats={dataformats!r}); accepted: 1 (grey), 2 (grey+alpha), "
                             "3 (RGB) or 4 (RGBA)")
    if h == 0 or w == 0:
        raise InputError(f"{method}: {arg} has shape {tuple(arr.shape)}; height and width must be ≥ 1")
    out = np.empty((h, w, 3 if c == 1 else c), dtype=np.uint8)
    fill_channels(out, hwc)
    return out


def fill_channels(out: np.ndarray, src: np.ndarray) -> None:
    """out[..., k] = src[..., k] (grey src: the same plane into every channel), one channel plane
    at a time: several times faster than numpy's strided copy of a CHW → HWC transpose."""
    if src.shape[-1] == out.shape[-1] and src.flags.c_contiguous:
        out[...] = src
        return
    grey = src.shape[-1] == 1
    for k in range(out.shape[-1]):
        out[..., k] = src[..., 0 if grey else k]


def _grid(arr: np.ndarray, fmt: str, method: str, arg: str) -> np.ndarray:
    """torch's make_grid (8 columns, no padding, black empty cells), written straight to HWC."""
    nchw = arr.transpose([fmt.index(c) for c in "NCHW"])
    n, c, h, w = nchw.shape
    if c not in (1, 3, 4):
        raise InputError(f"{method}: {arg} has {c} channels (shape {tuple(arr.shape)}, "
                         f"dataformats={fmt!r}); accepted for an image batch: 1 (grey), 3 (RGB) "
                         "or 4 (RGBA)")
    if n == 0 or h == 0 or w == 0:
        raise InputError(f"{method}: {arg} has shape {tuple(arr.shape)}; it needs at least one "
                         "image of height and width ≥ 1")
    nhwc = to_uint8(nchw).transpose(0, 2, 3, 1)
    ncols = min(n, GRID_COLUMNS)
    nrows = -(-n // ncols)
    out = np.zeros((h * nrows, w * ncols, 3 if c == 1 else c), dtype=np.uint8)
    full = n // ncols  # full rows: one strided copy per channel
    if full:
        rows = out[: full * h].reshape(full, h, ncols, w, -1)
        fill_channels(rows, nhwc[: full * ncols].reshape(full, ncols, h, w, c).transpose(0, 2, 1, 3, 4))
    for i in range(full * ncols, n):
        x = i - full * ncols
        fill_channels(out[full * h:, x * w:(x + 1) * w], nhwc[i])
    return out


def check_shape(shape: tuple[int, ...], dataformats: Any, method: str, arg: str = "img_tensor") -> None:
    """The checks to_hwc makes, from the shape alone (a device tensor is not read to make them)."""
    fmt = check_dataformats(dataformats, shape, method, arg)
    dims = dict(zip(fmt, shape))
    c, h, w, n = dims.get("C", 1), dims["H"], dims["W"], dims.get("N", 1)
    batch = len(fmt) == 4
    if c not in ((1, 3, 4) if batch else (1, 2, 3, 4)):
        raise InputError(f"{method}: {arg} has {c} channels (shape {tuple(shape)}, dataformats="
                         f"{dataformats!r}); accepted: 1 (grey), " + ("" if batch else "2 (grey+alpha), ")
                         + "3 (RGB) or 4 (RGBA)")
    if n == 0 or h == 0 or w == 0:
        raise InputError(f"{method}: {arg} has shape {tuple(shape)}; height and width must be ≥ 1")


def device_image(img_tensor: Any, dataformats: str = "CHW", *,
                 method: str = "add_image") -> tuple[Any, Any]:
    """A device tensor's pixels made uint8 on its device (as to_uint8 makes them on the host), to
    copy to the host: returns (device uint8 tensor, build(host) → ImageData)."""
    import torch

    check_shape(tuple(img_tensor.shape), dataformats, method)
    t = img_tensor.detach()
    if t.is_complex():
        raise InputError(f"{method}: img_tensor must be real; got {describe(img_tensor)}")
    if t.dtype != torch.uint8:
        if t.dtype == torch.bfloat16:
            t = t.half()  # what torch's make_np does with bfloat16
        t = torch.nan_to_num(t.to(torch.float32) * 255, nan=0.0).clamp_(0, 255).to(torch.uint8)
    return t, lambda host: make_image(host.numpy(), dataformats, method=method)


def image_data(hwc: np.ndarray) -> ImageData:
    """Wrap a private HWC uint8 array as an ImageData record."""
    h, w, c = hwc.shape
    return ImageData(h, w, c, _array=hwc)


def make_image(img_tensor: Any, dataformats: str = "CHW", *, method: str = "add_image") -> ImageData:
    """One image (uint8 0–255, float/int/bool scaled ×255 like torch) in any torch dataformats;
    a 4-dim dataformats ('NCHW', ...) makes a batch one grid image, exactly like add_images."""
    return image_data(to_hwc(img_tensor, dataformats, method))


def _labels(labels: Any, n: int, method: str) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, (list, tuple)) or not all(isinstance(s, str) for s in labels):
        raise InputError(f"{method}: labels must be None or a list of str (one per box); got "
                         f"{describe(labels)}")
    if len(labels) != n:
        raise InputError(f"{method}: labels has {len(labels)} entries but box_tensor has {n} "
                         "boxes; pass one label per box (or labels=None)")
    return list(labels)


def make_image_with_boxes(img_tensor: Any, box_tensor: Any, rescale: float = 1,
                          dataformats: str = "CHW", labels: list[str] | None = None,
                          *, method: str = "add_image_with_boxes") -> ImageData:
    """An image plus (N, 4) xyxy pixel boxes and labels, kept on the record for the views and
    drawn into the PNG (red, like torch) when it is encoded."""
    hwc = to_hwc(img_tensor, dataformats, method)
    boxes = as_array(box_tensor, method, "box_tensor")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise InputError(f"{method}: box_tensor has shape {tuple(boxes.shape)}; expected (N, 4) "
                         "boxes as [xmin, ymin, xmax, ymax] pixels")
    if boxes.dtype == np.bool_ or not np.isfinite(boxes).all():
        raise InputError(f"{method}: box_tensor must hold finite pixel coordinates; got "
                         f"{describe(box_tensor)}")
    labs = _labels(labels, boxes.shape[0], method)
    if not isinstance(rescale, numbers.Real) or isinstance(rescale, bool) or not (
            math.isfinite(rescale) and rescale > 0):
        raise InputError(f"{method}: rescale must be a positive number; got {describe(rescale)}")
    h, w, c = hwc.shape
    if int(h * rescale) < 1 or int(w * rescale) < 1:
        raise InputError(f"{method}: rescale={rescale!r} shrinks the {h}x{w} image to nothing")
    if c == 2:
        raise InputError(f"{method}: img_tensor has 2 channels; accepted: 1, 3 or 4")
    return ImageData(h, w, c, _array=hwc, boxes=np.array(boxes, copy=True), labels=labs,
                     rescale=float(rescale))


def encode(tag: str, rec: ImageData) -> bytes:
    """A Summary with one Value{tag, image} — what torch writes (height/width of the logged pixels)."""
    img = image_message(rec.height, rec.width, rec.channels, rec.encoded)
    return summary(summary_value(tag, image=img))
