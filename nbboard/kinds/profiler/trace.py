"""Reading a PyTorch profiler trace (kineto's Chrome-trace JSON, `*.pt.trace.json[.gz]`, as
`torch.profiler.tensorboard_trace_handler` writes it) into a `Profile` of numpy columns.

msgspec decodes the file into typed structs (the args fields nbboard reads, nothing else), then one
pass fills the columns; names, lanes and shapes are interned. Flow events (`"ph": "s"` / `"f"`, paired
by category and id) are bound to duration events as the Chrome trace format says and Perfetto does:
an end binds to the innermost event on its thread enclosing its time (an `"f"` without
`"bp": "e"`: the next event starting on its thread).
"""

from __future__ import annotations

import gzip
import os
from typing import Any

import msgspec
import numpy as np

from nbboard.kinds.profiler.quiet import tick
from nbboard.kinds.profiler.record import CAT, FLOW_KINDS, KERNEL_FIELDS, Profile
from nbboard.kinds.profiler.spans import STEP

__all__ = ["FILE_PATTERNS", "TraceError", "parse_trace", "read_trace", "worker_of"]

#: The trace files torch's handler writes: `<worker>.<ns timestamp>.pt.trace.json[.gz]`.
FILE_PATTERNS = ("*.pt.trace.json", "*.pt.trace.json.gz")


class TraceError(ValueError):
    """A file that is not a readable profiler trace (truncated, not JSON, no traceEvents)."""


class _Args(msgspec.Struct, gc=False):
    ext: int | None = msgspec.field(name="External id", default=None)
    corr: int | None = msgspec.field(name="correlation", default=None)
    dims: msgspec.Raw = msgspec.field(name="Input Dims", default_factory=msgspec.Raw)
    types: msgspec.Raw = msgspec.field(name="Input type", default_factory=msgspec.Raw)
    nbytes: int | None = msgspec.field(name="Bytes", default=None)
    allocated: float | None = msgspec.field(name="Total Allocated", default=None)
    reserved: float | None = msgspec.field(name="Total Reserved", default=None)
    device_type: int | None = msgspec.field(name="Device Type", default=None)
    device_id: int | None = msgspec.field(name="Device Id", default=None)
    grid: list[int] | None = None
    block: list[int] | None = None
    registers: float | None = msgspec.field(name="registers per thread", default=None)
    shared: float | None = msgspec.field(name="shared memory", default=None)
    blocks_per_sm: float | None = msgspec.field(name="blocks per SM", default=None)
    warps_per_sm: float | None = msgspec.field(name="warps per SM", default=None)
    occupancy: float | None = msgspec.field(name="est. achieved occupancy %", default=None)


class _Event(msgspec.Struct, gc=False):
    ph: str = ""
    cat: str = ""
    name: str = ""
    pid: int | str = 0
    tid: int | str = 0
    ts: float = 0.0
    dur: float = 0.0
    args: _Args | None = None
    id: int | str | None = None
    bp: str = ""


class _Trace(msgspec.Struct, gc=False):
    traceEvents: list[_Event]  # noqa: N815 (the trace's field name)


_DECODER = msgspec.json.Decoder(_Trace)
_META_SKIP = {"traceEvents"}


def _meta(data: bytes) -> dict[str, Any]:
    """The trace's top-level fields but its events, decoded leniently."""
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except msgspec.DecodeError:
        return {}
    out: dict[str, Any] = {}
    for k, raw in top.items():
        if k in _META_SKIP:
            continue
        try:
            out[k] = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            continue
    return out


