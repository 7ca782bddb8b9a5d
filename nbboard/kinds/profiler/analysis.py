"""What a profile says: per-step time breakdown (torch-tb-profiler's overview), operators
(`prof.key_averages()`'s figures), GPU kernels, memory over time, the module tree and
recommendations. Pure numpy on a `Profile`'s columns; no torch.

Categories follow torch-tb-profiler's overview: in each profiled step every microsecond goes to
the first of kernel, memcpy, memset, communication, runtime, data loading, CPU execution that
covers it, the rest is "other". Unlike torch-tb-profiler 0.4.3 (which reads kineto's older
category names), `user_annotation` events (record_function, the DataLoader's `__next__`) and
`cuda_runtime`/`cuda_driver` events are read as what they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nbboard.kinds.profiler.compare import step_operators
from nbboard.kinds.profiler.distributed import distributed
from nbboard.kinds.profiler.gpu import gpu_summary
from nbboard.kinds.profiler.quiet import tick
from nbboard.kinds.profiler.record import CAT, KERNEL_FIELDS, Profile
from nbboard.kinds.profiler.spans import (
    STEP,
    collectives,
    covered,
    merge,
    step_names,
    step_rows,
    step_sums,
)

#: The overview's categories, in the order each claims time.
ROLES = ("kernel", "memcpy", "memset", "communication", "runtime", "dataloader", "cpu_exec", "other")
ROLE_LABELS = {"kernel": "Kernel", "memcpy": "Memcpy", "memset": "Memset",
               "communication": "Communication", "runtime": "Runtime",
               "dataloader": "DataLoader", "cpu_exec": "CPU Exec", "other": "Other"}
#: Kernel names that use tensor cores (torch-tb-profiler's list).
_TC_PATTERNS = ("h884", "s884", "h1688", "s1688", "hmma", "i8816", "16816", "dgrad_1x1_stride_2x2",
                "first_layer_wgrad_kernel", "conv1x1", "conv2d_c1_k1", "direct_group",
                "xmma_implicit_gemm", "xmma_sparse_conv", "xmma_warp_specialized_implicit_gemm",
                "xmma_gemm", "xmma_sparse_gemm", "c1688")
_MATMUL = re.compile(r"^aten::(mm|addmm|bmm|baddbmm|matmul|linear|conv\w*|_convolution|cudnn_convolution\w*)$")
_CPU_CATS = (CAT["cpu_op"], CAT["user_annotation"], CAT["python_function"], CAT["cuda_runtime"],
             CAT["cuda_driver"], CAT["other"])
_DEVICE_CATS = (CAT["kernel"], CAT["gpu_memcpy"], CAT["gpu_memset"])
#: The profiler's own span event ("PyTorch Profiler (0)"), left out of the timeline.
TRACE_CAT = CAT["Trace"]


@dataclass
class Analysis:
    """The figures the profiler view shows (all times in microseconds)."""

    #: per step: its name (the ProfilerStep number), start, duration and time per ROLES
    steps: list[dict[str, Any]]
    #: the average of the steps' breakdowns (what torch-tb-profiler's overview shows)
    average: dict[str, float]
    #: operators grouped by name: name, calls, host_self, host_total, device_self, device_total,
    #: self_memory (bytes), stack (python frames, innermost first), module (path)
    operators: list[dict[str, Any]]
    #: operators grouped by name and input shape (the same fields and `shape`, `types`)
    operators_by_shape: list[dict[str, Any]]
    #: GPU kernels grouped by name
    kernels: list[dict[str, Any]]
    #: memory per device: {device: {"t": [...], "allocated": [...], "reserved": [...], "peak"}}
    memory: dict[str, dict[str, Any]]
    #: the operators that allocate most: name, allocations, bytes
    top_allocators: list[dict[str, Any]]
    #: modules as a tree, depth first: path, name, depth, calls, host_total, device_total
    modules: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    #: with device events: the trace's deviceProperties and the GPU summary (gpu.gpu_summary)
    device: dict[str, Any] = field(default_factory=dict)
    #: the profile's span: first and last event time, event counts
    span: dict[str, Any] = field(default_factory=dict)
    #: operators per profiled step, for comparing profiles (compare.step_operators)
    step_operators: dict[str, Any] = field(default_factory=dict)
    #: this rank's computation / communication / overlap per step (distributed.distributed)
    distributed: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Everything as JSON-able values."""
        return {k: getattr(self, k) for k in (
            "steps", "average", "operators", "operators_by_shape", "kernels", "memory",
            "top_allocators", "modules", "recommendations", "device", "span", "step_operators", "distributed")}


