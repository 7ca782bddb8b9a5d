"""What the browser benchmarks share: Chromium launched as the browser tests launch it (same binary,
$NBBOARD_CHROMIUM first, same flags), a blank page running the built runtime with a stand-in widget
model, and percentiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.browser.lab import CHROMIUM_ARGS, ROOT, chromium_path

STATIC = ROOT / "nbboard" / "static"
#: The stub page's origin: every request to it is answered by a Playwright route, nothing listens.
ORIGIN = "http://bench.nbboard"

_STUB = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0;padding:8px;width:%(width)dpx;font-family:sans-serif">
<div id="host"></div>
<script type="module">
import * as rt from "/runtime.js";
window.rt = rt;
window.makeModel = (uid, kind, options = {}) => {  // a widget model as the loader gives it, kernel-less
  const st = { _uid: uid, _protocol: 1, kind, options, ui: {}, title: "" };
  return { get: k => st[k], set: (k, v) => { st[k] = v; }, save_changes() {}, on() {}, off() {}, send() {} };
};
window.frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
%(script)s
window.ready = true;
</script></body></html>"""


def launch(pw: Any, extra_args: Iterable[str] = ()) -> Any:
    """Headless Chromium from Playwright `pw`, with the browser tests' binary and flags plus `extra_args`."""
    return pw.chromium.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, *extra_args], headless=True)


def stub_page(browser: Any, script: str = "", files: dict[str, bytes] | None = None, width: int = 1280,
              viewport: tuple[int, int] = (1300, 1000)) -> tuple[Any, Any]:
    """A new context and page at ORIGIN running the built runtime (`window.rt`, `makeModel`, `frame`)
    and `script`; `files` maps further paths ("/msg/0.json") to bytes served from the same origin."""
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = ctx.new_page()
    html = _STUB % {"width": width, "script": script}
    runtime = (STATIC / "runtime.js").read_text()
    files = files or {}

    def serve(route: Any) -> None:
        path = "/" + route.request.url.split("//", 1)[1].split("/", 1)[1]
        if path == "/":
            route.fulfill(body=html, content_type="text/html")
        elif path == "/runtime.js":
            route.fulfill(body=runtime, content_type="text/javascript")
        elif path in files:
            route.fulfill(body=files[path], content_type="application/octet-stream")
        else:
            route.abort()

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.ready")
    return ctx, page


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (0..1) of `xs` by nearest rank; NaN when empty."""
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]
