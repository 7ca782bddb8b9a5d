"""The record the Store holds for each mesh point: `MeshData`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(eq=False)
class MeshData:
    """A mesh or point cloud at one step: vertices with optional faces and colors (the file's
    `<tag>_VERTEX`, `<tag>_FACE`, `<tag>_COLOR` tensors merged under `<tag>`)."""

    vertices: np.ndarray | None  # (B, N, 3) float32
    faces: np.ndarray | None = None  # (B, F, 3) int32
    colors: np.ndarray | None = None  # (B, N, 3) uint8
    config: dict[str, Any] | None = None