# ---- the call tree --------------------------------------------------------------------------
def parents(prof: Profile) -> np.ndarray:
    """Each duration event's parent row (-1: none): the innermost host event on its thread whose
    time range holds it whole, as torch's profiler builds its tree (`_populate_cpu_children`:
    python frames included, a partial overlap is no parent); device events: -1."""
    n = len(prof.name)
    parent = np.full(n, -1, np.int64)
    host = np.flatnonzero(np.isin(prof.cat, _CPU_CATS))
    if not len(host):
        return parent
    end = prof.ts + prof.dur
    order = host[np.lexsort((-end[host], prof.ts[host], prof.lane[host]))]
    lane, s, e = prof.lane[order], prof.ts[order], end[order]
    # torch's stack walk (sorted by start, longest first; pop what ended or only partly holds the
    # event) gives the latest earlier event j whose end[j] >= e and end[j] > s: found for every
    # event at once by halving steps over a table of range maxima.
    need = np.where(e > s, e, np.nextafter(s, np.inf))
    tables = [e]
    while 2 ** len(tables) <= len(e):
        t, w = tables[-1], 2 ** (len(tables) - 1)
        tables.append(np.maximum(t[:-w], t[w:]))
    pos = np.arange(len(e))  # the answer is pos - 1 once every block below pos ends too early
    for p in range(len(tables) - 1, -1, -1):
        tick()
        lo = pos - 2 ** p
        can = lo >= 0
        skip = can.copy()
        skip[can] = tables[p][lo[can]] < need[can]
        pos[skip] = lo[skip]
    j = pos - 1
    ok = (j >= 0) & (lane[np.maximum(j, 0)] == lane)
    parent[order[ok]] = order[j[ok]]
    return parent


def _self_times(dur: np.ndarray, parent: np.ndarray) -> np.ndarray:
    has = parent >= 0
    child = np.bincount(parent[has], weights=dur[has], minlength=len(dur))
    return dur - child[: len(dur)]


