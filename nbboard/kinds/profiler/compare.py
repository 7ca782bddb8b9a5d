"""Comparing two profiles (two runs, two cycles, or two steps of one cycle) operator by operator.

Each profile's analysis carries its operators per profiled step (`step_operators`: host ops grouped
by name within each `ProfilerStep#N`'s host time range, ProfilerStep itself aside, with the figures
`operators` gives); the page picks a baseline and another side from what it holds and computes the
difference table there (js/src/kinds/profiler/logic.ts `compareOps`, the same rule as `compare`
here). A side that is a whole cycle is its steps' mean per step, so a cycle of 2 steps and a single
step compare on the same footing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.profiler.record import CAT, Profile
from nbboard.kinds.profiler.spans import STEP, step_names

#: The figures compared, per operator (µs but `calls`).
FIELDS = ("calls", "host_self", "host_total", "device_self", "device_total")


def step_operators(prof: Profile, hself: np.ndarray, dself: np.ndarray, dtotal: np.ndarray) -> dict[str, Any]:
    """The host operators of each profiled step, grouped by name: {"names": [...], "steps": [{"name",
    "op" (indices into names), and one list per FIELDS}]}, from each row's host self time and device
    self/total time. An op belongs to the step whose host range holds its start."""
    is_step = step_names(prof)
    host = np.isin(prof.cat, (CAT["cpu_op"], CAT["user_annotation"]))
    if not len(prof.name):
        return {"names": [], "steps": []}
    rows = np.flatnonzero(host & is_step[prof.name])
    rows = rows[np.argsort(prof.ts[rows], kind="stable")]
    ops = np.flatnonzero(host & ~is_step[prof.name])
    if not len(rows) or not len(ops):
        return {"names": [], "steps": []}
    starts, ends = prof.ts[rows], prof.ts[rows] + prof.dur[rows]
    k = np.searchsorted(starts, prof.ts[ops], "right") - 1
    inside = (k >= 0) & (prof.ts[ops] < ends[np.maximum(k, 0)])
    ops, k = ops[inside], k[inside]
    used = np.unique(prof.name[ops])
    names = [prof.names[int(n)] for n in used.tolist()]
    # one grouping for all steps: (step, op) pairs in order, each step's a contiguous slice
    local = np.searchsorted(used, prof.name[ops])
    u, inv, counts = np.unique(k.astype(np.int64) * len(used) + local, return_inverse=True, return_counts=True)
    step_of, op_of = u // len(used), u % len(used)
    sums = {f: np.bincount(inv, weights=col[ops], minlength=len(u))
            for f, col in (("host_self", hself), ("host_total", prof.dur), ("device_self", dself),
                           ("device_total", dtotal))}
    bounds = np.searchsorted(step_of, np.arange(len(rows) + 1))
    out = []
    for s, r in enumerate(rows.tolist()):
        a, b = int(bounds[s]), int(bounds[s + 1])
        step: dict[str, Any] = {"name": STEP.match(prof.names[int(prof.name[r])]).group(1),  # type: ignore[union-attr]
                                "op": op_of[a:b].tolist(), "calls": counts[a:b].astype(int).tolist()}
        for f, v in sums.items():
            step[f] = [round(x, 3) for x in v[a:b].tolist()]
        out.append(step)
    return {"names": names, "steps": out}


def op_table(per_step: dict[str, Any], steps: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Per operator name its FIELDS for one side: the named steps' mean per step (None: every step
    of the profile)."""
    chosen = [s for s in per_step["steps"] if steps is None or s["name"] in steps]
    out: dict[str, dict[str, float]] = {}
    for s in chosen:
        for j, op in enumerate(s["op"]):
            row = out.setdefault(per_step["names"][op], dict.fromkeys(FIELDS, 0.0))
            for f in FIELDS:
                row[f] += s[f][j]
    n = max(len(chosen), 1)
    return {name: {f: v / n for f, v in row.items()} for name, row in out.items()}


def compare(base: dict[str, dict[str, float]], other: dict[str, dict[str, float]],
            key: str = "host_self") -> list[dict[str, Any]]:
    """Per operator in either side: each of FIELDS for the baseline, the other side and their
    difference (other − baseline; an op missing on a side counts 0 there), sorted by the size of
    the difference in `key`, largest first (names break ties)."""
    zero = dict.fromkeys(FIELDS, 0.0)
    rows = []
    for name in sorted(set(base) | set(other)):
        b, o = base.get(name, zero), other.get(name, zero)
        row: dict[str, Any] = {"name": name}
        for f in FIELDS:
            row[f] = {"base": b[f], "other": o[f], "delta": o[f] - b[f]}
        rows.append(row)
    rows.sort(key=lambda r: (-abs(r[key]["delta"]), r["name"]))
    return rows
