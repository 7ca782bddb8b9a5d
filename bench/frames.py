"""DataFrame benchmark: a logdir of 1M scalar points (4 runs × 250k) to a pandas DataFrame with
nbboard (load + Store.to_pandas) against tbparse's SummaryReader in the same run; and
Store.to_pandas alone on a Store already in memory (the ≤ 0.1 s target for 1M points).
Run: .venv/bin/python bench/frames.py [--points 1000000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings

import numpy as np

import nbboard
from nbboard import Store, SummaryWriter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    a = ap.parse_args()
    d = tempfile.mkdtemp()
    per = a.points // 4
    for r in range(4):
        w = SummaryWriter(f"{d}/run{r}", store=Store())
        vals = np.random.default_rng(r).random(per)
        for i in range(per):
            w.add_scalar("loss", float(vals[i]), i)
        w.close()
    t0 = time.perf_counter()
    store = nbboard.load(d, progress=False)
    t1 = time.perf_counter()
    df = store.to_pandas("scalars", extra_columns={"dir_name", "wall_time"})
    t2 = time.perf_counter()
    times = []
    for _ in range(5):
        s = time.perf_counter()
        store.to_pandas("scalars", extra_columns={"dir_name", "wall_time"})
        times.append(time.perf_counter() - s)
    from tbparse import SummaryReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t3 = time.perf_counter()
        ref = SummaryReader(d, extra_columns={"dir_name", "wall_time"}).scalars
        t4 = time.perf_counter()
    assert len(df) == len(ref) == per * 4
    print(f"{len(df):,} scalar points → DataFrame")
    print(f"  nbboard load + to_pandas   {t2 - t0:7.3f} s  (load {t1 - t0:.3f} s, to_pandas {t2 - t1:.3f} s)")
    print(f"  Store.to_pandas alone      {min(times):7.3f} s  (best of 5; target ≤ 0.1 s)")
    print(f"  tbparse SummaryReader      {t4 - t3:7.3f} s")
    print(f"  nbboard is {(t4 - t3) / (t2 - t0):.1f}x tbparse")


if __name__ == "__main__":
    main()