def _device_times(prof: Profile, parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(self, total) device time per row: a kernel, memcpy or memset counts for the host op with
    its External id (or, failing that, the parent of the runtime call with its correlation)."""
    n = len(prof.name)
    dself = np.zeros(n)
    dev = np.flatnonzero(np.isin(prof.cat, _DEVICE_CATS))
    if not len(dev):
        return dself, dself.copy()
    owner = _launchers(prof, parent, dev)
    ok = owner >= 0
    np.add.at(dself, owner[ok], prof.dur[dev][ok])
    total = dself.copy()
    # children before parents: deeper rows first (parent chains are short; iterate by depth)
    depth = depths(parent)
    for d in range(int(depth.max()), 0, -1):
        rows = np.flatnonzero((depth == d) & (total > 0))
        np.add.at(total, parent[rows], total[rows])
    return dself, total


def _launchers(prof: Profile, parent: np.ndarray, dev: np.ndarray) -> np.ndarray:
    """The host op row that launched each device event in `dev` (-1: unknown): the op with its
    External id, failing that the parent of the runtime call with its correlation."""
    ops = np.flatnonzero((prof.cat == CAT["cpu_op"]) | (prof.cat == CAT["user_annotation"]))
    rt = np.flatnonzero((prof.cat == CAT["cuda_runtime"]) | (prof.cat == CAT["cuda_driver"]))
    ext, corr = prof.ext[dev], prof.corr[dev]
    out = np.where(ext >= 0, lookup(prof.ext[ops], ops, ext), -1)
    r = np.where((out < 0) & (corr >= 0), lookup(prof.corr[rt], rt, corr), -1)
    via = r >= 0
    out[via] = parent[r[via]]
    return out


def lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For each query, the value at its key (the last one where a key repeats), -1 where none:
    `dict(zip(keys, values)).get(q, -1)` on arrays."""
    out = np.full(len(queries), -1, np.int64)
    if not len(keys) or not len(queries):
        return out
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    last = np.r_[k[1:] != k[:-1], True]
    k, v = k[last], values[order][last]
    pos = np.minimum(np.searchsorted(k, queries), len(k) - 1)
    hit = k[pos] == queries
    out[hit] = v[pos[hit]]
    return out


def depths(parent: np.ndarray) -> np.ndarray:
    """Each row's number of ancestors in the tree `parent` gives."""
    depth = np.zeros(len(parent), np.int64)
    cur = parent.copy()
    while True:
        has = cur >= 0
        if not has.any():
            return depth
        depth[has] += 1
        cur[has] = parent[cur[has]]


# ---- steps and the overview ------------------------------------------------------------------
def _role_ranges(prof: Profile) -> list[tuple[np.ndarray, np.ndarray]]:
    cat = prof.cat
    start, end = prof.ts, prof.ts + prof.dur
    is_step = step_rows(prof)
    comm_name, comm_host, comm_kernel = collectives(prof, is_step)
    loader = np.array([(n.startswith("enumerate(DataLoader)#") and n.endswith(".__next__"))
                       or n.startswith("enumerate(DataPipe)#") for n in prof.names], bool)
    loader = loader[prof.name] if len(prof.name) else np.zeros(0, bool)
    host_op = (cat == CAT["cpu_op"]) | (cat == CAT["user_annotation"])
    kernel = cat == CAT["kernel"]
    masks = [
        kernel & ~comm_kernel,
        cat == CAT["gpu_memcpy"],
        cat == CAT["gpu_memset"],
        comm_kernel | comm_host,
        (cat == CAT["cuda_runtime"]) | (cat == CAT["cuda_driver"]),
        host_op & loader & ~is_step,
        host_op & ~loader & ~is_step & ~comm_name,
    ]
    return [merge(start[m], end[m]) for m in masks]


def _steps(prof: Profile) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The profiled steps: names and host (or, with device events, device-extended) ranges."""
    step_ids = {i: int(m.group(1)) for i, n in enumerate(prof.names) if (m := STEP.match(n))}
    host_op = np.isin(prof.cat, (CAT["cpu_op"], CAT["user_annotation"]))
    rows = np.flatnonzero(host_op & np.isin(prof.name, list(step_ids))) if step_ids else np.zeros(0, int)
    if not len(rows):
        cpu = np.flatnonzero(np.isin(prof.cat, (CAT["cpu_op"], CAT["python_function"])))
        if not len(cpu):
            return [], np.zeros(0), np.zeros(0)
        return ["0"], np.array([prof.ts[cpu].min()]), np.array([(prof.ts[cpu] + prof.dur[cpu]).max()])
    rows = rows[np.argsort(prof.ts[rows], kind="stable")]
    names = [str(step_ids[int(prof.name[r])]) for r in rows]
    s, e = prof.ts[rows].copy(), (prof.ts + prof.dur)[rows].copy()
    _device_steps(prof, s, e)
    return names, s, e


def _device_steps(prof: Profile, s: np.ndarray, e: np.ndarray) -> None:
    """With device events, a step ends when the last device work its runtime calls launched ends
    and starts no earlier than the previous step's end (torch-tb-profiler's rule)."""
    dev = np.flatnonzero(np.isin(prof.cat, _DEVICE_CATS))
    rt = np.flatnonzero((prof.cat == CAT["cuda_runtime"]) | (prof.cat == CAT["cuda_driver"]))
    if not len(dev) or not len(rt):
        return
    corr = prof.corr[dev]
    r = np.where(corr >= 0, lookup(prof.corr[rt], rt, corr), -1)
    d = dev[r >= 0]
    r = r[r >= 0]
    rs, re_ = prof.ts[r], prof.ts[r] + prof.dur[r]
    k = np.searchsorted(s, rs, "right") - 1
    inside = (k >= 0) & (rs >= s[np.maximum(k, 0)]) & (re_ <= e[np.maximum(k, 0)])
    dmax = np.full(len(s), -np.inf)
    np.maximum.at(dmax, k[inside], prof.ts[d[inside]] + prof.dur[d[inside]])
    matched = bool(inside.any())
    if not matched:
        return
    prev = s[0]
    for i in range(len(s)):
        start = max(prev, s[i])
        end = max(e[i], dmax[i]) if np.isfinite(dmax[i]) else max(e[i], start)
        s[i], e[i] = start, max(end, start)
        prev = e[i]


def breakdown(prof: Profile, steps: tuple[list[str], np.ndarray, np.ndarray] | None = None
              ) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Per step: {name, start, duration, <role>: µs} and the steps' average (`steps`: what
    `_steps(prof)` gives, when the caller has it)."""
    names, s, e = steps if steps is not None else _steps(prof)
    if not names:
        return [], {}
    roles = _role_ranges(prof)
    ss, se = merge(s, e)
    bounds = [ss, se, s, e] + [x for r in roles for x in r]
    pts = np.unique(np.concatenate(bounds))
    mids = (pts[:-1] + pts[1:]) / 2
    lens = np.diff(pts)
    in_step = covered(mids, ss, se)
    role = np.full(len(mids), len(ROLES) - 1)
    free = in_step.copy()
    for i, (rs, rend) in enumerate(roles):
        hit = free & covered(mids, rs, rend)
        role[hit] = i
        free &= ~hit
    sums = step_sums(mids, lens, s, e, [in_step & (role == i) for i in range(len(ROLES))]).tolist()
    starts, durs = s.tolist(), (e - s).tolist()
    out = []
    for k, nm in enumerate(names):
        row: dict[str, Any] = {"name": nm, "start": starts[k], "duration": durs[k]}
        row.update(zip(ROLES, sums[k]))
        out.append(row)
    avg = {r: float(np.mean([x[r] for x in out])) for r in (*ROLES, "duration")}
    return out, avg


