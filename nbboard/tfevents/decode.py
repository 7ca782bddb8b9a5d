"""Summary.Value → (plugin kind, tag, record): every kind nbboard writes, plus what torch,
tensorboardX, TF2 `tf.summary` and Lightning write (legacy simple_value/histo/image/audio
fields and tensor values whose plugin comes from the tag's first summary metadata)."""

from __future__ import annotations

import io
import json
import struct
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np

from nbboard import store as st
from nbboard.records import (
    AudioData,
    CustomScalarsLayout,
    FigureData,
    HistogramData,
    ImageData,
    MeshData,
    PRCurveData,
    TensorData,
    TextData,
)
from nbboard.tfevents.messages import (
    DATA_CLASS_SCALAR,
    DT_BFLOAT16,
    DT_HALF,
    DT_STRING,
    NUMPY_DTYPES,
)
from nbboard.tfevents.wire import (
    I32,
    I64,
    LEN,
    VARINT,
    DecodeError,
    iter_fields,
    read_varint,
    signed64,
)

# TensorFlow DataType → numpy dtype (little-endian); 14 = bfloat16 is widened by hand.
_DTYPES = {code: dt.newbyteorder("<") for dt, code in NUMPY_DTYPES.items()}
_MAX_ELEMENTS = 1 << 27  # refuse absurd shapes in damaged files instead of allocating them

HPARAMS_TAGS = ("_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info")
MESH_PARTS = {1: "vertices", 2: "faces", 3: "colors"}


@dataclass
class Metadata:
    """A tag's SummaryMetadata: plugin name, plugin content bytes and data class."""

    plugin: str = ""
    content: bytes = b""
    data_class: int = 0


@dataclass
class Decoded:
    """One decoded item: a series point (kind, tag, value) or, with kind HPARAMS/CUSTOM_SCALARS,
    a run-level piece."""

    kind: str
    tag: str
    value: Any


def fields(buf: bytes) -> list[tuple[int, int, Any]]:
    """All (field, wire type, value) of a message, read at once; LEN values as bytes, fixed64/32
    as their raw bytes (`wire.iter_fields` with raw_fixed)."""
    return list(iter_fields(buf, True))  # raw_fixed; positional is measurably cheaper here


def _f64(wt: int, v: Any) -> float:
    if wt == I64:
        return struct.unpack("<d", v)[0]
    if wt == I32:
        return struct.unpack("<f", v)[0]
    raise DecodeError("expected a fixed-width number")


def _str(v: Any) -> str:
    if not isinstance(v, bytes):
        raise DecodeError("expected a string")
    return v.decode("utf-8", "replace")


def _packed(wt: int, v: Any, fmt: str) -> list[float]:
    """A repeated float/double field, packed (LEN) or one element."""
    dt = np.dtype(fmt)
    if not isinstance(v, bytes):
        raise DecodeError("expected a float field")
    if wt == LEN:
        k = len(v) // dt.itemsize
        return np.frombuffer(v[: k * dt.itemsize], dtype=dt).tolist()
    if len(v) == dt.itemsize:
        return [np.frombuffer(v, dtype=dt)[0].item()]
    raise DecodeError("float field of the wrong width")


def _varints(wt: int, v: Any) -> list[int]:
    if wt == VARINT:
        return [v]
    if wt != LEN:
        raise DecodeError("expected varints")
    out = []
    pos = 0
    while pos < len(v):
        x, pos = read_varint(v, pos)
        out.append(x)
    return out


def parse_metadata(buf: bytes) -> Metadata:
    """SummaryMetadata {plugin_data = 1 {plugin_name = 1, content = 2}, data_class = 4}."""
    md = Metadata()
    for fn, wt, v in fields(buf):
        if fn == 1 and wt == LEN:
            for f2, w2, v2 in fields(v):
                if f2 == 1 and w2 == LEN:
                    md.plugin = _str(v2)
                elif f2 == 2 and w2 == LEN:
                    md.content = bytes(v2)
        elif fn == 4 and wt == VARINT:
            md.data_class = v
    return md


# ---- TensorProto -------------------------------------------------------------------------


