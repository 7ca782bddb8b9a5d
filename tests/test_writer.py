"""SummaryWriter basics: scalars round-trip through TensorBoard's loader and match torch's
writer; constructor semantics; bad input leaves everything intact; threads; crash safety."""

from __future__ import annotations

import enum
import glob
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
import torch
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import nbboard
from nbboard import InputError, SummaryWriter
from nbboard.convert import check_tag
from nbboard.store import Store, run_key
from tests.tb import accumulator
from tests.torch_parity import assert_rejected


def event_bytes(logdir: str) -> dict[str, bytes]:
    return {p: open(p, "rb").read() for p in glob.glob(os.path.join(logdir, "**", "events.*"),
                                                        recursive=True)}


def test_scalars_round_trip_and_match_torch(tmp_path, store):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    calls = [("loss/train", 1.0 / (i + 1), i) for i in range(300)]
    calls += [("acc", float(i) / 7, i * 10) for i in range(50)]
    calls += [("big_step", 0.5, 2**40), ("neg_step", 0.25, -3)]
    with SummaryWriter(ours, store=store) as w, TorchWriter(theirs) as t:
        for tag, v, s in calls:
            w.add_scalar(tag, v, s)
            t.add_scalar(tag, v, s)
        w.add_scalars("run", {"a": 1.0, "b": 2.0}, 3)
        t.add_scalars("run", {"a": 1.0, "b": 2.0}, 3)
    a, b = accumulator(ours), accumulator(theirs)
    assert sorted(a.Tags()["scalars"]) == sorted(b.Tags()["scalars"])
    for tag in b.Tags()["scalars"]:
        sa = [(e.step, e.value) for e in a.Scalars(tag)]
        sb = [(e.step, e.value) for e in b.Scalars(tag)]
        assert sa == sb, tag
    assert sorted(os.listdir(ours)) == sorted(os.listdir(theirs)) or sorted(
        d for d in os.listdir(ours) if not d.startswith("events")) == sorted(
        d for d in os.listdir(theirs) if not d.startswith("events"))
    for sub in ("run_a", "run_b"):
        assert [e.value for e in accumulator(os.path.join(ours, sub)).Scalars("run")] == [
            1.0 if sub == "run_a" else 2.0]
    view = store.select(ours)
    assert view.runs() == [".", "run_a", "run_b"]
    s = view.scalars(".", "loss/train")
    assert s.steps.tolist() == list(range(300))
    np.testing.assert_array_equal(s.values, [1.0 / (i + 1) for i in range(300)])
    assert s.wall_times.dtype == np.float64 and (np.diff(s.wall_times) >= 0).all()
    assert view.scalars("run_a", "run").values.tolist() == [1.0]
    assert view.tags(".") == {"scalars": ["loss/train", "acc", "big_step", "neg_step"]}


@pytest.mark.parametrize("value,expected", [
    (3, 3.0), (True, 1.0), (np.float32(1.5), 1.5), (np.int64(7), 7.0), (np.array(2.5), 2.5),
    (torch.tensor(1.25), 1.25), (torch.tensor(2, dtype=torch.int32), 2.0),
    (torch.tensor(0.5, dtype=torch.float16), 0.5), (torch.tensor(0.75, dtype=torch.bfloat16), 0.75),
    (torch.tensor(True), 1.0), (torch.tensor([4.0]), 4.0),
    (torch.tensor(3.0, requires_grad=True) * 2, 6.0),
])
def test_scalar_input_types(tmp_path, store, value, expected):
    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_scalar("x", value, 1)
    assert store.select(str(tmp_path)).scalars(".", "x").values.tolist() == [expected]
    assert [e.value for e in accumulator(str(tmp_path)).Scalars("x")] == [expected]


def test_non_finite_scalars_are_data(tmp_path, store):
    with SummaryWriter(str(tmp_path), store=store) as w:
        for i, v in enumerate([math.nan, math.inf, -math.inf, 1.0]):
            w.add_scalar("x", v, i)
    vals = store.select(str(tmp_path)).scalars(".", "x").values
    assert np.isnan(vals[0]) and vals[1] == math.inf and vals[2] == -math.inf
    tb = [e.value for e in accumulator(str(tmp_path)).Scalars("x")]
    assert math.isnan(tb[0]) and tb[1:] == [math.inf, -math.inf, 1.0]


