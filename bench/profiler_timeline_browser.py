"""The profiler's Trace timeline at 1M events, measured in Chromium.

A kineto-format trace of ~1M duration events (~230 MB of JSON, with ~250k ac2g flow pairs) is
generated in a temporary directory: steps on the main thread, each a run of host ops
(aten::linear > aten::addmm > cudaLaunchKernel) launching a kernel on GPU stream 7, linked by
correlation and ac2g flows. Then:

  * open → drawn: from starting to read the file (`nbboard.load` of the logdir: msgspec parse,
    numpy columns, flows bound) through the analysis and the feed's encoding (RecordFeed, the
    messages a displayed view gets), the bytes' transfer to the page (a fetch from the stub
    origin: a stand-in for the widget's comm), decoding, to the Trace tab's first drawn frame.
    Target ≤ 5 s.
  * pan/zoom: wheel zooms in and out and drags at the full 1M-event window and zoomed in; per
    input, the draw's own main-thread time (`canvas.dataset.frameMs`) and the input → next
    painted frame time, p50/p95. Target p95 ≤ 16 ms.

Chromium runs headless with the browser tests' flags (--disable-gpu: software rendering), on
whatever machine runs this (here: 2 cores shared with other work); the load average is printed.

Run: .venv/bin/python bench/profiler_timeline_browser.py [--events N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _chromium import launch, pct, stub_page

OPS = [f"aten::op_{i}" for i in range(40)]
KERNELS = [f"void kernel_{i}<float, 128>(float const*, float*, int)" for i in range(40)]


def write_trace(path: str, n_events: int) -> tuple[int, int]:
    """A kineto-format trace of about `n_events` duration events; (events, bytes) written."""
    groups_per_step = 1000
    groups = n_events // 4
    parts: list[str] = []
    t = 1_000_000.0
    corr = 0
    n = 0
    step = 0
    with open(path, "w") as fh:
        fh.write('{"schemaVersion": 1, "deviceProperties": [{"id": 0, "name": "bench GPU"}], "traceEvents": [\n')
        fh.write('{"ph": "M", "name": "process_name", "pid": 0, "tid": 0, "args": {"name": "GPU 0"}}')
        for g in range(groups):
            if g % groups_per_step == 0:
                step += 1
                parts.append(f',\n{{"ph": "X", "cat": "user_annotation", "name": "ProfilerStep#{step}", "pid": 100, '
                             f'"tid": 100, "ts": {t:.3f}, "dur": {groups_per_step * 10.0 - 1:.3f}, "args": {{"External id": {corr}}}}}')
                n += 1
            corr += 1
            op = OPS[g % len(OPS)]
            k = KERNELS[(g * 7) % len(KERNELS)]
            a = t + 0.5
            parts.append(
                f',\n{{"ph": "X", "cat": "cpu_op", "name": "aten::linear", "pid": 100, "tid": 100, "ts": {a:.3f}, "dur": 8.000, '
                f'"args": {{"External id": {corr}, "Input Dims": [[32, 64], [64, 64], [64]], "Input type": ["float", "float", "float"]}}}}'
                f',\n{{"ph": "X", "cat": "cpu_op", "name": "{op}", "pid": 100, "tid": 100, "ts": {a + 1:.3f}, "dur": 6.000, '
                f'"args": {{"External id": {corr}}}}}'
                f',\n{{"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 100, "tid": 100, "ts": {a + 2:.3f}, '
                f'"dur": 3.000, "args": {{"External id": {corr}, "correlation": {corr}}}}}'
                f',\n{{"ph": "s", "id": {corr}, "pid": 100, "tid": 100, "ts": {a + 2:.3f}, "cat": "ac2g", "name": "ac2g"}}'
                f',\n{{"ph": "X", "cat": "kernel", "name": "{k}", "pid": 0, "tid": 7, "ts": {a + 6:.3f}, "dur": 7.000, '
                f'"args": {{"External id": {corr}, "correlation": {corr}, "device": 0, "stream": 7, "grid": [64, 1, 1], '
                f'"block": [128, 1, 1], "registers per thread": 32, "shared memory": 0, "blocks per SM": 0.5, '
                f'"warps per SM": 2.0, "est. achieved occupancy %": 25}}}}'
                f',\n{{"ph": "f", "id": {corr}, "pid": 0, "tid": 7, "ts": {a + 6:.3f}, "cat": "ac2g", "name": "ac2g", "bp": "e"}}')
            n += 4
            t += 10.0
            if len(parts) >= 2000:
                fh.write("".join(parts))
                parts.clear()
        fh.write("".join(parts))
        fh.write("\n]}\n")
    return n, os.path.getsize(path)


def kernel_side(root: str) -> tuple[dict, list[tuple[dict, list[bytes]]]]:
    """Read the logdir and build the messages a displayed view gets; the times of each part."""
    import nbboard
    from nbboard.widgets.feeds import RecordFeed

    t0 = time.perf_counter()
    store = nbboard.load(root, progress=False)
    t1 = time.perf_counter()
    feed = RecordFeed(store, ("pytorch_profiler",))
    msgs = []
    while (m := feed.poll()) is not None:
        msgs.append(m)
    t2 = time.perf_counter()
    nbytes = sum(len(b) for _c, bufs in msgs for b in bufs)
    return {"read_s": t1 - t0, "analyse_encode_s": t2 - t1, "messages": len(msgs), "MB": nbytes / 1e6}, msgs


LOAD = """
window.load = async (base, n) => {
  const msgs = [];
  for (let i = 0; i < n; i++) {
    const content = await (await fetch(`${base}/msg/${i}.json`)).json();
    const bufs = [];
    for (let k = 0; k < content.series.length; k++) bufs.push(await (await fetch(`${base}/msg/${i}/${k}.bin`)).arrayBuffer());
    msgs.push([content, bufs]);
  }
  return msgs;
};
"""

OPEN = """async ([base, n]) => {
  const t0 = performance.now();
  const msgs = await load(base, n);
  const t1 = performance.now();
  for (const [c, b] of msgs) rt.message("p", c, b);
  const m = makeModel("p", "profiler");
  m.set("ui", { profiler_tab: "trace" });
  const host = document.getElementById("host");
  const t2 = performance.now();
  rt.render("profiler", m, host);
  let c;
  while (!(c = host.querySelector("canvas.nbb-prof-trace-canvas[data-drawn]"))) await frame();
  const t3 = performance.now();
  await frame();  // painted on screen
  const t4 = performance.now();
  return { transferMs: t1 - t0, applyMs: t2 - t1, renderMs: t3 - t2, paintedMs: t4 - t0, drawn: Number(c.dataset.drawn),
           arrows: Number(c.dataset.arrows), firstFrameMs: Number(c.dataset.frameMs) };
}"""

INTERACT = """async () => {
  const c = document.querySelector("canvas.nbb-prof-trace-canvas");
  const r = c.getBoundingClientRect();
  const paint = () => frame().then(() => performance.now());  // the next animation frame ran (the draw)
  const out = { full: [], fullTotal: [], zoomed: [], zoomedTotal: [], noflows: [], noflowsTotal: [], spans: [] };
  const wheel = (dy, fx) => c.dispatchEvent(new WheelEvent("wheel", { deltaY: dy, clientX: r.left + 150 + (r.width - 150) * fx, clientY: r.top + 30, bubbles: true, cancelable: true }));
  const drag = async (dx) => {
    const x = r.left + r.width / 2, y = r.top + 30;
    c.dispatchEvent(new PointerEvent("pointerdown", { clientX: x, clientY: y, pointerId: 1, bubbles: true }));
    c.dispatchEvent(new PointerEvent("pointermove", { clientX: x + dx, clientY: y, pointerId: 1, bubbles: true }));
    c.dispatchEvent(new PointerEvent("pointerup", { clientX: x + dx, clientY: y, pointerId: 1, bubbles: true }));
  };
  const time = async (fn, into, total) => {
    await paint();
    const t0 = performance.now();
    await fn();
    const t1 = await paint();
    into.push(Number(c.dataset.frameMs));
    total.push(t1 - t0);
    out.spans.push(c.dataset.window);
  };
  // the whole trace in view: a small zoom in and out around the middle, and drags
  for (let i = 0; i < 10; i++) await time(() => wheel(i % 2 ? 100 : -100, 0.5), out.full, out.fullTotal);
  // zoom in step by step (each wheel step 0.8×), then pan and zoom back out
  for (let i = 0; i < 30; i++) await time(() => wheel(-100, 0.5), out.zoomed, out.zoomedTotal);
  for (let i = 0; i < 10; i++) await time(() => drag(i % 2 ? 200 : -200), out.zoomed, out.zoomedTotal);
  for (let i = 0; i < 30; i++) await time(() => wheel(100, 0.5), out.full, out.fullTotal);
  for (let i = 0; i < 10; i++) await time(() => drag(i % 2 ? 200 : -200), out.full, out.fullTotal);
  // the whole trace again, the flow arrows off
  const box = document.querySelector(".nbb-prof-flows input");
  box.click();
  for (let i = 0; i < 20; i++) await time(() => wheel(i % 2 ? 100 : -100, 0.5), out.noflows, out.noflowsTotal);
  return out;
}"""


def serve(files: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    """A local HTTP server of `files` (path → bytes) any origin may fetch; (server, base URL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000, help="duration events in the trace")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "logs", "big")
        os.makedirs(run)
        path = os.path.join(run, "bench.1700000000000.pt.trace.json")
        tg = time.perf_counter()
        n, size = write_trace(path, args.events)
        gen_s = time.perf_counter() - tg
        kern, msgs = kernel_side(os.path.join(tmp, "logs"))
    files: dict[str, bytes] = {}
    for i, (content, bufs) in enumerate(msgs):
        files[f"/msg/{i}.json"] = json.dumps(content).encode()
        for k, b in enumerate(bufs):
            files[f"/msg/{i}/{k}.bin"] = bytes(b)
    del msgs
    server, base = serve(files)
    with sync_playwright() as pw:
        # the stub page's origin fetches from 127.0.0.1: let Chromium's local network checks allow it
        browser = launch(pw, ["--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessChecks,"
                              "LocalNetworkAccessChecks"])
        try:
            ctx, page = stub_page(browser, LOAD, width=1380, viewport=(1400, 1000))
            opened = page.evaluate(OPEN, [base, len([k for k in files if k.endswith(".json")])])
            inter = page.evaluate(INTERACT)
            ctx.close()
        finally:
            browser.close()
            server.shutdown()
    total_s = kern["read_s"] + kern["analyse_encode_s"] + opened["paintedMs"] / 1e3
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; headless Chromium with --disable-gpu: "
          f"software rendering)")
    print(f"trace: {n:,} duration events, {size / 1e6:.0f} MB of JSON (generated in {gen_s:.1f} s)")
    print(f"open → Trace tab drawn: {total_s:.2f} s (target ≤ 5 s) = read {kern['read_s']:.2f} s + analysis and "
          f"encoding {kern['analyse_encode_s']:.2f} s ({kern['MB']:.0f} MB in {kern['messages']} message(s)) + transfer "
          f"{opened['transferMs'] / 1e3:.2f} s + decode {opened['applyMs'] / 1e3:.2f} s + render to the first frame "
          f"{opened['renderMs'] / 1e3:.2f} s (its draw {opened['firstFrameMs']:.0f} ms; {opened['drawn']:,} rects, "
          f"{opened['arrows']:,} arrows)")
    print("frame time = the draw's main-thread work; input → frame = from the input to the end of the animation frame "
          "that drew it (the wait for the frame included)")
    for key, label in (("full", "at the whole trace (1M events in view)"), ("zoomed", "zoomed in (0.8^k of it)"),
                       ("noflows", "at the whole trace, flow arrows off")):
        d, tot = inter[key], inter[key + "Total"]
        print(f"pan/zoom {label}: frame time p50 {pct(d, 0.5):.1f} ms, p95 {pct(d, 0.95):.1f} ms; input → frame "
              f"p50 {pct(tot, 0.5):.1f} ms, p95 {pct(tot, 0.95):.1f} ms over {len(d)} inputs (target p95 ≤ 16 ms)")


if __name__ == "__main__":
    main()
