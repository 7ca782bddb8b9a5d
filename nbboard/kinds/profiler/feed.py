"""A profile as the page gets it: its analysis as JSON (steps and their breakdown, operators,
kernels, memory curves, modules, recommendations), what was recorded, and the trace timeline's
events as binary columns (parts: start µs from the trace's first event float64, duration float32,
name int32, lane int32, depth int32, category int32; then the flow arrows between them: source
event int32, destination event int32, kind int32, indices into the timeline's events;
`meta.timeline` names the names, lanes, categories and flow kinds).
The page puts every logged name into the page as text only."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.contract import Encoded
from nbboard.kinds.profiler.analysis import TRACE_CAT, depths, of, tree
from nbboard.kinds.profiler.quiet import unprofiled
from nbboard.kinds.profiler.record import CATEGORIES, FLOW_KINDS, Profile

#: At most this many events go to the page's timeline (the longest first beyond it).
TIMELINE_MAX = 2_000_000


def encode(rec: Profile) -> Encoded:
    with unprofiled():  # the page's feed runs while the user profiles: not into their trace
        return _encode(rec)


def _encode(rec: Profile) -> Encoded:
    a = of(rec).to_json()
    meta: dict[str, Any] = {"worker": rec.worker, "file": rec.file, **a}
    for k in ("schemaVersion", "displayTimeUnit", "trace_id"):
        if k in rec.meta:
            meta[k] = rec.meta[k]
    parts, meta["timeline"] = timeline(rec)
    return meta, parts


def timeline(rec: Profile) -> tuple[list[bytes], dict[str, Any]]:
    """The duration events (the profiler's own span aside) as the timeline's columns, and the flows
    whose both events are among them."""
    keep = np.flatnonzero(rec.cat != TRACE_CAT)
    if len(keep) > TIMELINE_MAX:
        keep = np.sort(keep[np.argsort(-rec.dur[keep], kind="stable")[:TIMELINE_MAX]])
    depth = depths(tree(rec))
    t0 = float(rec.ts[keep].min()) if len(keep) else 0.0
    cols = [(rec.ts[keep] - t0).astype(np.float64), rec.dur[keep].astype(np.float32),
            rec.name[keep].astype(np.int32), rec.lane[keep].astype(np.int32), depth[keep].astype(np.int32),
            rec.cat[keep].astype(np.int32)]
    at = np.full(len(rec.name), -1, np.int64)
    at[keep] = np.arange(len(keep))
    src, dst = at[rec.flow_src], at[rec.flow_dst]
    ok = (src >= 0) & (dst >= 0)
    cols += [src[ok].astype(np.int32), dst[ok].astype(np.int32), rec.flow_kind[ok].astype(np.int32)]
    info = {"n": int(len(keep)), "t0": t0, "names": rec.names,
            "lanes": [f"{p} / {t}" for p, t in rec.lanes], "cats": list(CATEGORIES),
            "flows": int(ok.sum()), "flow_kinds": list(FLOW_KINDS)}
    return [c.tobytes() for c in cols], info
