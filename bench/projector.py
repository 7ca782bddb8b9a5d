"""Projector benchmark: PCA time for 100,000 × 784, and the view's frame rate in headless Chromium.

The view runs on a static page (the built runtime, a stand-in widget model, the records messages
that ProjectorFeed makes), so the numbers are the view's own, not JupyterLab's. Chromium here
has no GPU: WebGL runs on SwiftShader (software), which the printed renderer string shows.
Run: .venv/bin/python bench/projector.py [--quick] [--shot PATH]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from _chromium import STATIC, launch

from nbboard.kinds.projector import projection
from nbboard.kinds.projector.feed import ProjectorFeed
from nbboard.store import Store
from nbboard.writer import SummaryWriter

# on top of the browser tests' flags: WebGL on SwiftShader, frames not capped at the display's rate
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
              "--disable-frame-rate-limit", "--disable-gpu-vsync"]

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body { margin: 0; font: 13px system-ui, sans-serif; } #host { width: %(width)dpx; padding: 8px; }</style>
</head><body class="%(body)s"><div id="host"></div><script type="module">
const rt = await import("./runtime.js");
const uid = "bench";
const state = { _uid: uid, _protocol: 1, kind: "projector", options: %(options)s, ui: %(ui)s };
const model = { get: (k) => state[k], set: (k, v) => { state[k] = v; }, save_changes() {}, on() {}, off() {}, send() {} };
rt.attach(uid, model);
const msgs = await (await fetch("messages.json")).json();
for (const m of msgs) {
  const bufs = await Promise.all(m.buffers.map(async (b) => await (await fetch(b)).arrayBuffer()));
  rt.message(uid, m.content, bufs);
}
const t0 = performance.now();
window.__dispose = rt.render("projector", model, document.getElementById("host"));
window.__rendered = performance.now() - t0;
window.__ready = true;
</script></body></html>"""


def synthetic(n: int, d: int, classes: int = 10, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """n points in d dims around `classes` Gaussian centres (a stand-in for MNIST features)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    centres = rng.standard_normal((classes, d)).astype(np.float32) * 3
    x = centres[labels] + rng.standard_normal((n, d), dtype=np.float32)
    return x, labels.tolist()


def bench_pca(n: int = 100_000, d: int = 784, repeat: int = 3) -> float:
    """Best-of-`repeat` seconds for a 3-component PCA of an n × d float32 matrix."""
    rng = np.random.default_rng(0)
    lat = rng.standard_normal((n, 40), dtype=np.float32) * np.geomspace(10, 0.5, 40, dtype=np.float32)
    x = lat @ rng.standard_normal((40, d), dtype=np.float32) + 0.3 * rng.standard_normal((n, d), dtype=np.float32)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        projection.pca(x, 3)
        best = min(best, time.perf_counter() - t0)
    return best


def page_dir(mat: np.ndarray, metadata: Any = None, label_img: Any = None, header: Any = None,
             methods: tuple[str, ...] = ("pca",), options: dict | None = None, ui: dict | None = None,
             body: str = "", width: int = 1100) -> tuple[str, dict]:
    """A temp folder with the runtime, the page and the feed's messages for one embedding."""
    out = tempfile.mkdtemp(prefix="nbb-projector-")
    store = Store()
    w = SummaryWriter(out, write_to_disk=False, store=store)  # the Store only: no files
    w.add_embedding(mat, metadata, label_img, tag="default", metadata_header=header)
    w.close()
    feed = ProjectorFeed(store, methods)
    t0 = time.perf_counter()
    msgs = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        m = feed.poll()
        if m is not None:
            content, buffers = m
            names = []
            for b in buffers:
                name = f"buf{len(os.listdir(out))}.bin"
                Path(out, name).write_bytes(b)
                names.append(name)
            msgs.append({"content": content, "buffers": names})
        elif projection.worker().idle():
            m = feed.poll()
            if m is None:
                break
            continue
        time.sleep(0.02)
    kernel_s = time.perf_counter() - t0
    Path(out, "messages.json").write_text(json.dumps(msgs))
    Path(out, "runtime.js").write_bytes((STATIC / "runtime.js").read_bytes())
    opts = {"dims": 3, "neighbors": 10, "height": 560, "methods": list(methods), **(options or {})}
    Path(out, "index.html").write_text(PAGE % {"options": json.dumps(opts), "ui": json.dumps(ui or {}),
                                               "body": body, "width": width})
    return out, {"kernel_s": kernel_s, "bytes": sum(f.stat().st_size for f in Path(out).glob("*.bin"))}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a: Any) -> None:
        pass


