"""`on_trace_ready` for torch.profiler that records each cycle's profile into nbboard's Store and
writes the trace file torch's `tensorboard_trace_handler` writes (same name pattern, same bytes:
torch's own exporter), so torch-tb-profiler and Perfetto read the logdir too.

The training thread only exports the file (the call torch's handler makes); a background thread
then reads it into columns and appends the record, so the handler costs what torch's does. The
read starts `SETTLE` seconds after the export (at once on `wait()`, flush, close): msgspec's
decode holds the GIL for its whole call, and started at once it would stall the training thread
before on_trace_ready returned.
(Reading the profiler object's events from Python costs more than the file: listing the events of
a 2,000-event cycle through `kineto_results.events()` alone takes longer than parsing its JSON,
and they lack the allocator totals the `[memory]` events carry.)
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
import warnings
from typing import Any

from nbboard import store as st
from nbboard.kinds.profiler import NAME
from nbboard.kinds.profiler.analysis import of
from nbboard.kinds.profiler.quiet import tick, unprofiled
from nbboard.kinds.profiler.read import side_file
from nbboard.kinds.profiler.trace import read_trace
from nbboard.tfevents.filewriter import written_paths

__all__ = ["ProfilerHandler", "profiler_handler"]

#: Seconds between a cycle's export and its read into the Store (see the module's docstring).
SETTLE = 0.25


class ProfilerHandler:
    """Call it with the profiler (torch calls it at the end of each cycle): writes
    `<dir>/<worker>.<time ns>.pt.trace.json[.gz]` and records the profile as step N (its last
    ProfilerStep) of tag `<worker>` in the Store. `wait()` returns once every cycle is recorded."""

    def __init__(self, store: st.Store, run_dir: str, key: str, worker_name: str | None = None,
                 use_gzip: bool = False) -> None:
        self.store = store
        self.run_dir = run_dir
        self.key = key
        self.worker_name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        self.use_gzip = use_gzip
        self.cycles = 0
        self.errors: list[str] = []
        self._queue: queue.Queue[tuple[str, float, int, float] | None] = queue.Queue()
        self._hurry = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, prof: Any) -> str:
        """Export `prof`'s trace (as torch's handler does) and queue it for the Store; returns
        the file's path."""
        os.makedirs(self.run_dir, exist_ok=True)
        name = f"{self.worker_name}.{time.time_ns()}.pt.trace.json" + (".gz" if self.use_gzip else "")
        path = os.path.join(self.run_dir, name)
        written_paths.add(os.path.abspath(path))  # this kernel's tailing readers leave it alone
        prof.export_chrome_trace(path)
        self.cycles += 1
        self._queue.put((path, time.time(), self.cycles - 1, time.monotonic() + SETTLE))
        self._start()
        return path

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="nbboard-profiler", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=5.0)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                if item is not None:
                    path, wall_time, index, due = item
                    self._hurry.wait(max(0.0, due - time.monotonic()))
                    with unprofiled():  # not profiled into the user's next cycle (quiet.py)
                        self._record(path, wall_time, index)
            finally:
                self._queue.task_done()

    def _record(self, path: str, wall_time: float, index: int) -> None:
        try:
            prof = read_trace(path)
        except Exception as e:  # keep the training going; one warning says what went wrong
            self.errors.append(f"{os.path.basename(path)}: {e}")
            if len(self.errors) == 1:
                warnings.warn(f"nbboard: the profile in {path} could not be recorded ({e}); the file "
                              "stays for other readers. Later failures are in the handler's `errors`.",
                              RuntimeWarning, stacklevel=1)
            return
        tick()  # a cycle may have started meanwhile
        of(prof)  # the analysis, here rather than on the pusher thread during a profiled cycle
        rec = side_file(prof, index)
        self.store.append(self.key, rec.tag, NAME, rec.step, rec.value, wall_time)

    def wait(self, timeout: float | None = None) -> None:
        """Block until every exported cycle is in the Store."""
        self._hurry.set()
        try:
            if timeout is None:
                self._queue.join()
                return
            end = time.monotonic() + timeout
            while self._queue.unfinished_tasks and time.monotonic() < end:
                time.sleep(0.01)
        finally:
            self._hurry.clear()

    def __repr__(self) -> str:
        return f"ProfilerHandler({self.run_dir!r}, worker={self.worker_name!r}, cycles={self.cycles})"


def profiler_handler(target: Any, worker_name: str | None = None, use_gzip: bool = False) -> ProfilerHandler:
    """`on_trace_ready` for torch.profiler: `target` is a SummaryWriter (its log_dir and Store) or
    a logdir (the kernel's shared Store)."""
    if isinstance(target, (str, os.PathLike)):
        run_dir = os.fspath(target)
        return ProfilerHandler(st.default_store(), run_dir, st.run_key(run_dir), worker_name, use_gzip)
    store = getattr(target, "store", None)
    log_dir = getattr(target, "log_dir", None)
    if not isinstance(store, st.Store) or log_dir is None:
        raise TypeError(f"profiler_handler: give a SummaryWriter or a logdir, got {type(target).__name__}")
    return ProfilerHandler(store, log_dir, getattr(target, "_key", st.run_key(log_dir)), worker_name, use_gzip)
