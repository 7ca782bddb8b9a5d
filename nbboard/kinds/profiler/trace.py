"""Reading a PyTorch profiler trace (kineto's Chrome-trace JSON, `*.pt.trace.json[.gz]`, as
`torch.profiler.tensorboard_trace_handler` writes it) into a `Profile` of numpy columns.

msgspec decodes the file into typed structs (the args fields nbboard reads, nothing else), then one
pass fills the columns; names, lanes and shapes are interned. Flow events (`"ph": "s"` / `"f"`, paired
by category and id) are bound to duration events as the Chrome trace format says and Perfetto does:
an end binds to the innermost event on its thread enclosing its time (an `"f"` without
`"bp": "e"`: the next event starting on its thread).
"""

from __future__ import annotations

import gc
import gzip
import os
import pickle
import re
import selectors
import signal
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

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


def read_trace(path: str, parallel: bool = False) -> Profile:
    """The profile in trace file `path` (gzip by its `.gz` suffix). TraceError when the file is
    truncated, not JSON or not a profiler trace. `parallel`: a big trace is read by two processes
    (see `parse_trace`)."""
    with open(path, "rb") as fh:
        data = fh.read()
    if path.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise TraceError(f"{os.path.basename(path)}: not a whole gzip file ({e})") from None
    prof = parse_trace(data, name=os.path.basename(path), parallel=parallel)
    prof.worker = worker_of(path)
    prof.file = os.path.basename(path)
    return prof


def parse_trace(data: bytes, name: str = "trace", parallel: bool = False) -> Profile:
    """The profile in a trace's JSON bytes. With `parallel`, a trace of PARALLEL_BYTES or more on a
    machine with two cores or more is read in two halves at once, the second in a forked process
    (decoding and the columns are Python-bound: ~1.8× faster); the result is the same as read whole,
    and anything unusual (no fork, a split that does not decode, a child that fails) reads it whole."""
    if not data or data.isspace():  # (no copy: isspace stops at the first other byte)
        raise TraceError(f"{name}: empty file")
    with _collector_paused():
        return _parse(data, name, parallel)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block: decoding creates millions of objects that
    hold no cycles, and its passes over them cost ~12% of a big trace's read."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _parse(data: bytes, name: str, parallel: bool) -> Profile:
    if parallel:
        prof = _parse_split(data)
        if prof is not None:
            return prof
    try:
        trace = _DECODER.decode(data)
    except msgspec.ValidationError as e:
        raise TraceError(f"{name}: not a PyTorch profiler trace this version reads ({e})") from None
    except msgspec.DecodeError as e:
        raise TraceError(f"{name}: not JSON or truncated ({e})") from None
    prof = _merge([_columns(trace.traceEvents)])
    span = _events_span(data)
    prof.meta = span[2] if span is not None else _meta(data)
    return prof


#: Traces this big (bytes of JSON) or bigger are read by two processes when `parallel` is asked.
PARALLEL_BYTES = 48 << 20
_ARRAY_START = re.compile(rb"\s*:\s*\[")
_BOUNDARY = re.compile(rb"\}\s*,\s*\{")
_EVENTS = msgspec.json.Decoder(list[_Event])


