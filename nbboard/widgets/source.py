"""Which views get which data: a view's source (a logdir path, a Store or a writer) resolved to
a Store, and the one follower thread per logdir that tails files other processes write."""

from __future__ import annotations

import os
import threading
from typing import Any

from nbboard.logdir.follow import follow_into
from nbboard.store import Store, default_store


def resolve_source(source: Any) -> tuple[Store, str | None]:
    """A Store (and its logdir, if any) from a logdir path, a Store, a SummaryWriter or None."""
    if source is None:
        return default_store(), None
    if isinstance(source, Store):
        return source, source.logdir
    if isinstance(source, (str, os.PathLike)):
        logdir = os.fspath(source)
        store = default_store().select(logdir)
        _follow(store, logdir)
        return store, store.logdir
    store = getattr(source, "store", None)
    if isinstance(store, Store):  # a SummaryWriter
        logdir = source.get_logdir() if hasattr(source, "get_logdir") else getattr(source, "log_dir", None)
        if logdir is None:
            return store, store.logdir
        view = store.select(logdir)
        return view, view.logdir
    raise TypeError(
        f"source must be a logdir path, a Store or a SummaryWriter, got {type(source).__name__}"
    )


def source_title(source: Any, logdir: str | None) -> str:
    """A view's title: the logdir as the user wrote it ("runs", not the absolute path), else the
    logdir the source resolved to."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return logdir or ""


_followers: dict[str, Any] = {}


_followers_lock = threading.Lock()


def _follow(store: Store, logdir: str) -> None:
    """Tail the logdir's event files (other processes, older runs) into the Store.

    One follower thread per logdir per kernel. Followers of nested logdirs (and `Store.follow`)
    share the Store's reading state, so each event file is read once; the reader skips the
    files this kernel's own writers write. A missing local logdir is created, as a training
    script about to write there would, so `%nbboard` can come first.
    """
    key = store.logdir or logdir
    with _followers_lock:
        f = _followers.get(key)
        if f is not None and getattr(f, "alive", True):
            return
        if "://" not in logdir:
            os.makedirs(logdir, exist_ok=True)
        _followers[key] = follow_into(default_store(), logdir)
