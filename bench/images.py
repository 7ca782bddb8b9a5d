"""Image benchmark: calling-thread cost of add_image / add_images / add_image_with_boxes /
add_video / add_audio, nbboard's SummaryWriter against torch's, measured in one run.

nbboard copies the pixels on the caller and leaves PNG encoding to its background thread;
torch encodes the PNG before the call returns. Prints the median per call and the ratio.
Run: .venv/bin/python bench/images.py [--quick]
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


def median_call(fn: Callable[[int], Any], calls: int) -> float:
    """Median seconds of one call over `calls` calls (after two warm-up calls)."""
    fn(-1)
    fn(-2)
    times = []
    for i in range(calls):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bound(fn: Callable[..., Any], tag: str, args: tuple, kwargs: dict) -> Callable[[int], Any]:
    """fn(tag, *args, global_step=i, **kwargs) as a function of the step i."""
    return lambda i: fn(tag, *args, global_step=i, **kwargs)


def cases() -> dict[str, tuple[str, tuple, dict]]:
    g = torch.Generator().manual_seed(0)
    return {
        "add_image 3x224x224 float32": ("add_image", (torch.rand(3, 224, 224, generator=g),), {}),
        "add_image 3x224x224 uint8": (
            "add_image", (torch.randint(0, 256, (3, 224, 224), generator=g, dtype=torch.uint8),), {}),
        "add_image 512x512x3 HWC float32": (
            "add_image", (torch.rand(512, 512, 3, generator=g),), {"dataformats": "HWC"}),
        "add_images 64x3x32x32 float32": ("add_images", (torch.rand(64, 3, 32, 32, generator=g),), {}),
        "add_images 64x1x28x28 uint8": (
            "add_images", (torch.randint(0, 256, (64, 1, 28, 28), generator=g, dtype=torch.uint8),), {}),
        "add_image_with_boxes 3x224x224": (
            "add_image_with_boxes", (torch.rand(3, 224, 224, generator=g),
                                     torch.tensor([[10.0, 10, 100, 100], [50, 60, 200, 220]])),
            {"labels": ["a", "b"]}),
        "add_audio 1s 44.1kHz": ("add_audio", (torch.rand(44100, generator=g) * 2 - 1,), {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer calls")
    args = ap.parse_args()
    calls = 30 if args.quick else 200
    with tempfile.TemporaryDirectory() as tmp:
        ours = SummaryWriter(f"{tmp}/nbboard", store=Store())
        theirs = TorchWriter(f"{tmp}/torch")
        print(f"{'call (median on the calling thread)':40} {'nbboard':>10} {'torch':>10} {'ratio':>7}")
        for name, (method, a, kw) in cases().items():
            t_ours = median_call(bound(getattr(ours, method), name, a, kw), calls)
            t_torch = median_call(bound(getattr(theirs, method), name, a, kw), calls)
            print(f"{name:40} {t_ours * 1e6:8.0f}µs {t_torch * 1e6:8.0f}µs {t_ours / t_torch:7.3f}")
        t0 = time.perf_counter()
        ours.close()
        print(f"nbboard close() (drains the pending PNG/WAV encodes): {time.perf_counter() - t0:.2f}s")
        theirs.close()


if __name__ == "__main__":
    main()