def serve(folder: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/index.html"


def open_page(browser: Any, url: str, width: int = 1140, height: int = 700) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.errors = errors
    page.goto(url)
    page.wait_for_function("() => window.__ready === true", timeout=300_000)
    page.wait_for_timeout(300)
    return page


def gl_renderer(page: Any) -> str:
    return page.evaluate("""() => { const c = document.createElement('canvas').getContext('webgl2');
      if (!c) return 'no webgl2'; const e = c.getExtension('WEBGL_debug_renderer_info');
      return e ? c.getParameter(e.UNMASKED_RENDERER_WEBGL) : c.getParameter(c.RENDERER); }""")


def view_bench(page: Any, frames: int, lod: bool = True) -> dict:
    return page.evaluate(f"async () => await [...window.__nbboard__.projectors][0].bench({frames}, {str(lod).lower()})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (10k points; skip 1M)")
    ap.add_argument("--shot", default="", help="save a screenshot of the 100k view here")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    t = bench_pca(20_000 if args.quick else 100_000, 784, 2 if args.quick else 3)
    print(f"PCA {'20,000' if args.quick else '100,000'} × 784 → 3: {t:.3f} s (best of runs; {os.cpu_count()} CPU cores)")

    sizes = [10_000] if args.quick else [100_000, 1_000_000]
    with sync_playwright() as pw:
        browser = launch(pw, WEBGL_ARGS)
        for n in sizes:
            x, labels = synthetic(n, 32)
            folder, info = page_dir(x, metadata=labels, options={"color_by": "label"})
            srv, url = serve(folder)
            t0 = time.perf_counter()
            page = open_page(browser, url)
            load_s = time.perf_counter() - t0
            if n == sizes[0]:
                print(f"WebGL renderer: {gl_renderer(page)}")
            ok = page.evaluate("() => [...window.__nbboard__.projectors][0].api.state()")
            full = page.evaluate(f"() => {{ const v = [...window.__nbboard__.projectors][0]; const t = performance.now();"
                                 f" v.geometry.setDrawRange(0, {n}); v.renderer.render(v.scene, v.camera);"
                                 " v.renderer.getContext().readPixels(0, 0, 1, 1, 0x1908, 0x1401, new Uint8Array(4));"
                                 " return performance.now() - t; }")
            every = view_bench(page, 20 if n > 200_000 else 60, lod=False)
            view_bench(page, 60)  # warm-up: the level of detail settles
            r = view_bench(page, 60 if n > 200_000 else 180)
            print(f"{n:>9,} points: kernel encode+PCA {info['kernel_s']:.2f} s, {info['bytes'] / 1e6:.1f} MB to the page, "
                  f"page load+first render {load_s:.2f} s; one full-detail frame {full:.0f} ms; rotating: "
                  f"{r['fps']:.1f} fps drawing {r['drawn']:,} of {n:,} points per moving frame "
                  f"(all of them once still); {r['frames']} frames; drawing all {n:,} every frame: {every['fps']:.1f} fps; "
                  f"view state {ok['n']:,} points, {ok['coloring']}")
            if args.shot and n == sizes[0]:
                page.screenshot(path=args.shot)
            if page.errors:
                print("  page errors:", page.errors[:3])
            page.close()
            srv.shutdown()
        browser.close()


if __name__ == "__main__":
    main()
