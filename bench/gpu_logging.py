"""GPU logging benchmark: a training loop on the GPU that logs 10 scalar tensors a step, with no
logging, with nbboard's SummaryWriter and with torch's, in one run (interleaved rounds).

Prints the step time of each (median over rounds), the overhead against no logging, the device
synchronisations per step (counted with torch.cuda.set_sync_debug_mode("warn")), the same loop
with add_histogram of 5 weight tensors every 50 steps, and the calling-thread cost of one
add_scalar(cuda tensor). Needs a CUDA device.
Run: python bench/gpu_logging.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard import SummaryWriter
from nbboard.store import Store

DEV = torch.device("cuda")


class Net(torch.nn.Module):
    """A 4-layer transformer encoder and a classifier head: ~5–20 ms a step on one GPU."""

    def __init__(self, d: int = 1024, layers: int = 4, classes: int = 1000) -> None:
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d, 16, 4 * d, batch_first=True, norm_first=True,
                                                 dropout=0.0)
        self.enc = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = torch.nn.Linear(d, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.enc(x))


def make_loop(batch: int, seq: int) -> tuple[Any, Any]:
    torch.manual_seed(0)
    net = Net().to(DEV)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4, fused=True)
    x = torch.randn(batch, seq, 1024, device=DEV)
    y = torch.randint(0, 1000, (batch, seq), device=DEV)
    params = [p for p in net.parameters() if p.dim() == 2]

    def step() -> list[torch.Tensor]:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            out = net(x)
            loss = F.cross_entropy(out.flatten(0, 1).float(), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        # ten device scalars a step, computed in every mode: the loss and 9 gradient norms
        return [loss.detach(), *torch._foreach_norm([p.grad for p in params[:9]])]

    return step, params


def loop(step: Any, params: list[torch.Tensor], writer: Any, steps: int, start: int,
         hist_every: int = 0) -> None:
    """`steps` training steps, each logging its 10 metrics (and histograms every `hist_every`)."""
    for i in range(start, start + steps):
        metrics = step()
        if writer is not None:
            for k, m in enumerate(metrics):
                writer.add_scalar(f"metric/{k}", m, i)
            if hist_every and i % hist_every == 0:
                for k, p in enumerate(params[:5]):
                    writer.add_histogram(f"weight/{k}", p, i)


def run(step: Any, params: list[torch.Tensor], writer: Any, steps: int, start: int,
        hist_every: int = 0) -> float:
    """Seconds per step over `steps` steps, the device drained before and after."""
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    loop(step, params, writer, steps, start, hist_every)
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / steps


def syncs_per_step(step: Any, params: list[torch.Tensor], writer: Any, steps: int, start: int,
                   hist_every: int = 0) -> float:
    """Synchronising CUDA calls per step, as torch's sync debug mode reports them."""
    torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            loop(step, params, writer, steps, start, hist_every)
        finally:
            torch.cuda.set_sync_debug_mode(0)
    torch.cuda.synchronize()
    return sum("synchroniz" in str(c.message) for c in caught) / steps


