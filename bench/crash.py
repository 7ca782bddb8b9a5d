"""Crash benchmark: points lost when a training process is killed with SIGKILL, nbboard against
torch's SummaryWriter in the same run.

A child logs `n` scalars (one tag, plus an add_scalars pair every third step for nbboard) and
counts, in shared memory, the add_scalar calls that returned; the parent kills it with SIGKILL
once a seeded random number of calls have returned, then reads the logdir back (nbboard.load,
which recovers nbboard's crash journal; TensorBoard's EventAccumulator for torch's files) and
counts returned points missing. Run: .venv/bin/python bench/crash.py [--trials 10]
(NBBOARD_JOURNAL=0 in the environment shows nbboard without its crash journal.)
"""

from __future__ import annotations

import argparse
import mmap
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np

CHILD = textwrap.dedent("""
    import mmap, os, sys
    import numpy as np
    which, logdir, progress, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if which == "torch":
        from torch.utils.tensorboard import SummaryWriter
    else:
        from nbboard import SummaryWriter
    prog = np.frombuffer(mmap.mmap(os.open(progress, os.O_RDWR), 8), dtype=np.int64)
    w = SummaryWriter(logdir)
    for i in range(n):
        w.add_scalar("x", float(i), i)
        prog[0] = i + 1
    w.close()
""")


def trial(which: str, n: int, target: int, tmp: str) -> tuple[int, int]:
    """(calls returned, of those, points missing after reading back)."""
    logdir = tempfile.mkdtemp(dir=tmp)
    progress = os.path.join(logdir, "progress")
    with open(progress, "wb") as f:
        f.write(bytes(8))
    script = os.path.join(tmp, "child.py")
    with open(script, "w") as f:
        f.write(CHILD)
    prog = np.frombuffer(mmap.mmap(os.open(progress, os.O_RDWR), 8), dtype=np.int64)
    run = os.path.join(logdir, "run")
    p = subprocess.Popen([sys.executable, script, which, run, progress, str(n)])
    deadline = time.monotonic() + 300
    while prog[0] < target and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0002)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    returned = int(prog[0])
    if which == "torch":
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        ea = EventAccumulator(run, size_guidance={"scalars": 0})
        ea.Reload()
        steps = {e.step for e in ea.Scalars("x")} if "x" in ea.Tags()["scalars"] else set()
    else:
        import nbboard

        store = nbboard.load(logdir, progress=False)
        has = "run" in store.runs() and "x" in store.tags("run").get("scalars", [])
        steps = set(store.scalars("run", "x").steps.tolist()) if has else set()
    return returned, len(set(range(returned)) - steps)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10)
    a = ap.parse_args()
    rng = random.Random(20261204)
    tmp = tempfile.mkdtemp()
    print(f"{'writer':8s} {'points':>8s} {'killed after':>13s} {'lost':>6s}")
    totals: dict[str, list[int]] = {"nbboard": [], "torch": []}
    for _ in range(a.trials):
        for which, n in (("nbboard", 200_000), ("torch", 20_000)):
            target = rng.randrange(n // 50, n - n // 20)
            returned, lost = trial(which, n, target, tmp)
            totals[which].append(lost)
            print(f"{which:8s} {n:8d} {returned:13d} {lost:6d}")
    for which, lost in totals.items():
        print(f"{which}: lost in {a.trials} SIGKILL trials: total {sum(lost)}, median "
              f"{int(np.median(lost))}, max {max(lost)}")


if __name__ == "__main__":
    main()
