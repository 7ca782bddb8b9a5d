"""Reading a TensorBoard logdir into a Store: run discovery, ordered merge of a run's event
files, TensorBoard's purge semantics, a numpy fast path for scalar records, and live tailing.

A run is a directory holding event files (any file whose name contains "tfevents"), named
relative to the logdir ("." for the logdir itself). A run's files are read in name order
(their names start with the creation time) and every point is kept. Local paths and fsspec
URLs (s3://, gs://, memory://, file://) work the same way.

`load()` raises `LogdirError` (an OSError) only when the logdir itself is missing or cannot
be listed; damaged files are read around their damage, which is reported once per file.
"""

from __future__ import annotations

from nbboard import store as st
from nbboard.logdir.follow import Follower, follow_into
from nbboard.logdir.fs import LogdirError, store_root
from nbboard.logdir.reader import LogdirReader

__all__ = ["Follower", "LogdirError", "LogdirReader", "follow_into", "load", "read_logdir"]

# A Store starts tailing its logdir through this module (Store.follow).
st.Store.tailer = lambda store, logdir, interval: follow_into(store, logdir, interval=interval)


def read_logdir(logdir: str, store: st.Store | None = None,
                progress: bool | None = None) -> LogdirReader:
    """Read everything under `logdir` once; the reader keeps offsets (for tailing) and damage."""
    root = store_root(logdir)
    if store is None:
        store = st.Store(root)
    reader = LogdirReader(root, store)
    reader.check()
    reader.poll(progress)
    return reader


def load(logdir: str, follow: bool = False, progress: bool | None = None,
         interval: float = 0.5) -> st.Store:
    """Read every event file under `logdir` into a new Store (runs named relative to it).

    `follow=True` keeps tailing in a background thread (`store.follow()` starts it later,
    `store.stop_following()` or the returned Store's follower `.stop()` ends it). `progress`:
    True/False, or None to show a bar only for loads slower than half a second.
    Raises LogdirError if `logdir` is missing or cannot be listed.
    """
    reader = read_logdir(logdir, progress=progress)
    store = reader.store
    store._follower = Follower(reader, interval)
    if follow:
        store._follower.start()
    return store
