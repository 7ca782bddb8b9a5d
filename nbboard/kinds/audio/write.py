"""Audio: samples in [-1, 1] → AudioData (clipped, (frames, channels)); 16-bit PCM WAV and the
Summary.Audio message as torch's add_audio writes them (WAV encoding runs off the caller)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from nbboard.convert import InputError, as_array, describe
from nbboard.kinds.audio.record import AudioData
from nbboard.tfevents.messages import audio_message, summary, summary_value

MAX_CHANNELS = 8


def make_audio(snd_tensor: Any, sample_rate: int = 44100, *, method: str = "add_audio") -> AudioData:
    """Audio from a 1-D (L,) or (1, L) tensor like torch (values outside [-1, 1] are clipped);
    (L, C) with C ≤ 8 channels is also accepted."""
    raw = as_array(snd_tensor, method, "snd_tensor")
    arr = raw.squeeze()
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2 or arr.shape[1] > MAX_CHANNELS:
        raise InputError(f"{method}: snd_tensor has shape {tuple(raw.shape)}; expected "
                         f"(L,) or (1, L) samples (or (L, C) with C ≤ {MAX_CHANNELS} channels)")
    if arr.shape[0] == 0:
        raise InputError(f"{method}: snd_tensor is empty; it needs at least one sample")
    if (not isinstance(sample_rate, numbers.Real) or isinstance(sample_rate, bool)
            or not math.isfinite(sample_rate) or not 1 <= sample_rate < 2**31):
        raise InputError(f"{method}: sample_rate must be a positive number of samples per second; "
                         f"got {describe(sample_rate)}")
    dtype = np.float64 if arr.dtype == np.float64 else np.float32
    samples = np.clip(arr, -1, 1, dtype=dtype, casting="unsafe")  # the caller's private copy
    frames, channels = samples.shape
    return AudioData(sample_rate=float(sample_rate), samples=samples, num_channels=channels,
                     length_frames=frames)


def encode(tag: str, rec: AudioData) -> bytes:
    """A Summary with one Value{tag, audio} (content_type audio/wav), as torch writes it."""
    aud = audio_message(rec.sample_rate, rec.num_channels, rec.length_frames, rec.encoded)
    return summary(summary_value(tag, audio=aud))
