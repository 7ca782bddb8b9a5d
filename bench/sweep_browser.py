"""A sweep in the Board, measured in Chromium (issue 18): 1,000 runs × 10 tags × 1,000 steps, each
run with hparams (lr, optimizer, layers) as a Ray Tune params.json gives them.

Front end alone (the built runtime in a blank page, the data fed as the kernel's Board would send
it: scalar deltas, and the hparams as run-level plugin records), the tag filter showing one chart:
  * first draw of the Board as it opens on a sweep (the first 20 runs in the table drawn), and with
    all 1,000 runs drawn: from render to the chart's first paint;
  * selection and filter changes on the open Board: tick one run, Top k (50), sort by a metric,
    the run regex, colour by an hparam (numeric and categorical), All (1,000 drawn), None, scroll
    of the run table: from the event to the chart's repaint (the table's rows drawn in between).

Targets (the issue's): first draw ≤ 1 s for 1,000 runs × 1 chart, a selection/filter change
≤ 100 ms. TensorBoard's own stack is not run here: loading 10M points into its data server alone
takes minutes, and its run selector lists every run in the DOM; the ratio to aim at is ≤ 1 × the
targets above.

Run: .venv/bin/python bench/sweep_browser.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os

from _chromium import launch, pct, stub_page

from tests.browser.lab import ROOT

SCRIPT = """
window.feedSweep = (uid, runs, tags, steps) => {
  const opts = ["adam", "sgd", "rmsprop", "adamw"];
  const plugins = {};
  for (let r = 0; r < runs; r++) {
    const name = "trial_" + String(r).padStart(4, "0");
    plugins[name] = { hparams: { hparams: { lr: Math.pow(10, -5 + 4 * ((r * 7919) % runs) / runs), optimizer: opts[r % 4], layers: 2 + (r % 3) }, metrics: {} } };
  }
  for (let t = 0; t < tags; t++) {
    const rows = []; const buf = new Float64Array(runs * steps * 3); let o = 0;
    for (let r = 0; r < runs; r++) {
      const name = "trial_" + String(r).padStart(4, "0");
      rows.push([r * tags + t, name, "metrics/m" + t, 0, steps, false]);
      const fin = 0.05 + ((r * 7919) % runs) / runs;
      for (let i = 0; i < steps; i++) buf[o++] = i;
      for (let i = 0; i < steps; i++) buf[o++] = fin + (1 - fin) * Math.exp(-i / (steps / 6)) + 0.02 * Math.sin(i * 0.7 + r + t);
      for (let i = 0; i < steps; i++) buf[o++] = 1.7e9 + i;
    }
    rt.message(uid, { type: "scalars", series: rows }, [new DataView(buf.buffer)]);
  }
  rt.message(uid, { type: "records", series: [], plugins }, []);
};
// the next paint of the chart of `tag`: resolves with performance.now() at the paint
window.nextPaint = (tag) => new Promise((res) => { (globalThis.__nbboard__.wait ??= {})[tag] = res; });
const g = (globalThis.__nbboard__ ??= { runtimes: {} });
g.onPaint = (tag, series) => {
  g.lastRuns = series.length;
  const w = g.wait && g.wait[tag];
  if (w) { delete g.wait[tag]; w(performance.now()); }
};
"""


FIRST_DRAW = """async ([runs, tags, steps, ui]) => {
    const tag = "metrics/m0";
    const host = document.getElementById("host");
    const t = performance.now();
    feedSweep("sweep", runs, tags, steps);
    const feedMs = performance.now() - t;
    await new Promise(r => setTimeout(r, 300));
    const m = makeModel("sweep", "board", { tag_filter: "^metrics/m0$" });
    m.set("ui", ui);
    const painted = nextPaint(tag);
    const t0 = performance.now();
    rt.render("board", m, host);
    const t1 = await painted;
    return { feedMs, firstDrawMs: t1 - t0, drawn: globalThis.__nbboard__.lastRuns };
}"""


def measure(browser, runs: int, tags: int, steps: int) -> dict:
    out: dict = {}
    # each first draw in a page of its own (a page holding two sweeps' 240 MB measures the GC)
    ctx, page = stub_page(browser, SCRIPT, width=1380, viewport=(1400, 1000))
    out["first_draw_all"] = page.evaluate(FIRST_DRAW, [runs, tags, steps, {"run_top": 0}])
    ctx.close()
    ctx, page = stub_page(browser, SCRIPT, width=1380, viewport=(1400, 1000))
    out["first_draw_default"] = page.evaluate(FIRST_DRAW, [runs, tags, steps, {}])
    # ---- changes on the open Board (the default one, 20 of 1,000 drawn) ---------------------------
    res = page.evaluate(
        """async () => {
        const tag = "metrics/m0";
        const side = document.querySelector("#host .nbb-side");
        const q = (s) => side.querySelector(s);
        const settle = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)));
        const time = async (fn) => {
          await settle();
          const p = nextPaint(tag);
          const t0 = performance.now();
          fn();
          const sync = performance.now() - t0;
          const t1 = await Promise.race([p, new Promise(r => setTimeout(() => r(NaN), 2000))]);
          return { ms: t1 - t0, sync, drawn: globalThis.__nbboard__.lastRuns };
        };
        const select = (sel, v) => { sel.value = v; sel.dispatchEvent(new Event("change")); };
        const out = {};
        out.tick = [];
        for (let i = 0; i < 20; i++) {
          const boxes = side.querySelectorAll(".nbb-side-run input");
          out.tick.push(await time(() => boxes[(i * 7) % boxes.length].click()));
        }
        const k = q(".nbb-side-k"); k.value = "50"; k.dispatchEvent(new Event("change"));
        out.top50 = await time(() => q(".nbb-side-top").click());
        out.sort = await time(() => select(q(".nbb-side-sort-tag"), "metrics/m3"));
        out.sort_stat = await time(() => select(q(".nbb-side-sort-stat"), "min"));
        out.sort_dir = await time(() => q(".nbb-side-dir").click());
        out.color_numeric = await time(() => select(q(".nbb-side-color"), "lr"));
        out.color_categorical = await time(() => select(q(".nbb-side-color"), "optimizer"));
        // grouping changes only the table (the chart stays): the handler's time
        await settle();
        const tg = performance.now();
        { const g = q(".nbb-side-group input"); g.checked = true; g.dispatchEvent(new Event("change")); }
        out.group = { ms: performance.now() - tg, drawn: globalThis.__nbboard__.lastRuns };
        const f = q(".nbb-side-filter");
        out.regex = await time(() => { f.value = "trial_0[0-4]"; f.dispatchEvent(new Event("input")); });
        out.regex_clear = await time(() => { f.value = ""; f.dispatchEvent(new Event("input")); });
        out.all = await time(() => q(".nbb-side-all").click());
        out.none = await time(() => q(".nbb-side-none").click());
        // scrolling the table: the rows drawn per scroll step (no chart repaint)
        const list = q(".nbb-side-list");
        const scroll = [];
        for (let i = 1; i <= 30; i++) {
          const t0 = performance.now();
          list.scrollTop = i * 600;
          list.dispatchEvent(new Event("scroll"));
          scroll.push(performance.now() - t0);
        }
        out.scroll = scroll;
        out.rowsInDom = side.querySelectorAll(".nbb-side-run, .nbb-side-grouprow").length;
        return out;
    }"""
    )
    out["changes"] = res
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="200 runs × 10 tags × 200 steps (a smoke run)")
    ap.add_argument("--repeat", type=int, default=2, help="runs; the least disturbed is reported")
    args = ap.parse_args()
    runs, tags, steps = (200, 10, 200) if args.quick else (1000, 10, 1000)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        results = [measure(browser, runs, tags, steps) for _ in range(args.repeat)]
        browser.close()
    best = min(results, key=lambda r: r["first_draw_default"]["firstDrawMs"] + r["first_draw_all"]["firstDrawMs"])
    ch = min(results, key=lambda r: pct([t["ms"] for t in r["changes"]["tick"]], 0.5))["changes"]
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; best of {args.repeat} runs)")
    print(f"sweep: {runs:,} runs × {tags} tags × {steps:,} steps ({runs * tags * steps:,} points) + hparams; "
          f"applying the data {best['first_draw_default']['feedMs']:.0f} ms")
    d, a = best["first_draw_default"], best["first_draw_all"]
    print(f"first draw, 1 chart: Board as it opens ({d['drawn']} of {runs:,} runs drawn) {d['firstDrawMs']:.0f} ms; "
          f"all {a['drawn']:,} runs drawn {a['firstDrawMs']:.0f} ms (target ≤ 1,000 ms)")
    ticks = [t["ms"] for t in ch["tick"]]
    print(f"tick/untick one run → chart repainted: p50 {pct(ticks, 0.5):.1f} ms, max {max(ticks):.1f} ms over "
          f"{len(ticks)} clicks (target ≤ 100 ms); event handler p50 {pct([t['sync'] for t in ch['tick']], 0.5):.1f} ms")
    print("every change below, event → the chart's repaint (the wait for the next animation frame included):")
    for key, label in (("top50", "Top 50"), ("sort", "sort by a metric (last)"), ("sort_stat", "sort by its min"),
                       ("sort_dir", "reverse the sort"), ("color_numeric", "colour by lr (numeric)"),
                       ("color_categorical", "colour by optimizer"), ("group", "group the table by optimizer (table only)"),
                       ("regex", "run regex"), ("regex_clear", "run regex cleared"), ("all", "All"),
                       ("none", "None")):
        sync = f", {ch[key]['sync']:.1f} ms of it in the event handler" if "sync" in ch[key] else ""
        print(f"  {label}: {ch[key]['ms']:.1f} ms{sync} ({ch[key]['drawn']:,} runs drawn after)")
    print(f"run table scroll step: p50 {pct(ch['scroll'], 0.5):.2f} ms, max {max(ch['scroll']):.2f} ms; "
          f"{ch['rowsInDom']} rows in the DOM for {runs:,} runs")
    print("anchor: TensorBoard's stack not measured (see the docstring); targets ≤ 1 s first draw, ≤ 100 ms per change")
    out_dir = ROOT / "build"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "bench-sweep-browser.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
