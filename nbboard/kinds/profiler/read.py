"""Profiler traces beside a run's event files (`*.pt.trace.json[.gz]`, what torch's
`tensorboard_trace_handler` writes): each file is one record of tag `<worker>` at the step of its
last `ProfilerStep#N`."""

from __future__ import annotations

import os

from nbboard.kinds.contract import SideFile
from nbboard.kinds.profiler.record import Profile
from nbboard.kinds.profiler.trace import FILE_PATTERNS, read_trace
from nbboard.kinds.profiler.trace import profile_step as _step

__all__ = ["FILE_PATTERNS", "read_side_file", "side_file"]


def side_file(prof: Profile, index: int = 0) -> SideFile:
    """The Store record of a profile: tag = its worker, step = its last ProfilerStep (or
    `index`), read once per file name."""
    step = _step(prof)
    return SideFile(prof.worker or "profile", index if step is None else step, prof, key=prof.file)


def read_side_file(path: str) -> list[SideFile]:
    """The profile in one trace file (a TraceError, a ValueError, names what is wrong with it)."""
    prof = read_trace(path, parallel=True)
    if not len(prof):
        raise ValueError(f"{os.path.basename(path)}: an empty profile (no events)")
    return [side_file(prof)]