def _events_span(data: bytes) -> tuple[int, int, dict[str, Any]] | None:
    """The positions of the `[` and `]` around the trace's events and the trace's other top-level
    fields, if the file looks like a trace with the events cut out: what is left decodes as an
    object whose traceEvents is empty (a `]` in a later string: the `]`s before it are tried)."""
    i = data.find(b'"traceEvents"')
    m = _ARRAY_START.match(data, i + len(b'"traceEvents"')) if i >= 0 else None
    if m is None:
        return None
    a = m.end() - 1
    e = len(data)
    for _ in range(8):
        e = data.rfind(b"]", a + 1, e)
        if e < 0:
            return None
        rest = data[:a] + b"[]" + data[e + 1:]
        try:
            top = msgspec.json.decode(rest, type=dict[str, msgspec.Raw])
        except msgspec.DecodeError:
            continue
        if bytes(top.get("traceEvents", b"")) == b"[]":
            return a, e, _meta(rest)
    return None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parse_split(data: bytes) -> Profile | None:
    """A big trace read in two halves at once (the second in a forked child), or None where it
    cannot be (small, no fork, one core, not split cleanly, the child failed)."""
    if len(data) < PARALLEL_BYTES or not hasattr(os, "fork") or _cores() < 2:
        return None
    span = _events_span(data)
    if span is None:
        return None
    a, e, meta = span
    cut = _BOUNDARY.search(data, a + (e - a) // 2, e)
    if cut is None:
        return None
    first = (a + 1, cut.start() + 1)  # `{...}` through the last `}` of the first half
    second = (cut.end() - 1, e)
    child = _fork_part(data, *second)
    if child is None:
        return None
    try:
        mine = _columns(_EVENTS.decode(_bracketed(data, *first)))
    except msgspec.DecodeError:  # the whole read says what is wrong
        _reap(child, kill=True)
        return None
    except BaseException:  # (an interrupt): no child left behind
        _reap(child, kill=True)
        raise
    theirs = _reap(child, kill=False)
    if theirs is None:
        return None
    prof = _merge([mine, theirs])
    prof.meta = meta
    return prof


def _bracketed(data: bytes, start: int, stop: int) -> bytes:
    """`data[start:stop]` inside `[` `]`, copied once."""
    return b"".join((b"[", memoryview(data)[start:stop], b"]"))


def _fork_part(data: bytes, start: int, stop: int) -> tuple[int, int] | None:
    """Fork a child that decodes `data[start:stop]` (events) into a `_Part` and pickles it down a
    pipe: (pid, the pipe's read end), or None where fork fails."""
    r, w = os.pipe()
    try:
        with warnings.catch_warnings():  # 3.12+: a process with threads warns on fork; the child runs no thread's code
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: decode, pickle, leave without running anything of the parent's
        code = 1
        try:
            os.close(r)
            part = _columns(_EVENTS.decode(_bracketed(data, start, stop)))
            with os.fdopen(w, "wb") as fh:
                pickle.dump(part, fh, protocol=5)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


#: Seconds the parent waits for a child's half before it kills it and reads the trace whole.
CHILD_TIMEOUT_S = 300.0


def _reap(child: tuple[int, int], kill: bool) -> _Part | None:
    """The child's `_Part` (None: asked to `kill` it, or it failed, or sent nothing within
    CHILD_TIMEOUT_S); the child is killed unless it finished, and waited for, whatever happens."""
    pid, r = child
    blob = bytearray()
    done = False
    try:
        if not kill:
            with selectors.DefaultSelector() as sel:  # (select.select fails on descriptors ≥ 1024)
                sel.register(r, selectors.EVENT_READ)
                end = time.monotonic() + CHILD_TIMEOUT_S
                while sel.select(max(0.0, end - time.monotonic())):
                    chunk = os.read(r, 1 << 20)
                    if not chunk:
                        done = True
                        break
                    blob += chunk
    finally:
        if not done:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not done or status != 0 or not blob:
        return None
    try:
        part = pickle.loads(blob)
    except Exception:  # noqa: BLE001 (a child that died mid-write: read it whole instead)
        return None
    return part if isinstance(part, _Part) else None


class _Flows(NamedTuple):
    """Flow ends (`"ph": "s"/"f"` with an id) as columns."""

    is_f: np.ndarray  # bool: an "f" end
    cat: np.ndarray  # int64 into cats
    cats: list[str]
    ident: np.ndarray | list[int | str]  # int64 when every id is an int
    lane: np.ndarray  # int64
    ts: np.ndarray  # float64
    enclosing: np.ndarray  # bool: binds to the enclosing event (else to the next one)


class _Part:
    """Some events' columns, their names, lanes and shapes numbered in the order first seen
    among them (`_merge` renumbers parts read apart)."""

    __slots__ = ("names", "lanes", "shapes", "cols", "mem", "kernels", "kinfo", "flows")

    def __init__(self, names: list[str], lanes: list[tuple[str, str]], shapes: list[bytes],
                 cols: dict[str, np.ndarray], mem: np.ndarray, kernels: np.ndarray, kinfo: np.ndarray,
                 flows: _Flows) -> None:
        self.names, self.lanes, self.shapes, self.cols = names, lanes, shapes, cols
        self.mem, self.kernels, self.kinfo, self.flows = mem, kernels, kinfo, flows

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple) -> None:
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)


