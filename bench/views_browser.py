"""Record-view speed (images, histograms, distributions), measured in Chromium.

The kernel side is real: a SummaryWriter logs 200 steps of a 64-image grid (add_images, 32×32
images) and 1,000 histogram steps into a Store, and RecordFeed builds the binary snapshot
messages exactly as a displayed view would receive them. The page side is the built runtime in
a blank page fed those messages (as the loader does), so the numbers are the views' own cost:

  * snapshot: kernel build time and bytes; page decode time; time to the first drawn pixels;
  * image step slider scrubbing: main-thread ms per move, and move → decoded pixels;
  * 1,000-step histograms: offset (ridgeline) and overlay draw ms, distributions first draw;
  * live: one new histogram step every 100 ms for 3 s → draw ms per frame (p50 / p95).

Run: .venv/bin/python bench/views_browser.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _chromium import launch, stub_page

# the stub page's extra: load(n) fetches the kernel's n snapshot messages as [[content, [ArrayBuffer...]]]
LOAD = """
window.load = async (n) => {
  const msgs = [];
  for (let i = 0; i < n; i++) {
    const content = await (await fetch(`/msg/${i}.json`)).json();
    const bufs = [];
    for (let k = 0; k < content.series.length; k++) bufs.push(await (await fetch(`/msg/${i}/${k}.bin`)).arrayBuffer());
    msgs.push([content, bufs]);
  }
  return msgs;
};
"""


def kernel_side(tmp: str, quick: bool) -> tuple[dict, list, dict]:
    """Log the data with a real writer; build the snapshot messages with RecordFeed."""
    from nbboard.store import Store
    from nbboard.widgets.feeds import RecordFeed
    from nbboard.writer import SummaryWriter

    steps_img, steps_hist = (50, 250) if quick else (200, 1000)
    store = Store(tmp)
    w = SummaryWriter(tmp + "/run", store=store)
    rng = np.random.default_rng(0)
    base = rng.random((64, 3, 32, 32)).astype(np.float32)
    t0 = time.perf_counter()
    for s in range(steps_img):
        w.add_images("big/grid", np.roll(base, s, axis=3), s)
    t1 = time.perf_counter()
    for s in range(steps_hist):
        w.add_histogram("big/hist", rng.normal(loc=s / 300, scale=1 + s / 1000, size=1000), s)
    t2 = time.perf_counter()
    w.flush()
    feed = RecordFeed(store, ("images", "histograms"))
    msgs = []
    t3 = time.perf_counter()
    while (m := feed.poll()) is not None:
        msgs.append(m)
    t4 = time.perf_counter()
    nbytes = sum(len(b) for _c, bufs in msgs for b in bufs)
    info = {"image_steps": steps_img, "grid": "8x8 of 32x32 RGB (256x256 px)", "histogram_steps": steps_hist,
            "add_images_ms_per_call": round((t1 - t0) / steps_img * 1e3, 3),
            "add_histogram_ms_per_call": round((t2 - t1) / steps_hist * 1e3, 3),
            "snapshot_build_ms": round((t4 - t3) * 1e3, 1), "snapshot_messages": len(msgs),
            "snapshot_MB": round(nbytes / 1e6, 2)}
    files: dict = {}
    for i, (content, bufs) in enumerate(msgs):
        files[f"/msg/{i}.json"] = json.dumps(content).encode()
        for k, b in enumerate(bufs):
            files[f"/msg/{i}/{k}.bin"] = bytes(b)
    live = []  # one more histogram step per message, as the pusher would send them live
    for s in range(steps_hist, steps_hist + 40):
        w.add_histogram("big/hist", rng.normal(loc=s / 300, size=1000), s)
        content, bufs = feed.poll()
        live.append([content, [list(bytes(b)) for b in bufs]])
    w.close()
    return info, live, files


def frontend(browser, files: dict, nmsgs: int, live: list) -> dict:
    ctx, page = stub_page(browser, LOAD, files=files)
    out: dict = {}
    out["images"] = page.evaluate(
        """async (n) => {
        const msgs = await load(n);
        const t0 = performance.now();
        for (const [c, b] of msgs) rt.message("v", c, b);
        const decodeMs = performance.now() - t0;
        const host = document.getElementById("host");
        const t1 = performance.now();
        rt.render("images", makeModel("v", "images"), host);
        let img;
        while (!(img = host.querySelector(".nbb-v-card[data-tag='big/grid'] img[data-step]"))) await frame();
        await img.decode();
        const firstPixelsMs = performance.now() - t1;
        const slider = host.querySelector(".nbb-v-card[data-tag='big/grid'] input.nbb-v-step-slider");
        const moves = [];
        const steps = Number(slider.max);
        for (let i = 0; i <= steps; i += 2) {
          const a = performance.now();
          slider.value = String(i);
          slider.dispatchEvent(new Event("input"));
          moves.push(performance.now() - a);
        }
        const toPixels = [];
        for (let k = 0; k < 10; k++) {
          const a = performance.now();
          slider.value = String(Math.floor(steps * k / 10));
          slider.dispatchEvent(new Event("input"));
          await img.decode();
          toPixels.push(performance.now() - a);
        }
        moves.sort((x, y) => x - y); toPixels.sort((x, y) => x - y);
        return { decodeMs, firstPixelsMs, scrubMedianMs: moves[moves.length >> 1], scrubMaxMs: moves[moves.length - 1],
                 scrubToPixelsMedianMs: toPixels[5], scrubToPixelsMaxMs: toPixels[9] };
    }""",
        nmsgs,
    )
    out["histograms"] = page.evaluate(
        """async (live) => {
        const host = document.getElementById("host");
        host.replaceChildren();
        const t0 = performance.now();
        rt.render("histograms", makeModel("v", "histograms"), host);
        const grid = () => host.querySelector(".nbb-v-grid-root");
        const canvas = () => host.querySelector("canvas[data-steps]");
        while (!canvas()) await frame();
        const firstDrawMs = performance.now() - t0, firstWorkMs = Number(grid().dataset.frameMs);
        const btn = m => host.querySelector(`.nbb-v-histmode button[data-mode='${m}']`);
        const draws = { overlay: [], offset: [] };
        for (let k = 0; k < 5; k++) for (const m of ["overlay", "offset"]) {
          btn(m).click(); await frame(); draws[m].push(Number(grid().dataset.frameMs));
        }
        // live: a new step every 100 ms
        const liveMs = [];
        for (const [c, bufs] of live) {
          rt.message("v", c, bufs.map(b => new Uint8Array(b).buffer));
          await frame();
          liveMs.push(Number(grid().dataset.frameMs));
          await new Promise(r => setTimeout(r, 100));
        }
        host.replaceChildren();
        const t1 = performance.now();
        rt.render("distributions", makeModel("v", "distributions"), host);
        while (!host.querySelector(".nbb-v-dist[data-steps]")) await frame();
        const distFirstMs = performance.now() - t1, distWorkMs = Number(grid().dataset.frameMs);
        const med = a => a.slice().sort((x, y) => x - y)[a.length >> 1];
        liveMs.sort((x, y) => x - y);
        return { firstDrawMs, firstWorkMs,
                 overlayDrawMs: med(draws.overlay), offsetDrawMs: med(draws.offset),
                 liveDrawP50Ms: liveMs[liveMs.length >> 1], liveDrawP95Ms: liveMs[Math.floor(liveMs.length * 0.95)],
                 distributionsFirstMs: distFirstMs, distributionsWorkMs: distWorkMs };
    }""",
        live,
    )
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller inputs")
    args = ap.parse_args()
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        info, live, files = kernel_side(tmp, args.quick)
    nmsgs = sum(1 for k in files if k.endswith(".json"))
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page_side = frontend(browser, files, nmsgs, live)
        finally:
            browser.close()
    result = {"kernel": info, **page_side}
    print(json.dumps(result, indent=1))
    img, h = page_side["images"], page_side["histograms"]
    print(f"\nimages {info['image_steps']} steps × 64-image grid: first pixels {img['firstPixelsMs']:.0f} ms, "
          f"slider move {img['scrubMedianMs']:.2f} ms (max {img['scrubMaxMs']:.2f}), move→pixels "
          f"{img['scrubToPixelsMedianMs']:.1f} ms")
    print(f"histograms {info['histogram_steps']} steps: offset draw {h['offsetDrawMs']:.1f} ms, overlay "
          f"{h['overlayDrawMs']:.1f} ms, live p95 {h['liveDrawP95Ms']:.1f} ms/frame, distributions first draw "
          f"{h['distributionsWorkMs']:.1f} ms (budget 16 ms per frame)")


if __name__ == "__main__":
    main()
