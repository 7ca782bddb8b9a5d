"""What user code and libraries reach through torch's SummaryWriter besides the add_* methods:
file_writer / _get_file_writer (add_summary, add_event, get_logdir), all_writers, default_bins."""

from __future__ import annotations

import os

import pytest
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard import InputError, Store, SummaryWriter
from tests.tb import accumulator


def _events(d) -> list[str]:
    return sorted(n for n in os.listdir(d) if "tfevents" in n)


def test_file_writer_add_summary_and_add_event_reach_the_file_and_the_store(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    fw = w.file_writer
    assert fw.get_logdir() == str(tmp_path) and w._get_file_writer() is fw
    fw.add_summary(Summary(value=[Summary.Value(tag="acc", simple_value=0.5)]), global_step=3)
    fw.add_summary(Summary(value=[Summary.Value(tag="acc", simple_value=0.75)]).SerializeToString(), 4)
    ev = Event(step=9, summary=Summary(value=[Summary.Value(tag="acc", simple_value=1.0)]))
    fw.add_event(ev, step=5)
    w.close()
    s = store.scalars(w._key, "acc")
    assert s.steps.tolist() == [3, 4, 5] and s.values.tolist() == [0.5, 0.75, 1.0]
    assert [(e.step, e.value) for e in accumulator(tmp_path).Scalars("acc")] == [(3, 0.5), (4, 0.75), (5, 1.0)]


def test_after_close_file_writer_is_none_like_torchs_and_nothing_is_reopened(tmp_path):
    w = SummaryWriter(str(tmp_path), store=Store())
    w.add_scalar("x", 1.0, 0)
    w.close()
    before = _events(tmp_path)
    assert w.file_writer is None and w.all_writers is None
    assert _events(tmp_path) == before  # asking did not open a new file
    fw = w._get_file_writer()  # torch's: recreates it
    assert fw is not None and w.file_writer is not None
    w.close()


def test_all_writers_and_default_bins_match_torchs(tmp_path):
    w = SummaryWriter(str(tmp_path / "a"), store=Store())
    w.add_scalars("m", {"p": 1.0, "q": 2.0}, 0)
    t = TorchWriter(str(tmp_path / "b"))
    t.add_scalars("m", {"p": 1.0, "q": 2.0}, 0)
    assert len(w.all_writers) == len(t.all_writers) == 3
    assert w.default_bins == pytest.approx(t.default_bins, rel=1e-15)
    assert len(w.default_bins) == len(t.default_bins)
    w.close()
    t.close()


def test_add_summary_refuses_what_is_not_a_message(tmp_path):
    w = SummaryWriter(str(tmp_path), store=Store())
    with pytest.raises(InputError, match="add_summary: summary must be a protobuf message"):
        w.file_writer.add_summary(123)
    with pytest.raises(InputError, match="add_event: event is not an Event message"):
        w.file_writer.add_event(b"\xff\xff\xff")
    w.close()


def test_a_run_folder_named_like_an_event_file_is_refused(tmp_path):
    """Found by the writer fuzz test: add_scalars("main", {"tfevents": ...}) made a folder
    `main_tfevents` that TensorBoard's loader opens as an event file and fails on."""
    w = SummaryWriter(str(tmp_path), store=Store())
    with pytest.raises(InputError, match="'tfevents' is what TensorBoard takes for an event file"):
        w.add_scalars("main", {"tfevents": 1.0}, 0)
    with pytest.raises(InputError, match="run_name makes the run folder 'my.tfevents'"):
        w.add_hparams({"a": 1}, {"m": 1.0}, run_name="my.tfevents")
    w.add_scalars("main", {"ok": 1.0}, 0)
    w.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["main_ok"]
    accumulator(tmp_path)  # TensorBoard's loader reads the logdir


def test_a_run_folder_with_a_nul_is_refused(tmp_path):
    """Found by the writer fuzz test: a NUL in an add_scalars key raised a bare ValueError."""
    w = SummaryWriter(str(tmp_path), store=Store())
    with pytest.raises(InputError, match="NUL"):
        w.add_scalars("main", {"\x00": 1.0}, 0)
    w.add_scalar("x", 1.0, 0)
    w.close()
