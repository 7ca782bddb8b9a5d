"""Reading audio: TF1's Summary.Audio field and TF2's audio plugin tensor of encoded clips."""

from __future__ import annotations

import io
import wave

from nbboard.kinds.audio.record import AudioData
from nbboard.kinds.contract import Decoded, Metadata
from nbboard.tfevents.protos import f64, fields, parse_tensor
from nbboard.tfevents.wire import I32, I64, LEN, VARINT, DecodeError

AUDIO = "audio"


def parse_audio(buf: bytes) -> AudioData:
    """Summary.Audio {sample_rate=1, num_channels=2, length_frames=3, encoded_audio_string=4}."""
    rate = 0.0
    ch = 1
    frames = 0
    enc = b""
    for fn, wt, v in fields(buf):
        if fn == 1 and wt in (I32, I64):
            rate = f64(wt, v)
        elif fn == 2 and wt == VARINT:
            ch = v
        elif fn == 3 and wt == VARINT:
            frames = v
        elif fn == 4 and wt == LEN:
            enc = bytes(v)
    return AudioData(sample_rate=rate, _encoded=enc, num_channels=ch, length_frames=frames)


def _wav_audio(enc: bytes) -> AudioData:
    """AudioData from encoded audio (WAV headers give rate/channels/frames; others stay 0)."""
    rate, ch, frames = 0.0, 1, 0
    try:
        with wave.open(io.BytesIO(enc)) as w:
            rate, ch, frames = float(w.getframerate()), w.getnchannels(), w.getnframes()
    except Exception:  # not WAV (or damaged): keep the bytes, unknown parameters
        pass
    return AudioData(sample_rate=rate, _encoded=enc, num_channels=ch, length_frames=frames)


def read_legacy(tag: str, wt: int, v: object) -> list[Decoded] | None:
    """Summary.Value.audio (field 6)."""
    if wt != LEN or not isinstance(v, bytes):
        return None
    return [Decoded(AUDIO, tag, parse_audio(v))]


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """TF2: a string tensor of shape (k, 2) of [encoded, label], flattened; older: (k,)."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if not isinstance(t, list):
        raise DecodeError("audio tensor of numbers")
    clips = t[0::2] if len(t) % 2 == 0 and len(t) >= 2 else t
    return [Decoded(AUDIO, tag, _wav_audio(e)) for e in clips]
