"""A profile as the page gets it: its analysis as JSON (steps and their breakdown, operators,
kernels, memory curves, modules, recommendations) and what was recorded. The page puts every
logged name into the page as text only."""

from __future__ import annotations

from typing import Any

from nbboard.kinds.contract import Encoded
from nbboard.kinds.profiler.analysis import of
from nbboard.kinds.profiler.record import Profile


def encode(rec: Profile) -> Encoded:
    a = of(rec).to_json()
    meta: dict[str, Any] = {"worker": rec.worker, "file": rec.file, **a}
    for k in ("schemaVersion", "displayTimeUnit", "trace_id"):
        if k in rec.meta:
            meta[k] = rec.meta[k]
    return meta, []
