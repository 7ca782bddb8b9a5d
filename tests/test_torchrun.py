"""A real `torchrun --nproc_per_node=4` job (gloo, CPU, DistributedDataParallel; tests/ranks_job.py):
every rank logs into its own folder of one run, a slow rank shows as the one logging each step
last, and a rank SIGKILLed mid-way loses nothing it logged (its journal is recovered) while the
others' data stays whole. The browser side of the same job is tests/browser/test_ranks_view.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbboard
from tests.tb import accumulator

JOB = Path(__file__).with_name("ranks_job.py")


def torchrun(logdir: Path, *args: str, nproc: int = 4) -> subprocess.Popen:
    """Start the job under torchrun (a free port); its output goes to `<logdir>-job.log`."""
    exe = shutil.which("torchrun", path=os.path.dirname(sys.executable))
    assert exe, "torchrun is installed with torch"
    logdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(JOB.parent.parent)}
    with open(logdir.parent / f"{logdir.name}-job.log", "wb") as log:  # the child keeps its own copy
        return subprocess.Popen([exe, "--standalone", f"--nproc_per_node={nproc}",
                                 str(JOB), str(logdir), *args], stdout=log, stderr=subprocess.STDOUT, env=env)


@pytest.fixture(scope="module")
def killed_job(tmp_path_factory) -> Path:
    logdir = tmp_path_factory.mktemp("ddp")
    proc = torchrun(logdir, "--steps", "40", "--slow-rank", "2", "--slow", "0.1",
                    "--kill-rank", "3", "--kill-step", "30")
    assert proc.wait(timeout=240) != 0  # a rank was killed: torchrun reports the job failed
    return logdir


def test_every_rank_has_its_folder_and_the_killed_one_lost_nothing_it_logged(killed_job):
    folders = sorted(p.name for p in (killed_job / "ddp").iterdir())
    assert folders == ["rank0", "rank1", "rank2", "rank3"]
    s = nbboard.load(str(killed_job), progress=False)
    assert s.runs() == ["ddp"] and s.ranks("ddp") == [0, 1, 2, 3]
    for r in range(3):  # the others logged step 30's loss, then the all-reduce failed
        assert s.scalars("ddp", "train/loss", rank=r).steps.tolist() == list(range(31))
    # the killed rank: every step before the kill, its last ones from its journal (no close, no flush)
    assert s.scalars("ddp", "train/loss", rank=3).steps.tolist() == list(range(30))
    for r in range(4):
        assert s.scalars("ddp", "train/step_time", rank=r).steps.tolist() == list(range(30))
        assert s.histograms("ddp", "weights/fc1", rank=r).steps.tolist() == [0, 10, 20]
    assert not [p for p in (killed_job / "ddp").rglob(".nbboard-journal*")]  # recovered, then removed
    # TensorBoard reads the killed rank's folder as a run with every point
    assert [e.step for e in accumulator(str(killed_job / "ddp" / "rank3")).Scalars("train/loss")] == list(range(30))
    # DDP: every rank ends a step together (the all-reduce), so their step times agree
    times = np.array([s.scalars("ddp", "train/step_time", rank=r).values[5:] for r in range(4)])
    assert np.all(np.abs(times - times.mean(0)) < 0.05)


def test_the_slow_rank_logs_each_step_last(killed_job):
    s = nbboard.load(str(killed_job), progress=False)
    walls = np.array([s.scalars("ddp", "train/loss", rank=r).wall_times[:30] for r in range(4)])
    lag = np.median(walls - walls.min(0), axis=1)
    assert lag.argmax() == 2 and lag[2] > 0.07 and np.all(np.delete(lag, 2) < 0.03), lag
