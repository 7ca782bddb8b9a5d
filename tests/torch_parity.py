"""Run the same SummaryWriter calls through nbboard and torch, and check that a rejected call
leaves nbboard's writer, Store and files as they were."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from typing import Any

import pytest
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard import InputError, Store, SummaryWriter
from tests.tb import accumulator


def log_both(tmp_path: Any, store: Store, log: Callable[[Any], None], sub: str = ""):
    """Call `log(writer)` with nbboard's and torch's writers; return (our dir, our and torch's
    EventAccumulators over `sub` within each)."""
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    with SummaryWriter(ours, store=store) as w:
        log(w)
    with TorchWriter(theirs) as t:
        log(t)
    return ours, accumulator(os.path.join(ours, sub)), accumulator(os.path.join(theirs, sub))


def event_bytes(logdir: str) -> dict[str, bytes]:
    """Every event file under `logdir` → its bytes."""
    return {p: open(p, "rb").read()
            for p in glob.glob(os.path.join(logdir, "**", "events.*"), recursive=True)}


def store_state(store: Store) -> dict:
    """Runs, tags, series versions and run-level records of a Store, for before/after checks."""
    out = {}
    for run in store.runs():
        tags = store.tags(run)
        out[run] = {
            "tags": {k: sorted(v) for k, v in tags.items()},
            "versions": {t: store.series(run, t).version for v in tags.values() for t in v},
            "plugins": {p: id(store.plugin_record(run, p)) for p in tags},
        }
    return out


def assert_rejected(tmp_path: Any, store: Store, call: Callable[[SummaryWriter], Any],
                    words: list[str], then: Callable[[SummaryWriter], Any]) -> None:
    """`call(writer)` raises InputError mentioning `words`; nothing changes; `then` still works."""
    logdir = str(tmp_path / "bad")
    w = SummaryWriter(logdir, store=store)
    then(w)
    w.flush()
    files, state = event_bytes(logdir), store_state(store)
    with pytest.raises(InputError) as e:
        call(w)
    msg = str(e.value)
    for word in words:
        assert word in msg, f"{word!r} not in {msg!r}"
    w.flush()
    assert event_bytes(logdir) == files
    assert store_state(store) == state
    then(w)
    w.close()
    assert len(event_bytes(logdir)) >= 1