def parse_tensor(buf: bytes) -> np.ndarray | list[bytes]:
    """A TensorProto as a numpy array, or a list of bytes for DT_STRING (shape kept in `.shape`
    only for arrays; string tensors come back flat)."""
    dtype = 0
    shape: list[int] = []
    content = None
    vals: list[Any] = []
    strings: list[bytes] = []
    for fn, wt, v in fields(buf):
        if fn == 1 and wt == VARINT:
            dtype = v
        elif fn == 2 and wt == LEN:
            for f2, w2, v2 in fields(v):
                if f2 == 2 and w2 == LEN:
                    size = 0
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == VARINT:
                            size = signed64(v3)
                    shape.append(size)
                elif f2 == 3 and w2 == VARINT and v2:
                    shape = []  # unknown_rank
        elif fn == 4 and wt == LEN:
            content = v
        elif fn == 8 and wt == LEN:
            strings.append(bytes(v))
        elif fn == 5:
            vals.extend(_packed(wt, v, "<f4"))
        elif fn == 6:
            vals.extend(_packed(wt, v, "<f8"))
        elif fn in (7, 10):
            vals.extend(signed64(x) for x in _varints(wt, v))
        elif fn in (11, 13, 16, 17):
            vals.extend(_varints(wt, v))
        elif fn in (9, 12):
            vals.extend(_packed(wt, v, "<f4" if fn == 9 else "<f8"))
    if any(d < 0 for d in shape):
        raise DecodeError(f"negative tensor dimension in {shape}")
    count = int(np.prod(shape, dtype=np.float64)) if shape else 1
    if count > _MAX_ELEMENTS:
        raise DecodeError(f"tensor of shape {shape} is too large")
    if dtype == DT_STRING:
        return strings
    if dtype == DT_BFLOAT16:
        if content is not None:
            raw = np.frombuffer(content[: len(content) // 2 * 2], dtype="<u2")
        else:
            raw = np.asarray(vals, dtype=np.uint32).astype(np.uint16)
        arr = (raw.astype(np.uint32) << 16).view(np.float32)
    elif dtype in _DTYPES:
        dt = np.dtype(_DTYPES[dtype])
        if content is not None:
            arr = np.frombuffer(content[: len(content) // dt.itemsize * dt.itemsize], dtype=dt)
        elif dtype == DT_HALF:
            arr = np.asarray(vals, dtype=np.uint32).astype(np.uint16).view(np.float16)
        elif dt.kind == "c":
            f = np.asarray(vals, dtype=np.float64)
            arr = (f[0::2] + 1j * f[1::2]).astype(dt) if len(f) >= 2 else np.zeros(0, dt)
        else:
            arr = np.asarray(vals).astype(dt) if vals else np.zeros(0, dt)
    else:
        raise DecodeError(f"unsupported tensor dtype {dtype}")
    if len(arr) > count:
        arr = arr[:count]
    elif len(arr) < count:
        if count > (1 << 20):  # a tiny message claiming a huge tensor: damaged
            raise DecodeError(f"tensor of shape {shape} holds only {len(arr)} values")
        if len(arr) == 0:
            arr = np.zeros(count, dtype=arr.dtype)
        else:  # protobuf convention: the last value repeats
            arr = np.concatenate([arr, np.full(count - len(arr), arr[-1], dtype=arr.dtype)])
    return arr.reshape(shape).copy() if shape else arr.reshape(()).copy()


# ---- legacy messages ---------------------------------------------------------------------


def parse_histogram(buf: bytes) -> HistogramData:
    """HistogramProto {min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}."""
    stats = {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0}
    limits: list[float] = []
    counts: list[float] = []
    for fn, wt, v in fields(buf):
        if fn in stats and wt == I64:
            stats[fn] = _f64(wt, v)
        elif fn == 6:
            limits.extend(_packed(wt, v, "<f8"))
        elif fn == 7:
            counts.extend(_packed(wt, v, "<f8"))
    return HistogramData(min=stats[1], max=stats[2], num=stats[3], sum=stats[4],
                         sum_squares=stats[5], bucket_limit=np.asarray(limits, dtype=np.float64),
                         bucket=np.asarray(counts, dtype=np.float64))


def _image_kind(encoded: bytes) -> str:
    return st.VIDEOS if encoded[:4] == b"GIF8" else st.IMAGES


def _image_record(height: int, width: int, channels: int, encoded: bytes) -> ImageData:
    fmt = "gif" if encoded[:4] == b"GIF8" else "png"
    return ImageData(height, width, channels, _encoded=encoded, format=fmt)


def parse_image(buf: bytes) -> ImageData:
    """Summary.Image {height=1, width=2, colorspace=3, encoded_image_string=4}."""
    h = w = c = 0
    enc = b""
    for fn, wt, v in fields(buf):
        if fn == 1 and wt == VARINT:
            h = v
        elif fn == 2 and wt == VARINT:
            w = v
        elif fn == 3 and wt == VARINT:
            c = v
        elif fn == 4 and wt == LEN:
            enc = bytes(v)
    return _image_record(h, w, c, enc)


def parse_audio(buf: bytes) -> AudioData:
    """Summary.Audio {sample_rate=1, num_channels=2, length_frames=3, encoded_audio_string=4}."""
    rate = 0.0
    ch = 1
    frames = 0
    enc = b""
    for fn, wt, v in fields(buf):
        if fn == 1 and wt in (I32, I64):
            rate = _f64(wt, v)
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


# ---- plugin payloads ---------------------------------------------------------------------


def _pb_value(buf: bytes) -> Any:
    """google.protobuf.Value → Python (number, string, bool, list, None)."""
    for fn, wt, v in fields(buf):
        if fn == 2 and wt == I64:
            return _f64(wt, v)
        if fn == 3 and wt == LEN:
            return _str(v)
        if fn == 4 and wt == VARINT:
            return bool(v)
        if fn == 6 and wt == LEN:
            return [_pb_value(x) for f2, w2, x in fields(v) if f2 == 1 and w2 == LEN]
        if fn == 1:
            return None
    return 0.0  # every field at its default: number_value 0


def parse_hparams(content: bytes) -> dict[str, Any]:
    """HParamsPluginData → {"experiment": {...}} / {"session_start": {...}} / {"session_end": {}}."""
    out: dict[str, Any] = {}
    for fn, wt, v in fields(content):
        if wt != LEN:
            continue
        if fn == 2:
            infos: dict[str, Any] = {}
            metrics: list[str] = []
            for f2, w2, v2 in fields(v):
                if f2 == 4 and w2 == LEN:
                    name, domain = "", None
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == LEN:
                            name = _str(v3)
                        elif f3 == 5 and w3 == LEN:
                            domain = [_pb_value(x) for f4, w4, x in fields(v3) if f4 == 1 and w4 == LEN]
                        elif f3 == 6 and w3 == LEN:
                            lo = hi = None
                            for f4, w4, x in fields(v3):
                                if f4 == 1:
                                    lo = _f64(w4, x)
                                elif f4 == 2:
                                    hi = _f64(w4, x)
                            domain = {"min": lo, "max": hi}
                    infos[name] = domain
                elif f2 == 5 and w2 == LEN:
                    group = tag = ""
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == LEN:
                            for f4, w4, x in fields(v3):
                                if f4 == 1 and w4 == LEN:
                                    group = _str(x)
                                elif f4 == 2 and w4 == LEN:
                                    tag = _str(x)
                    metrics.append(f"{group}/{tag}" if group else tag)
            out["experiment"] = {"hparam_infos": infos, "metrics": metrics}
        elif fn == 3:
            hp: dict[str, Any] = {}
            group, start = "", 0.0
            for f2, w2, v2 in fields(v):
                if f2 == 1 and w2 == LEN:
                    k, val = "", None
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == LEN:
                            k = _str(v3)
                        elif f3 == 2 and w3 == LEN:
                            val = _pb_value(v3)
                    hp[k] = 0.0 if val is None else val
                elif f2 == 4 and w2 == LEN:
                    group = _str(v2)
                elif f2 == 5 and w2 == I64:
                    start = _f64(w2, v2)
            out["session_start"] = {"hparams": hp, "group_name": group, "start_time_secs": start}
        elif fn == 4:
            out["session_end"] = {}
    return out


def parse_layout(buf: bytes) -> CustomScalarsLayout:
    """tensorboard.Layout {category=2 {title=1, chart=2 {title=1, multiline=2 {tag=1},
    margin=3 {series=1 {value=1, lower=2, upper=3}}}}} → CustomScalarsLayout."""
    cats = []
    for fn, wt, v in fields(buf):
        if fn != 2 or wt != LEN:
            continue
        title = ""
        charts = []
        for f2, w2, v2 in fields(v):
            if f2 == 1 and w2 == LEN:
                title = _str(v2)
            elif f2 == 2 and w2 == LEN:
                ctitle, kind, tags = "", "Multiline", []
                for f3, w3, v3 in fields(v2):
                    if f3 == 1 and w3 == LEN:
                        ctitle = _str(v3)
                    elif f3 == 2 and w3 == LEN:
                        kind = "Multiline"
                        tags = [_str(x) for f4, w4, x in fields(v3) if f4 == 1 and w4 == LEN]
                    elif f3 == 3 and w3 == LEN:
                        kind = "Margin"
                        tags = []
                        for f4, w4, s in fields(v3):
                            if f4 == 1 and w4 == LEN:
                                tags.extend(_str(x) for f5, w5, x in fields(s) if w5 == LEN)
                charts.append({"title": ctitle, "kind": kind, "tags": tags})
        cats.append({"title": title, "charts": charts})
    return CustomScalarsLayout(cats)


def parse_mesh_content(content: bytes) -> tuple[str, int, str]:
    """MeshPluginData → (name, content_type, json_config)."""
    name, ct, cfg = "", 0, ""
    for fn, wt, v in fields(content):
        if fn == 2 and wt == LEN:
            name = _str(v)
        elif fn == 3 and wt == VARINT:
            ct = v
        elif fn == 5 and wt == LEN:
            cfg = _str(v)
    return name, ct, cfg


def _text(strings: list[bytes]) -> str:
    texts = [s.decode("utf-8", "replace") for s in strings]
    if len(texts) == 1:
        return texts[0]
    return "\n\n".join(texts)


def _first_float(x: Any) -> float:
    arr = np.asarray(x)
    if arr.size == 0 or arr.dtype.kind not in "biufc":
        raise DecodeError("scalar tensor without a number")
    return float(arr.reshape(-1)[0].real)


def _tf2_histogram(arr: np.ndarray) -> HistogramData:
    """TF2's (k, 3) [left, right, count] tensor → HistogramData (bucket i covers (left, right])."""
    a = np.asarray(arr, dtype=np.float64).reshape(-1, 3) if arr.size else np.zeros((0, 3))
    left, right, count = a[:, 0], a[:, 1], a[:, 2]
    num = float(count.sum())
    centers = (left + right) / 2
    return HistogramData(
        min=float(left[0]) if len(a) else 0.0, max=float(right[-1]) if len(a) else 0.0,
        num=num, sum=float((centers * count).sum()), sum_squares=float((centers**2 * count).sum()),
        bucket_limit=right.copy(), bucket=count.copy())


# ---- the dispatcher ------------------------------------------------------------------------


def decode_value(raw: bytes, metadata: dict[str, Metadata]) -> list[Decoded]:
    """Decode one Summary.Value. `metadata` maps tag → the first metadata seen for it in the run
    (TF2 writes metadata only with a tag's first value); it is updated here."""
    tag = ""
    node = ""
    md_raw = None
    simple = None
    image = histo = audio = tensor = None
    for fn, wt, v in fields(raw):
        if fn == 1 and wt == LEN:
            tag = _str(v)
        elif fn == 2 and wt == I32:
            simple = struct.unpack("<f", v)[0]
        elif fn == 9 and wt == LEN:
            md_raw = v
        elif fn == 8 and wt == LEN:
            tensor = v
        elif fn == 4 and wt == LEN:
            image = v
        elif fn == 5 and wt == LEN:
            histo = v
        elif fn == 6 and wt == LEN:
            audio = v
        elif fn == 7 and wt == LEN:
            node = _str(v)
    tag = tag or node
    md = metadata.get(tag)
    if md_raw is not None and md is None:
        md = metadata[tag] = parse_metadata(md_raw)
    if md is None:
        md = Metadata()
    if simple is not None:
        return [Decoded(st.SCALARS, tag, float(simple))]
    if image is not None:
        rec = parse_image(image)
        return [Decoded(_image_kind(rec._encoded or b""), tag, rec)]
    if histo is not None:
        return [Decoded(st.HISTOGRAMS, tag, parse_histogram(histo))]
    if audio is not None:
        return [Decoded(st.AUDIO, tag, parse_audio(audio))]
    plugin = md.plugin
    if plugin == st.HPARAMS:
        return [Decoded(st.HPARAMS, tag, parse_hparams(md.content))]
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if plugin == st.SCALARS or (not plugin and md.data_class == DATA_CLASS_SCALAR):
        return [Decoded(st.SCALARS, tag, _first_float(t))]
    if plugin == st.IMAGES:
        if isinstance(t, list):  # TF2: [width, height, image, image, ...]
            try:
                w, h = int(t[0]), int(t[1])
            except (IndexError, ValueError):
                w = h = 0
            return [Decoded(_image_kind(e), tag, _image_record(h, w, 0, e)) for e in t[2:]]
        return []
    if plugin == st.HISTOGRAMS:
        if isinstance(t, list):
            raise DecodeError("histogram tensor of strings")
        return [Decoded(st.HISTOGRAMS, tag, _tf2_histogram(t))]
    if plugin == st.AUDIO:
        if not isinstance(t, list):
            raise DecodeError("audio tensor of numbers")
        # TF2: shape (k, 2) of [encoded, label], flattened; older: (k,)
        clips = t[0::2] if len(t) % 2 == 0 and len(t) >= 2 else t
        return [Decoded(st.AUDIO, tag, _wav_audio(e)) for e in clips]
    if plugin == st.TEXT:
        if not isinstance(t, list):
            t = [str(x).encode() for x in np.asarray(t).reshape(-1)]
        if tag.endswith("/text_summary"):  # torch's suffix; the Store keys text by the user's tag
            tag = tag[: -len("/text_summary")]
        return [Decoded(st.TEXT, tag, TextData(_text(t)))]
    if plugin == st.PR_CURVES:
        if isinstance(t, list) or t.ndim != 2 or t.shape[0] != 6:
            raise DecodeError("pr_curves tensor is not (6, num_thresholds)")
        return [Decoded(st.PR_CURVES, tag, PRCurveData(np.asarray(t, dtype=np.float64)))]
    if plugin == st.MESH:
        name, ct, cfg = parse_mesh_content(md.content)
        part = MESH_PARTS.get(ct)
        if part is None or isinstance(t, list):
            return []
        arr = np.asarray(t)
        if part == "vertices":
            arr = arr.astype(np.float32)
        elif part == "faces":
            arr = arr.astype(np.int32)
        else:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        try:
            config = json.loads(cfg) if cfg and cfg != "{}" else None
        except ValueError:
            config = None
        rec = MeshData(vertices=None, config=config)
        setattr(rec, part, arr)
        return [Decoded(st.MESH, name or tag.rsplit("_", 1)[0], rec)]
    if plugin == st.CUSTOM_SCALARS:
        if not isinstance(t, list) or not t:
            return []
        return [Decoded(st.CUSTOM_SCALARS, tag, parse_layout(t[0]))]
    if plugin == st.FIGURES:
        if not isinstance(t, list) or not t:
            return []
        return [Decoded(st.FIGURES, tag, FigureData(t[0].decode("utf-8", "replace")))]
    if isinstance(t, list):
        return [Decoded(st.TEXT, tag, TextData(_text(t)))] if not plugin else []
    return [Decoded(st.TENSORS, tag, TensorData(t))]
