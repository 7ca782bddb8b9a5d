"""Alerts: what rules cost the training thread, and how soon a fired alert reaches the page.

1. A loop logging 10 scalars per step: add_scalar's cost on the calling thread with no rules and
   with 20 rules (5 absolute, 5 comparative, 5 derivative, 5 best-so-far) being evaluated by the
   alerts thread meanwhile; interleaved rounds, medians. torch's SummaryWriter in the same run as
   the anchor. Target: ≤ 10 % over no rules.
2. Through a real JupyterLab and Chromium: a Board shows a run whose loss crosses a threshold 20
   times (one alert each); from the offending add_scalar (kernel clock) to the marker on the page
   (the chart's alert count changing, same machine clock). Target: p95 ≤ 500 ms.

Run: .venv/bin/python bench/alerts.py [--quick] [--skip-browser]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
from _chromium import launch, pct

from nbboard.kinds.alerts.engine import AlertWarning
from nbboard.store import Store
from nbboard.writer import SummaryWriter
from tests.browser.lab import open_notebook, run_cell, start_jupyter, wait_for_output

TAGS = [f"m/{i}" for i in range(10)]


def _rules(w: SummaryWriter) -> None:
    for i in range(5):
        w.add_alert(TAGS[i], above=1e9, name=f"abs{i}")
        w.add_alert(TAGS[i], above=TAGS[i + 5], by=1e6, name=f"cmp{i}")
        w.add_alert(TAGS[i + 5], rising=True, window=50, name=f"trend{i}")
        w.add_alert(TAGS[i + 5], below="best", by=1e6, name=f"best{i}")


def _loop(w, steps: int, values: np.ndarray) -> tuple[float, float]:
    """Wall and training-thread CPU seconds per add_scalar call."""
    add = w.add_scalar
    t0, c0 = time.perf_counter(), time.thread_time()
    for step in range(steps):
        row = values[step]
        for j, tag in enumerate(TAGS):
            add(tag, row[j], step)
    n = steps * len(TAGS)
    return (time.perf_counter() - t0) / n, (time.thread_time() - c0) / n


def cost(steps: int, rounds: int) -> dict:
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    rng = np.random.default_rng(0)
    values = (rng.normal(size=(steps, len(TAGS))) + 3.0).tolist()
    out: dict = {"none": [], "rules": [], "torch": [], "none_cpu": [], "rules_cpu": []}
    evaluated = []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", AlertWarning)
        for r in range(rounds):
            for mode in ("none", "rules", "torch"):
                d = os.path.join(tmp, f"{mode}{r}")
                if mode == "torch":
                    w = TorchWriter(d)
                else:
                    w = SummaryWriter(d, store=Store())
                    if mode == "rules":
                        _rules(w)
                _loop(w, 50, values)  # warm: the tags' series exist, rules are matched
                wall, cpu = _loop(w, steps, values)
                out[mode].append(wall * 1e6)
                if mode != "torch":
                    out[f"{mode}_cpu"].append(cpu * 1e6)
                if mode == "rules":  # the rules did run: everything logged was evaluated
                    deadline = time.time() + 30
                    e = w.store.alerts
                    while time.time() < deadline and any(t.cursor < len(t.series) for t in e._tracks.values()):
                        time.sleep(0.02)
                    evaluated.append(sum(t.cursor for t in e._tracks.values()))
                w.close()
    med = {k: statistics.median(v) for k, v in out.items()}
    return {
        "steps": steps, "rounds": rounds, "scalars_per_step": len(TAGS), "rules": 20,
        "add_scalar_us": {"nbboard_no_rules": med["none"], "nbboard_20_rules": med["rules"],
                          "torch": med["torch"]},
        "training_thread_cpu_us": {"no_rules": med["none_cpu"], "20_rules": med["rules_cpu"]},
        "overhead_wall_pct": (med["rules"] / med["none"] - 1) * 100,
        "overhead_cpu_pct": (med["rules_cpu"] / med["none_cpu"] - 1) * 100,
        "torch_over_nbboard_20_rules": med["torch"] / med["rules"],
        "points_evaluated_per_round": evaluated, "raw": out,
    }


LATENCY_CELL = textwrap.dedent("""
    import time, json
    from nbboard import SummaryWriter, Board
    w = SummaryWriter({logdir!r} + "/run")
    w.add_alert("loss", above=2.0, cooldown=1, name="loss above 2")
    display(Board({logdir!r}))
    time.sleep(2.0)  # the page attaches
    crossings = []
    step = 0
    for k in range({n}):
        for i in range(12):  # below the threshold, then one point above it
            w.add_scalar("loss", 1.0 + 0.01 * i, step); step += 1; time.sleep(0.02)
        crossings.append(time.time())
        w.add_scalar("loss", 3.0, step); step += 1
        time.sleep({gap})
    time.sleep(1.5)
    w.close()
    print("CROSSINGS " + json.dumps(crossings))
