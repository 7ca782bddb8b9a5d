"""Shared helpers for the browser tests and the browser benchmarks: Debian's Chromium, a private
JupyterLab server, and driving a notebook in JupyterLab or Notebook 7 through Playwright.

Import it one way everywhere: `from tests.browser.lab import ...` (the repository root is on
sys.path through the editable install, and pytest's rootdir conftest).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
KERNEL = "nbboard-test"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]
#: The notebook's cells (the visible notebook: JupyterLab may keep others in hidden tabs).
CELLS = ".jp-Notebook:visible .jp-Cell"

_IDLE = ("() => [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator, .jp-KernelStatus, #jp-main-statusbar')]"
         ".some(e => e.getAttribute('data-status') === 'idle' || /\\bIdle\\b/.test(e.textContent || ''))")


def chromium_path() -> str:
    """Debian's Chromium ($NBBOARD_CHROMIUM first); raises when there is none (tests fail, not skip)."""
    for cand in (os.environ.get("NBBOARD_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and os.path.exists(cand):
            return cand
    raise RuntimeError("Chromium not found: install Debian's chromium (`make chromium`) or set NBBOARD_CHROMIUM")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running JupyterLab: its URL and token, its root folder, process and log."""

    def __init__(self, url: str, token: str, root: Path, proc: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.token = token
        self.root = root
        self.proc = proc
        self.log = log

    def api(self, method: str, path: str, body: dict | None = None) -> Any:
        """Call the server's REST API with the token; the decoded JSON answer ({} when empty)."""
        req = urllib.request.Request(
            f"{self.url}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
        return json.loads(raw) if raw else {}

    def notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook using the test kernel into the server's root; returns its path."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "nbboard test", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
        nbformat.write(nb, self.root / name)
        return name

    def lab(self, path: str) -> str:
        """JupyterLab on `path` in a fresh workspace (nothing restored from earlier tests)."""
        ws = "t" + secrets.token_hex(4)
        return f"{self.url}/lab/workspaces/{ws}/tree/{path}?token={self.token}"

    def nb7(self, path: str) -> str:
        """Notebook 7 on `path`."""
        return f"{self.url}/notebooks/{path}?token={self.token}"

    def set_theme(self, theme: str) -> None:
        """Set JupyterLab's theme for pages opened from now on."""
        self.api("PUT", "/lab/api/settings/@jupyterlab/apputils-extension:themes",
                 {"raw": json.dumps({"theme": theme})})

    def stop(self) -> None:
        """Terminate the server (kill it after 20 s)."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def shutdown_kernels(self) -> None:
        """End every session (and its kernel) so the next test starts clean."""
        for sess in self.api("GET", "/api/sessions"):
            try:
                self.api("DELETE", f"/api/sessions/{sess['id']}")
            except Exception:
                pass
        for k in self.api("GET", "/api/kernels"):
            try:
                self.api("DELETE", f"/api/kernels/{k['id']}")
            except Exception:
                pass


def start_jupyter(base: Path) -> Server:
    """Start JupyterLab (also serving Notebook 7) with its own config, data and kernel under `base`."""
    root = base / "root"
    root.mkdir()
    data = base / "data"
    spec = data / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "nbboard test", "language": "python",
        "env": {"PYTHONPATH": str(ROOT)},
    }))
    settings = base / "settings"
    notif = settings / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}))
    env = dict(os.environ)
    env.update({
        "JUPYTER_PATH": str(data),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "userdata"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
        "PYTHONPATH": str(ROOT),
    })
    port = _free_port()
    token = secrets.token_hex(16)
    log = base / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0", f"--MappingKernelManager.default_kernel_name={KERNEL}",
         "--LabApp.news_url=", "--ServerApp.shutdown_no_activity_timeout=0", "--allow-root"],
        cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", token, root, proc, log)
    wait_until_serving(proc, lambda: server.api("GET", "/api/status"), log, "JupyterLab", 90)
    return server


def wait_until_serving(proc: subprocess.Popen, probe: Any, log: Path, name: str, timeout: float) -> None:
    """Wait until `probe()` stops raising (the server answers); a server that exits or stays
    silent past `timeout` seconds fails with the end of its log."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log.read_text()[-4000:]}")
        try:
            probe()
            return
        except Exception:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError(f"{name} did not start in {timeout:.0f} s:\n{log.read_text()[-4000:]}") from None
            time.sleep(0.3)


# ---- driving a notebook (JupyterLab or Notebook 7) ------------------------------------------------

def open_notebook(page: Any, url: str, timeout: float = 90_000) -> None:
    """Open a notebook and wait until its kernel is connected and idle, accepting a "Select Kernel"
    dialog if one is asked (works in JupyterLab and Notebook 7)."""
    page.goto(url)
    page.wait_for_selector(CELLS, timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        accept_dialogs(page)
        if page.evaluate(_IDLE):
            return
        page.wait_for_timeout(250)
    raise AssertionError("the notebook's kernel never became idle")


def accept_dialogs(page: Any) -> list[str]:
    """Accept any JupyterLab dialog on the page ("Select Kernel" can come after the kernel was
    already idle, on a loaded machine); returns the dialogs' texts."""
    texts = []
    dialog = page.locator(".jp-Dialog")
    while dialog.count() and dialog.first.is_visible():
        texts.append(dialog.first.inner_text())
        print(f"nbboard browser test: accepting a JupyterLab dialog: {texts[-1]!r}", file=sys.stderr)
        button = dialog.first.locator(".jp-mod-accept")
        if button.count():
            button.first.click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(200)
        if len(texts) > 5:
            raise AssertionError(f"JupyterLab keeps showing dialogs: {texts}")
    return texts


def _prompt_matches(cell: Any, pattern: str) -> bool:
    """Whether the cell's prompt (looked up afresh: JupyterLab may replace the node) matches."""
    try:
        return re.search(pattern, cell.locator(".jp-InputPrompt").inner_text(timeout=2_000)) is not None
    except Exception:
        return False


def run_cell(page: Any, index: int = 0) -> None:
    """Run one cell (Ctrl+Enter) and wait until the kernel has started it. The keys are sent
    again only while the cell's prompt is still blank and the kernel idle (a dropped key press),
    never while a run may be pending: a cell run twice is a different test."""
    cell = page.locator(CELLS).nth(index)
    for _attempt in range(3):
        accept_dialogs(page)
        try:
            cell.locator(".jp-InputArea-editor").click(timeout=15_000)
        except Exception:  # a dialog came up in between: accept it and try again
            continue
        page.keyboard.press("Control+Enter")
        deadline = time.monotonic() + 10
        while True:
            if _prompt_matches(cell, r"\[(\*|\d+)\]"):
                return
            if accept_dialogs(page):  # "Select Kernel": the run waits behind it, do not press again
                deadline = time.monotonic() + 10
                continue
            if time.monotonic() > deadline and page.evaluate(_IDLE) and _prompt_matches(cell, r"\[\s*\]"):
                break  # not started, nothing pending: press again
            if time.monotonic() > deadline + 60:
                raise AssertionError("the cell neither started nor left its blank prompt")
            page.wait_for_timeout(200)
        accept_dialogs(page)
    raise AssertionError("the cell never started running")


def wait_cell_done(page: Any, index: int, timeout: float = 60_000) -> None:
    """Wait until cell `index` has finished (its prompt shows an execution count, not `*`)."""
    cell = page.locator(CELLS).nth(index)
    deadline = time.monotonic() + timeout / 1000
    while not _prompt_matches(cell, r"\[\d+\]"):
        if time.monotonic() > deadline:
            raise AssertionError(f"cell {index} did not finish in {timeout / 1000:.0f} s")
        page.wait_for_timeout(200)


def add_cell(page: Any, code: str) -> None:
    """Append a code cell at the end of the notebook holding `code`."""
    from playwright.sync_api import expect

    cells = page.locator(CELLS)
    n = cells.count()
    for attempt in range(3):
        # A view's control (a filter input) may hold the focus and take the key: blur it, select
        # the last cell (command mode), then insert below; retried if the key went elsewhere.
        accept_dialogs(page)
        page.evaluate("() => document.activeElement instanceof HTMLElement && document.activeElement.blur()")
        cells.nth(n - 1).locator(".jp-InputPrompt").click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        try:
            expect(cells).to_have_count(n + 1, timeout=5_000 if attempt < 2 else 15_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    cells.nth(n).locator(".jp-InputArea-editor").click()
    page.keyboard.insert_text(code)
    expect(cells.nth(n).locator(".jp-InputArea-editor")).to_contain_text(code.strip().splitlines()[0][:20])


def save_notebook(page: Any, server: Server, name: str, holds: str, tries: int = 12) -> dict:
    """Save notebook `name` from the page (Ctrl+S) until the saved file holds `holds`; returns its
    contents model. Each save's PUT is waited for before the file is read back: reading it while
    Jupyter Server writes it races with the server's own restore of its backup (seen: a 500 on
    the read, then the page's save failing with "No such file")."""
    path = f"/api/contents/{name}"
    for _ in range(tries):
        page.locator(".jp-Notebook").first.click()
        with page.expect_response(lambda r: r.request.method == "PUT" and r.url.split("?")[0].endswith(path),
                                  timeout=60_000):
            page.keyboard.press("Control+s")
        model = server.api("GET", path)
        if holds in json.dumps(model["content"]):
            return model
        page.wait_for_timeout(2000)  # the widget state or outputs are not in the page's model yet
    raise AssertionError(f"{name} was not saved holding {holds!r} after {tries} saves")


def wait_for_output(page: Any, text: str, timeout: float = 60_000) -> None:
    """Wait until some cell output of the page contains `text` (e.g. a line the cell prints last)."""
    page.wait_for_function("t => [...document.querySelectorAll('.jp-OutputArea-output')]"
                           ".some(e => (e.textContent || '').includes(t))", arg=text, timeout=timeout)


def prompt(page: Any, index: int = 0) -> str:
    """The input prompt of cell `index` (`[*]` while it runs)."""
    return page.locator(CELLS).nth(index).locator(".jp-InputPrompt").inner_text()


def attr(page: Any, selector: str, name: str) -> str:
    """Attribute `name` of the first element matching `selector` ("" when absent)."""
    return page.locator(selector).first.get_attribute(name) or ""


def wait_attr_above(page: Any, selector: str, name: str, above: float, timeout: float = 30_000) -> float:
    """Wait until numeric attribute `name` of `selector` exceeds `above`; returns its value then."""
    page.wait_for_function(
        "([sel, name, above]) => { const e = document.querySelector(sel);"
        " return e && Number(e.getAttribute(name) || 0) > above; }",
        arg=[selector, name, above], timeout=timeout,
    )
    return float(attr(page, selector, name))


def hover_tooltip(card: Any, fy: float = 0.5, spots: tuple[float, ...] = (0.5, 0.3, 0.7, 0.4, 0.6)) -> Any:
    """Hover a chart card's plot until its tooltip shows (the output may move while data keeps
    arriving: each spot is measured afresh); returns the tooltip's locator."""
    from playwright.sync_api import expect

    over = card.locator(".u-over")
    tip = card.locator(".nbb-tooltip")
    for fx in spots:
        ob = over.bounding_box()
        assert ob is not None
        card.page.mouse.move(ob["x"] + ob["width"] * fx, ob["y"] + ob["height"] * fy, steps=3)
        try:
            expect(tip).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            continue
    return tip


def knn_accuracy(pos: list[float], labels: list[int], k: int = 5) -> float:
    """How often a point's k nearest neighbours in a layout (n×3 positions) share its label."""
    import numpy as np

    p = np.asarray(pos, dtype=np.float64).reshape(-1, 3)
    lab = np.asarray(labels)
    d = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1)[:, :k]
    return float((lab[nn] == lab[:, None]).mean())
