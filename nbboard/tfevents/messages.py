"""Encoders for the TensorFlow/TensorBoard protobuf messages nbboard writes (field numbers from
tensorflow/core/framework/summary.proto, event.proto, tensor.proto)."""

from __future__ import annotations

import struct

import numpy as np

from nbboard.tfevents.wire import (
    field_bytes,
    field_double,
    field_float,
    field_string,
    field_varint,
    packed_doubles,
    varint,
)

# tensorflow DataType enum values
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING = 1, 2, 3, 4, 5, 6, 7
DT_INT64, DT_BOOL, DT_BFLOAT16, DT_UINT16, DT_HALF, DT_UINT32, DT_UINT64 = 9, 10, 14, 17, 19, 22, 23
DT_COMPLEX64, DT_COMPLEX128 = 8, 18

NUMPY_DTYPES = {
    np.dtype(np.float32): DT_FLOAT,
    np.dtype(np.float64): DT_DOUBLE,
    np.dtype(np.int32): DT_INT32,
    np.dtype(np.uint8): DT_UINT8,
    np.dtype(np.int16): DT_INT16,
    np.dtype(np.int8): DT_INT8,
    np.dtype(np.int64): DT_INT64,
    np.dtype(np.bool_): DT_BOOL,
    np.dtype(np.uint16): DT_UINT16,
    np.dtype(np.float16): DT_HALF,
    np.dtype(np.uint32): DT_UINT32,
    np.dtype(np.uint64): DT_UINT64,
    np.dtype(np.complex64): DT_COMPLEX64,
    np.dtype(np.complex128): DT_COMPLEX128,
}

# SummaryMetadata.DataClass
DATA_CLASS_UNKNOWN, DATA_CLASS_SCALAR, DATA_CLASS_TENSOR, DATA_CLASS_BLOB_SEQUENCE = 0, 1, 2, 3

# SessionLog.SessionStatus
SESSION_START = 1

_pack_d = struct.Struct("<d").pack


def tensor_shape(shape: tuple[int, ...]) -> bytes:
    """TensorShapeProto: repeated Dim dim = 2 { int64 size = 1 }."""
    return b"".join(field_bytes(2, field_varint(1, d) if d else b"") for d in shape)


def tensor_proto(array: np.ndarray | None = None, *, strings: list[bytes] | None = None,
                 shape: tuple[int, ...] | None = None) -> bytes:
    """TensorProto for a numeric array (tensor_content, little-endian) or a string tensor."""
    if strings is not None:
        shp = shape if shape is not None else (len(strings),)
        return (
            field_varint(1, DT_STRING)
            + field_bytes(2, tensor_shape(shp))
            + b"".join(field_bytes(8, s) for s in strings)
        )
    assert array is not None
    arr = np.asarray(array)
    dt = NUMPY_DTYPES.get(arr.dtype)
    if dt is None:
        raise TypeError(f"no TensorProto dtype for numpy dtype {arr.dtype}")
    content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return field_varint(1, dt) + field_bytes(2, tensor_shape(arr.shape)) + field_bytes(4, content)


def plugin_metadata(plugin_name: str, content: bytes = b"", data_class: int = 0,
                    display_name: str = "", description: str = "") -> bytes:
    """SummaryMetadata { PluginData plugin_data = 1 {plugin_name=1, content=2}; display_name=2;
    summary_description=3; data_class=4 }."""
    pd = field_string(1, plugin_name) + (field_bytes(2, content) if content else b"")
    out = field_bytes(1, pd)
    if display_name:
        out += field_string(2, display_name)
    if description:
        out += field_string(3, description)
    if data_class:
        out += field_varint(4, data_class)
    return out


def summary_value(tag: str, *, metadata: bytes | None = None, simple_value: float | None = None,
                  image: bytes | None = None, histo: bytes | None = None,
                  audio: bytes | None = None, tensor: bytes | None = None) -> bytes:
    """Summary.Value {tag=1, simple_value=2, image=4, histo=5, audio=6, tensor=8, metadata=9}."""
    out = field_string(1, tag)
    if simple_value is not None:
        out += field_float(2, simple_value)
    if image is not None:
        out += field_bytes(4, image)
    if histo is not None:
        out += field_bytes(5, histo)
    if audio is not None:
        out += field_bytes(6, audio)
    if tensor is not None:
        out += field_bytes(8, tensor)
    if metadata is not None:
        out += field_bytes(9, metadata)
    return out


def summary(*values: bytes) -> bytes:
    """Summary { repeated Value value = 1 }."""
    return b"".join(field_bytes(1, v) for v in values)


def image_message(height: int, width: int, colorspace: int, encoded: bytes) -> bytes:
    """Summary.Image {height=1, width=2, colorspace=3, encoded_image_string=4}."""
    return (field_varint(1, height) + field_varint(2, width) + field_varint(3, colorspace)
            + field_bytes(4, encoded))


def audio_message(sample_rate: float, num_channels: int, length_frames: int, encoded: bytes,
                  content_type: str = "audio/wav") -> bytes:
    """Summary.Audio {sample_rate=1 float, num_channels=2, length_frames=3, encoded=4, content_type=5}."""
    return (field_float(1, sample_rate) + field_varint(2, num_channels)
            + field_varint(3, length_frames) + field_bytes(4, encoded)
            + field_string(5, content_type))


def histogram_message(mn: float, mx: float, num: float, sm: float, sum_squares: float,
                      bucket_limit: np.ndarray, bucket: np.ndarray) -> bytes:
    """HistogramProto {min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}."""
    return (field_double(1, mn) + field_double(2, mx) + field_double(3, num)
            + field_double(4, sm) + field_double(5, sum_squares)
            + packed_doubles(6, bucket_limit) + packed_doubles(7, bucket))


def event(wall_time: float, step: int, *, summary_bytes: bytes | None = None,
          file_version: str | None = None, graph_def: bytes | None = None,
          session_log: bytes | None = None) -> bytes:
    """Event {wall_time=1 double, step=2 int64, file_version=3, graph_def=4, summary=5,
    session_log=7}."""
    out = b"\x09" + _pack_d(wall_time)
    if step:
        out += b"\x10" + varint(step)
    if file_version is not None:
        out += field_string(3, file_version)
    if graph_def is not None:
        out += field_bytes(4, graph_def)
    if summary_bytes is not None:
        out += field_bytes(5, summary_bytes)
    if session_log is not None:
        out += field_bytes(7, session_log)
    return out


def session_log_start() -> bytes:
    """SessionLog {status = START}."""
    return field_varint(1, SESSION_START)
