"""Tailing a logdir: a background thread polling a LogdirReader, which skips the files this
process's own writers write (they reach the Store directly)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from nbboard import store as st
from nbboard.logdir.fs import RemoteFS, filesystem, is_event_file, store_root
from nbboard.logdir.reader import LogdirReader
from nbboard.tfevents.filewriter import written_paths

log = logging.getLogger("nbboard.logdir")


#: How far an idle follower backs off: × its interval (local listings are cheap; an object store
#: bills each LIST, and its writers upload a part every few seconds anyway).
BACKOFF_LOCAL = 4
BACKOFF_REMOTE = 10


class Follower:
    """A stoppable background thread that polls a LogdirReader every `interval` seconds, backing
    off (doubling the wait, up to `max_interval`) while polls find nothing new, and back to
    `interval` as soon as one does: an idle logdir of 1,000 runs costs little to tail."""

    def __init__(self, reader: LogdirReader, interval: float = 0.5, max_interval: float | None = None) -> None:
        self.reader = reader
        self.interval = interval
        if max_interval is None:
            remote = isinstance(reader.fs, RemoteFS)
            max_interval = interval * (BACKOFF_REMOTE if remote else BACKOFF_LOCAL)
        self.max_interval = max(max_interval, interval)
        self.polls = 0  # polls made (benchmarks read it)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Follower:
        """Start polling (idempotent)."""
        if not self.alive:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="nbboard-logdir-follow",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        last_error = ""
        wait = self.interval
        while not self._stop.is_set():
            changed = False
            try:
                changed = self.reader.poll()
                last_error = ""
            except Exception as e:  # keep tailing through transient errors, logging each once
                if repr(e) != last_error:
                    last_error = repr(e)
                    log.warning("nbboard: tailing %s: %s", self.reader.logdir, last_error)
            self.polls += 1
            wait = self.interval if changed else min(wait * 2, self.max_interval)
            self._stop.wait(wait)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout)

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Follower({self.reader.logdir!r}, {'running' if self.alive else 'stopped'})"


def _own_files(path: str) -> bool:
    """Whether `path` is (a part of) an event file written by a writer in this process."""
    if not written_paths:
        return False
    if not is_event_file(os.path.basename(path)):  # a side file, written beside the writer's file
        d = os.path.dirname(path)
        return any(os.path.dirname(p) == d for p in list(written_paths))
    if path in written_paths:
        return True
    return any(path.startswith(p) for p in list(written_paths))


def follow_into(store: st.Store, logdir: str, interval: float = 0.5,
                skip_own: bool = True) -> Follower:
    """Tail `logdir` into an existing Store (e.g. the one this kernel's writers record into),
    skipping the event files this process's own writers write, so nothing is counted twice."""
    reader = LogdirReader(store_root(logdir), store, skip=_skip_for(logdir) if skip_own else None)
    return Follower(reader, interval).start()  # a logdir that does not exist yet is waited for


def _skip_for(logdir: str) -> Callable[[str], bool]:
    if "://" in logdir and not logdir.startswith("file://"):
        fs = filesystem(logdir)
        strip = fs.fs._strip_protocol  # type: ignore[union-attr]

        def skip(path: str) -> bool:
            return any(path == strip(p) or path.startswith(strip(p)) for p in list(written_paths))

        return skip
    return _own_files
