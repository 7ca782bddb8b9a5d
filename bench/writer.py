"""Writer benchmark: nbboard's SummaryWriter against torch's (and tensorboardX's) in one run.

Prints the calling-thread cost of add_scalar (median per call), sustained scalar events/s
reaching disk, memory per stored scalar point, and the calling-thread cost of add_image,
add_images and add_histogram, each with the ratio to torch.
Run: .venv/bin/python bench/writer.py [--quick]
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


def per_call_median(fn: Callable[[int], Any], calls: int, batch: int = 1000) -> float:
    """Median seconds per call over batches of `batch` calls."""
    times = []
    i = 0
    for _ in range(calls // batch):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn(i)
            i += 1
        times.append((time.perf_counter() - t0) / batch)
    return statistics.median(times)


def writers(tmp: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "nbboard": SummaryWriter(f"{tmp}/nbboard", store=Store()),
        "torch": TorchWriter(f"{tmp}/torch"),
    }
    try:
        from tensorboardX import SummaryWriter as XWriter

        out["tensorboardX"] = XWriter(f"{tmp}/tbx")
    except ImportError:
        pass
    return out


def row(name: str, figures: dict[str, float], unit: str, scale: float, lower_is_better: bool = True) -> None:
    ours = figures["nbboard"]
    parts = [f"{k} {v * scale:10.2f} {unit}" for k, v in figures.items()]
    ratio = figures["torch"] / ours if lower_is_better else ours / figures["torch"]
    print(f"{name:<34}" + " | ".join(parts) + f" | nbboard is {ratio:6.1f}x torch")


def bench_add_scalar(tmp: str, calls: int) -> None:
    ws = writers(tmp)
    t0d = torch.tensor(0.5)
    for label, value in (("add_scalar(float) per call", 0.5), ("add_scalar(0-d tensor) per call", t0d)):
        figs = {}
        for name, w in ws.items():
            figs[name] = per_call_median(lambda i, w=w, value=value: w.add_scalar("loss", value, i), calls)
        row(label, figs, "us", 1e6)
    for w in ws.values():
        w.close()


def bench_sustained(tmp: str, n: int) -> None:
    figs = {}
    for name, make in (("nbboard", lambda: SummaryWriter(f"{tmp}/sus-nb", store=Store())),
                       ("torch", lambda: TorchWriter(f"{tmp}/sus-torch"))):
        w = make()
        count = n if name == "nbboard" else max(n // 20, 1000)
        t0 = time.perf_counter()
        for i in range(count):
            w.add_scalar("loss", 0.5, i)
        w.close()  # everything reaches disk (flushed and fsynced)
        figs[name] = count / (time.perf_counter() - t0)
    row("scalar events/s reaching disk", figs, "ev/s", 1, lower_is_better=False)


def bench_memory(n: int) -> None:
    store = Store()
    w = SummaryWriter(tempfile.mkdtemp(), store=store)
    for i in range(n):
        w.add_scalar("loss", 0.5, i)
    w.close()
    series = store.scalars(store.runs()[0], "loss")
    print(f"{'memory per stored scalar point':<34}{series.nbytes() / len(series):.1f} bytes "
          f"({len(series)} points; target <= 40)")


def bench_heavy(tmp: str, calls: int) -> None:
    img = torch.rand(3, 64, 64)
    imgs = torch.rand(16, 3, 32, 32)
    hist = torch.randn(100_000)
    cases = [
        ("add_image(3x64x64) per call", lambda w, i: w.add_image("img", img, i)),
        ("add_images(16x3x32x32) per call", lambda w, i: w.add_images("imgs", imgs, i)),
        ("add_histogram(100k) per call", lambda w, i: w.add_histogram("h", hist, i)),
    ]
    for label, fn in cases:
        figs = {}
        for name, make in (("nbboard", lambda: SummaryWriter(f"{tmp}/h-nb", store=Store())),
                           ("torch", lambda: TorchWriter(f"{tmp}/h-torch"))):
            w = make()
            try:
                figs[name] = per_call_median(lambda i, w=w, fn=fn: fn(w, i), calls, batch=10)
            finally:
                w.close()
        row(label, figs, "us", 1e6)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer calls (for a smoke run)")
    args = ap.parse_args()
    calls = 20_000 if args.quick else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        bench_add_scalar(tmp, calls)
        bench_sustained(tmp, 200_000 if args.quick else 2_000_000)
        bench_memory(100_000 if args.quick else 1_000_000)
        bench_heavy(tmp, 50 if args.quick else 200)


if __name__ == "__main__":
    main()
