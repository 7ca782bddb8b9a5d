"""Crash safety and full disks: what add_scalar returned from survives kill -9; a full disk
costs one warning, keeps whole records in the file and resumes when space returns."""

from __future__ import annotations

import mmap
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import nbboard
from nbboard import Store, SummaryWriter
from nbboard.tfevents import journal as jr
from nbboard.tfevents.reader import scan_records
from tests.tb import accumulator

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX")

CHILD = textwrap.dedent("""
    import mmap, os, sys
    import numpy as np
    from nbboard import SummaryWriter
    logdir, progress, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    prog = np.frombuffer(mmap.mmap(os.open(progress, os.O_RDWR), 8), dtype=np.int64)
    w = SummaryWriter(logdir)
    for i in range(n):
        w.add_scalar("x", float(i), i)
        if i % 3 == 0:
            w.add_scalars("pair", {"a": float(i), "b": -float(i)}, i)
        prog[0] = i + 1  # after the calls returned
    w.close()
""")


def _kill_at(tmp_path, n: int, target: int) -> tuple[str, int]:
    """Run the child logging n points; SIGKILL it once `target` add_scalar calls returned."""
    logdir = str(tmp_path / "logs")
    progress = tmp_path / "progress"
    progress.write_bytes(bytes(8))
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    prog = np.frombuffer(mmap.mmap(os.open(progress, os.O_RDWR), 8), dtype=np.int64)
    p = subprocess.Popen([sys.executable, str(script), f"{logdir}/run", str(progress), str(n)])
    deadline = time.monotonic() + 120
    while prog[0] < target and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0002)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    return logdir, int(prog[0])


TRIALS = [(200_000, t) for t in random.Random(20261204).sample(range(1_000, 195_000), 9)]
TRIALS.append((400_000, 390_000))  # past 2 laps of the journal's ring


@pytest.mark.parametrize("n, target", TRIALS, ids=[f"kill-after-{t}" for _, t in TRIALS])
def test_sigkill_loses_nothing_add_scalar_returned(tmp_path, n, target):
    logdir, returned = _kill_at(tmp_path, n, target)
    assert returned >= min(target, n)
    store = nbboard.load(logdir, progress=False)  # recovers the dead writer's journal
    x = store.scalars("run", "x").steps.tolist()
    a = store.scalars("run/pair_a", "pair").steps.tolist()
    assert len(x) == len(set(x)) and len(a) == len(set(a))  # nothing twice
    lost_x = set(range(returned)) - set(x)
    lost_a = set(range(0, returned, 3)) - set(a)
    assert not lost_x and not lost_a, (len(lost_x), len(lost_a))
    assert max(x) <= returned  # at most the call in flight when the kill came
    assert not [f for f in os.listdir(f"{logdir}/run") if f.startswith(jr.PREFIX)]
    if target in (TRIALS[0][1], TRIALS[-1][1]):  # what TensorBoard reads equals it
        ea = accumulator(f"{logdir}/run")
        assert sorted(e.step for e in ea.Scalars("x")) == sorted(x)
        ea = accumulator(f"{logdir}/run/pair_b")
        assert sorted(e.step for e in ea.Scalars("pair")) == sorted(
            store.scalars("run/pair_b", "pair").steps.tolist())
    again = nbboard.load(logdir, progress=False)  # recovery happened once: no second copy
    assert again.scalars("run", "x").steps.tolist() == x


def test_a_new_writer_recovers_and_a_live_journal_is_left_alone(tmp_path):
    logdir, returned = _kill_at(tmp_path, 200_000, 50_000)
    run = f"{logdir}/run"
    w = SummaryWriter(run, store=Store())  # recovers the dead journal, opens its own
    names = os.listdir(run)
    assert any(n.endswith(".recovered") for n in names)
    mine = [n for n in names if jr.is_journal(n)]
    assert len(mine) == 1 and f".{os.getpid()}." in mine[0]
    w.add_scalar("x", -1.0, 10**6)
    store = nbboard.load(logdir, progress=False)  # a read while the writer lives: not recovered
    assert os.path.exists(os.path.join(run, mine[0]))
    assert set(range(returned)) <= set(store.scalars("run", "x").steps.tolist())
    w.close()
    assert not [n for n in os.listdir(run) if n.startswith(jr.PREFIX)]  # closed: deleted


def test_journal_is_off_with_the_environment_switch(tmp_path, monkeypatch):
    monkeypatch.setenv("NBBOARD_JOURNAL", "0")
    w = SummaryWriter(str(tmp_path), store=Store())
    w.add_scalar("x", 1.0, 0)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(jr.PREFIX)]
    w.close()