@pytest.mark.parametrize("call,words", [
    (lambda w: w.add_scalar(3, 1.0), ["add_scalar", "tag", "str", "int"]),
    (lambda w: w.add_scalar("", 1.0), ["add_scalar", "tag", "non-empty"]),
    (lambda w: w.add_scalar("x", "1.0"), ["add_scalar", "scalar_value", "number", "str"]),
    (lambda w: w.add_scalar("x", torch.ones(3)), ["scalar_value", "one-element", "(3,)"]),
    (lambda w: w.add_scalar("x", np.ones((2, 2))), ["scalar_value", "(2, 2)"]),
    (lambda w: w.add_scalar("x", 1.0, "ten"), ["global_step", "int", "str"]),
    (lambda w: w.add_scalar("x", 1.0, 1, walltime="now"), ["walltime", "number"]),
    (lambda w: w.add_scalar("x", 1 + 2j), ["scalar_value"]),
    (lambda w: w.add_scalars("m", {"a": 1.0, "b": "bad"}, 1), ["add_scalars", "'b'"]),
    (lambda w: w.add_scalars("m", [1.0], 1), ["add_scalars", "tag_scalar_dict", "dict"]),
    (lambda w: w.add_hparams({"lr": [1, 2]}, {"m": 1.0}), ["add_hparams"]),
])
def test_bad_input_names_argument_and_leaves_writer_intact(tmp_path, store, call, words):
    logdir = str(tmp_path)
    w = SummaryWriter(logdir, store=store)
    w.add_scalar("x", 1.0, 0)
    w.flush()
    before_files = event_bytes(logdir)
    before_runs = store.select(logdir).runs()
    with pytest.raises(InputError) as exc:
        call(w)
    for word in words:
        assert word in str(exc.value), (word, str(exc.value))
    w.flush()
    assert event_bytes(logdir) == before_files
    view = store.select(logdir)
    assert view.runs() == before_runs
    assert view.tags(".") == {"scalars": ["x"]}
    assert len(view.scalars(".", "x")) == 1
    w.add_scalar("x", 2.0, 1)  # still usable
    w.close()
    assert [e.value for e in accumulator(logdir).Scalars("x")] == [1.0, 2.0]


def test_input_error_is_type_and_value_error():
    assert issubclass(InputError, TypeError) and issubclass(InputError, ValueError)


