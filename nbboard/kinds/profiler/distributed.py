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
from nbboard.kinds.profiler.spans import collectives, covered, merge, minus, step_rows, step_sums

_DEVICE = (CAT["kernel"], CAT["gpu_memcpy"], CAT["gpu_memset"])


def distributed(prof: Profile, names: list[str], s: np.ndarray, e: np.ndarray) -> dict[str, Any]:
    """The figures for steps `names` spanning [s, e) (µs), or {} for a profile of one process
    without collectives."""
    info = prof.meta.get("distributedInfo") or {}
    host = (prof.cat == CAT["cpu_op"]) | (prof.cat == CAT["user_annotation"])
    is_step = step_rows(prof)
    comm_name, comm_host, comm_dev = collectives(prof, is_step)
    world = int(info.get("world_size") or 0)
    if not (world > 1 or comm_host.any()) or not names:
        return {}
    end = prof.ts + prof.dur
    device = np.isin(prof.cat, _DEVICE)
    if device.any():
        comp = merge(prof.ts[device & ~comm_dev], end[device & ~comm_dev])
        comm = merge(prof.ts[comm_host | comm_dev], end[comm_host | comm_dev])
    else:
        comm = merge(prof.ts[comm_host], end[comm_host])
        parts_s, parts_e = [], []
        work = host & ~comm_name & ~is_step
        for lane in np.unique(prof.lane[host]).tolist():  # a thread inside a collective is not computing
            on = prof.lane == lane
            c = minus(merge(prof.ts[work & on], end[work & on]), merge(prof.ts[comm_host & on], end[comm_host & on]))
            parts_s.append(c[0])
            parts_e.append(c[1])
        comp = merge(np.concatenate(parts_s), np.concatenate(parts_e)) if parts_s else (np.zeros(0), np.zeros(0))
    pts = np.unique(np.concatenate([s, e, *comp, *comm]))
    mids, lens = (pts[:-1] + pts[1:]) / 2, np.diff(pts)
    in_comp, in_comm = covered(mids, *comp), covered(mids, *comm)
    sums = step_sums(mids, lens, s, e, [in_comp & in_comm, in_comp, in_comm]).tolist()
    steps = []
    for nm, a, b, (both, cp, cm) in zip(names, s.tolist(), e.tolist(), sums):
        steps.append({"name": nm, "duration": b - a, "computation": cp - both, "communication": cm - both,
                      "overlap": both, "other": max(b - a - cp - cm + both, 0.0)})
    rows = np.flatnonzero(comm_host)
    u, inv = np.unique(prof.name[rows], return_inverse=True)
    calls = np.bincount(inv, minlength=len(u))
    total = np.bincount(inv, weights=prof.dur[rows], minlength=len(u))
    ops = sorted(({"name": prof.names[int(n)], "calls": int(c), "total": float(t)} for n, c, t in zip(u, calls, total)),
                 key=lambda r: -r["total"])
    rank = info.get("rank")
    return {"rank": int(rank) if isinstance(rank, int) else None, "world_size": world or None,
            "backend": str(info.get("backend") or ""), "steps": steps, "comm_ops": ops}
