"""Reader benchmark: nbboard.load against TensorBoard's EventAccumulator (keeping every point,
size_guidance 0) and tbparse, on one logdir of 1M scalar events written by torch's SummaryWriter.

Prints load times, ratios (measured in this one run) and memory per scalar point: the Store's
columns, the peak while loading, and what the process still holds after the load (RSS growth in
a fresh process, against the Store's own bytes and against tbparse's DataFrame). The logdir
is written once and cached under the temp dir (torch's writer needs about a minute for 1M).
Run: .venv/bin/python bench/reader.py [--events N] [--skip-tensorboard] [--skip-tbparse]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
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


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def held_child(reader: str, d: str) -> dict[str, float]:
    """In a fresh process: RSS growth that a load leaves held (the result kept, garbage
    collected), and the bytes the result itself says it holds."""
    if reader == "tbparse":
        from tbparse import SummaryReader
    gc.collect()
    r0 = _rss()
    if reader == "nbboard":
        out = load_nbboard(d)
        series = [out.scalars(r, t) for r in out.runs() for t in out.tags(r)["scalars"]]
        points = sum(len(s) for s in series)
        own = sum(s.nbytes() for s in series)
    else:
        out = SummaryReader(d, pivot=False).scalars
        points = len(out)
        own = int(out.memory_usage(deep=True).sum())
    gc.collect()
    return {"held": _rss() - r0, "own": own, "points": points}


def held_after(reader: str, d: str) -> dict[str, float]:
    r = subprocess.run([sys.executable, __file__, "--held", reader, d], capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--skip-tensorboard", action="store_true")
    ap.add_argument("--skip-tbparse", action="store_true")
    ap.add_argument("--held", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.held:
        print(json.dumps(held_child(*args.held)))
        return
    with open("/proc/loadavg") as f:
        print(f"load average: {' '.join(f.read().split()[:3])}, {os.cpu_count()} cores")
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
    h = held_after("nbboard", d)
    print(f"  held after the load (RSS) : {h['held'] / h['points']:.1f} bytes per point = "
          f"{h['held'] / h['own']:.2f}x the Store's own {h['own'] / h['points']:.1f} (target <= 1.2x)")

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
            tp = held_after("tbparse", d)
            print(f"  held after the load (RSS) : {tp['held'] / tp['points']:.1f} bytes per point "
                  f"(its DataFrame says {tp['own'] / tp['points']:.1f}) -> nbboard holds "
                  f"{tp['held'] / h['held']:.1f}x less")


if __name__ == "__main__":
    main()
