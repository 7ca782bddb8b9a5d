"""Videos: (N, T, C, H, W) tensors → tiled THWC uint8 frames exactly as torch's add_video
prepares them, kept as an ImageData(format="gif"); the GIF is encoded later with Pillow."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from nbboard.convert import InputError, as_array, describe
from nbboard.kinds.images.record import ImageData
from nbboard.kinds.images.write import to_uint8
from nbboard.tfevents.messages import image_message, summary, summary_value


def tile_frames(v: np.ndarray) -> np.ndarray:
    """(N, T, C, H, W) uint8 → (T, rows*H, cols*W, C): torch's _prepare_video grid (N padded
    with black clips to a power of two; rows = 2**floor(log2(N)/2))."""
    b, t, c, h, w = v.shape
    n = b if b & (b - 1) == 0 else 1 << b.bit_length()
    rows = 2 ** ((b.bit_length() - 1) // 2)
    cols = n // rows
    if n != b:
        v = np.concatenate([v, np.zeros((n - b, t, c, h, w), dtype=v.dtype)], axis=0)
    v = v.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return np.ascontiguousarray(v).reshape(t, rows * h, cols * w, c)


def make_video(vid_tensor: Any, fps: float = 4, *, method: str = "add_video") -> ImageData:
    """A video (N, T, C, H, W; uint8 0–255 or float 0–1) as tiled uint8 frames for a GIF."""
    arr = as_array(vid_tensor, method, "vid_tensor")
    if arr.ndim != 5:
        raise InputError(f"{method}: vid_tensor has shape {tuple(arr.shape)}; expected 5 dims "
                         "(N, T, C, H, W)")
    b, t, c, h, w = arr.shape
    if min(b, t, h, w) == 0:
        raise InputError(f"{method}: vid_tensor has shape {tuple(arr.shape)}; N, T, H and W must be ≥ 1")
    if c not in (1, 3, 4):
        raise InputError(f"{method}: vid_tensor has {c} channels (shape {tuple(arr.shape)}); "
                         "accepted: 1 (grey), 3 (RGB) or 4 (RGBA)")
    if not isinstance(fps, numbers.Real) or isinstance(fps, bool) or not (
            math.isfinite(fps) and fps > 0):
        raise InputError(f"{method}: fps must be a positive number; got {describe(fps)}")
    # torch divides uint8 video by 255 in float32 and multiplies back: exact, so uint8 is kept as is
    frames = tile_frames(to_uint8(arr))
    if np.may_share_memory(frames, arr):  # one grey clip: the frames can be a view of the input
        frames = frames.copy()
    _, fh, fw, _ = frames.shape
    return ImageData(fh, fw, c, _array=frames, format="gif", fps=float(fps))


def encode(tag: str, rec: ImageData) -> bytes:
    """A Summary with one Value{tag, image=GIF}, as torch writes videos."""
    img = image_message(rec.height, rec.width, rec.channels, rec.encoded)
    return summary(summary_value(tag, image=img))
