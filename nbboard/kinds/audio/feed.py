"""An audio record as the page gets it: the WAV bytes and their parameters."""

from __future__ import annotations

from nbboard.kinds.audio.record import AudioData
from nbboard.kinds.contract import Encoded


def encode(rec: AudioData) -> Encoded:
    return {"sample_rate": rec.sample_rate, "channels": rec.num_channels, "frames": rec.length_frames}, [rec.encoded]
