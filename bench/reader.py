"""Reader benchmark: nbboard.load against TensorBoard's EventAccumulator (keeping every point,
size_guidance 0) and tbparse, on one logdir of 1M scalar events written by torch's SummaryWriter.

Prints load times, ratios (measured in this one run) and memory per scalar point. The logdir
is written once and cached under the temp dir (torch's writer needs about a minute for 1M).
Run: .venv/bin/python bench/reader.py [--events N] [--skip-tensorboard] [--skip-tbparse]
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import nbboard

TAGS = ["train/loss", "train/accuracy", "lr", "val/loss"]


def make_logdir(n: int) -> str:
    """A torch-written logdir of `n` scalar events (4 tags, interleaved like a training loop)."""
    d = os.path.join(tempfile.gettempdir(), f"nbboard-bench-reader-{n}")
    done = os.path.join(d, ".complete")
    if os.path.exists(done):
        return d
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    print(f"writing {n:,} scalar events with torch's SummaryWriter into {d} (once) ...", flush=True)
    t0 = time.perf_counter()
    w = TorchWriter(os.path.join(d, "run"), max_queue=10000)
    rng = np.random.default_rng(0)
    vals = rng.random(n).tolist()
    for i in range(n):
        w.add_scalar(TAGS[i % len(TAGS)], vals[i], i // len(TAGS))
    w.close()
    open(done, "w").close()
    print(f"  written in {time.perf_counter() - t0:.1f} s", flush=True)
    return d


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def load_nbboard(d: str) -> Any:
    return nbboard.load(d, progress=False)


def load_tensorboard(d: str) -> int:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    ea = EventAccumulator(os.path.join(d, "run"), size_guidance={"scalars": 0})
    ea.Reload()
    return sum(len(ea.Scalars(t)) for t in ea.Tags()["scalars"])


def load_tbparse(d: str) -> int:
    from tbparse import SummaryReader

    return len(SummaryReader(d, pivot=False).scalars)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--skip-tensorboard", action="store_true")
    ap.add_argument("--skip-tbparse", action="store_true")
    args = ap.parse_args()
    d = make_logdir(args.events)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    print(f"logdir: {args.events:,} scalar events, {size / 1e6:.1f} MB")

    t_nb, store = best_of(lambda: load_nbboard(d), 3)
    points = sum(len(store.scalars(r, t)) for r in store.runs() for t in store.tags(r)["scalars"])
    assert points == args.events, points
    held = sum(store.scalars(r, t).nbytes() for r in store.runs() for t in store.tags(r)["scalars"])
    print(f"nbboard.load                : {t_nb:7.3f} s  ({args.events / t_nb / 1e6:.2f} M events/s), "
          f"{held / points:.1f} bytes per scalar point held")
    del store
    gc.collect()
    tracemalloc.start()
    store = load_nbboard(d)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory while loading : {peak / 1e6:.0f} MB = {peak / points:.0f} bytes per point "
          f"(the file's {size / points:.0f} bytes per event are read in whole)")
    del store

    if not args.skip_tensorboard:
        t_tb, n = best_of(lambda: load_tensorboard(d), 1)
        assert n == args.events, n
        print(f"TensorBoard EventAccumulator: {t_tb:7.3f} s  -> nbboard is {t_tb / t_nb:.1f}x faster")
    if not args.skip_tbparse:
        try:
            import tbparse  # noqa: F401
        except ImportError:
            print("tbparse                     : not installed")
        else:
            t_tp, n = best_of(lambda: load_tbparse(d), 1)
            assert n == args.events, n
            print(f"tbparse                     : {t_tp:7.3f} s  -> nbboard is {t_tp / t_nb:.1f}x faster")


if __name__ == "__main__":
    main()
