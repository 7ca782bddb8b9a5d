"""A mesh record as the page gets it: vertices float32, faces int32, colours uint8, with shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.contract import Encoded
from nbboard.kinds.mesh.record import MeshData


def encode(rec: MeshData) -> Encoded:
    meta: dict[str, Any] = {"config": rec.config}
    parts: list[bytes] = []
    for name, arr, dtype in (("vertices", rec.vertices, np.float32), ("faces", rec.faces, np.int32),
                             ("colors", rec.colors, np.uint8)):
        if arr is None:
            meta[name] = None
            continue
        a = np.ascontiguousarray(arr, dtype=dtype)
        meta[name] = list(a.shape)
        meta.setdefault("parts", []).append(name)
        parts.append(a.tobytes())
    return meta, parts