def _columns(events: list[_Event]) -> _Part:
    """One pass over the events: duration events' columns, [memory] instants, kernels' launch
    figures and flow ends; names, lanes and shapes interned."""
    names: dict[str, int] = {}
    lanes: dict[tuple[str, str], int] = {}
    shapes: dict[bytes, int] = {}
    # Python lists filled in the loop (an append is cheaper than a numpy item), arrays at the end
    name: list[int] = []
    cat: list[int] = []
    lane: list[int] = []
    ts: list[float] = []
    dur: list[float] = []
    ext: list[int] = []
    corr: list[int] = []
    shape: list[int] = []
    dtype: list[int] = []
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
            c = cats.get(e.cat, 0)
            name.append(n)
            cat.append(c)
            lane.append(last_ln)
            ts.append(e.ts)
            dur.append(e.dur)
            a = e.args
            if a is not None:
                x = a.ext
                ext.append(-1 if x is None else x)
                x = a.corr
                corr.append(-1 if x is None else x)
                # interned: the index a new key gets is len() before it is added
                shape.append(shapes.setdefault(bytes(a.dims), len(shapes)) if a.dims else -1)
                dtype.append(shapes.setdefault(bytes(a.types), len(shapes)) if a.types else -1)
                if c == kernel_cat:
                    g = a.grid or [0, 0, 0]
                    b = a.block or [0, 0, 0]
                    kernels.append(i)
                    kinfo.extend((*(g + [0, 0, 0])[:3], *(b + [0, 0, 0])[:3],
                                  _f(a.registers), _f(a.shared), _f(a.blocks_per_sm),
                                  _f(a.warps_per_sm), _f(a.occupancy)))
            else:
                ext.append(-1)
                corr.append(-1)
                shape.append(-1)
                dtype.append(-1)
                if c == kernel_cat:
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
    tick()
    cols = {"name": np.array(name, np.int32), "cat": np.array(cat, np.uint8), "lane": np.array(lane, np.int32),
            "ts": np.array(ts, np.float64), "dur": np.array(dur, np.float64), "ext": np.array(ext, np.int64),
            "corr": np.array(corr, np.int64), "shape": np.array(shape, np.int32), "dtype": np.array(dtype, np.int32)}
    f_codes: dict[str, int] = {}
    fcat = np.array([f_codes.setdefault(c, len(f_codes)) for c in f_cat], np.int64)
    fid: np.ndarray | list[int | str] = np.array(f_id, np.int64) if all(type(x) is int for x in f_id) else f_id
    flows = _Flows(np.array(f_end, bool), fcat, list(f_codes), fid, np.array(f_lane, np.int64),
                   np.array(f_ts, np.float64), np.array(f_enc, bool))
    return _Part(list(names), list(lanes), list(shapes), cols, np.array(mem, np.float64).reshape(-1, 6),
                 np.array(kernels, np.int64), np.array(kinfo, np.float32).reshape(-1, len(KERNEL_FIELDS)), flows)


