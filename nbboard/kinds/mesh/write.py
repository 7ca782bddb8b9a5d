"""Meshes and point clouds: vertices/colors/faces → MeshData, and the mesh plugin encoder (one
Summary with `<tag>_VERTEX`, `<tag>_FACE`, `<tag>_COLOR` float tensors, as torch writes them)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from nbboard.convert import InputError, describe, to_numpy
from nbboard.kinds.mesh.record import MeshData
from nbboard.tfevents.messages import plugin_metadata, summary, summary_value, tensor_proto
from nbboard.tfevents.wire import field_bytes, field_string, field_varint, varint

PLUGIN_NAME = "mesh"
VERTEX, FACE, COLOR = 1, 2, 3  # MeshPluginData.ContentType
CONTENT_NAMES = {VERTEX: "VERTEX", FACE: "FACE", COLOR: "COLOR"}


def _array(x: Any, method: str, arg: str, what: str) -> np.ndarray:
    """A real numeric (B, N, 3) view of the input (make_mesh's astype makes the record's copy);
    an (N, 3) array gets a batch axis of 1."""
    arr = to_numpy(x, method, arg, copy=False)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{method}: {arg} must be real numeric values (bool, int or float); got {describe(x)}")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise InputError(f"{method}: {arg} has shape {tuple(arr.shape)}; expected (B, {what}, 3)")
    return arr


def make_mesh(vertices: Any, colors: Any = None, faces: Any = None, config_dict: dict | None = None,
              method: str = "add_mesh") -> MeshData:
    """Validate shapes (colors like vertices; faces index existing vertices) and keep copies.

    Float colors all within [0, 1] are scaled to 0–255 (torch's documented float range; TensorBoard
    reads colors as uint8, so torch's unscaled floats would show black)."""
    v = _array(vertices, method, "vertices", "N")
    if not np.isfinite(v).all():
        raise InputError(f"{method}: vertices must be finite; got NaN or ±inf in {describe(vertices)}")
    v = v.astype(np.float32)
    b, n = v.shape[0], v.shape[1]
    if b == 0 or n == 0:
        raise InputError(f"{method}: vertices must hold at least one vertex in at least one sample; "
                         f"got shape {tuple(v.shape)} (TensorBoard cannot show an empty mesh)")
    c = None
    if colors is not None:
        c = _array(colors, method, "colors", "N")
        if c.shape != v.shape:
            raise InputError(f"{method}: colors has shape {tuple(c.shape)} but vertices has "
                             f"{tuple(v.shape)}; colors needs one RGB triple per vertex, shape (B, N, 3)")
        if c.dtype.kind == "f":
            if not np.isfinite(c).all():
                raise InputError(f"{method}: colors must be finite; got NaN or ±inf")
            if c.size and c.min() >= 0 and c.max() <= 1:
                c = np.rint(c * 255.0)
        if c.size and (c.min() < 0 or c.max() > 255):
            raise InputError(f"{method}: colors must lie in [0, 255] (uint8) or [0, 1] (float); "
                             f"got values in [{c.min()}, {c.max()}]")
        c = c.astype(np.uint8)
    f = None
    if faces is not None:
        f = _array(faces, method, "faces", "F")
        if f.shape[0] != b:
            raise InputError(f"{method}: faces has batch size {f.shape[0]} but vertices has {b}; "
                             "expected faces of shape (B, F, 3)")
        if f.dtype.kind == "f" and (not np.isfinite(f).all() or np.any(f != np.floor(f))):
            raise InputError(f"{method}: faces must hold integer vertex indices; got non-integer values")
        if f.size and (f.min() < 0 or f.max() >= n):
            raise InputError(f"{method}: faces must index vertices in [0, {n - 1}]; got values in "
                             f"[{f.min()}, {f.max()}]")
        f = f.astype(np.int32)
    config = None
    if config_dict is not None:
        if not isinstance(config_dict, dict):
            raise InputError(f"{method}: config_dict must be a dict (three.js settings) or None; "
                             f"got {describe(config_dict)}")
        try:
            config = json.loads(json.dumps(config_dict, sort_keys=True))
        except (TypeError, ValueError) as e:
            raise InputError(f"{method}: config_dict must be JSON-serializable; {e}") from None
    return MeshData(vertices=v, faces=f, colors=c, config=config)


def json_config(config: dict | None) -> str:
    """torch's _get_json_config: sorted-key JSON, or '{}' when no config was given."""
    return "{}" if config is None else json.dumps(config, sort_keys=True)


def plugin_content(name: str, content_type: int, components: int, shape: tuple[int, ...],
                   config_json: str) -> bytes:
    """MeshPluginData {version=1 (0, omitted), name=2, content_type=3, json_config=5,
    shape=6 (packed int32), components=7}."""
    return (field_string(2, name) + field_varint(3, content_type) + field_string(5, config_json)
            + field_bytes(6, b"".join(varint(int(d)) for d in shape))
            + field_varint(7, components))


def encode(tag: str, rec: MeshData) -> bytes:
    """One Summary with a DT_FLOAT tensor per present part: vertices, faces, colors (torch's order)."""
    parts = [(rec.vertices, VERTEX), (rec.faces, FACE), (rec.colors, COLOR)]
    parts = [(a, ct) for a, ct in parts if a is not None]
    components = 0
    for _, ct in parts:
        components |= 1 << ct
    cfg = json_config(rec.config)
    values = []
    for arr, ct in parts:
        meta = plugin_metadata(PLUGIN_NAME, plugin_content(tag, ct, components, arr.shape, cfg))
        values.append(summary_value(f"{tag}_{CONTENT_NAMES[ct]}",
                                    tensor=tensor_proto(np.asarray(arr, dtype=np.float32)), metadata=meta))
    return summary(*values)