DISK_FULL = textwrap.dedent("""
    import os, resource, signal, sys, warnings
    from nbboard import Store, SummaryWriter
    from nbboard.tfevents.reader import scan_records
    warnings.simplefilter("always")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    logdir = sys.argv[1]
    store = Store()
    w = SummaryWriter(logdir, store=store)
    w.add_scalar("x", 0.0, 0)
    w.flush()
    path = w._main.path
    limit = os.path.getsize(path) + 20_000
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))  # the disk is "full" past here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(1, 20_001):
            w.add_scalar("x", float(i), i)
            if i % 5000 == 0:
                w.flush()  # the training loop goes on: no exception
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            buf = f.read()
        scan = scan_records(buf, final=True)
        print("FULL", size <= limit, scan.corrupt, scan.consumed == len(buf), len(scan.starts))
        print("STORE", len(store.scalars(w._key, "x")))
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))  # space returns
        w.flush()
        w.add_scalar("x", 20_001.0, 20_001)
        w.close()
    for c in caught:
        print("WARN", str(c.message).split(":")[0], "|", str(c.message)[:160])
""")


def test_a_full_disk_warns_once_keeps_whole_records_and_resumes(tmp_path):
    script = tmp_path / "full.py"
    script.write_text(DISK_FULL)
    logdir = tmp_path / "logs"
    out = subprocess.run([sys.executable, str(script), str(logdir)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    full = next(line for line in lines if line.startswith("FULL")).split()
    assert full[1:4] == ["True", "0", "True"]  # within the limit, no torn record
    assert int(full[4]) < 20_000  # most points could not be written then
    assert "STORE 20001" in lines  # the Store kept them all
    warns = [line for line in lines if line.startswith("WARN nbboard")]
    assert len(warns) == 2, out.stdout  # one for the full disk, one when writing resumed
    assert "cannot write" in warns[0] and "resumed" in warns[1] and "nothing was lost" in warns[1]
    steps = sorted(e.step for e in accumulator(logdir).Scalars("x"))
    assert steps == list(range(20_002))  # in order, nothing lost, nothing twice
    buf = next(p for p in logdir.iterdir() if "tfevents" in p.name).read_bytes()
    assert scan_records(buf, final=True).corrupt == 0


def test_a_zip_export_leaves_crash_journals_out(tmp_path):
    from nbboard.export.bundle import _files

    w = SummaryWriter(str(tmp_path / "run"), store=Store())
    w.add_scalar("x", 1.0, 0)
    w.flush()
    names = [p.name for p, _link in _files(tmp_path)]
    assert any("tfevents" in n for n in names)
    assert any(n.startswith(jr.PREFIX) for n in os.listdir(tmp_path / "run"))  # live: journaling
    assert not [n for n in names if n.startswith(jr.PREFIX)]
    w.close()


def test_the_writers_inline_slot_arithmetic_matches_the_journal():
    from nbboard import writer

    assert writer.J_LITERALS == (jr.HEADER, jr.MASK, jr.SLOT_BYTES)


def test_a_deleted_run_folder_is_made_again_and_writing_goes_on(tmp_path):
    import shutil
    import warnings

    run = tmp_path / "run"
    store = Store()
    w = SummaryWriter(str(run), store=store)
    w.add_scalar("x", 0.0, 0)
    w.flush()
    shutil.rmtree(run)  # the user cleans runs/ while training
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(1, 100):
            w.add_scalar("x", float(i), i)
        w.flush()
        w.add_scalar("x", 100.0, 100)
        w.close()
    msgs = [str(c.message) for c in caught if "deleted" in str(c.message)]
    assert len(msgs) == 1
    assert [e.step for e in accumulator(str(run)).Scalars("x")] == list(range(1, 101))
    assert len(store.scalars(w._key, "x")) == 101


def test_a_journal_from_another_machine_is_left_alone(tmp_path):
    """flock proves a writer dead only on this machine: another host's journal (a shared
    folder) is not replayed nor deleted here."""
    logdir, _returned = _kill_at(tmp_path, 200_000, 20_000)
    run = f"{logdir}/run"
    (j,) = [n for n in os.listdir(run) if jr.is_journal(n)]
    host = socket.gethostname()
    other = j.replace(f".{host}.", ".another-host.")
    os.rename(os.path.join(run, j), os.path.join(run, other))
    os.rename(os.path.join(run, j + ".tags"), os.path.join(run, other + ".tags"))
    nbboard.load(logdir, progress=False)
    assert os.path.exists(os.path.join(run, other))
    assert not [n for n in os.listdir(run) if n.endswith(".recovered")]
