"""Live tailing: appended records, new files and new runs appear within ~1 s; a Store fed by
this kernel's writers and by the tailer never counts an event twice; stopping is clean."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import nbboard
from nbboard.logdir import follow_into, load
from nbboard.store import Store
from nbboard.tfevents.messages import event, summary, summary_value
from nbboard.tfevents.record import frame


def wait_for(cond, timeout: float = 3.0) -> float:
    """Poll `cond` until true; return the seconds it took (fails after `timeout`)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if cond():
                return time.monotonic() - t0
        except KeyError:
            pass
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def n_points(store: Store, run: str, tag: str) -> int:
    return len(store.scalars(run, tag)) if run in store.runs() else 0


def test_follow_picks_up_appends_new_files_and_new_runs(tmp_path):
    logdir = str(tmp_path)
    w = TorchWriter(os.path.join(logdir, "a"), flush_secs=1)
    w.add_scalar("x", 0.0, 0)
    w.flush()
    store = load(logdir, follow=True, interval=0.2)
    try:
        assert n_points(store, "a", "x") == 1
        for i in range(1, 50):
            w.add_scalar("x", float(i), i)
        w.flush()
        assert wait_for(lambda: n_points(store, "a", "x") == 50) < 1.5
        w2 = TorchWriter(os.path.join(logdir, "a"), filename_suffix=".second")  # a new file
        w2.add_scalar("y", 1.0, 3)
        w2.flush()
        wait_for(lambda: "y" in store.tags("a").get("scalars", []))
        w3 = TorchWriter(os.path.join(logdir, "b", "c"))  # a new run
        w3.add_text("t", "hi", 1)
        w3.flush()
        assert wait_for(lambda: "b/c" in store.runs() and len(store.texts("b/c", "t")) == 1) < 1.5
        w2.close()
        w3.close()
    finally:
        w.close()
        store.stop_following()
    assert not store._follower.alive
    np.testing.assert_array_equal(store.scalars("a", "x").steps, np.arange(50))


