"""Per GPU figures of a CUDA profile, as torch-tb-profiler's overview defines them (its "GPU
Summary"), over the profiled steps' span [start, end):

* utilisation: the share of the span some kernel runs on the GPU;
* estimated SM efficiency: at each moment the running kernels' `blocks per SM` summed and capped
  at 1 (a kernel of fewer blocks than SMs leaves SMs idle), averaged over the span;
* estimated achieved occupancy: the kernels' `est. achieved occupancy %`, weighted by the part of
  each kernel inside the span.

A kernel's GPU is its process id in the trace (kineto numbers GPU processes by device).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.profiler.record import KERNEL_FIELDS, Profile
from nbboard.kinds.profiler.spans import merge

__all__ = ["gpu_summary"]


def _device_of(prof: Profile) -> np.ndarray:
    """Each kernel's GPU (-1: its process id is not a number)."""
    pid = np.array([int(p) if p.isdigit() else -1 for p, _ in prof.lanes] or [-1], np.int64)
    return pid[prof.lane[prof.kernel_row]] if len(prof.kernel_row) else np.zeros(0, np.int64)


def _clipped(s: np.ndarray, e: np.ndarray, start: float, end: float) -> np.ndarray:
    return np.maximum(np.minimum(e, end) - np.maximum(s, start), 0.0)


def _sm_efficiency(s: np.ndarray, e: np.ndarray, blocks: np.ndarray, start: float, end: float) -> float | None:
    """The mean over [start, end) of min(1, blocks per SM of the kernels running), None when no
    kernel with a positive figure runs in the span."""
    ok = blocks > 0  # (NaN: not recorded)
    if not ok.any():
        return None
    t = np.r_[s[ok], e[ok]]
    kind = np.r_[np.zeros(ok.sum()), np.ones(ok.sum())]  # at equal times a start comes first
    o = np.lexsort((kind, t))
    t, level = t[o], np.cumsum(np.r_[blocks[ok], -blocks[ok]][o])
    a, b, v = t[:-1], t[1:], level[:-1]
    inside = _clipped(a, b, start, end)
    use = (b > a) & (v > 0) & (inside > 0)
    if not use.any():
        return None
    return float(np.sum(np.minimum(v[use], 1.0) * inside[use]) / (end - start))


def gpu_summary(prof: Profile, start: float, end: float) -> list[dict[str, Any]]:
    """Per GPU with kernels: {device, name, memory (bytes), compute (capability), utilisation,
    sm_efficiency, occupancy} (None where the trace lacks the figure)."""
    rows = prof.kernel_row.astype(np.int64)
    if not len(rows) or end <= start:
        return []
    dev = _device_of(prof)
    props = {p.get("id"): p for p in prof.meta.get("deviceProperties") or [] if isinstance(p, dict)}
    s_all, e_all = prof.ts[rows], prof.ts[rows] + prof.dur[rows]
    info = prof.kernel_info.astype(np.float64)
    out = []
    for d in np.unique(dev[dev >= 0]).tolist():
        sel = dev == d
        s, e = s_all[sel], e_all[sel]
        ms, me = merge(s, e)
        occ = info[sel, KERNEL_FIELDS.index("occupancy")]
        w = _clipped(s, e, start, end)
        has = (occ >= 0) & (w > 0)
        p = props.get(d, {})
        major, minor = p.get("computeMajor"), p.get("computeMinor")
        out.append({
            "device": d, "name": str(p.get("name", "")),
            "memory": p.get("totalGlobalMem") if isinstance(p.get("totalGlobalMem"), (int, float)) else None,
            "compute": f"{major}.{minor}" if major is not None and minor is not None else "",
            "utilisation": float(_clipped(ms, me, start, end).sum() / (end - start)),
            "sm_efficiency": _sm_efficiency(s, e, info[sel, KERNEL_FIELDS.index("blocks_per_sm")], start, end),
            "occupancy": float(np.sum(occ[has] * w[has]) / np.sum(w[has])) if has.any() else None,
        })
    return out