def per_call(writer: Any, n: int) -> float:
    """Median calling-thread seconds of add_scalar(0-d cuda tensor), over batches of 100."""
    v = torch.ones((), device=DEV)
    times = []
    for b in range(n // 100):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(100):
            writer.add_scalar("pc", v, b * 100 + i)
        times.append((time.perf_counter() - t0) / 100)
    writer.flush()
    return statistics.median(times)


def floors(n: int) -> dict[str, float]:
    """Median seconds per call of the bare operations: a non-blocking copy into pinned memory,
    an event record, and .item() (a copy and a synchronisation), on an idle device."""
    v = torch.ones((), device=DEV)
    pinned = torch.empty(n, pin_memory=True)
    views = list(pinned.unbind())
    ev = torch.cuda.Event()
    stream = torch.cuda.current_stream()
    out = {}
    for name, fn in (("copy_(non_blocking) into pinned", lambda i: views[i].copy_(v, non_blocking=True)),
                     ("event.record", lambda i: ev.record(stream)),
                     (".item()", lambda i: v.item())):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        out[name] = (time.perf_counter() - t0) / n
        torch.cuda.synchronize()
    return out


def latency(writer: SummaryWriter, n: int) -> tuple[float, float]:
    """Median and p95 seconds from add_scalar(cuda tensor) returning to the value in the Store,
    the device idle (the resolver's own delay: polling, building, appending)."""
    v = torch.ones((), device=DEV)
    series = None
    out = []
    for i in range(n):
        torch.cuda.synchronize()
        writer.add_scalar("latency", v, i)
        t0 = time.perf_counter()
        if series is None:
            writer.flush()
            series = writer.store.series_for(writer._key, "latency", "scalars")
            continue
        while len(series) <= i:
            time.sleep(0.00005)
        out.append(time.perf_counter() - t0)
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.95)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=512)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("bench/gpu_logging.py: no CUDA device here; skipped (its figures are in the README)")
        return
    steps, rounds = (100, 2) if a.quick else (150, 8)
    step, params = make_loop(a.batch, a.seq)
    tmp = tempfile.mkdtemp()
    writers: dict[str, Any] = {
        "none": None,
        "nbboard": SummaryWriter(f"{tmp}/nbboard", store=Store()),
        "torch": TorchWriter(f"{tmp}/torch"),
    }
    for _ in range(20):
        step()
    print(f"GPU: {torch.cuda.get_device_name()}  torch {torch.__version__}  batch {a.batch}×{a.seq}")
    results: dict[str, dict[str, list[float]]] = {"scalars": {}, "hist": {}}
    counter = 0
    for _r in range(rounds):
        for name, w in writers.items():
            results["scalars"].setdefault(name, []).append(run(step, params, w, steps, counter))
            counter += steps
            results["hist"].setdefault(name, []).append(
                run(step, params, w, steps, counter, hist_every=50))
            counter += steps
    base = {k: statistics.median(v["none"]) for k, v in results.items()}
    for label, key in (("10 scalar tensors/step", "scalars"),
                       ("+ 5 histograms every 50 steps", "hist")):
        print(f"\n{label}: step time over {rounds} interleaved rounds × {steps} steps "
              "(median; fastest round)")
        fastest = {n: min(results[key][n]) for n in writers}
        for name in writers:
            t = statistics.median(results[key][name])
            over = (t / base[key] - 1) * 100
            over_min = (fastest[name] / fastest["none"] - 1) * 100
            print(f"  {name:8s} {t * 1e3:8.3f} ms/step {over:+6.2f} % vs no logging;  fastest "
                  f"{fastest[name] * 1e3:8.3f} ms/step {over_min:+6.2f} %")
        nb = statistics.median(results[key]["nbboard"])
        tw = statistics.median(results[key]["torch"])
        print(f"  torch/nbboard step-time ratio: {tw / nb:.3f}")
        print("  rounds (ms/step): " + "; ".join(
            f"{n} " + " ".join(f"{x * 1e3:.2f}" for x in results[key][n]) for n in writers))
    print("\ndevice synchronisations per step (sync debug mode):")
    for name, w in writers.items():
        s = syncs_per_step(step, params, w, 50, counter)
        counter += 50
        h = syncs_per_step(step, params, w, 100, counter, hist_every=50)
        counter += 100
        print(f"  {name:8s} scalars {s:6.2f}   with histograms {h:6.2f}")
    nb_call = per_call(writers["nbboard"], 5000)
    tw_call = per_call(writers["torch"], 2000)
    print(f"\nadd_scalar(0-d cuda tensor), calling thread, idle device: nbboard {nb_call * 1e6:.1f} µs, "
          f"torch {tw_call * 1e6:.1f} µs (ratio {tw_call / nb_call:.2f})")
    for name, t in floors(5000).items():
        print(f"  floor: {name:34s} {t * 1e6:6.1f} µs per call")
    from nbboard import deferred

    for kind, b in deferred.DEFERRED.backends.items():
        print(f"  pinned allocations ({kind}): {b.allocs}")
    med, p95 = latency(writers["nbboard"], 300)
    print(f"add_scalar(cuda tensor) → value in the Store, idle device: median {med * 1e3:.2f} ms, "
          f"p95 {p95 * 1e3:.2f} ms")
    for w in writers.values():
        if w is not None:
            w.close()


if __name__ == "__main__":
    main()