def worker_of(path: str) -> str:
    """The worker a trace file is named for (`<worker>.<timestamp>.pt.trace.json`): its name up to
    the first dot, or the whole name without its suffix."""
    base = os.path.basename(path)
    for suffix in (".pt.trace.json.gz", ".pt.trace.json", ".json.gz", ".json"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    head, dot, span = base.rpartition(".")
    return head if dot and span.isdigit() else base


def read_trace(path: str) -> Profile:
    """The profile in trace file `path` (gzip by its `.gz` suffix). TraceError when the file is
    truncated, not JSON or not a profiler trace."""
    with open(path, "rb") as fh:
        data = fh.read()
    if path.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise TraceError(f"{os.path.basename(path)}: not a whole gzip file ({e})") from None
    prof = parse_trace(data, name=os.path.basename(path))
    prof.worker = worker_of(path)
    prof.file = os.path.basename(path)
    return prof


def parse_trace(data: bytes, name: str = "trace") -> Profile:
    """The profile in a trace's JSON bytes."""
    if not data.strip():
        raise TraceError(f"{name}: empty file")
    try:
        trace = _DECODER.decode(data)
    except msgspec.ValidationError as e:
        raise TraceError(f"{name}: not a PyTorch profiler trace this version reads ({e})") from None
    except msgspec.DecodeError as e:
        raise TraceError(f"{name}: not JSON or truncated ({e})") from None
    prof = _columns(trace.traceEvents)
    prof.meta = _meta(data)
    return prof


def _columns(events: list[_Event]) -> Profile:
    names: dict[str, int] = {}
    lanes: dict[tuple[str, str], int] = {}
    shapes: dict[bytes, int] = {}
    n_x = sum(1 for e in events if e.ph == "X")
    name = np.empty(n_x, np.int32)
    cat = np.zeros(n_x, np.uint8)
    lane = np.empty(n_x, np.int32)
    ts = np.empty(n_x, np.float64)
    dur = np.empty(n_x, np.float64)
    ext = np.full(n_x, -1, np.int64)
    corr = np.full(n_x, -1, np.int64)
    shape = np.full(n_x, -1, np.int32)
    dtype = np.full(n_x, -1, np.int32)
    mem: list[tuple[float, int, float, float, int, int]] = []
    kernels: list[int] = []
    kinfo: list[float] = []  # KERNEL_FIELDS per kernel, flat
    no_info = (float("nan"),) * len(KERNEL_FIELDS)
    # flow ends, a list per field (no tuple per event: fewer objects for the garbage collector)
    f_end: list[bool] = []  # is an "f"
    f_cat: list[str] = []
    f_id: list[int | str] = []
    f_lane: list[int] = []
    f_ts: list[float] = []
    f_enc: list[bool] = []  # binds to the enclosing event (else to the next one)
    last_pid: int | str | None = None
    last_tid: int | str | None = None
    last_ln = -1
    cats = CAT
    kernel_cat = CAT["kernel"]
    i = 0
    for j, e in enumerate(events):
        if not j & 511:
            tick()
        ph = e.ph
        if ph == "X":
            n = names.get(e.name)
            if n is None:
                n = names[e.name] = len(names)
            if e.pid != last_pid or e.tid != last_tid:  # most events are on the lane of the one before
                last_pid, last_tid = e.pid, e.tid
                lk = (str(e.pid), str(e.tid))
                last_ln = lanes.get(lk)
                if last_ln is None:
                    last_ln = lanes[lk] = len(lanes)
            ln = last_ln
            c = cats.get(e.cat, 0)
            name[i] = n
            cat[i] = c
            lane[i] = ln
            ts[i] = e.ts
            dur[i] = e.dur
            a = e.args
            if a is not None:
                if a.ext is not None:
                    ext[i] = a.ext
                if a.corr is not None:
                    corr[i] = a.corr
                if a.dims:  # interned: the index a new key gets is len() before it is added
                    shape[i] = shapes.setdefault(bytes(a.dims), len(shapes))
                if a.types:
                    dtype[i] = shapes.setdefault(bytes(a.types), len(shapes))
                if c == kernel_cat:
                    g = a.grid or [0, 0, 0]
                    b = a.block or [0, 0, 0]
                    kernels.append(i)
                    kinfo.extend((*(g + [0, 0, 0])[:3], *(b + [0, 0, 0])[:3],
                                  _f(a.registers), _f(a.shared), _f(a.blocks_per_sm),
                                  _f(a.warps_per_sm), _f(a.occupancy)))
            elif c == kernel_cat:
                kernels.append(i)
                kinfo.extend(no_info)
            i += 1
        elif ph == "i" and e.name == "[memory]" and e.args is not None:
            a = e.args
            lk = (str(e.pid), str(e.tid))
            ln = lanes.get(lk)
            if ln is None:
                ln = lanes[lk] = len(lanes)
            dt = a.device_type or 0
            dev = -1 if dt == 0 else (a.device_id or 0) + (1000 * dt if dt > 1 else 0)
            mem.append((e.ts, a.nbytes or 0, _f(a.allocated), _f(a.reserved), dev, ln))
        elif (ph == "s" or ph == "f") and e.id is not None:
            lk = (str(e.pid), str(e.tid))
            ln = lanes.get(lk)
            if ln is None:
                ln = lanes[lk] = len(lanes)
            f_end.append(ph == "f")
            f_cat.append(e.cat)
            f_id.append(e.id)
            f_lane.append(ln)
            f_ts.append(e.ts)
            f_enc.append(ph == "s" or e.bp == "e")
    m = np.array(mem, dtype=np.float64).reshape(-1, 6)
    shape_names = [k.decode("utf-8", "replace") for k in shapes]
    fsrc, fdst, fkind = _bind_flows(f_end, f_cat, f_id, f_lane, f_ts, f_enc, lane, ts, dur)
    return Profile(
        names=list(names), lanes=list(lanes), shapes=shape_names,
        name=name, cat=cat, lane=lane, ts=ts, dur=dur, ext=ext, corr=corr, shape=shape, dtype=dtype,
        mem_ts=m[:, 0].copy(), mem_bytes=m[:, 1].astype(np.int64), mem_allocated=m[:, 2].copy(),
        mem_reserved=m[:, 3].copy(), mem_device=m[:, 4].astype(np.int16),
        mem_lane=m[:, 5].astype(np.int32),
        kernel_row=np.array(kernels, np.int32),
        kernel_info=np.array(kinfo, np.float32).reshape(-1, len(KERNEL_FIELDS)),
        flow_src=fsrc, flow_dst=fdst, flow_kind=fkind,
    )


def _bind_flows(f_end: list[bool], f_cat: list[str], f_id: list[int | str], f_lane: list[int],
                f_ts: list[float], f_enc: list[bool], lane: np.ndarray, ts: np.ndarray,
                dur: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flows whose both ends bind to a duration event: (source rows, destination rows, kinds).
    The "s" and "f" ends of one (category, id) pair up in time order."""
    empty = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint8))
    if not f_end or not len(ts):
        return empty
    tick()
    cat_codes: dict[str, int] = {}
    cat = np.array([cat_codes.setdefault(c, len(cat_codes)) for c in f_cat], np.int64)
    if all(type(x) is int for x in f_id):
        ident = np.array(f_id, np.int64)
    else:  # string ids: interned
        id_codes: dict[int | str, int] = {}
        ident = np.array([id_codes.setdefault(x, len(id_codes)) for x in f_id], np.int64)
    is_f = np.array(f_end, bool)
    t = np.array(f_ts, np.float64)
    row = bind_points(lane, ts, dur, np.array(f_lane, np.int64), t, np.array(f_enc, bool))
    # sorted by (category, id, s before f, time): the k-th "s" of a pair key meets its k-th "f"
    o = np.lexsort((t, is_f, ident, cat))
    c, d, e = cat[o], ident[o], is_f[o]
    new_key = np.r_[True, (c[1:] != c[:-1]) | (d[1:] != d[:-1])]
    new_run = new_key | np.r_[True, e[1:] != e[:-1]]
    group = np.cumsum(new_key) - 1
    run_start = np.flatnonzero(new_run)
    rank = np.arange(len(o)) - np.repeat(run_start, np.diff(np.r_[run_start, len(o)]))
    key = group * (int(rank.max()) + 1) + rank
    _, si, fi = np.intersect1d(key[~e], key[e], assume_unique=True, return_indices=True)
    src, dst = row[o[~e][si]], row[o[e][fi]]
    ok = (src >= 0) & (dst >= 0) & (src != dst)
    names = list(cat_codes)
    kind_of = np.array([FLOW_KINDS.index(n) if n in FLOW_KINDS else FLOW_KINDS.index("other") for n in names], np.uint8)
    kinds = kind_of[c[~e][si]]
    if not ok.any():
        return empty
    return src[ok].astype(np.int32), dst[ok].astype(np.int32), kinds[ok]


def bind_points(lane: np.ndarray, ts: np.ndarray, dur: np.ndarray, p_lane: np.ndarray, p_ts: np.ndarray,
                enclosing: np.ndarray) -> np.ndarray:
    """The duration event row each point (lane, time) binds to (-1: none): where `enclosing`, the
    innermost event on the lane whose [start, end] holds the time (the latest start, the shorter of
    two starting together); elsewhere the first event starting at or after the time."""
    out = np.full(len(p_ts), -1, np.int64)
    end = ts + dur
    order = np.lexsort((-end, ts, lane))
    lanes_sorted = lane[order]
    for ln in np.unique(p_lane).tolist():
        lo, hi = np.searchsorted(lanes_sorted, [ln, ln + 1])
        if lo == hi:
            continue
        rows = order[lo:hi]
        starts, ends = ts[rows], end[rows]
        pts = np.flatnonzero(p_lane == ln)
        t = p_ts[pts]
        enc = enclosing[pts]
        k = np.where(enc, np.searchsorted(starts, t, "right") - 1, np.searchsorted(starts, t, "left"))
        nxt = ~enc & (k < len(rows))
        out[pts[nxt]] = rows[k[nxt]]
        # enclosing: step back from the last event starting by t to the last one still open at t
        pe, kt, tt = pts[enc], k[enc], t[enc]
        for _ in range(64):
            bad = (kt >= 0) & (ends[np.maximum(kt, 0)] < tt)
            if not bad.any():
                break
            kt[bad] -= 1
        for j in np.flatnonzero((kt >= 0) & (ends[np.maximum(kt, 0)] < tt)).tolist():
            while kt[j] >= 0 and ends[kt[j]] < tt[j]:
                kt[j] -= 1
        ok = kt >= 0
        out[pe[ok]] = rows[kt[ok]]
    return out


def _f(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def profile_step(prof: Profile) -> int | None:
    """The number of the last `ProfilerStep#N` the profile holds (its cycle's step), if any."""
    best = None
    for i, n in enumerate(prof.names):
        m = STEP.match(n)
        if m is not None and (prof.name == i).any():
            k = int(m.group(1))
            best = k if best is None else max(best, k)
    return best
