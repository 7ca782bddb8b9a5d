"""One long run: N scalars on one tag logged as fast as one thread can, in a fresh process per
writer, beside torch's writer and tensorboardX's in the same run.

Prints, per writer: the mean add_scalar cost over the whole loop (the calling thread's time,
what the writer thread takes from it through the GIL included), the process's RSS growth per
point at the end of the loop and its peak (sampled every 100k calls), close() time, the events
per second that reached disk (N / (loop + close), the file fsynced), the Store's own bytes per
point, and checks that every point is in the file. Also the writer thread alone: events/s it
encodes and writes from a full ring. torch's and tensorboardX's writers take 20-90 us a call, so
they log --anchor-points (default 200k) and their figures are per point of that run.
Run: .venv/bin/python bench/long_run.py [--points 10000000,1000000] [--anchor-points 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def rss() -> int:
    """The process's resident set size in bytes (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(writer: str, n: int, logdir: str) -> dict:
    """Log n scalars with `writer` in this process; the figures as a dict."""
    import gc

    if writer.startswith("nbboard"):
        from nbboard import SummaryWriter
        from nbboard.store import Store

        store = Store()
        w = SummaryWriter(logdir, store=store)
    elif writer == "torch":
        from torch.utils.tensorboard import SummaryWriter as TorchWriter

        w = TorchWriter(logdir)
    else:
        from tensorboardX import SummaryWriter as XWriter

        w = XWriter(logdir)
    w.add_scalar("loss", 0.5, 0)
    w.flush()
    gc.collect()
    r0 = rss()
    peak = r0
    add = w.add_scalar
    t0 = time.perf_counter()
    i = 1
    while i < n:
        for j in range(i, min(i + 100_000, n)):
            add("loss", 0.5, j)
        i = min(i + 100_000, n)
        peak = max(peak, rss())
    t1 = time.perf_counter()
    r1 = rss()
    w.close()
    t2 = time.perf_counter()
    out = {"writer": writer, "points": n, "add_scalar_us": (t1 - t0) / (n - 1) * 1e6,
           "rss_end_B": (r1 - r0) / n, "rss_peak_B": (peak - r0) / n, "close_s": t2 - t1,
           "events_per_s": (n - 1) / (t2 - t0)}
    if writer.startswith("nbboard"):
        s = store.scalars(store.runs()[0], "loss")
        out["store_B"] = s.nbytes() / n
        from nbboard.tfevents.reader import scan_records

        (name,) = [f for f in os.listdir(logdir) if "tfevents" in f]
        with open(os.path.join(logdir, name), "rb") as f:
            scan = scan_records(f.read(), final=True)
        out["in_file"] = len(scan.starts) - 1  # the file_version event first
        out["corrupt"] = scan.corrupt
    return out


def writer_thread_alone(repeat: int = 5) -> float:
    """Events/s the writer thread encodes and writes from a full ring (the caller idle)."""
    from nbboard import SummaryWriter
    from nbboard.store import Store
    from nbboard.tfevents import journal as jr

    best = 0.0
    with tempfile.TemporaryDirectory() as d:
        w = SummaryWriter(d, store=Store())
        t = w._thread
        k = jr.SLOTS - 1
        step = 0
        for _ in range(repeat):
            with t._io:  # the thread waits while the ring fills
                for _ in range(k):
                    w.add_scalar("loss", 0.5, step)
                    step += 1
            t0 = time.perf_counter()
            t.drain()
            best = max(best, k / (time.perf_counter() - t0))
        w.close()
    return best


def run_child(writer: str, n: int, env: dict[str, str] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([sys.executable, __file__, "--child", writer, str(n), d],
                           capture_output=True, text=True, env=env, check=False)
        if r.returncode:
            raise SystemExit(f"{writer}: {r.stderr}")
        return json.loads(r.stdout.strip().splitlines()[-1])


def show(r: dict, torch_r: dict | None) -> None:
    line = (f"{r['writer']:<22}{r['points']:>11,}  add_scalar {r['add_scalar_us']:6.2f} us  "
            f"RSS +{r['rss_end_B']:6.1f} B/pt (peak +{r['rss_peak_B']:6.1f})  close {r['close_s']:6.2f} s  "
            f"{r['events_per_s'] / 1e3:7.0f}k ev/s to disk")
    if "store_B" in r:
        line += f"  Store {r['store_B']:.1f} B/pt"
        ok = r["in_file"] == r["points"] and not r["corrupt"]
        line += "  file: all points" if ok else f"  FILE HAS {r['in_file']} of {r['points']}"
    if torch_r is not None and r is not torch_r:
        line += f"  | {torch_r['add_scalar_us'] / r['add_scalar_us']:.0f}x torch's call"
    print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", default="10000000,1000000")
    ap.add_argument("--anchor-points", type=int, default=200_000)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], int(a.child[1]), a.child[2])))
        return
    with open("/proc/loadavg") as f:
        print(f"load average: {' '.join(f.read().split()[:3])}, {os.cpu_count()} cores", flush=True)
    anchors = [run_child("torch", a.anchor_points)]
    try:
        import tensorboardX  # noqa: F401

        anchors.append(run_child("tensorboardX", a.anchor_points))
    except ImportError:
        print("tensorboardX: not installed")
    for r in anchors:
        show(r, anchors[0])
    for n in (int(x) for x in a.points.split(",")):
        show(run_child("nbboard", n), anchors[0])
        show(run_child("nbboard-no-journal", n, dict(os.environ, NBBOARD_JOURNAL="0")), anchors[0])
    print(f"writer thread alone (full ring, caller idle): {writer_thread_alone() / 1e6:.1f} M events/s",
          flush=True)
    print("targets: RSS growth <= 40 B/pt at 10M, close() <= 1 s, >= 1M events/s to disk")


if __name__ == "__main__":
    main()