def test_partial_record_is_read_once_complete(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    rec = frame(event(1.0, 0, file_version="brain.Event:2"))
    path.write_bytes(rec)
    store = load(str(tmp_path), follow=True, interval=0.05)
    try:
        r = frame(event(2.0, 7, summary_bytes=summary(summary_value("x", simple_value=3.0))))
        with open(path, "ab") as f:
            f.write(r[:10])
            f.flush()
            time.sleep(0.2)
            assert "x" not in store.tags(".").get("scalars", [])
            f.write(r[10:])
        wait_for(lambda: n_points(store, ".", "x") == 1)
        assert store.scalars(".", "x").steps.tolist() == [7]
    finally:
        store.stop_following()


def test_follow_into_a_writers_store_never_counts_twice(tmp_path):
    logdir = str(tmp_path)
    store = Store(logdir)
    mine = nbboard.SummaryWriter(os.path.join(logdir, "mine"), store=store)
    for i in range(20):
        mine.add_scalar("loss", float(i), i)
    mine.flush()
    other = TorchWriter(os.path.join(logdir, "other"))  # "another process"
    for i in range(10):
        other.add_scalar("loss", -float(i), i)
    other.flush()
    follower = follow_into(store, logdir, interval=0.1)
    try:
        wait_for(lambda: n_points(store, "other", "loss") == 10)
        for i in range(20, 30):
            mine.add_scalar("loss", float(i), i)
            other.add_scalar("loss", -float(i), i)
        mine.flush()
        other.flush()
        wait_for(lambda: n_points(store, "other", "loss") == 20)
        time.sleep(0.3)
    finally:
        follower.stop()
        mine.close()
        other.close()
    assert store.scalars("mine", "loss").steps.tolist() == list(range(30))
    assert store.scalars("other", "loss").steps.tolist() == list(range(10)) + list(range(20, 30))


def test_store_follow_after_load_continues_without_rereading(tmp_path):
    w = TorchWriter(str(tmp_path))
    w.add_scalar("x", 1.0, 1)
    w.flush()
    store = load(str(tmp_path))
    assert n_points(store, ".", "x") == 1
    f = store.follow(interval=0.1)
    try:
        assert store.follow() is f  # idempotent
        w.add_scalar("x", 2.0, 2)
        w.flush()
        wait_for(lambda: n_points(store, ".", "x") == 2)
    finally:
        store.stop_following()
        w.close()
    assert store.scalars(".", "x").steps.tolist() == [1, 2]


def test_purge_step_while_tailing(tmp_path):
    logdir = str(tmp_path)
    w = TorchWriter(logdir)
    for i in range(10):
        w.add_scalar("x", float(i), i)
    w.close()
    store = load(logdir, follow=True, interval=0.1)
    try:
        v0 = store.scalars(".", "x").epoch
        w = TorchWriter(logdir, purge_step=6)
        w.add_scalar("x", 60.0, 6)
        w.flush()
        wait_for(lambda: store.scalars(".", "x").values[-1] == 60.0)
        w.close()
    finally:
        store.stop_following()
    assert store.scalars(".", "x").steps.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert store.scalars(".", "x").epoch > v0


def test_idle_polls_are_cheap_and_stop_is_clean(tmp_path):
    for r in range(20):
        with TorchWriter(str(tmp_path / f"run{r}")) as w:
            w.add_scalar("x", 1.0, 0)
    store = load(str(tmp_path))
    reader = store._follower.reader
    t0 = time.perf_counter()
    for _ in range(20):
        assert reader.poll() is False
    per_poll = (time.perf_counter() - t0) / 20
    assert per_poll < 0.02, per_poll
    f = store.follow(interval=0.05)
    before = threading.active_count()
    f.stop()
    assert not f.alive and threading.active_count() == before - 1


def test_follow_into_waits_for_a_logdir_that_does_not_exist_yet(tmp_path):
    store = Store(str(tmp_path / "later"))
    f = follow_into(store, str(tmp_path / "later"), interval=0.05)
    try:
        time.sleep(0.1)
        with TorchWriter(str(tmp_path / "later" / "r")) as w:
            w.add_scalar("x", 1.0, 0)
        wait_for(lambda: n_points(store, "r", "x") == 1)
    finally:
        f.stop()


def test_an_unreadable_run_folder_is_named_once_and_the_others_read(tmp_path, monkeypatch, caplog):
    """A run folder the process may not read (tests run as root, so its scandir is made to fail
    as a permission error would): a warning names it, once; every other run is read."""
    import os

    import nbboard
    from nbboard.logdir.reader import LogdirReader

    for run in ("ok", "locked"):
        with nbboard.SummaryWriter(str(tmp_path / run), store=nbboard.Store()) as w:
            w.add_scalar("loss", 1.0, 0)
    real = os.scandir
    locked = str(tmp_path / "locked")

    def scandir(path):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    store = nbboard.Store(str(tmp_path))
    reader = LogdirReader(str(tmp_path), store)
    with caplog.at_level("WARNING", logger="nbboard"):
        reader.poll()
        reader.poll()
    said = [r.getMessage() for r in caplog.records if "cannot read the folder" in r.getMessage()]
    assert len(said) == 1 and locked in said[0] and "Permission denied" in said[0]
    assert store.runs() == ["ok"]
    monkeypatch.setattr(os, "scandir", real)  # readable again: its run joins
    reader.poll()
    assert sorted(store.runs()) == ["locked", "ok"]


def test_an_idle_follower_backs_off_and_comes_back_on_new_data(tmp_path):
    """The waits between polls double while nothing changes (up to 4× locally) and drop back to
    the interval as soon as a poll reads something (the stop event's waits are recorded)."""
    import threading

    import nbboard
    from nbboard.logdir.follow import Follower
    from nbboard.logdir.reader import LogdirReader

    with nbboard.SummaryWriter(str(tmp_path / "a"), store=nbboard.Store()) as w:
        w.add_scalar("loss", 1.0, 0)
    reader = LogdirReader(str(tmp_path), nbboard.Store(str(tmp_path)))
    f = Follower(reader, interval=0.5)
    waits: list[float] = []

    class Stop(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            if len(waits) == 4:  # another process logs meanwhile
                with nbboard.SummaryWriter(str(tmp_path / "b"), store=nbboard.Store()) as w2:
                    w2.add_scalar("loss", 2.0, 0)
            if len(waits) >= 7:
                self.set()
            return self.is_set()

    f._stop = Stop()
    f._run()
    # poll 1 reads run a; 2-4 find nothing; 5 reads run b; 6-7 find nothing again
    assert waits == [0.5, 1.0, 2.0, 2.0, 0.5, 1.0, 2.0]
    assert f.max_interval == 2.0 and f.polls == 7
