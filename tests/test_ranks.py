"""The ranks of a distributed job: each rank's writer has its own folder and file names, TensorBoard
reads each as a run, nbboard folds them back into one run with ranks (Store, feed, frames), and a
single process is unchanged. The real torchrun job is tests/test_torchrun.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import nbboard
from nbboard import Store, SummaryWriter
from nbboard.convert import InputError
from nbboard.kinds.scalars.feed import ScalarFeed
from nbboard.ranks import group_of, process_rank, rank_of
from tests.tb import accumulator


def _as_rank(monkeypatch, rank: int | str, world: int | str = 2) -> None:
    monkeypatch.setenv("RANK", str(rank))
    monkeypatch.setenv("WORLD_SIZE", str(world))
    monkeypatch.setenv("LOCAL_RANK", str(rank))


def _event_files(folder) -> list[str]:
    return sorted(f for f in os.listdir(folder) if "tfevents" in f)


def _log_ranks(monkeypatch, logdir, world: int = 2, steps: int = 5, **kw) -> None:
    """One writer per rank (this process posing as each in turn, as torchrun's environment says)."""
    for r in range(world):
        _as_rank(monkeypatch, r, world)
        w = SummaryWriter(os.path.join(logdir, "exp"), store=Store(), **kw)
        for i in range(steps):
            w.add_scalar("loss", 10.0 * r + i, i)
        w.add_scalars("m", {"a": float(r), "b": 2.0 * r}, 0)
        if r == world - 1:
            w.add_scalar("only_last", 1.0, 0)  # a tag one rank logs
            w.add_custom_scalars({"g": {"c": ["Multiline", ["loss"]]}})
        w.close()
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(k)


def test_each_rank_writes_its_own_folder_that_tensorboard_reads(tmp_path, monkeypatch):
    _log_ranks(monkeypatch, str(tmp_path), world=2, filename_suffix=".mine")
    exp = tmp_path / "exp"
    assert sorted(os.listdir(exp)) == ["rank0", "rank1"]
    for r in (0, 1):
        files = _event_files(exp / f"rank{r}")
        assert len(files) == 1 and files[0].endswith(f".rank{r}.mine")
        assert sorted(os.listdir(exp / f"rank{r}")) == sorted(["m_a", "m_b", *files])
        ea = accumulator(str(exp / f"rank{r}"))
        assert [e.value for e in ea.Scalars("loss")] == [10.0 * r + i for i in range(5)]
        sub = accumulator(str(exp / f"rank{r}" / "m_b"))
        assert [e.value for e in sub.Scalars("m")] == [2.0 * r]


def test_the_store_folds_rank_folders_into_one_run(tmp_path, monkeypatch):
    _log_ranks(monkeypatch, str(tmp_path), world=3)
    s = nbboard.load(str(tmp_path), progress=False)
    assert s.runs() == ["exp", "exp/m_a", "exp/m_b"]
    assert s.ranks("exp") == [0, 1, 2] and s.ranks("exp/m_a") == [0, 1, 2]
    assert s.runs(ranks=True) == sorted(f"exp/rank{r}{sub}" for r in range(3) for sub in ("", "/m_a", "/m_b"))
    for r in range(3):
        np.testing.assert_array_equal(s.scalars("exp", "loss", rank=r).values, 10.0 * r + np.arange(5))
        assert s.scalars("exp/m_b", "m", rank=r).values.tolist() == [2.0 * r]
    # by default the lowest rank's series, the one rank-0-only logging would have shown
    np.testing.assert_array_equal(s.scalars("exp", "loss").values, np.arange(5.0))
    assert sorted(s.tags("exp")["scalars"]) == ["loss", "only_last"]
    assert s.scalars("exp", "only_last").values.tolist() == [1.0]  # found in the rank that logged it
    assert s.plugin_record("exp", "custom_scalars") is not None
    with pytest.raises(KeyError, match=r"no rank 7.*\[0, 1, 2\]"):
        s.scalars("exp", "loss", rank=7)
    with pytest.raises(KeyError, match="rank 0 of run 'exp'"):
        s.scalars("exp", "only_last", rank=0)
    # tbparse's frame: one run per rank folder, every point kept
    df = s.to_pandas()
    assert len(df[df.tag == "loss"]) == 15
    assert sorted(set(df[df.tag == "loss"].dir_name)) == ["exp/rank0", "exp/rank1", "exp/rank2"]


def test_the_writers_own_store_knows_its_rank(tmp_path, monkeypatch):
    _as_rank(monkeypatch, 1, 4)
    store = Store(str(tmp_path))
    w = SummaryWriter(str(tmp_path / "exp"), store=store)
    w.add_scalar("loss", 1.0, 0)
    w.add_scalars("m", {"a": 1.0}, 0)
    w.flush()
    assert w.rank == 1 and w.log_dir == str(tmp_path / "exp" / "rank1")
    assert store.runs() == ["exp", "exp/m_a"]
    assert store.ranks("exp") == [1] and store.ranks("exp/m_a") == [1]
    assert store.scalars("exp", "loss", rank=1).values.tolist() == [1.0]
    w.close()


def test_a_store_only_writer_of_a_rank_folds_too(tmp_path, monkeypatch):
    _as_rank(monkeypatch, 2, 4)
    store = Store(str(tmp_path))
    w = SummaryWriter(str(tmp_path / "exp"), store=store, write_to_disk=False)  # tensorboardX's switch
    w.add_scalar("loss", 1.0, 0)
    w.add_scalars("m", {"a": 2.0}, 0)
    w.close()
    assert not (tmp_path / "exp").exists()
    assert store.runs() == ["exp", "exp/m_a"] and store.ranks("exp") == [2] and store.ranks("exp/m_a") == [2]


def test_rank0_only_keeps_tensorboards_habit(tmp_path, monkeypatch):
    for r in (1, 0):
        _as_rank(monkeypatch, r)
        w = SummaryWriter(str(tmp_path / "exp"), store=Store(), rank0_only=True)
        w.add_scalar("loss", float(r), 0)
        w.close()
        if r == 1:
            assert not (tmp_path / "exp").exists()  # the other ranks write nothing
    files = _event_files(tmp_path / "exp")
    assert len(files) == 1 and ".rank" not in files[0]
    s = nbboard.load(str(tmp_path), progress=False)
    assert s.runs() == ["exp"] and s.ranks("exp") == []
    assert s.scalars("exp", "loss").values.tolist() == [0.0]
    with pytest.raises(InputError, match="rank0_only must be True or False"):
        SummaryWriter(str(tmp_path / "x"), rank0_only="yes")


@pytest.mark.parametrize("env", [
    {}, {"RANK": "0", "WORLD_SIZE": "1"}, {"RANK": "abc", "WORLD_SIZE": "2"},
    {"RANK": "3", "WORLD_SIZE": "2"}, {"RANK": "1"}, {"RANK": "-1", "WORLD_SIZE": "2"}])
def test_a_single_process_or_a_bad_environment_changes_nothing(tmp_path, monkeypatch, env):
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert process_rank() is None
    w = SummaryWriter(str(tmp_path / "exp"), store=Store())
    w.add_scalar("loss", 1.0, 0)
    w.close()
    assert w.rank is None and w.log_dir == str(tmp_path / "exp")
    files = _event_files(tmp_path / "exp")
    assert len(files) == 1 and ".rank" not in files[0]


def test_rank_names_are_read_only_where_both_marks_agree():
    assert rank_of("exp/rank3", "events.out.tfevents.1.host.1.0.rank3") == (3, "exp")
    assert rank_of("rank0", "events.out.tfevents.1.h.1.0.rank0.v2") == (0, ".")
    assert rank_of("exp/rank3/m_a", "events.out.tfevents.1.h.1.0.rank3") == (3, "exp/m_a")
    assert rank_of("exp/rank2", "events.out.tfevents.1.h.1.0.rank3") is None  # folder and name disagree
    assert rank_of("exp/rank3", "events.out.tfevents.1.h.1.0") is None  # a user's folder named rank3
    assert rank_of("exp/rank3", "events.out.tfevents.1.h.1.0.rank3x") is None
    assert group_of("s3://b/runs/exp/rank1", 1) == "s3://b/runs/exp"


def test_ranks_written_by_separate_processes_while_a_reader_tails(tmp_path):
    """Two real processes with torchrun's environment; a following Store sees the ranks appear."""
    store = nbboard.load(str(tmp_path), follow=True, interval=0.1, progress=False)
    code = ("import sys, time\nfrom nbboard import SummaryWriter\n"
            "w = SummaryWriter(sys.argv[1], flush_secs=1)\n"
            "for i in range(40):\n    w.add_scalar('loss', float(i), i)\n    w.flush()\n    time.sleep(0.01)\n"
            "w.close()\n")
    procs = []
    try:
        for r in range(2):
            env = {**os.environ, "RANK": str(r), "WORLD_SIZE": "2", "LOCAL_RANK": str(r)}
            procs.append(subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "exp")], env=env))
        for p in procs:
            assert p.wait(timeout=120) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "exp" in store.runs() and store.ranks("exp") == [0, 1] and all(
                    len(store.scalars("exp", "loss", rank=r)) == 40 for r in (0, 1)):
                break
            time.sleep(0.05)
    finally:
        store.stop_following()
    assert store.runs() == ["exp"] and store.ranks("exp") == [0, 1]
    for r in (0, 1):
        assert store.scalars("exp", "loss", rank=r).steps.tolist() == list(range(40))