def _merge(parts: list[_Part]) -> Profile:
    """Parts read apart (in trace order) as one profile: names, lanes and shapes renumbered as one
    pass over the whole trace numbers them; the flows bound over all of it."""
    names: dict[str, int] = {}
    lanes: dict[tuple[str, str], int] = {}
    shapes: dict[bytes, int] = {}
    cols: dict[str, list[np.ndarray]] = {}
    mems, krows, kinfos = [], [], []
    cat_codes: dict[str, int] = {}
    fl: dict[str, list[Any]] = {k: [] for k in _Flows._fields}
    offset = 0
    for p in parts:
        nm = np.array([names.setdefault(k, len(names)) for k in p.names], np.int32)
        ln = np.array([lanes.setdefault(k, len(lanes)) for k in p.lanes], np.int32)
        sh = np.array([shapes.setdefault(k, len(shapes)) for k in p.shapes] + [-1], np.int32)  # -1 → -1
        c = dict(p.cols)
        c["name"], c["lane"] = nm[c["name"]], ln[c["lane"]]
        c["shape"], c["dtype"] = sh[c["shape"]], sh[c["dtype"]]
        for k, v in c.items():
            cols.setdefault(k, []).append(v)
        m = p.mem.copy()
        m[:, 5] = ln[m[:, 5].astype(np.int64)]
        mems.append(m)
        krows.append(p.kernels + offset)
        kinfos.append(p.kinfo)
        f = p.flows
        cm = np.array([cat_codes.setdefault(k, len(cat_codes)) for k in f.cats], np.int64)
        for k, v in zip(_Flows._fields, (f.is_f, cm[f.cat], None, f.ident, ln[f.lane], f.ts, f.enclosing)):
            fl[k].append(v)
        offset += len(p.cols["name"])
    col = {k: np.concatenate(v) for k, v in cols.items()}
    m = np.concatenate(mems)
    if all(isinstance(x, np.ndarray) for x in fl["ident"]):
        ident = np.concatenate(fl["ident"])
    else:  # string ids somewhere: every id interned (5 and "5" differ)
        id_codes: dict[int | str, int] = {}
        ident = np.array([id_codes.setdefault(x, len(id_codes))
                          for ids in fl["ident"] for x in (ids.tolist() if isinstance(ids, np.ndarray) else ids)], np.int64)
    flows = _Flows(np.concatenate(fl["is_f"]), np.concatenate(fl["cat"]), list(cat_codes), ident,
                   np.concatenate(fl["lane"]), np.concatenate(fl["ts"]), np.concatenate(fl["enclosing"]))
    fsrc, fdst, fkind = _bind_flows(flows, col["lane"], col["ts"], col["dur"])
    return Profile(
        names=list(names), lanes=list(lanes), shapes=[k.decode("utf-8", "replace") for k in shapes],
        **col,
        mem_ts=m[:, 0].copy(), mem_bytes=m[:, 1].astype(np.int64), mem_allocated=m[:, 2].copy(),
        mem_reserved=m[:, 3].copy(), mem_device=m[:, 4].astype(np.int16), mem_lane=m[:, 5].astype(np.int32),
        kernel_row=np.concatenate(krows).astype(np.int32), kernel_info=np.concatenate(kinfos),
        flow_src=fsrc, flow_dst=fdst, flow_kind=fkind,
    )


def _bind_flows(flows: _Flows, lane: np.ndarray, ts: np.ndarray, dur: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flows whose both ends bind to a duration event: (source rows, destination rows, kinds).
    The "s" and "f" ends of one (category, id) pair up in time order."""
    empty = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint8))
    if not len(flows.is_f) or not len(ts):
        return empty
    tick()
    cat, ident, is_f, t = flows.cat, np.asarray(flows.ident, np.int64), flows.is_f, flows.ts
    row = bind_points(lane, ts, dur, flows.lane, t, flows.enclosing)
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
    kind_of = np.array([FLOW_KINDS.index(n) if n in FLOW_KINDS else FLOW_KINDS.index("other") for n in flows.cats],
                       np.uint8)
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
    held = np.bincount(prof.name, minlength=len(prof.names)) > 0 if len(prof.name) else np.zeros(len(prof.names), bool)
    for i, n in enumerate(prof.names):
        m = STEP.match(n)
        if m is not None and held[i]:
            k = int(m.group(1))
            best = k if best is None else max(best, k)
    return best