""")


def latency(browser, server, n: int) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    # every change of a chart's alert count, with the page's clock (ms since the epoch)
    page.add_init_script("""
      (() => {
        window.__alertSeen = [];
        const watch = () => new MutationObserver((ms) => {
          for (const m of ms) {
            const el = m.target;
            if (el.dataset && el.dataset.tag === "loss" && el.dataset.alerts !== undefined)
              window.__alertSeen.push([Date.now(), Number(el.dataset.alerts)]);
          }
        }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["data-alerts"] });
        if (document.documentElement) watch(); else addEventListener("DOMContentLoaded", watch);
      })();
    """)
    tmp = Path(tempfile.mkdtemp(prefix="nbb-bench-alerts-"))
    nb = server.notebook("bench-alerts.ipynb", [LATENCY_CELL.format(logdir=str(tmp / "runs"), n=n, gap=0.25)])
    open_notebook(page, server.lab(nb))
    run_cell(page)
    wait_for_output(page, "CROSSINGS ", timeout=300_000)
    text = page.locator(".jp-OutputArea-output", has_text="CROSSINGS ").first.inner_text()
    crossings = json.loads(text.split("CROSSINGS ", 1)[1].strip().splitlines()[0])
    seen = page.evaluate("() => window.__alertSeen")
    lat = []
    for k, t in enumerate(crossings, start=1):
        first = next((ts for ts, count in seen if count >= k), None)
        if first is not None:
            lat.append(first - t * 1000)
    server.shutdown_kernels()
    ctx.close()
    return {"crossings": len(crossings), "marked": len(lat), "p50_ms": pct(lat, 0.5),
            "p95_ms": pct(lat, 0.95), "max_ms": max(lat) if lat else float("nan"), "all_ms": lat}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    ap.add_argument("--skip-browser", action="store_true", help="the training-thread cost only")
    args = ap.parse_args()
    results = {"load_1min": os.getloadavg()[0]}
    results["cost"] = cost(steps=2_000 if args.quick else 10_000, rounds=3 if args.quick else 7)
    c = results["cost"]
    print(f"add_scalar, 10 scalars/step: no rules {c['add_scalar_us']['nbboard_no_rules']:.2f} µs, "
          f"20 rules {c['add_scalar_us']['nbboard_20_rules']:.2f} µs "
          f"(+{c['overhead_wall_pct']:.1f} % wall, +{c['overhead_cpu_pct']:.1f} % training-thread CPU); "
          f"torch {c['add_scalar_us']['torch']:.2f} µs = {c['torch_over_nbboard_20_rules']:.1f}× nbboard with 20 rules")
    if not args.skip_browser:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            browser = launch(pw)
            server = start_jupyter(Path(tmp))
            try:
                results["latency"] = latency(browser, server, 8 if args.quick else 20)
            finally:
                server.stop()
                browser.close()
        lat = results["latency"]
        print(f"add_scalar → alert marked on the page: p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, "
              f"max {lat['max_ms']:.0f} ms ({lat['marked']}/{lat['crossings']} marked)")
    print(json.dumps(results, default=float)[:2000])


if __name__ == "__main__":
    main()
