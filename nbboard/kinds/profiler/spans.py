"""Time ranges of a profile, shared by the overview's breakdown and the distributed figures:
unions of event ranges, which points they cover, one set of ranges less another, and which rows
are collectives (the host ops and the kernels they launch)."""

from __future__ import annotations

import re

import numpy as np

from nbboard.kinds.profiler.record import CAT, Profile

#: Host op names of collectives (NCCL, gloo, c10d's ops, the profiler's comms annotation).
COMM_PREFIXES = ("nccl:", "gloo:", "c10d::", "record_param_comms")

Ranges = tuple[np.ndarray, np.ndarray]
#: The profiler's step annotation (`ProfilerStep#N`, one per `prof.step()`).
STEP = re.compile(r"ProfilerStep#(\d+)$")


def step_names(prof: Profile) -> np.ndarray:
    """Per interned name: whether it is a `ProfilerStep#N`."""
    return np.array([bool(STEP.match(n)) for n in prof.names], bool)


def step_rows(prof: Profile) -> np.ndarray:
    """Per row: whether it is a `ProfilerStep#N` event."""
    return step_names(prof)[prof.name] if len(prof.name) else np.zeros(0, bool)


def merge(s: np.ndarray, e: np.ndarray) -> Ranges:
    """The union of ranges [s, e) as sorted disjoint ranges."""
    if not len(s):
        return s.astype(float), e.astype(float)
    o = np.argsort(s, kind="stable")
    s, e = s[o], np.maximum.accumulate(e[o])
    new = np.r_[True, s[1:] > e[:-1]]
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(s) - 1]
    return s[first], e[last]


def covered(points: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Which points lie in one of the sorted disjoint ranges [s, e)."""
    if not len(s):
        return np.zeros(len(points), bool)
    if len(points) > 4 * len(s) and not (points[1:] < points[:-1]).any():
        # sorted points (the usual case): each range covers a slice of them
        lo, hi = np.searchsorted(points, s, "left"), np.searchsorted(points, e, "left")
        n = len(points)
        return np.cumsum(np.bincount(lo, minlength=n + 1) - np.bincount(hi, minlength=n + 1))[:n] > 0
    i = np.searchsorted(s, points, "right") - 1
    ok = i >= 0
    out = np.zeros(len(points), bool)
    out[ok] = points[ok] < e[i[ok]]
    return out


def step_sums(mids: np.ndarray, lens: np.ndarray, s: np.ndarray, e: np.ndarray,
              masks: list[np.ndarray]) -> np.ndarray:
    """Per step [s[k], e[k]) and mask: the summed lengths of the pieces (sorted midpoints `mids`,
    lengths `lens`) the mask holds, shape (steps, masks). A step's pieces are a slice of the
    midpoints: sums from running totals, not a pass over every piece per step."""
    lo, hi = np.searchsorted(mids, s, "left"), np.searchsorted(mids, e, "left")
    run = np.zeros((len(masks), len(mids) + 1))
    for i, m in enumerate(masks):
        np.cumsum(np.where(m, lens, 0.0), out=run[i, 1:])
    return (run[:, hi] - run[:, lo]).T


def minus(a: Ranges, b: Ranges) -> Ranges:
    """Ranges `a` without ranges `b` (both sorted and disjoint)."""
    if not len(a[0]) or not len(b[0]):
        return a
    pts = np.unique(np.concatenate([*a, *b]))
    mids = (pts[:-1] + pts[1:]) / 2
    keep = covered(mids, *a) & ~covered(mids, *b)
    return merge(pts[:-1][keep], pts[1:][keep])


def collectives(prof: Profile, is_step: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: named as a collective; a collective host op (ProfilerStep aside); a kernel of a
    collective (launched by one, by External id, or named nccl*)."""
    n = len(prof.name)
    if not n:
        z = np.zeros(0, bool)
        return z, z, z
    named = np.array([x.startswith(COMM_PREFIXES) for x in prof.names], bool)[prof.name]
    host = ((prof.cat == CAT["cpu_op"]) | (prof.cat == CAT["user_annotation"])) & named & ~is_step
    kernel = prof.cat == CAT["kernel"]
    ext = set(prof.ext[host].tolist()) - {-1}
    nccl = np.array([x.lower().startswith("nccl") for x in prof.names], bool)[prof.name]
    dev = kernel & ((np.isin(prof.ext, list(ext)) if ext else np.zeros(n, bool)) | nccl)
    return named, host, dev
