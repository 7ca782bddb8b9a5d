"""Histogram benchmark: calling-thread cost of add_histogram, nbboard against torch in one run.

For each input size and bins option prints the median milliseconds per call of both writers and
how many times faster nbboard is (torch's cost includes building the proto; nbboard's encoding
happens later on its background thread, its bucketing on the caller).
Run: .venv/bin/python bench/histogram.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard import SummaryWriter
from nbboard.store import Store


def median_calls(fns: dict[str, Callable[[int], Any]], flush: Callable[[], None],
                 repeats: int, rounds: int = 3) -> dict[str, float]:
    """Median seconds of one call of each function, timed in alternating blocks; both writers are
    flushed before each block so neither's background thread runs during the other's block."""
    for fn in fns.values():
        fn(0)
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            flush()
            for i in range(repeats):
                t0 = time.perf_counter()
                fn(i + 1)
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    args = ap.parse_args()
    sizes = [1_000, 100_000, 1_000_000] if not args.quick else [1_000, 100_000]
    cases = [("tensorflow", None), ("auto", None), (64, None), ("tensorflow", 30)]
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        ours = SummaryWriter(f"{tmp}/nbboard", store=Store())
        theirs = TorchWriter(f"{tmp}/torch")

        def flush() -> None:
            ours.flush()
            theirs.flush()

        print(f"{'add_histogram (median per call)':<44}{'nbboard':>12}{'torch':>12}   ratio")
        for n in sizes:
            x = torch.randn(n)
            repeats = max(3, min(100, 1_000_000 // n)) // (4 if args.quick else 1) + 2
            for bins, max_bins in cases:
                figures = median_calls({
                    name: (lambda i, w=w, x=x, b=bins, mb=max_bins:
                           w.add_histogram("h", x, i, bins=b, max_bins=mb))
                    for name, w in (("nbboard", ours), ("torch", theirs))}, flush, repeats)
                label = f"n={n:>9,} bins={bins!r} max_bins={max_bins}"
                ratio = figures["torch"] / figures["nbboard"]
                print(f"{label:<44}{figures['nbboard'] * 1e3:9.3f} ms{figures['torch'] * 1e3:9.3f} ms"
                      f"   nbboard is {ratio:5.1f}x torch")
        ours.close()
        theirs.close()


if __name__ == "__main__":
    main()
