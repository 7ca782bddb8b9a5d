"""The record the Store holds for each images point: `ImageData`."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(eq=False)
class ImageData:
    """An image (HWC uint8, C in 1-4) or a GIF video (THWC frames); encoded lazily, off the
    training thread. With `boxes`, `array` holds the plain pixels and `encoded` has them drawn."""

    height: int
    width: int
    channels: int
    _array: np.ndarray | None = field(default=None, repr=False)
    _encoded: bytes | None = field(default=None, repr=False)
    format: str = "png"  # "png" or "gif" (video)
    boxes: np.ndarray | None = None  # (N, 4) xyxy pixel boxes from add_image_with_boxes
    labels: list[str] | None = None
    rescale: float = 1.0  # add_image_with_boxes: the PNG is resized by this factor, like torch
    fps: float = 4.0  # videos: frames per second of the GIF

    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def encoded(self) -> bytes:
        """The PNG (or GIF) bytes, encoded on first use and then cached.

        The writer thread and the widget pusher may both ask at once: the per-record lock makes
        one of them encode while the other waits. A plain PNG is lossless, so the raw pixels are
        then dropped (`array` decodes them)."""
        enc = self._encoded
        if enc is not None:
            return enc
        with self._lock:
            enc = self._encoded
            if enc is None:
                if self.format == "gif":
                    enc = encode_gif(self._array, self.fps)
                else:
                    enc = render_png(self)
                self._encoded = enc
                if self.format != "gif" and self.boxes is None and self.rescale == 1:
                    self._array = None
        return enc

    @property
    def array(self) -> np.ndarray:
        """The pixels as HWC uint8 (THWC for a GIF), decoded from the encoded bytes when needed."""
        arr = self._array
        if arr is not None:
            return arr
        from PIL import Image, ImageSequence

        img = Image.open(io.BytesIO(self.encoded))
        if self.format == "gif":
            frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(img)]
            return np.stack(frames)
        arr = np.asarray(img)
        return arr[:, :, None] if arr.ndim == 2 else arr


def encode_png(array: np.ndarray) -> bytes:
    """PNG bytes of an HWC (or HW) uint8 array, as torch saves them with Pillow."""
    from PIL import Image

    a = array[:, :, 0] if array.ndim == 3 and array.shape[2] == 1 else array
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


def _draw_box(draw: Any, font: Any, box: np.ndarray, text: str | None) -> None:
    """One red xyxy box, 2 px wide, with its label on a red band above its bottom edge (torch's look)."""
    left, top, right, bottom = box[0], box[1], box[2], box[3]
    draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)],
              width=2, fill="Red")
    if text:
        x0, y0, x1, y1 = font.getbbox(text)
        tw, th = x1 - x0, y1 - y0
        margin = np.ceil(0.05 * th)
        draw.rectangle([(left, bottom - th - 2 * margin), (left + tw, bottom)], fill="Red")
        draw.text((left + margin, bottom - th - margin), text, fill="black", font=font)


def render_png(rec: ImageData) -> bytes:
    """The record's PNG: plain pixels, or with its boxes drawn and rescaled like torch."""
    if rec.boxes is None and rec.rescale == 1:
        return encode_png(rec._array)
    from PIL import Image, ImageDraw, ImageFont

    img = Image.fromarray(rec._array)
    if rec.boxes is not None and len(rec.boxes):
        draw = ImageDraw.Draw(img)
        font = ImageFont.load_default()
        for i, box in enumerate(rec.boxes):
            _draw_box(draw, font, box, None if rec.labels is None else rec.labels[i])
    size = (int(rec.width * rec.rescale), int(rec.height * rec.rescale))
    img = img.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def encode_gif(frames: np.ndarray, fps: float = 4) -> bytes:
    """An endlessly looping animated GIF of (T, H, W, C) uint8 frames, encoded with Pillow."""
    from PIL import Image

    if frames.shape[3] == 1:
        frames = frames[..., 0]
    images = [Image.fromarray(f) for f in frames]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=1000.0 / fps, loop=0)
    return buf.getvalue()
