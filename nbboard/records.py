"""The typed values the Store holds for each kind of summary (one dataclass per kind)."""

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
                    from nbboard.summary.video import encode_gif

                    enc = encode_gif(self._array, self.fps)
                else:
                    from nbboard.summary.image import render_png

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


@dataclass(eq=False)
class HistogramData:
    """A histogram as TensorBoard's HistogramProto: bucket i counts values in (limit[i-1], limit[i]]."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: np.ndarray
    bucket: np.ndarray


@dataclass(eq=False)
class AudioData:
    """Audio samples in [-1, 1], shape (frames, channels); WAV encoded lazily."""

    sample_rate: float
    samples: np.ndarray | None = field(default=None, repr=False)
    _encoded: bytes | None = field(default=None, repr=False)
    num_channels: int = 1
    length_frames: int = 0

    @property
    def encoded(self) -> bytes:
        """16-bit PCM WAV bytes, encoded on first use and then cached."""
        if self._encoded is None:
            from nbboard.summary.audio import encode_wav

            self._encoded = encode_wav(self.samples, self.sample_rate)
        return self._encoded


@dataclass(eq=False)
class PRCurveData:
    """PR-curve data as TensorBoard's pr_curves plugin stores it: rows TP, FP, TN, FN, precision, recall."""

    data: np.ndarray  # shape (6, num_thresholds), float64

    @property
    def thresholds(self) -> np.ndarray:
        n = self.data.shape[1]
        return np.arange(n, dtype=np.float64) / max(n - 1, 1)


@dataclass(eq=False)
class MeshData:
    """A mesh or point cloud at one step: vertices with optional faces and colors (the file's
    `<tag>_VERTEX`, `<tag>_FACE`, `<tag>_COLOR` tensors merged under `<tag>`)."""

    vertices: np.ndarray | None  # (B, N, 3) float32
    faces: np.ndarray | None = None  # (B, F, 3) int32
    colors: np.ndarray | None = None  # (B, N, 3) uint8
    config: dict[str, Any] | None = None


@dataclass(eq=False)
class HParamsData:
    """One hparams session: its hyperparameters, metric values and the experiment's domains."""

    hparams: dict[str, float | str | bool]
    metrics: dict[str, float]
    hparam_domains: dict[str, Any] | None = None
    group_name: str = ""
    start_time_secs: float = 0.0


@dataclass(eq=False)
class TextData:
    """Logged text (markdown, as TensorBoard's text plugin renders it)."""

    text: str


@dataclass(eq=False)
class FigureData:
    """A plotly figure kept as its JSON, shown interactively by the views."""

    json: str


@dataclass(eq=False)
class TensorData:
    """A raw tensor from add_tensor."""

    array: np.ndarray


@dataclass(eq=False)
class CustomScalarsLayout:
    """The layout from add_custom_scalars: category title → chart title → (kind, series tags)."""

    categories: list[dict[str, Any]]  # [{"title": str, "charts": [{"title", "kind", "tags"}]}]
