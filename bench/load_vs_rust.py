"""nbboard.load against TensorBoard's fastest reader, its Rust data server (`tensorboard
--load_fast=true`, the `tensorboard_data_server` binary, asked over its gRPC data-provider API the
way TensorBoard's front end asks it), on the same logdirs, in the same run:

* 1M points: one run, 10 tags x 100k steps
* 10M points: 10 runs, each 10 tags x 100k steps
* a sweep: 1,000 runs x 10 tags x 1,000 steps (10M points in 1,000 files)

For the Rust server: seconds from its start until ListScalars reports every tag complete
("loaded"), and until ReadScalars has returned every point ("served"; `--samples-per-plugin
scalars=all`, so nothing is sampled away), and its RSS per point. For nbboard: `nbboard.load` in
a python that has imported it (best of 3, every point kept; a child process, so the gRPC client's
threads and earlier Stores of this one do not weigh on it) and from a fresh interpreter's start (import included),
its Store bytes per point. The files are in the page cache for both (each logdir is read once
first). Logdirs are written once with nbboard's writer and cached under the temp dir.
Run: .venv/bin/python bench/load_vs_rust.py [--only 1m,10m,sweep] [--skip-rust]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

import nbboard

TAGS = [f"metric/{name}" for name in ("loss", "accuracy", "lr", "grad_norm", "val_loss", "val_accuracy",
                                      "throughput", "memory", "step_time", "weight_norm")]
SHAPES = {"1m": (1, 100_000), "10m": (10, 100_000), "sweep": (1000, 1000)}  # runs, steps (x 10 tags)


def make_logdir(name: str) -> str:
    runs, steps = SHAPES[name]
    d = os.path.join(tempfile.gettempdir(), f"nbboard-bench-rust-{name}")
    done = os.path.join(d, ".complete")
    if os.path.exists(done):
        return d
    print(f"writing {runs} run(s) x {len(TAGS)} tags x {steps:,} steps into {d} (once) ...", flush=True)
    rng = np.random.default_rng(0)
    vals = rng.random(steps).tolist()
    for r in range(runs):
        w = nbboard.SummaryWriter(os.path.join(d, f"run_{r:04d}"), store=nbboard.Store())
        for s in range(steps):
            v = vals[s]
            for t in TAGS:
                w.add_scalar(t, v, s)
        w.close()
    open(done, "w").close()
    return d


def _read_all(d: str) -> None:
    for root, _, files in os.walk(d):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                while fh.read(1 << 24):
                    pass


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def rust(d: str, runs: int, steps: int) -> dict[str, Any]:
    """Start the data server on `d`; time its load and serving every point over gRPC."""
    import grpc
    import tensorboard_data_server
    from tensorboard.data.proto import data_provider_pb2 as pb
    from tensorboard.data.proto import data_provider_pb2_grpc as pbg

    port_file = os.path.join(tempfile.mkdtemp(), "port")
    t0 = time.perf_counter()
    proc = subprocess.Popen([tensorboard_data_server.server_binary(), "--logdir", d, "--port", "0",
                             "--port-file", port_file, "--reload", "once", "--die-after-stdin",
                             "--samples-per-plugin", "scalars=all", "--host", "127.0.0.1"],
                            stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        while not (os.path.exists(port_file) and open(port_file).read().endswith("\n")):
            time.sleep(0.002)
        port = int(open(port_file).read())
        ch = grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", -1)])
        stub = pbg.TensorBoardDataProviderStub(ch)
        flt = pb.PluginFilter(plugin_name="scalars")
        want = runs * len(TAGS)
        while True:
            res = stub.ListScalars(pb.ListScalarsRequest(plugin_filter=flt))
            complete = sum(1 for r in res.runs for t in r.tags if t.metadata.max_step == steps - 1)
            if complete == want:
                break
            time.sleep(0.005)
        loaded = time.perf_counter() - t0
        res = stub.ReadScalars(pb.ReadScalarsRequest(plugin_filter=flt, downsample=pb.Downsample(num_points=steps)))
        points = sum(len(t.data.step) for r in res.runs for t in r.tags)
        served = time.perf_counter() - t0
        rss = _rss(proc.pid)
        ch.close()
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=30)
    return {"loaded": loaded, "served": served, "points": points, "bytes_per_point": rss / max(points, 1)}


def tensorboard_http(d: str, runs: int, steps: int) -> dict[str, Any]:
    """`tensorboard --load_fast=true` (its Python server in front of the Rust data server): seconds
    from its start until its scalars plugin lists every tag, and until its JSON routes (what its page
    fetches: one POST per tag for all runs) have returned every point."""
    import json
    import re
    import urllib.parse
    import urllib.request

    exe = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "--logdir", d, "--load_fast=true", "--samples_per_plugin", f"scalars={steps}",
                             "--port", "0", "--host", "127.0.0.1", "--reload_interval", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in proc.stderr:  # type: ignore[union-attr]
            m = re.search(r"127\.0\.0\.1:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "tensorboard did not start"
        base = f"http://127.0.0.1:{port}/data/plugin/scalars"
        listed = None
        got = 0
        while True:
            tags = json.load(urllib.request.urlopen(f"{base}/tags"))
            if sum(len(t) for t in tags.values()) == runs * len(TAGS):
                listed = listed or time.perf_counter() - t0
                got = 0
                for tag in TAGS:
                    body = urllib.parse.urlencode([("tag", tag)] + [("runs", r) for r in sorted(tags)]).encode()
                    res = json.load(urllib.request.urlopen(f"{base}/scalars_multirun", body))
                    got += sum(len(v) for v in res.values())
                if got == runs * steps * len(TAGS):
                    break
            time.sleep(0.02)
        served = time.perf_counter() - t0
        rss = _rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"listed": listed, "served": served, "points": got, "python_rss_per_point": rss / max(got, 1)}


_IN_PROCESS = """
import json, sys, time
import nbboard
best, store = float("inf"), None
for _ in range(int(sys.argv[2])):
    store = None
    t = time.perf_counter()
    store = nbboard.load(sys.argv[1], progress=False)
    best = min(best, time.perf_counter() - t)
