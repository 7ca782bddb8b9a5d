"""Shared fixtures: a fresh logdir and a private Store per test."""

from __future__ import annotations

import pytest

from nbboard.store import Store


@pytest.fixture
def store() -> Store:
    """A Store of the test's own, so tests do not see each other's runs."""
    return Store()


@pytest.fixture(scope="session")
def ddp_profiles(tmp_path_factory):
    """The logdir of tests/profiler_ddp_job.py run once under torchrun (2 ranks, gloo)."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    logdir = tmp_path_factory.mktemp("ddp-profiles")
    job = Path(__file__).with_name("profiler_ddp_job.py")
    exe = shutil.which("torchrun", path=os.path.dirname(sys.executable))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(job.parent.parent)}
    out = subprocess.run([exe, "--standalone", "--nproc_per_node=2", str(job), str(logdir)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return logdir
