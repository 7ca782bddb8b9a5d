"""Readers of equal or nested logdirs feeding one Store's data read each event file once: the
views' followers (`Scalars(d)` beside `Scalars(d + "/t")`), `Store.follow` beside a view, and a
reader that stops while another goes on."""

from __future__ import annotations

import os
import time

import pytest
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard.logdir import LogdirReader, follow_into
from nbboard.store import Store, default_store
from nbboard.widgets import source as sc


def wait_for(cond, timeout: float = 3.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if cond():
                return
        except KeyError:
            pass
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _torch_run(run_dir: str, steps: range) -> TorchWriter:
    w = TorchWriter(run_dir)
    for i in steps:
        w.add_scalar("x", float(i), i)
    w.flush()
    return w


@pytest.fixture
def view_followers():
    """Stop the followers the views' `_follow` started in a test (they are per kernel)."""
    before = dict(sc._followers)
    yield
    for key, f in list(sc._followers.items()):
        if before.get(key) is not f:
            f.stop()
            sc._followers.pop(key, None)


def test_nested_view_follows_read_each_step_once(tmp_path, view_followers):
    d = str(tmp_path / "nested")
    w = _torch_run(os.path.join(d, "t"), range(5))
    outer, _ = sc.resolve_source(d)  # what Scalars(d) does
    inner, _ = sc.resolve_source(d + "/t")  # and Scalars(d + "/t")
    try:
        wait_for(lambda: len(inner.scalars(".", "x")) >= 5)
        time.sleep(0.3)  # a second reader would have added its copy by now
        for i in range(5, 8):
            w.add_scalar("x", float(i), i)
        w.flush()
        wait_for(lambda: len(outer.scalars("t", "x")) >= 8)
        time.sleep(0.3)
    finally:
        w.close()
    assert outer.scalars("t", "x").steps.tolist() == list(range(8))
    assert inner.scalars(".", "x") is outer.scalars("t", "x")


def test_store_follow_beside_a_view_reads_each_step_once(tmp_path, view_followers):
    d = str(tmp_path / "both")
    w = _torch_run(os.path.join(d, "t"), range(5))
    sel = default_store().select(d)
    f = sel.follow(interval=0.05)
    try:
        view, _ = sc.resolve_source(d + "/t")
        wait_for(lambda: len(view.scalars(".", "x")) >= 5)
        time.sleep(0.3)
    finally:
        sel.stop_following()
        w.close()
    assert not f.alive
    assert view.scalars(".", "x").steps.tolist() == list(range(5))


def test_a_reader_stopping_leaves_the_files_to_another(tmp_path):
    d = str(tmp_path)
    w = _torch_run(os.path.join(d, "t"), range(5))
    store = Store(d)
    outer = follow_into(store, d, interval=0.05)
    inner = follow_into(store.select(os.path.join(d, "t")), os.path.join(d, "t"), interval=0.05)
    try:
        wait_for(lambda: len(store.scalars("t", "x")) >= 5)
        outer.stop()
        for i in range(5, 10):
            w.add_scalar("x", float(i), i)
        w.flush()
        wait_for(lambda: len(store.scalars("t", "x")) >= 10)  # the inner reader goes on from its offset
        time.sleep(0.2)
    finally:
        inner.stop()
        outer.stop()
        w.close()
    assert store.scalars("t", "x").steps.tolist() == list(range(10))


def test_readers_polled_by_hand_share_offsets(tmp_path):
    d = str(tmp_path)
    w = _torch_run(os.path.join(d, "a", "b"), range(3))
    store = Store(d)
    readers = [LogdirReader(p, store.select(p)) for p in (d, os.path.join(d, "a"), os.path.join(d, "a", "b"))]
    for r in readers:
        r.poll()
    w.add_scalar("x", 3.0, 3)
    w.flush()
    assert [r.poll() for r in reversed(readers)] == [True, False, False]
    w.close()
    assert store.scalars("a/b", "x").steps.tolist() == [0, 1, 2, 3]
    # a Store over other data has readers of its own and reads everything again
    other = Store(d)
    LogdirReader(d, other).poll()
    assert other.scalars("a/b", "x").steps.tolist() == [0, 1, 2, 3]


def test_scalars_checks_its_filters_before_following(tmp_path):
    from nbboard import Scalars
    from nbboard.widgets.base import Pusher, check_regex

    with pytest.raises(ValueError, match="runs must be a regular expression"):
        Scalars(Store(str(tmp_path)), runs="(", pusher=Pusher(start=False))
    with pytest.raises(ValueError, match="tags must be a regular expression"):
        Scalars(str(tmp_path / "never"), tags="[", pusher=Pusher(start=False))
    assert not (tmp_path / "never").exists()  # nothing followed (or created) for a bad filter
    with pytest.raises(ValueError, match=r"options\['run_filter'\]"):
        Scalars(Store(str(tmp_path)), options={"run_filter": "a("}, pusher=Pusher(start=False))
    assert check_regex("runs", "lr.*") == "lr.*" and check_regex("runs", None) is None
