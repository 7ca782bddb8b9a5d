"""Event files on disk and the background thread that encodes and writes them.

The training thread only appends small tuples to a deque; this thread turns them into
framed Event records (scalars in numpy batches), writes them and flushes to the OS at
least every `interval` seconds, so a killed process leaves files readable up to then.
"""

from __future__ import annotations

import atexit
import itertools
import os
import socket
import threading
import time
import warnings
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from nbboard.summary.scalar import encode_scalar_batch, scalar_tail
from nbboard.tfevents.messages import event, session_log_start
from nbboard.tfevents.record import frame, frame_many

_uid = itertools.count()

# Marks a pending item whose payload is a finished Event message.
RAW_EVENT = object()


def event_file_name(filename_suffix: str = "") -> str:
    """An event file name like torch's: events.out.tfevents.<time>.<host>.<pid>.<uid><suffix>."""
    return "events.out.tfevents.%010d.%s.%s.%s%s" % (
        time.time(), socket.gethostname(), os.getpid(), next(_uid), filename_suffix)


class EventFileWriter:
    """One events file in a run directory; writes framed records, flushes, fsyncs on close."""

    def __init__(self, run_dir: str, filename_suffix: str = "", purge_step: int | None = None,
                 opener: Callable[[str], Any] | None = None) -> None:
        self.run_dir = run_dir
        self.path = os.path.join(run_dir, event_file_name(filename_suffix))
        if opener is None:
            os.makedirs(run_dir, exist_ok=True)
            self._fh = open(self.path, "ab")
        else:
            self._fh = opener(self.path)
        self.closed = False
        self._tails: dict[str, bytes] = {}
        now = time.time()
        step = purge_step or 0
        first = [event(now, step, file_version="brain.Event:2")]
        if purge_step is not None:
            first.append(event(now, step, session_log=session_log_start()))
        self._fh.write(frame_many(first))
        self._fh.flush()

    def tail(self, tag: str) -> bytes:
        """The cached constant part of a scalar event for `tag`."""
        t = self._tails.get(tag)
        if t is None:
            t = self._tails[tag] = scalar_tail(tag)
        return t

    def write(self, data: bytes) -> None:
        if data:
            self._fh.write(data)

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._fh.flush()
        try:
            os.fsync(self._fh.fileno())
        except (AttributeError, OSError, ValueError):
            pass  # remote files have no descriptor; their close commits them
        self._fh.close()


class EventWriterThread:
    """Encodes and writes the pending items of one SummaryWriter on a background thread.

    An item is (file, wall_time, step, tag, payload, encode): a float payload with encode
    None is a scalar; otherwise `encode(tag, payload)` gives one or more Summary messages,
    or `encode is RAW_EVENT` and payload is a whole Event message.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.queue: deque = deque()
        self.interval = interval
        self._io = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._error: BaseException | None = None
        self._dirty: set[EventFileWriter] = set()
        self._thread = threading.Thread(target=self._run, name="nbboard-event-writer", daemon=True)
        self._thread.start()
        _live.add(self)

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.drain()
            except BaseException as e:  # keep the thread alive; report on flush/close
                self._error = e

    def drain(self) -> None:
        """Encode and write everything queued so far, then flush touched files to the OS."""
        with self._io:
            q = self.queue
            n = len(q)
            if n == 0 and not self._dirty:
                return
            items = [q.popleft() for _ in range(n)]
            self._write_items(items)
            for f in self._dirty:
                if not f.closed:
                    f.flush()
            self._dirty.clear()

    def _write_items(self, items: list[tuple]) -> None:
        scalars: dict[tuple[EventFileWriter, str], list[tuple[float, int, float]]] = {}
        chunks: dict[EventFileWriter, list[bytes]] = {}

        def flush_scalars(f: EventFileWriter) -> None:
            for (ff, tag) in [k for k in scalars if k[0] is f]:
                pts = scalars.pop((ff, tag))
                arr = np.array(pts, dtype=np.float64)
                steps = np.array([p[1] for p in pts], dtype=np.int64)
                chunks.setdefault(f, []).append(
                    encode_scalar_batch(tag, arr[:, 0], steps, arr[:, 2], f.tail(tag)))

        for f, wall_time, step, tag, payload, encode in items:
            if encode is None:
                scalars.setdefault((f, tag), []).append((wall_time, step, payload))
                continue
            flush_scalars(f)
            try:
                if encode is RAW_EVENT:
                    events = [payload]
                else:
                    sums = encode(tag, payload)
                    if isinstance(sums, bytes):
                        sums = [sums]
                    events = [event(wall_time, step, summary_bytes=s) for s in sums]
            except Exception as e:  # validated on the caller, so this is a bug: keep going
                warnings.warn(f"nbboard: could not encode {tag!r}: {e!r}", stacklevel=1)
                continue
            chunks.setdefault(f, []).extend(frame(e) for e in events)
        for f in {k[0] for k in scalars}:
            flush_scalars(f)
        for f, parts in chunks.items():
            if f.closed:
                continue
            f.write(b"".join(parts))
            self._dirty.add(f)

    def flush(self) -> None:
        """Write everything queued so far (on the calling thread) and flush it to the OS."""
        self.drain()
        if self._error is not None:
            err, self._error = self._error, None
            raise RuntimeError(f"nbboard: writing event files failed: {err!r}") from err

    def close(self) -> None:
        """Flush and stop the thread."""
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=10)
        self.flush()
        _live.discard(self)


_live: weakref.WeakSet[EventWriterThread] = weakref.WeakSet()


@atexit.register
def _flush_all_at_exit() -> None:
    for t in list(_live):
        try:
            t.drain()
        except Exception:
            pass