def test_the_feed_sends_each_ranks_series_under_the_run(tmp_path, monkeypatch):
    _log_ranks(monkeypatch, str(tmp_path), world=2)
    s = nbboard.load(str(tmp_path), progress=False)
    msg, buffers = ScalarFeed(s).poll()
    rows = {(r[1], r[2], r[6]): r for r in msg["series"]}
    assert {k for k in rows if k[1] == "loss"} == {("exp", "loss", 0), ("exp", "loss", 1)}
    assert rows[("exp", "only_last", 1)][4] == 1 and ("exp", "only_last", 0) not in rows
    assert all(r[6] in (0, 1) for r in msg["series"])
    # each rank's series names its own folder, sub-runs included (exports use the name)
    assert {(r[1], r[6], r[7]) for r in msg["series"]} == {
        ("exp", 0, "exp/rank0"), ("exp", 1, "exp/rank1"), ("exp/m_a", 0, "exp/rank0/m_a"),
        ("exp/m_a", 1, "exp/rank1/m_a"), ("exp/m_b", 0, "exp/rank0/m_b"), ("exp/m_b", 1, "exp/rank1/m_b")}
    # and a run of one process says -1
    w = SummaryWriter(str(tmp_path / "single"), store=s)
    w.add_scalar("loss", 1.0, 0)
    w.flush()
    msg, _ = ScalarFeed(s).poll()
    assert [r[6:] for r in msg["series"] if r[1] == "single"] == [[-1, "single"]]
    w.close()