series = [store.scalars(r, t) for r in store.runs() for t in store.tags(r).get("scalars", [])]
print(json.dumps({"load": best, "points": sum(len(s) for s in series), "nbytes": sum(s.nbytes() for s in series)}))
"""


def nbboard_in_process(d: str, repeat: int = 3) -> dict[str, Any]:
    """`nbboard.load` in a python that has imported nbboard (best of `repeat`): a child of its own,
    so what this process ran before (the gRPC client's threads, the last logdir's Store) does not
    weigh on it."""
    import json

    r = subprocess.run([sys.executable, "-c", _IN_PROCESS, d, str(repeat)], check=True, capture_output=True, text=True)
    got = json.loads(r.stdout.strip().splitlines()[-1])
    return {"load": got["load"], "points": got["points"], "bytes_per_point": got["nbytes"] / max(got["points"], 1)}


def nbboard_fresh(d: str) -> float:
    """From a fresh interpreter's start to every point in its Store (import included)."""
    code = "import nbboard, sys; nbboard.load(sys.argv[1], progress=False)"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, d], check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="1m,10m,sweep")
    ap.add_argument("--skip-rust", action="store_true")
    a = ap.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    for name in a.only.split(","):
        runs, steps = SHAPES[name]
        d = make_logdir(name)
        _read_all(d)
        nb = nbboard_in_process(d)
        fresh = nbboard_fresh(d)
        assert nb["points"] == runs * steps * len(TAGS), nb
        rs = None if a.skip_rust else rust(d, runs, steps)
        tb = None if a.skip_rust else tensorboard_http(d, runs, steps)
        if rs is not None:
            assert rs["points"] == nb["points"] == tb["points"], (rs, nb, tb)  # type: ignore[index]
        n = nb["points"]
        print(f"\n{name}: {runs:,} run(s) x {len(TAGS)} tags x {steps:,} steps = {n:,} points")
        print(f"  nbboard.load in process      {nb['load']:7.2f} s  ({nb['load'] / n * 1e6:.2f} s per 1M points), "
              f"{nb['bytes_per_point']:.0f} B/point in the Store")
        print(f"  nbboard from a fresh python  {fresh:7.2f} s  (import included)")
        if rs is not None:
            print(f"  Rust data server: loaded     {rs['loaded']:7.2f} s from start, every point served after "
                  f"{rs['served']:.2f} s, {rs['bytes_per_point']:.0f} B/point (RSS)")
            print(f"  ratio (Rust loaded / nbboard in process) {rs['loaded'] / nb['load']:.1f}x; "
                  f"(Rust served / nbboard fresh) {rs['served'] / fresh:.1f}x")
        if tb is not None:
            print(f"  tensorboard --load_fast=true: every tag listed {tb['listed']:.2f} s from start, every point "
                  f"served (JSON) after {tb['served']:.2f} s; its Python server alone {tb['python_rss_per_point']:.0f} B/point")
            print(f"  ratio (tensorboard listed / nbboard fresh) {tb['listed'] / fresh:.1f}x; "
                  f"(tensorboard served / nbboard fresh) {tb['served'] / fresh:.1f}x")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
