"""The scalar feed: what a view has sent of each scalar series of a Store, and the binary deltas."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.scalars.series import SCALARS
from nbboard.store import Store

#: At most this many points go into one message; the rest follow on the next push.
MAX_POINTS_PER_MESSAGE = 2_000_000


class _Sent:
    __slots__ = ("id", "run", "tag", "rank", "folder", "series", "sent", "epoch")

    def __init__(self, sid: int, run: str, tag: str, series: Any, rank: int, folder: str) -> None:
        self.id = sid
        self.run = run
        self.tag = tag
        self.rank = rank
        self.folder = folder
        self.series = series
        self.sent = 0  # points of `series` the page holds (as far as we know)
        self.epoch = series.epoch


class ScalarFeed:
    """Tracks, per scalar series of a Store, how many points were sent; builds binary deltas.

    Wire format (see js/src/lib/wire.ts): content ``{"type": "scalars", "series": [[id, run,
    tag, start, count, reset, rank, folder], ...]}`` and one buffer holding, per series in order,
    ``count`` float64 steps, then values, then wall times. A distributed run sends each rank's
    series under the run's name (the page draws their band) with its rank and the run name of its
    own folder (`exp/rank1`, what TensorBoard calls it: exports use it); a run of one process says
    -1 and its own name.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._store_version = -1
        self._series: dict[tuple[str, str, int], _Sent] = {}
        self._next_id = 0

    def reset(self) -> None:
        """Forget what was sent (the page asked for everything again)."""
        for e in self._series.values():
            e.sent = 0
            e.epoch = -1  # forces a reset flag so the page drops what it holds
        self._full = True

    _full = True

    def _discover(self) -> None:
        store = self.store
        if store.version == self._store_version:
            return
        self._store_version = store.version
        for run in store.runs():
            try:
                sources = store.rank_runs(run) or {-1: run}  # a distributed run: each rank's folder
            except KeyError:
                continue
            for rank, name in sources.items():
                for tag in store.tags(name).get(SCALARS, []):
                    if (run, tag, rank) not in self._series:
                        self._series[(run, tag, rank)] = _Sent(self._next_id, run, tag, store.series(name, tag),
                                                               rank, name)
                        self._next_id += 1

    def poll(self, max_points: int = MAX_POINTS_PER_MESSAGE) -> tuple[dict, list[bytes]] | None:
        """The delta since the last poll, or None when nothing changed."""
        rows: list[list] = []
        chunks: list[bytes] = []
        budget = max_points
        with self.store.lock:
            self._discover()
            for e in self._series.values():
                s = e.series
                n = len(s)
                reset = s.epoch != e.epoch
                if reset:
                    e.epoch = s.epoch
                    e.sent = 0
                if n <= e.sent and not reset:
                    continue
                if n < e.sent:  # should not happen without an epoch change; be safe
                    e.sent = 0
                    reset = True
                k = min(n - e.sent, budget)
                if k <= 0 and not reset:
                    continue
                a, b = e.sent, e.sent + k
                chunks.append(np.asarray(s.steps[a:b], dtype=np.float64).tobytes())
                chunks.append(np.ascontiguousarray(s.values[a:b], dtype=np.float64).tobytes())
                chunks.append(np.ascontiguousarray(s.wall_times[a:b], dtype=np.float64).tobytes())
                rows.append([e.id, e.run, e.tag, a, k, bool(reset), e.rank, e.folder])
                e.sent = b
                budget -= k
                if budget <= 0:
                    break
        if not rows:
            return None
        content = {"type": "scalars", "series": rows}
        if self._full:
            content["full"] = True
            self._full = False
        return content, [b"".join(chunks)]

    def describe(self) -> dict:
        """Runs and tags this feed has seen (for the output's JSON description)."""
        runs = sorted({r for r, _, _ in self._series})
        tags = sorted({t for _, t, _ in self._series})
        return {"runs": runs, "tags": tags}
