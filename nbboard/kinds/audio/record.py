"""The record the Store holds for each audio point: `AudioData`."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field

import numpy as np


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
            self._encoded = encode_wav(self.samples, self.sample_rate)
        return self._encoded


def encode_wav(samples: np.ndarray, sample_rate: float) -> bytes:
    """16-bit PCM WAV of (frames, channels) (or 1-D) samples in [-1, 1], scaled ×32767 and
    truncated like torch, written with Python's `wave` module."""
    s = np.asarray(samples)
    channels = 1 if s.ndim == 1 else s.shape[1]
    with np.errstate(invalid="ignore"):
        pcm = np.nan_to_num(s * np.iinfo(np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
