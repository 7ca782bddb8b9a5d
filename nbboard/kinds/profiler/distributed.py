"""One rank's share of a distributed profile: per profiled step, time computing, communicating,
both at once (overlap) and neither (other), and its collective ops — what the page lays side by side
for the ranks of a job (its Distributed tab), with each rank's waiting estimated there as its
communication time beyond the fastest rank's for the same step (torch-tb-profiler's rule).

Computation is device kernels when the trace has device events, else host ops; communication is
the collectives (`nccl:*`, `gloo:*`, `c10d::*`, `record_param_comms` and the kernels they launch).
Host computation on a thread stops while that thread is inside a collective (a blocking
all-reduce is waiting, not computing); overlap is computation on one thread while another (gloo's
work threads, NCCL's stream) communicates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.profiler.record import CAT, Profile

COMM_PREFIXES = ("nccl:", "gloo:", "c10d::", "record_param_comms")
_DEVICE = (CAT["kernel"], CAT["gpu_memcpy"], CAT["gpu_memset"])


def _union(s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted disjoint ranges covering [s, e)."""
    if not len(s):
        return np.zeros(0), np.zeros(0)
    o = np.argsort(s, kind="stable")
    s, e = s[o].astype(float), np.maximum.accumulate(e[o].astype(float))
    new = np.r_[True, s[1:] > e[:-1]]
    first = np.flatnonzero(new)
    return s[first], e[np.r_[first[1:] - 1, len(s) - 1]]


def _inside(points: np.ndarray, r: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    s, e = r
    if not len(s):
        return np.zeros(len(points), bool)
    i = np.searchsorted(s, points, "right") - 1
    out = np.zeros(len(points), bool)
    ok = i >= 0
    out[ok] = points[ok] < e[i[ok]]
    return out


def _minus(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Ranges a without ranges b."""
    if not len(a[0]) or not len(b[0]):
        return a
    pts = np.unique(np.concatenate([*a, *b]))
    mids = (pts[:-1] + pts[1:]) / 2
    keep = _inside(mids, a) & ~_inside(mids, b)
    return _union(pts[:-1][keep], pts[1:][keep])


def distributed(prof: Profile, names: list[str], s: np.ndarray, e: np.ndarray) -> dict[str, Any]:
    """The figures for steps `names` spanning [s, e) (µs), or {} for a profile of one process
    without collectives."""
    info = prof.meta.get("distributedInfo") or {}
    pn = prof.names
    comm_name = np.array([n.startswith(COMM_PREFIXES) for n in pn], bool)[prof.name] if len(prof.name) \
        else np.zeros(0, bool)
    host = (prof.cat == CAT["cpu_op"]) | (prof.cat == CAT["user_annotation"])
    is_step = np.array([n.startswith("ProfilerStep#") for n in pn], bool)[prof.name] if len(prof.name) \
        else np.zeros(0, bool)
    comm_host = host & comm_name & ~is_step
    world = int(info.get("world_size") or 0)
    if not (world > 1 or comm_host.any()) or not names:
        return {}
    end = prof.ts + prof.dur
    kernel = prof.cat == CAT["kernel"]
    device = np.isin(prof.cat, _DEVICE)
    if device.any():
        comm_ext = set(prof.ext[comm_host].tolist()) - {-1}
        comm_dev = kernel & ((np.isin(prof.ext, list(comm_ext)) if comm_ext else False)
                             | np.array([n.lower().startswith("nccl") for n in pn], bool)[prof.name])
        comp = _union(prof.ts[device & ~comm_dev], end[device & ~comm_dev])
        comm = _union(prof.ts[comm_host | comm_dev], end[comm_host | comm_dev])
    else:
        comm = _union(prof.ts[comm_host], end[comm_host])
        parts_s, parts_e = [], []
        for lane in np.unique(prof.lane[host]).tolist():  # a thread inside a collective is not computing
            on = prof.lane == lane
            c = _minus(_union(prof.ts[host & on & ~comm_name & ~is_step], end[host & on & ~comm_name & ~is_step]),
                       _union(prof.ts[comm_host & on], end[comm_host & on]))
            parts_s.append(c[0])
            parts_e.append(c[1])
        comp = _union(np.concatenate(parts_s), np.concatenate(parts_e)) if parts_s else (np.zeros(0), np.zeros(0))
    pts = np.unique(np.concatenate([s, e, *comp, *comm]))
    mids, lens = (pts[:-1] + pts[1:]) / 2, np.diff(pts)
    in_comp, in_comm = _inside(mids, comp), _inside(mids, comm)
    steps = []
    for k, nm in enumerate(names):
        m = (mids >= s[k]) & (mids < e[k])
        dur = float(e[k] - s[k])
        both = float(lens[m & in_comp & in_comm].sum())
        cp, cm = float(lens[m & in_comp].sum()), float(lens[m & in_comm].sum())
        steps.append({"name": nm, "duration": dur, "computation": cp - both, "communication": cm - both,
                      "overlap": both, "other": max(dur - cp - cm + both, 0.0)})
    rows = np.flatnonzero(comm_host)
    u, inv = np.unique(prof.name[rows], return_inverse=True)
    calls = np.bincount(inv, minlength=len(u))
    total = np.bincount(inv, weights=prof.dur[rows], minlength=len(u))
    ops = sorted(({"name": pn[int(n)], "calls": int(c), "total": float(t)} for n, c, t in zip(u, calls, total)),
                 key=lambda r: -r["total"])
    rank = info.get("rank")
    return {"rank": int(rank) if isinstance(rank, int) else None, "world_size": world or None,
            "backend": str(info.get("backend") or ""), "steps": steps, "comm_ops": ops}
