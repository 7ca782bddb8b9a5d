"""The threads that decode event files on all cores: numpy work on big arrays releases the GIL
(batch decoding of scalar records, CRC checks of equal-length records), so a load uses the
machine's cores where parsing is the bottleneck. Tasks submitted here never submit tasks
themselves (no waits on a full pool)."""

from __future__ import annotations

import os
from typing import Any

_pool: tuple[int, Any] | None = None  # (pid, executor): a forked child makes its own


def workers() -> Any | None:
    """The pool (one thread per core, up to 4), or None on a single core."""
    global _pool
    cores = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    if cores < 2:
        return None
    if _pool is None or _pool[0] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        _pool = (os.getpid(), ThreadPoolExecutor(cores, thread_name_prefix="nbboard-decode"))
    return _pool[1]