def test_a_ranks_truncated_file_loses_only_its_tail(tmp_path, monkeypatch):
    _log_ranks(monkeypatch, str(tmp_path), world=2, steps=50)
    f = tmp_path / "exp" / "rank1" / _event_files(tmp_path / "exp" / "rank1")[0]
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2])
    s = nbboard.load(str(tmp_path), progress=False)
    assert s.ranks("exp") == [0, 1]
    assert s.scalars("exp", "loss", rank=0).steps.tolist() == list(range(50))
    got = s.scalars("exp", "loss", rank=1).steps.tolist()
    assert 0 < len(got) < 50 and got == list(range(len(got)))


def test_record_views_get_each_ranks_records_under_its_folder_name(tmp_path, monkeypatch):
    for r in range(2):
        _as_rank(monkeypatch, r)
        w = SummaryWriter(str(tmp_path / "exp"), store=Store())
        w.add_histogram("w", np.arange(10.0) * (r + 1), 0)
        w.add_text("note", f"rank {r}", 0)
        w.close()
    from nbboard.widgets.feeds import RecordFeed

    s = nbboard.load(str(tmp_path), progress=False)
    msg, _ = RecordFeed(s, ("histograms", "text")).poll()
    got = sorted((row[1], row[2], row[3]) for row in msg["series"])
    assert got == [("histograms", "exp/rank0", "w"), ("histograms", "exp/rank1", "w"),
                   ("text", "exp/rank0", "note"), ("text", "exp/rank1", "note")]
    assert s.histograms("exp/rank1", "w").steps.tolist() == [0]  # a rank folder's name is a run name too