def test_default_log_dir_comment_and_file_name(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1", filename_suffix=".v2", store=store)
    w.close()
    assert re.fullmatch(r"runs/[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_.+_lr0\.1", w.get_logdir())
    (name,) = os.listdir(w.get_logdir())
    assert re.fullmatch(r"events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+\.v2", name)


def test_purge_step_discards_orphaned_steps(tmp_path, store):
    logdir = str(tmp_path)
    with SummaryWriter(logdir, store=store) as w:
        for i in range(10):
            w.add_scalar("x", float(i), i)
    time.sleep(1.1)  # a new event file name (the name has a seconds timestamp)
    with SummaryWriter(logdir, purge_step=5, store=store) as w:
        for i in range(5, 8):
            w.add_scalar("x", 100.0 + i, i)
    expected = [(i, float(i)) for i in range(5)] + [(i, 100.0 + i) for i in range(5, 8)]
    assert [(e.step, e.value) for e in accumulator(logdir).Scalars("x")] == expected
    s = store.select(logdir).scalars(".", "x")
    assert list(zip(s.steps.tolist(), s.values.tolist())) == expected
    assert s.epoch == 1


def test_reopen_after_close_and_context_manager(tmp_path, store):
    logdir = str(tmp_path)
    w = SummaryWriter(logdir, store=store)
    w.add_scalar("x", 1.0, 0)
    w.close()
    w.add_scalar("x", 2.0, 1)  # torch reopens a new file
    w.close()
    assert len(glob.glob(os.path.join(logdir, "events.*"))) == 2
    assert [e.value for e in accumulator(logdir).Scalars("x")] == [1.0, 2.0]


def test_writers_share_the_kernel_store(tmp_path):
    a = SummaryWriter(str(tmp_path / "runs" / "a"))
    b = SummaryWriter(str(tmp_path / "runs" / "b"))
    a.add_scalar("loss", 1.0, 0)
    b.add_scalar("loss", 2.0, 0)
    assert a.store is b.store is nbboard.default_store()
    view = nbboard.default_store().select(str(tmp_path / "runs"))
    assert view.runs() == ["a", "b"]
    assert view.scalars("b", "loss").values.tolist() == [2.0]
    a.close()
    b.close()


def test_many_threads_one_writer(tmp_path, store):
    logdir = str(tmp_path)
    w = SummaryWriter(logdir, store=store)
    n_threads, n = 8, 5000

    def work(k: int) -> None:
        for i in range(n):
            w.add_scalar(f"t{k}", float(i), i)
            if i % 1000 == 0:
                w.add_text(f"text{k}", f"thread {k} at {i}", i)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w.close()
    ea = accumulator(logdir)
    for k in range(n_threads):
        ev = ea.Scalars(f"t{k}")
        assert [e.step for e in ev] == list(range(n))
        assert [e.value for e in ev] == [float(i) for i in range(n)]
        assert store.select(logdir).scalars(".", f"t{k}").steps.tolist() == list(range(n))


def test_memory_per_scalar_point(store):
    s = store.series_for("/tmp/mem-run", "x", "scalars")
    with store.lock:
        for i in range(100_000):
            s.append(i, float(i), 0.0)
    assert s.nbytes() / len(s) <= 40


def test_sigkill_leaves_flushed_events_readable(tmp_path):
    logdir = str(tmp_path)
    script = textwrap.dedent(f"""
        import sys, time
        from nbboard import SummaryWriter
        w = SummaryWriter({logdir!r})
        for i in range(20000):
            w.add_scalar("x", float(i), i)
        w.add_text("note", "flushed", 0)
        w.flush()
        print("flushed", flush=True)
        i = 20000
        while True:  # keep logging until killed, never flushing explicitly
            w.add_scalar("x", float(i), i)
            i += 1
            if i % 1000 == 0:
                time.sleep(0.001)
    """)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "flushed"
        time.sleep(1.0)  # the background thread writes more meanwhile; a record may be half-written
        p.send_signal(signal.SIGKILL)
    finally:
        p.wait(timeout=30)
    steps = [e.step for e in accumulator(logdir).Scalars("x")]
    assert len(steps) >= 20000
    assert steps[:20000] == list(range(20000))
    assert steps == list(range(len(steps)))


def test_flush_secs_and_max_queue_are_accepted(tmp_path, store):
    with SummaryWriter(str(tmp_path), max_queue=1, flush_secs=1, store=store) as w:
        w.add_scalar("x", 1.0)
    assert [e.step for e in accumulator(str(tmp_path)).Scalars("x")] == [0]


def test_nbboard_store_is_a_store():
    assert isinstance(nbboard.default_store(), Store)


def test_one_kind_per_tag(tmp_path, store):
    logdir = str(tmp_path)
    w = SummaryWriter(logdir, store=store)
    w.add_scalar("x", 1.0, 0)
    w.add_text("t", "hello", 0)
    with pytest.raises(InputError, match="add_text: tag 'x' already holds scalars"):
        w.add_text("x", "hello", 1)
    with pytest.raises(InputError, match="add_scalar: tag 't' already holds text"):
        w.add_scalar("t", 1.0, 1)
    w.close()
    assert store.select(logdir).tags(".") == {"scalars": ["x"], "text": ["t"]}


def test_public_api_names_resolve():
    for name in nbboard.__all__:
        assert getattr(nbboard, name) is not None, name
    with pytest.raises(AttributeError):
        nbboard.NoSuchView  # noqa: B018


class _Tag(str, enum.Enum):  # str(member) is "_Tag.ACC"; its text is "acc"
    ACC = "acc"


def _series_tags(store, key: str) -> list:
    return list(store._data.runs[key].series)


def test_check_tag_returns_plain_str():
    for t in (np.str_("loss"), _Tag.ACC):
        out = check_tag(t, "m")
        assert type(out) is str
    assert check_tag(_Tag.ACC, "m") == "acc"
    with pytest.raises(InputError, match="must be a str"):
        check_tag(b"loss", "m")


def test_str_subclass_tags_are_accepted_and_stored_as_str(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar(np.str_("loss"), 1.0, 0)
    w.add_scalar(_Tag.ACC, 0.5, 0)
    w.add_image(np.str_("img"), np.zeros((3, 2, 2), np.uint8), 0)
    w.add_scalars(np.str_("m"), {np.str_("a"): 1.0, _Tag.ACC: 2.0}, 0)
    w.add_scalars(np.str_("m"), {np.str_("a"): 3.0, _Tag.ACC: 4.0}, 1)  # the cached path
    w.close()
    tags = _series_tags(store, w._key)
    assert tags == ["loss", "acc", "img"] and all(type(t) is str for t in tags)
    for sub in ("m_a", "m_acc"):
        key = run_key(str(tmp_path / sub))
        assert [type(t) for t in _series_tags(store, key)] == [str]
    back = nbboard.load(str(tmp_path))
    assert back.scalars("m_acc", "m").values.tolist() == [2.0, 4.0]
    assert back.scalars(".", "acc").values.tolist() == [0.5]


def test_add_scalars_cache_survives_close_and_keeps_checks(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalars("m", {"a": 1.0, "b": 2.0}, 0)
    with pytest.raises(InputError, match="tag_scalar_dict"):
        w.add_scalars("m", {"a": 3.0, "b": "x"}, 1)  # a bad value: nothing is appended
    key_a = run_key(str(tmp_path / "m_a"))
    assert store._data.runs[key_a].series["m"].steps.tolist() == [0]
    w.close()
    w.add_scalars("m", {"a": 5.0, "b": 6.0}, 2)  # reopened after close(): new files
    other = SummaryWriter(str(tmp_path / "h_x"), store=store)  # the sub-run add_scalars("h", {"x"})
    other.add_histogram("h", np.ones(3), 0)
    other.close()
    with pytest.raises(InputError, match="already holds"):  # checked on a cache miss
        w.add_scalars("h", {"x": 1.0}, 0)
    w.close()
    back = nbboard.load(str(tmp_path))
    assert back.scalars("m_a", "m").steps.tolist() == [0, 2]
    assert back.scalars("m_b", "m").values.tolist() == [2.0, 6.0]


BAD_TEXT = "bad\ud800"  # a lone surrogate: Python holds it, UTF-8 (and so an event file) cannot


@pytest.mark.parametrize("call, words", [
    (lambda w: w.add_scalar(BAD_TEXT, 1.0, 0), ["add_scalar", "tag", "UTF-8", "surrogate"]),
    (lambda w: w.add_scalars("m", {BAD_TEXT: 1.0}, 0), ["add_scalars", "key"]),
    (lambda w: w.add_image(BAD_TEXT, np.zeros((3, 2, 2)), 0), ["add_image", "tag"]),
    (lambda w: w.add_text("t", BAD_TEXT, 0), ["add_text", "text_string"]),
    (lambda w: w.add_scalar("s", 1.0, 2**70), ["add_scalar", "global_step", "64-bit"]),
    (lambda w: w.add_scalar("s", 1.0, -(2**63) - 1), ["global_step", "64-bit"]),
    (lambda w: w.add_image("i", np.zeros((3, 2, 2)), 2**70), ["add_image", "global_step", "64-bit"]),
    (lambda w: w.add_histogram("h", np.ones(3), np.uint64(2**64 - 1)), ["global_step", "64-bit"]),
    (lambda w: w.add_mesh("m", np.zeros((1, 0, 3))), ["add_mesh", "vertices", "at least one"]),
    (lambda w: w.add_mesh("m", np.zeros((0, 4, 3))), ["add_mesh", "vertices"]),
])
def test_values_a_file_cannot_hold_are_refused_on_the_caller(tmp_path, store, call, words):
    """Each is refused with the argument named; the writer, its Store and its files stay as they
    were and the run's other tags keep being written."""
    assert_rejected(tmp_path, store, call, words, lambda w: w.add_scalar("ok", 1.0, 1))


def test_a_record_that_fails_to_encode_loses_only_itself(tmp_path, store):
    """Whatever slips past the caller's checks costs that record, never the file or other tags."""
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("a", 1.0, 0)
    w._thread.queue.append((w._main.index, 1.0, 1, BAD_TEXT, 2.0, None))  # a scalar of a bad tag
    with pytest.warns(UserWarning, match="could not encode"):
        w.flush()
    for i in range(1, 2_000):
        w.add_scalar("a", float(i), i)
    w.close()
    acc = accumulator(str(tmp_path))
    assert len(acc.Scalars("a")) == 2_000


@pytest.mark.parametrize("call, words", [
    (lambda w: w.add_scalars("m", {"/../../../outside": 1.0}, 0), ["add_scalars", "inside log_dir"]),
    (lambda w: w.add_scalars("m", {"a/../../x": 1.0}, 0), ["add_scalars", "'..'"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"acc": 1.0}, run_name="../../outside"), ["add_hparams", "run_name"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"acc": 1.0}, run_name="/tmp/outside"), ["run_name", "absolute"]),
])
def test_no_file_is_made_outside_log_dir(tmp_path, store, call, words):
    before = set(tmp_path.parent.iterdir())
    assert_rejected(tmp_path, store, call, words, lambda w: w.add_scalar("ok", 1.0, 1))
    assert set(tmp_path.parent.iterdir()) == before
