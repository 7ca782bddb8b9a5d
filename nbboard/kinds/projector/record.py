"""EmbeddingData: one add_embedding call as the Store keeps it (float32 matrix, metadata columns,
sprite images, projections)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(eq=False)
class EmbeddingData:
    """One logged embedding: the matrix, metadata columns, label images and cached projections.

    `projections` maps a method ("pca", "tsne", "umap") to float32 (N, 3) coordinates, filled
    lazily by nbboard.kinds.projector.projection; `status` says what is queued, running, done or failed.
    """

    tag: str
    step: int
    mat: np.ndarray  # (N, D) float32
    columns: list[list[str]] | None = None  # metadata, one list of N strings per column
    header: list[str] | None = None  # column names ("label" for single-column metadata)
    images: np.ndarray | None = field(default=None, repr=False)  # (N, H, W, C) uint8 label images, C 1 or 3
    subdir: str = ""  # "<step:05>/<encoded tag>", relative to the run directory
    projections: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    info: dict[str, Any] = field(default_factory=dict)  # per method: explained variance, seconds, ...
    status: dict[str, str] = field(default_factory=dict)  # per method: queued/running/done/error text
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    uid: int = field(default_factory=lambda: next(_uids), repr=False)  # keys background jobs (ids get reused)

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.mat.shape[0]), int(self.mat.shape[1])


_uids = itertools.count()