# ---- operators ---------------------------------------------------------------------------------
def _group(keys: np.ndarray, rows: np.ndarray, cols: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Sums of `cols` over `rows` grouped by `keys` (per row): unique keys, counts and sums."""
    u, inv = np.unique(keys, return_inverse=True)
    counts = np.bincount(inv, minlength=len(u))
    sums = {k: np.bincount(inv, weights=v[rows], minlength=len(u)) for k, v in cols.items()}
    return u, counts, sums


def _ancestry(prof: Profile, parent: np.ndarray, row: int) -> tuple[list[str], str]:
    """The python frames (innermost first) and the module path above `row`."""
    frames: list[str] = []
    modules: list[str] = []
    p = int(parent[row])
    while p >= 0 and len(frames) < 64:
        if prof.cat[p] == CAT["python_function"]:
            n = prof.names[int(prof.name[p])]
            if n.startswith("nn.Module: "):
                modules.append(n[len("nn.Module: "):])
            else:
                frames.append(n)
        p = int(parent[p])
    return frames[:16], " › ".join(reversed(modules))


def operators(prof: Profile, parent: np.ndarray, dself: np.ndarray, dtotal: np.ndarray,
              mem_self: np.ndarray, by_shape: bool) -> list[dict[str, Any]]:
    """Host ops (`cpu_op` and `user_annotation`, ProfilerStep# aside) grouped by name (and input
    shape): calls, host self/total and device self/total as `key_averages()` counts them."""
    is_step = step_names(prof)
    ops = np.flatnonzero(np.isin(prof.cat, (CAT["cpu_op"], CAT["user_annotation"]))
                         & ~is_step[prof.name] if len(prof.name) else np.zeros(0, bool))
    if not len(ops):
        return []
    hself = _self_times(prof.dur, parent)
    key = prof.name[ops].astype(np.int64)
    if by_shape:
        key = key * (len(prof.shapes) + 2) + (prof.shape[ops].astype(np.int64) + 1)
    cols = {"host_self": hself, "host_total": prof.dur, "device_self": dself,
            "device_total": dtotal, "self_memory": mem_self}
    u, counts, sums = _group(key, ops, cols)
    _, inv = np.unique(key, return_inverse=True)
    # the longest call of each group stands for its call stack and module (the first of equals)
    by = np.lexsort((np.arange(len(ops)), -prof.dur[ops], inv))
    first = np.r_[True, inv[by][1:] != inv[by][:-1]]
    rep = ops[by[first]]
    out = []
    for g in range(len(u)):
        if not g & 127:
            tick()
        r = int(rep[g])
        frames, module = _ancestry(prof, parent, r)
        row = {"name": prof.names[int(prof.name[r])], "calls": int(counts[g]),
               **{k: float(v[g]) for k, v in sums.items()}, "stack": frames, "module": module}
        if by_shape:
            sh = int(prof.shape[r])
            ty = int(prof.dtype[r])
            row["shape"] = prof.shapes[sh] if sh >= 0 else ""
            row["types"] = prof.shapes[ty] if ty >= 0 else ""
        out.append(row)
    out.sort(key=lambda x: (-x["host_total"], x["name"]))
    return out


# ---- kernels -----------------------------------------------------------------------------------
def kernels(prof: Profile, parent: np.ndarray) -> list[dict[str, Any]]:
    """GPU kernels grouped by name: calls, total/mean/min/max time, mean blocks per SM and
    occupancy (weighted by time), tensor-core use by name, and the op that launched most."""
    rows = prof.kernel_row.astype(np.int64)
    if not len(rows):
        return []
    owner = _launchers(prof, parent, rows)
    info = prof.kernel_info.astype(np.float64)
    d = prof.dur[rows]
    u, inv = np.unique(prof.name[rows], return_inverse=True)
    calls = np.bincount(inv, minlength=len(u))
    total = np.bincount(inv, weights=d, minlength=len(u))
    order = np.argsort(inv, kind="stable")  # each group's kernels together, in trace order
    starts = np.r_[0, np.cumsum(calls)[:-1]]
    lo, hi = np.minimum.reduceat(d[order], starts), np.maximum.reduceat(d[order], starts)
    first = order[starts]  # each group's first kernel: its grid and block
    w = np.where(total[inv] > 0, d, 1.0)  # time-weighted means (equal weights where no time)
    means: dict[str, list[float | None]] = {}
    for f in ("blocks_per_sm", "occupancy", "registers", "shared_memory"):
        col = info[:, KERNEL_FIELDS.index(f)]
        ok = np.isfinite(col)
        num = np.bincount(inv, weights=np.where(ok, col * w, 0.0), minlength=len(u))
        den = np.bincount(inv, weights=np.where(ok, w, 0.0), minlength=len(u))
        seen = np.bincount(inv, weights=ok, minlength=len(u)) > 0
        means[f] = [float(a / b) if s and b > 0 else None for a, b, s in zip(num.tolist(), den.tolist(), seen.tolist())]
    # the op that launched most of each group's kernels (the lowest name code among equals)
    own = owner >= 0
    op_of = [""] * len(u)
    if own.any():
        pair = inv[own].astype(np.int64) * (len(prof.names) + 1) + prof.name[owner[own]]
        pu, pc = np.unique(pair, return_counts=True)
        g, nm = pu // (len(prof.names) + 1), pu % (len(prof.names) + 1)
        best = np.lexsort((nm, -pc, g))
        keep = best[np.r_[True, g[best][1:] != g[best][:-1]]]
        for gi, ni in zip(g[keep].tolist(), nm[keep].tolist()):
            op_of[gi] = prof.names[ni]
    out = []
    for i, nm_code in enumerate(u.tolist()):
        name = prof.names[nm_code]
        row: dict[str, Any] = {"name": name, "calls": int(calls[i]), "total": float(total[i]),
                               "mean": float(total[i] / calls[i]), "min": float(lo[i]), "max": float(hi[i])}
        for f, v in means.items():
            row[f] = v[i]
        g0 = info[first[i]]
        row["grid"] = [int(x) for x in g0[0:3]] if np.isfinite(g0[0]) else None
        row["block"] = [int(x) for x in g0[3:6]] if np.isfinite(g0[3]) else None
        lower = name.lower()
        row["tensor_cores"] = any(p in lower for p in _TC_PATTERNS)
        row["op"] = op_of[i]
        out.append(row)
    out.sort(key=lambda x: (-x["total"], x["name"]))
    return out


# ---- memory -----------------------------------------------------------------------------------
def _memory_owner(prof: Profile, parent: np.ndarray) -> np.ndarray:
    """The innermost host op (cpu_op or user annotation) on its lane that holds each [memory]
    event (-1: none)."""
    n = len(prof.mem_ts)
    owner = np.full(n, -1, np.int64)
    is_op = (prof.cat == CAT["cpu_op"]) | (prof.cat == CAT["user_annotation"])
    ops = np.flatnonzero(is_op)
    if not n or not len(ops):
        return owner
    end = prof.ts + prof.dur
    for ln in np.unique(prof.mem_lane).tolist():
        lo = ops[prof.lane[ops] == ln]
        if not len(lo):
            continue
        lo = lo[np.lexsort((-end[lo], prof.ts[lo]))]
        starts = prof.ts[lo]
        mi = np.flatnonzero(prof.mem_lane == ln)
        cand = np.searchsorted(starts, prof.mem_ts[mi], "right") - 1
        for k, (m, c) in enumerate(zip(mi.tolist(), cand.tolist())):
            if not k & 511:
                tick()
            t = prof.mem_ts[m]
            r = int(lo[c]) if c >= 0 else -1
            # walk up from the latest op starting before t to one still open at t
            while r >= 0 and not (prof.ts[r] <= t <= end[r]):
                r = int(parent[r])
                while r >= 0 and not is_op[r]:
                    r = int(parent[r])
            owner[m] = r
    return owner


def memory(prof: Profile, owner: np.ndarray, t0: float, max_points: int = 4000) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Allocated/reserved over time per device (at most `max_points` points each, peaks kept) and
    the ops that allocate most."""
    curves: dict[str, Any] = {}
    if not len(prof.mem_ts):
        return curves, []
    order = np.argsort(prof.mem_ts, kind="stable")
    for dev in np.unique(prof.mem_device).tolist():
        sel = order[prof.mem_device[order] == dev]
        t = prof.mem_ts[sel] - t0
        alloc = prof.mem_allocated[sel]
        if not np.isfinite(alloc).any():
            alloc = np.cumsum(prof.mem_bytes[sel]).astype(float)
        res = prof.mem_reserved[sel]
        label = "CPU" if dev < 0 else f"GPU{dev}" if dev < 1000 else f"device{dev}"
        peak_i = int(np.nanargmax(alloc))
        keep = _downsample(alloc, max_points)
        curves[label] = {"t": t[keep].tolist(), "allocated": _finite(alloc[keep]),
                         "reserved": _finite(res[keep]), "peak": float(alloc[peak_i]),
                         "peak_t": float(t[peak_i]), "events": int(len(sel))}
    alloc = prof.mem_bytes > 0
    ok = alloc & (owner >= 0)
    top: list[dict[str, Any]] = []
    if ok.any():
        nm = prof.name[owner[ok]]
        u, inv = np.unique(nm, return_inverse=True)
        cnt = np.bincount(inv)
        tot = np.bincount(inv, weights=prof.mem_bytes[ok])
        for i in np.argsort(-tot)[:20].tolist():
            top.append({"name": prof.names[int(u[i])], "allocations": int(cnt[i]), "bytes": float(tot[i])})
    return curves, top


def _finite(a: np.ndarray) -> list[float | None]:
    return [float(x) if np.isfinite(x) else None for x in a.tolist()]


def _downsample(v: np.ndarray, n: int) -> np.ndarray:
    """Indices keeping each bucket's min and max (and the ends) when `v` has more than n points."""
    if len(v) <= n:
        return np.arange(len(v))
    b = max(1, len(v) // (n // 2))
    idx = [0, len(v) - 1]
    for s in range(0, len(v), b):
        seg = v[s:s + b]
        idx += [s + int(np.nanargmin(seg)), s + int(np.nanargmax(seg))]
    return np.unique(np.array(idx))


# ---- modules ------------------------------------------------------------------------------------
def modules(prof: Profile, parent: np.ndarray, dtotal: np.ndarray) -> list[dict[str, Any]]:
    """`nn.Module` calls (with_modules) as a tree: per module path, calls, host and device time."""
    mod_ids = {i for i, n in enumerate(prof.names) if n.startswith("nn.Module: ")}
    if not mod_ids:
        return []
    rows = np.flatnonzero((prof.cat == CAT["python_function"]) & np.isin(prof.name, list(mod_ids)))
    path_of: dict[int, str] = {}
    agg: dict[str, list[float]] = {}
    for r in rows[np.argsort(depths(parent)[rows], kind="stable")].tolist():
        p = int(parent[r])
        while p >= 0 and p not in path_of:
            p = int(parent[p])
        name = prof.names[int(prof.name[r])][len("nn.Module: "):]
        path = (path_of[p] + "/" if p >= 0 else "") + name
        path_of[r] = path
        a = agg.setdefault(path, [0, 0.0, 0.0])
        a[0] += 1
        a[1] += float(prof.dur[r])
        a[2] += float(dtotal[r])
    out = []
    for path in sorted(agg, key=lambda x: x.split("/")):
        calls, host, devt = agg[path]
        out.append({"path": path, "name": path.rsplit("/", 1)[-1], "depth": path.count("/"),
                    "calls": int(calls), "host_total": host, "device_total": devt})
    return out


# ---- recommendations --------------------------------------------------------------------------
def recommendations(avg: dict[str, float], kern: list[dict[str, Any]], ops: list[dict[str, Any]],
                    n_steps: int, has_device: bool) -> list[dict[str, Any]]:
    """Advice, each with the figure that triggered it."""
    out: list[dict[str, Any]] = []
    total = avg.get("duration", 0.0)
    if total <= 0:
        return out

    def share(k: str) -> float:
        return avg.get(k, 0.0) / total

    if share("dataloader") > 0.05:
        out.append({"id": "dataloader", "figure": f"{100 * share('dataloader'):.1f}% of the step in DataLoader",
                    "text": "Input loading takes a large share of each step: set num_workers > 0 (and "
                            "pin_memory=True when training on a GPU) on the DataLoader."})
    if has_device:
        busy = share("kernel") + share("memcpy") + share("memset")
        if busy < 0.5:
            out.append({"id": "utilisation", "figure": f"device busy {100 * busy:.1f}% of the step",
                        "text": "The device is idle most of the step: a larger batch size, or fewer host "
                                "round trips, would keep it busy."})
        n_k = sum(k["calls"] for k in kern)
        tiny = sum(k["calls"] for k in kern if k["mean"] < 10.0)
        if n_k and tiny / n_k > 0.5 and n_k / max(n_steps, 1) > 100:
            out.append({"id": "tiny_kernels",
                        "figure": f"{tiny} of {n_k} kernels under 10 µs ({n_k / max(n_steps, 1):.0f} per step)",
                        "text": "Many tiny kernels: launch overhead dominates. torch.compile (fusion) or CUDA "
                                "graphs would cut the launches."})
        if share("memcpy") > 0.1:
            out.append({"id": "memcpy", "figure": f"{100 * share('memcpy'):.1f}% of the step in memcpy",
                        "text": "Heavy host-device copies: keep tensors on the device, use pin_memory=True "
                                "and non_blocking=True copies."})
        fp32 = sum(o["device_total"] for o in ops if _MATMUL.match(o["name"]) and o.get("types", "").find('"float"') >= 0)
        dev_all = sum(k["total"] for k in kern)
        tc = sum(k["total"] for k in kern if k["tensor_cores"])
        if dev_all and fp32 / dev_all > 0.1 and tc / dev_all < 0.05:
            out.append({"id": "fp32_matmul", "figure": f"{100 * fp32 / dev_all:.1f}% of kernel time in float32 matmuls/convolutions, "
                                                       f"{100 * tc / dev_all:.1f}% on tensor cores",
                        "text": "Float32 matrix products run without tensor cores: automatic mixed precision "
                                "(torch.autocast) or TF32 (torch.backends.cuda.matmul.allow_tf32) would use them."})
        host = share("cpu_exec") + share("runtime")
        if host > 0.5 and share("kernel") < 0.3:
            out.append({"id": "cpu_bound", "figure": f"host {100 * host:.1f}% vs kernels {100 * share('kernel'):.1f}% of the step",
                        "text": "The step is CPU-bound: the device waits on the host. torch.compile, CUDA graphs "
                                "or moving host work off the loop would help."})
    else:
        out.append({"id": "cpu_bound", "figure": f"{total / 1000:.2f} ms per step, all on the host "
                                                 f"({100 * share('cpu_exec'):.1f}% in operators)",
                    "text": "No device activity was recorded: this profile runs on the CPU only. Profile with "
                            "ProfilerActivity.CUDA on a GPU to see kernels, or use torch.set_num_threads / "
                            "torch.compile to speed up the host."})
    return out


# ---- all of it --------------------------------------------------------------------------------------
def of(prof: Profile) -> Analysis:
    """The profile's analysis, computed once (a record is not changed after it is stored)."""
    if prof._analysis is None:
        prof._analysis = analyse(prof)
    return prof._analysis


def tree(prof: Profile) -> np.ndarray:
    """The profile's `parents`, computed once (the analysis and the feed's timeline both need them)."""
    if prof._parent is None:
        prof._parent = parents(prof)
    return prof._parent


def analyse(prof: Profile) -> Analysis:
    """Every figure the profiler view shows, for one profile."""
    parent = tree(prof)
    dself, dtotal = _device_times(prof, parent)
    owner = _memory_owner(prof, parent)
    mem_self = np.zeros(len(prof.name))
    ok = owner >= 0
    np.add.at(mem_self, owner[ok], prof.mem_bytes[ok].astype(float))
    names, s0, e0 = _steps(prof)
    steps, avg = breakdown(prof, (names, s0.copy(), e0.copy()))
    t0 = float(prof.ts.min()) if len(prof.ts) else 0.0
    ops = operators(prof, parent, dself, dtotal, mem_self, by_shape=False)
    ops_shape = operators(prof, parent, dself, dtotal, mem_self, by_shape=True)
    kern = kernels(prof, parent)
    mem, top = memory(prof, owner, t0)
    mods = modules(prof, parent, dtotal)
    has_device = bool(np.isin(prof.cat, _DEVICE_CATS).any())
    for s in steps:
        s["start"] -= t0
    t1 = float((prof.ts + prof.dur).max()) if len(prof.ts) else 0.0
    device: dict[str, Any] = {}
    if has_device:  # per GPU over the profiled steps' span (the whole profile without steps)
        device = {"properties": prof.meta.get("deviceProperties") or [],
                  "gpus": gpu_summary(prof, float(s0[0]) if len(s0) else t0, float(e0[-1]) if len(e0) else t1)}
    span = {"start": t0, "end": t1,
            "events": int(len(prof.name)), "memory_events": int(len(prof.mem_ts)),
            "kernels": int(len(prof.kernel_row)),
            "recorded": {k: bool(prof.meta.get(k)) for k in ("record_shapes", "profile_memory", "with_stack", "with_modules")}}
    recs = recommendations(avg, kern, ops_shape, len(steps), has_device)
    per_step = step_operators(prof, _self_times(prof.dur, parent), dself, dtotal)
    dist = distributed(prof, names, s0, e0)
    return Analysis(steps=steps, average=avg, operators=ops, operators_by_shape=ops_shape,
                    kernels=kern, memory=mem, top_allocators=top, modules=mods,
                    recommendations=recs, device=device, span=span, step_operators=per_step,
                    distributed=dist)


def dumps(a: Analysis) -> str:
    """The analysis as compact JSON (for `nbboard inspect` and tests)."""
    return json.dumps(a.to_json(), separators=(",", ":"))
