"""The threads that decode event files on all cores: numpy work on big arrays releases the GIL
(batch decoding of scalar records, CRC checks of equal-length records), so a load uses the
machine's cores where parsing is the bottleneck. Tasks submitted here never submit tasks
themselves (no waits on a full pool)."""

from __future__ import annotations

import os
from typing import Any

_pool: tuple[int, Any] | None = None  # (pid, executor): a forked child makes its own


def cores() -> int:
    """The decode threads the pool has: one per core, up to 4."""
    return min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def workers() -> Any | None:
    """The pool (one thread per core, up to 4), or None on a single core."""
    global _pool
    n = cores()
    if n < 2:
        return None
    if _pool is None or _pool[0] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        _pool = (os.getpid(), ThreadPoolExecutor(n, thread_name_prefix="nbboard-decode"))
    return _pool[1]


class Ahead:
    """Tasks `fn(*make[k]())` run on the pool a few ahead of the one taken next (`ahead[k]`: its
    Future): the results alive at once stay few and a batch is still in cache when taken.
    `make[k]()` runs in the caller's thread when task k is submitted (arrays it makes live in
    the caller's heap)."""

    def __init__(self, pool: Any, fn: Any, make: list[Any], depth: int) -> None:
        self._pool, self._fn, self._make, self._depth = pool, fn, make, depth
        self._futures: dict[int, Any] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._make)

    def __getitem__(self, k: int) -> Any:
        while self._next < min(len(self._make), k + self._depth + 1):
            self._futures[self._next] = self._pool.submit(self._fn, *self._make[self._next]())
            self._make[self._next] = None
            self._next += 1
        return self._futures.pop(k)
