"""Many writers on object storage (issue 18): 8 writer processes log to one S3 prefix (moto's S3
server on 127.0.0.1, counting every request by whose credentials sent it) while this process
tails the prefix as a notebook does (`nbboard.load(url, follow=True)`). Printed:

* arrival latency of each point (logged → in the tailing Store), p50 / p95 / max, against the
  target of 2 × the writers' roll interval (NBBOARD_REMOTE_ROLL_SECS, 5 s by default);
* requests per minute per writer (PUT, LIST, GET) and for the tailing reader, while the writers
  run and once they are idle (the reader backs off);
* an outage: the server stopped for `--outage` seconds mid-run and restarted: points lost, and
  how many warnings each writer printed;
* local tailing of an idle logdir of 1,000 runs: CPU per wall second of the follower (target
  ≤ 5 % of one core).

Run: .venv/bin/python bench/s3_tail.py [--seconds 60] [--outage 30] [--writers 8]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import numpy as np

WRITER = r"""
import sys, time
import nbboard
rank, seconds = int(sys.argv[1]), float(sys.argv[2])
w = nbboard.SummaryWriter(f"s3://bench/sweep/rank{rank}", store=nbboard.Store())
t0 = time.time(); i = 0
while time.time() - t0 < seconds:
    w.add_scalar("logged_at", time.time() % 1000, i)   # when it was logged (float32 holds ms at 1000 s)
    i += 1
    time.sleep(0.01)
w.close()
print("points", i)
"""


class CountingS3:
    """moto's S3 app behind a counter of (credential, kind) per request; stop/start keep its data."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.app = DomainDispatcherApplication(create_backend_app)
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = None

    def wsgi(self, environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        m = re.search(r"Credential=([^/]+)/", auth)
        who = m.group(1) if m else "?"
        method = environ["REQUEST_METHOD"]
        q = environ.get("QUERY_STRING", "")
        kind = "LIST" if method == "GET" and ("list-type" in q or "prefix=" in q) else \
            "GET" if method in ("GET", "HEAD") else "PUT" if method in ("PUT", "POST") else method
        with self.lock:
            self.counts[(who, kind)] += 1
        return self.app(environ, start_response)

    def start(self) -> None:
        import logging

        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self) -> Counter:
        with self.lock:
            return Counter(self.counts)


def per_minute(before: Counter, after: Counter, seconds: float, who: str) -> dict[str, float]:
    return {k: (after[(w, k)] - before[(w, k)]) * 60 / seconds
            for k in ("PUT", "LIST", "GET") for w in [who]}


def writers_rate(before: Counter, after: Counter, seconds: float, n: int) -> dict[str, float]:
    return {k: sum(after[(f"writer{r}", k)] - before[(f"writer{r}", k)] for r in range(n)) * 60 / seconds / n
            for k in ("PUT", "LIST", "GET")}


def fmt(rates: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in rates.items())


def s3_run(a: argparse.Namespace) -> None:
    import nbboard

    srv = CountingS3()
    srv.start()
    endpoint = f"http://127.0.0.1:{srv.port}"
    base = {**os.environ, "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_S3": endpoint}
    os.environ.update({**base, "AWS_ACCESS_KEY_ID": "reader"})
    import s3fs

    fs = s3fs.S3FileSystem(anon=False)
    fs.mkdir("bench")
    fs.pipe_file("bench/sweep/README", b"a sweep")
    roll = float(os.environ.get("NBBOARD_REMOTE_ROLL_SECS", "5"))
    store = nbboard.load("s3://bench/sweep", follow=True)
    seen: dict[str, int] = {}
    lat: list[float] = []
    done = threading.Event()

    def watch() -> None:  # arrival times of new points, as a page polling the Store would see them
        while not done.is_set():
            now = time.time()
            for run in store.runs():
                try:
                    s = store.scalars(run, "logged_at")
                except KeyError:
                    continue
                n = len(s)
                k = seen.get(run, 0)
                if n > k:
                    lat.extend(((now % 1000 - s.values[k:n].astype(np.float64)) % 1000).tolist())
                    seen[run] = n
            time.sleep(0.05)

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    for phase, outage in (("steady", 0.0), ("outage", a.outage)):
        lat.clear()
        c0 = srv.snapshot()
        t0 = time.time()
        procs = [subprocess.Popen([sys.executable, "-c", WRITER.replace("bench/sweep", f"bench/sweep/{phase}"),
                                   str(r), str(a.seconds)], env={**base, "AWS_ACCESS_KEY_ID": f"writer{r}"},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for r in range(a.writers)]
        if outage:
            time.sleep(a.seconds / 3)
            srv.stop()
            time.sleep(outage)
            srv.start()
        outs = [p.communicate(timeout=a.seconds + outage + 600) for p in procs]
        wall = time.time() - t0
        c1 = srv.snapshot()
        logged = sum(int(o.split()[-1]) for o, _ in outs)
        time.sleep(2 * roll + 2)
        got = sum(len(store.scalars(r, "logged_at")) for r in store.runs() if r.startswith(f"{phase}/"))
        warns = [e.count("nbboard: cannot upload") + e.count("resumed") for _, e in outs]
        tracebacks = sum(e.count("Traceback") for _, e in outs)
        q = np.percentile(lat, [50, 95, 100]) if lat else [float("nan")] * 3
        print(f"[{phase}] {a.writers} writers × {a.seconds:.0f} s{f', server down {outage:.0f} s' if outage else ''}: "
              f"{logged} points logged, {got} in the tailing Store ({logged - got} missing)")
        print(f"  arrival latency{' (points logged during the outage arrive after it)' if outage else ''} p50 {q[0]:.2f} s, p95 {q[1]:.2f} s, max {q[2]:.2f} s "
              f"(target ≤ 2 × roll = {2 * roll:.0f} s)")
        print(f"  requests/min per writer: {fmt(writers_rate(c0, c1, wall, a.writers))}; "
              f"tailing reader: {fmt(per_minute(c0, c1, wall, 'reader'))}")
        if outage:
            print(f"  warnings per writer: {sorted(set(warns))} (one when uploads fail, one when they resume); "
                  f"tracebacks: {tracebacks}")
    c0 = srv.snapshot()
    time.sleep(30)
    c1 = srv.snapshot()
    print(f"[idle] tailing reader, writers gone, 30 s: {fmt(per_minute(c0, c1, 30, 'reader'))} "
          f"(backs off to one listing per {store._follower.max_interval:.0f} s)")
    done.set()
    store.stop_following()
    srv.stop()


def local_idle(runs: int) -> None:
    import nbboard
    from nbboard import SummaryWriter

    d = tempfile.mkdtemp()
    for r in range(runs):
        w = SummaryWriter(f"{d}/trial_{r:04d}", store=nbboard.Store())
        for i in range(10):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        w.close()
    import resource

    store = nbboard.load(d, follow=True)
    time.sleep(5)  # backed off
    f = store._follower
    t0, c0, p0 = time.time(), resource.getrusage(resource.RUSAGE_SELF), f.polls
    time.sleep(20)
    t1, c1, p1 = time.time(), resource.getrusage(resource.RUSAGE_SELF), f.polls
    cpu = (c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime) / (t1 - t0)
    store.stop_following()
    print(f"[local idle] tailing {runs} runs: {100 * cpu:.1f} % of one core "
          f"({(p1 - p0) / (t1 - t0):.2f} polls/s; target ≤ 5 %)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--outage", type=float, default=30)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--runs", type=int, default=1000)
    a = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.1f}")
    local_idle(a.runs)
    s3_run(a)


if __name__ == "__main__":
    main()
