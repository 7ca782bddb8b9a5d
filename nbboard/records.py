"""The typed values the Store holds for each kind of summary (one dataclass per kind)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(eq=False)
class ImageData:
    """An image (HWC uint8, C in 1/3/4) or a GIF video; encoded lazily, off the training thread."""

    height: int
    width: int
    channels: int
    _array: np.ndarray | None = field(default=None, repr=False)
    _encoded: bytes | None = field(default=None, repr=False)
    format: str = "png"  # "png" or "gif" (video)
    boxes: np.ndarray | None = None  # (N, 4) xyxy pixel boxes from add_image_with_boxes
    labels: list[str] | None = None

    @property
    def encoded(self) -> bytes:
        """The PNG (or GIF) bytes, encoded on first use and then cached."""
        if self._encoded is None:
            from nbboard.summary.image import encode_png

            self._encoded = encode_png(self._array)
        return self._encoded

    @property
    def array(self) -> np.ndarray:
        """The pixels as an HWC uint8 array (decoded from the encoded bytes when needed)."""
        if self._array is not None:
            return self._array
        from PIL import Image

        img = Image.open(io.BytesIO(self.encoded))
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
    """One of a mesh's three parts (vertices, faces or colors) as TensorBoard's mesh plugin stores it."""

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
