"""The profiler: reading a trace, and what the handler costs the training loop.

1. Parse: one real trace (a CNN on scikit-learn's digits, torch.profiler with record_shapes,
   profile_memory, with_stack, with_modules; CPU) and the same events tiled into a longer profile
   (`--tile` copies, shifted in time). nbboard's `read_trace` alone and with the whole analysis,
   against torch-tb-profiler's loader on the same file (`RunProfileData.parse` and the run
   generator: what its `RunLoader` does per file, without its worker process). Target: ≥ 5×.
2. Handler: per profiler cycle on the training thread, torch's `tensorboard_trace_handler`
   against `writer.profiler_handler()` (which exports the same file and records the profile off
   the thread); cycles of one run alternate between the two, medians. Target: no slower. And the
   whole profiled loop with either handler (the background read included).

Run: .venv/bin/python bench/profiler.py [--tile N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import warnings

from nbboard import Store, SummaryWriter
from nbboard.kinds.profiler.analysis import analyse
from nbboard.kinds.profiler.trace import read_trace
from tests.profiler_model import profile_training


def _best(fn, n: int = 3) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def _tile(src: str, dst: str, n: int) -> int:
    with open(src) as fh:
        doc = json.load(fh)
    ev = doc["traceEvents"]
    xs = [e for e in ev if "ts" in e]
    span = max(e["ts"] + e.get("dur", 0) for e in xs) - min(e["ts"] for e in xs) + 100.0
    out = [e for e in ev if "ts" not in e]
    step = 1
    for k in range(n):
        for e in xs:
            c = dict(e)
            c["ts"] = e["ts"] + k * span
            if c.get("name", "").startswith("ProfilerStep#"):
                c["name"] = f"ProfilerStep#{step}"
                step += 1
            out.append(c)
    doc["traceEvents"] = out
    with open(dst, "w") as fh:
        json.dump(doc, fh)
    return len(out)


def bench_parse(tmp: str, tile: int) -> None:
    from torch_tb_profiler.profiler.data import RunProfileData
    from torch_tb_profiler.profiler.run_generator import RunGenerator

    files: list[str] = []
    profile_training(lambda p: files.append(_export(p, tmp)), repeat=1)
    one = files[-1]
    big = os.path.join(tmp, "big.1.pt.trace.json")
    n_big = _tile(one, big, tile)
    cache = tempfile.mkdtemp()

    def tb(path: str) -> None:
        data = RunProfileData.parse("w", None, path, cache)
        RunGenerator("w", None, data).generate_run_profile()

    print("1. parse (best of 3)")
    for label, path in (("real trace", one), (f"tiled x{tile}", big)):
        size = os.path.getsize(path) / 1e6
        prof = read_trace(path)
        t_read = _best(lambda p=path: read_trace(p))
        t_all = _best(lambda p=path: analyse(read_trace(p)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_tb = _best(lambda p=path: tb(p), 1 if size > 20 else 3)
        print(f"   {label}: {len(prof):,} events, {size:.1f} MB; columns {prof.nbytes / len(prof):.0f} B/event")
        print(f"     nbboard read {t_read * 1e3:8.1f} ms   read+analysis {t_all * 1e3:8.1f} ms")
        print(f"     torch-tb-profiler loader {t_tb * 1e3:8.1f} ms   ratio {t_tb / t_read:5.1f}x (read), "
              f"{t_tb / t_all:5.1f}x (read+analysis)")
    del n_big


def _export(prof, tmp: str) -> str:
    path = os.path.join(tmp, f"w.{time.time_ns()}.pt.trace.json")
    prof.export_chrome_trace(path)
    return path


def bench_handler(tmp: str, rounds: int) -> None:
    """The call on the training thread: cycles of one profiled training alternate between the two
    handlers (same model, same moment), so machine load hits both alike. nbboard's background read
    of each cycle is waited for after its timed call, so it cannot land in another cycle's call
    (a decode holds the GIL); part 3 measures what it costs the loop."""
    import torch

    times: dict[str, list[float]] = {"torch": [], "nbboard": []}
    for r in range(rounds):
        th = torch.profiler.tensorboard_trace_handler(os.path.join(tmp, f"torch{r}"))
        w = SummaryWriter(os.path.join(tmp, f"nb{r}"), store=Store())
        handlers = [("torch", th), ("nbboard", w.profiler_handler())]
        if r % 2:
            handlers.reverse()
        k = [0]

        def on_ready(p, hs=handlers, k=k):
            name, h = hs[k[0] % 2]
            k[0] += 1
            t = time.perf_counter()
            h(p)
            times[name].append(time.perf_counter() - t)
            if name == "nbboard":  # its background read, outside the timed call (part 3 counts it)
                h.wait()

        profile_training(on_ready, repeat=6)
        w.close()
    t, n = statistics.median(times["torch"]), statistics.median(times["nbboard"])
    print(f"2. handler per cycle, alternating cycles ({len(times['torch'])} each, median): torch {t * 1e3:.1f} ms, "
          f"nbboard {n * 1e3:.1f} ms, ratio nbboard/torch {n / t:.2f}")


def bench_loop(tmp: str, rounds: int) -> None:
    """The whole profiled training (6 cycles) with one handler or the other, interleaved rounds:
    what the background read costs the loop beside the handler call."""
    import torch

    times: dict[str, list[float]] = {"torch": [], "nbboard": []}
    for r in range(rounds):
        for name in (("torch", "nbboard") if r % 2 == 0 else ("nbboard", "torch")):
            w = SummaryWriter(os.path.join(tmp, f"loop{r}{name}"), store=Store())
            h = (torch.profiler.tensorboard_trace_handler(os.path.join(tmp, f"loopt{r}")) if name == "torch"
                 else w.profiler_handler())
            t = time.perf_counter()
            profile_training(h, repeat=6)
            times[name].append(time.perf_counter() - t)
            w.close()  # nbboard: waits for the last cycle's read (not timed: the loop is done)
    t, n = statistics.median(times["torch"]), statistics.median(times["nbboard"])
    print(f"3. whole profiled loop, 24 steps, 6 cycles ({rounds} rounds, median): torch {t:.2f} s, "
          f"nbboard {n:.2f} s, ratio {n / t:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tile", type=int, default=25)
    ap.add_argument("--rounds", type=int, default=4)
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        bench_parse(tmp, a.tile)
        bench_handler(tmp, a.rounds)
        bench_loop(tmp, a.rounds)


if __name__ == "__main__":
    main()
