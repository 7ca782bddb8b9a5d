"""Reading meshes: the mesh plugin's vertex, face and colour tensors (one tag each, named by the
plugin content), joined per event into one MeshData under the mesh's name."""

from __future__ import annotations

import json

import numpy as np

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.mesh.record import MeshData
from nbboard.tfevents.protos import fields, parse_tensor, string
from nbboard.tfevents.wire import LEN, VARINT

MESH = "mesh"


MESH_PARTS = {1: "vertices", 2: "faces", 3: "colors"}


def parse_mesh_content(content: bytes) -> tuple[str, int, str]:
    """MeshPluginData → (name, content_type, json_config)."""
    name, ct, cfg = "", 0, ""
    for fn, wt, v in fields(content):
        if fn == 2 and wt == LEN:
            name = string(v)
        elif fn == 3 and wt == VARINT:
            ct = v
        elif fn == 5 and wt == LEN:
            cfg = string(v)
    return name, ct, cfg


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """One part of a mesh: a MeshData with just that part set."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
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
    return [Decoded(MESH, name or tag.rsplit("_", 1)[0], rec)]


def merge_event(items: list[Decoded]) -> list[Decoded]:
    """The parts one event holds, joined per mesh name (in the order the names first appear)."""
    meshes: dict[str, MeshData] = {}
    for d in items:
        m = meshes.get(d.tag)
        if m is None:
            meshes[d.tag] = d.value
            continue
        for part in MESH_PARTS.values():
            if getattr(d.value, part) is not None:
                setattr(m, part, getattr(d.value, part))
        m.config = m.config or d.value.config
    return [Decoded(MESH, tag, m) for tag, m in meshes.items()]
