"""Fork, forkserver, spawn and DataLoader workers: nothing logged is written twice or lost.

A writer created before os.fork() must not hand its queue, files or Store entries to the child:
a child that does not log writes nothing, one that logs writes its own file (synchronously, so
ending with os._exit, as multiprocessing and DataLoader workers do, loses nothing)."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

import nbboard
from nbboard import Store, SummaryWriter
from tests.tb import accumulator

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _steps(logdir: str, tag: str = "x") -> list[int]:
    store = nbboard.load(logdir, progress=False)
    return sorted(int(s) for run in store.runs() if tag in store.tags(run).get("scalars", [])
                  for s in store.scalars(run, tag).steps)


def _fork(child) -> None:
    pid = os.fork()
    if pid == 0:  # the child: run, then end like a multiprocessing worker (no exit hooks)
        code = 0
        try:
            child()
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_children_that_do_not_log_write_nothing(tmp_path):
    w = SummaryWriter(str(tmp_path), store=Store())
    for i in range(18_000):  # queued, not yet on disk when the children fork
        w.add_scalar("x", float(i), i)
    _fork(lambda: None)
    _fork(lambda: sys.stdout.flush())
    w.close()
    assert _steps(str(tmp_path)) == list(range(18_000))


def test_a_child_that_logs_writes_its_own_file_and_loses_nothing(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    for i in range(1_000):
        w.add_scalar("x", float(i), i)

    def child() -> None:
        assert store.runs() == []  # the child's Store starts without the parent's data
        for i in range(1_000, 1_500):
            w.add_scalar("x", float(i), i)
        w.add_text("note", "from the child", 0)  # no close(): os._exit follows at once

    _fork(child)
    for i in range(1_500, 2_000):
        w.add_scalar("x", float(i), i)
    w.close()
    assert _steps(str(tmp_path)) == list(range(2_000))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and len({f.rsplit(".", 2)[1] for f in files}) == 2  # one per process (pid)
    acc = accumulator(str(tmp_path))  # TensorBoard reads both files as the run
    assert len(acc.Scalars("x")) == 2_000 and len(acc.Tensors("note/text_summary")) == 1
    assert len(store.select(str(tmp_path)).scalars(".", "x")) == 1_500  # the parent's own points


SCRIPT = """
import os, sys
from nbboard import SummaryWriter
w = SummaryWriter(sys.argv[1])
for i in range(18_000):
    w.add_scalar("x", float(i), i)
for _ in range(2):
    if os.fork() == 0:
        sys.exit(0)  # a normal exit: exit hooks run in the child
    os.wait()
w.close()
"""


def test_children_ending_normally_write_nothing_again(tmp_path):
    """The issue's case: children of a process with queued points run the exit hooks."""
    import subprocess

    subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], check=True, timeout=120)
    assert _steps(str(tmp_path)) == list(range(18_000))


class _Numbers(Dataset):
    def __init__(self, writer: SummaryWriter | None = None) -> None:
        self.writer = writer

    def __len__(self) -> int:
        return 64

    def __getitem__(self, i: int) -> torch.Tensor:
        if self.writer is not None:
            self.writer.add_scalar("item", float(i), i)
        return torch.tensor([float(i)])


@pytest.mark.parametrize("log_in_workers", [False, True])
def test_dataloader_workers_write_nothing_twice(tmp_path, log_in_workers):
    w = SummaryWriter(str(tmp_path), store=Store())
    loader = DataLoader(_Numbers(w if log_in_workers else None), batch_size=4, num_workers=2,
                        multiprocessing_context="fork")
    step = 0
    for _epoch in range(3):
        for batch in loader:
            for _ in range(len(batch)):
                w.add_scalar("x", float(step), step)
                step += 1
    w.close()
    assert step == 192
    assert _steps(str(tmp_path)) == list(range(192))
    if log_in_workers:  # each item was logged once per epoch, by the worker that loaded it
        assert _steps(str(tmp_path), "item") == sorted(list(range(64)) * 3)
    else:
        assert len(list(tmp_path.iterdir())) == 1


def _log_in_a_new_process(logdir: str, start: int) -> None:
    w = SummaryWriter(logdir, store=Store())
    for i in range(start, start + 300):
        w.add_scalar("x", float(i), i)
    w.close()


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_processes_of_every_start_method_log_once(tmp_path, method):
    w = SummaryWriter(str(tmp_path), store=Store())
    for i in range(300):
        w.add_scalar("x", float(i), i)
    ctx = mp.get_context(method)
    procs = [ctx.Process(target=_log_in_a_new_process, args=(str(tmp_path / f"p{k}"), 300 * (k + 1)))
             for k in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    w.close()
    assert _steps(str(tmp_path)) == list(range(900))
    assert np.all(np.diff(_steps(str(tmp_path))) == 1)
