"""Keeping nbboard's own reading out of the user's profile.

torch's python tracer (`with_stack=True`) hooks every thread alive when a profiler cycle starts,
so the handler's reading thread would be profiled into the user's next cycle (measured: each
trace grew by the previous one's read, 0.8 MB → 20 MB, and the loop slowed). Inside `unprofiled()`
the long loops call `tick()` every few hundred items, which takes a hook set meanwhile off this
thread; elsewhere `tick()` does nothing (a user's own `nbboard.load` inside a profile stays
profiled).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


def tick() -> None:
    """Inside `unprofiled()`: take a profiler hook off this thread."""
    if getattr(_local, "on", False):
        sys.setprofile(None)


@contextmanager
def unprofiled() -> Iterator[None]:
    """Run the block with this thread's profiler hook off (and kept off by `tick()`)."""
    _local.on = True
    sys.setprofile(None)
    try:
        yield
    finally:
        _local.on = False
