"""A real JupyterLab server (127.0.0.1, random port, token, temp root) driven by Playwright in Chromium.

The kernel runs this interpreter (an ipykernel spec pointing at sys.executable is installed
into a temp JUPYTER_PATH). Chromium is Debian's (/usr/bin/chromium, or $NBBOARD_CHROMIUM);
when it is missing these tests fail rather than skip: CI installs it (`make chromium`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
KERNEL = "nbboard-test"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def chromium_path() -> str:
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
    def __init__(self, url: str, token: str, root: Path, proc: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.token = token
        self.root = root
        self.proc = proc
        self.log = log

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
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
        return f"{self.url}/notebooks/{path}?token={self.token}"

    def set_theme(self, theme: str) -> None:
        self.api("PUT", "/lab/api/settings/@jupyterlab/apputils-extension:themes",
                 {"raw": json.dumps({"theme": theme})})

    def stop(self) -> None:
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
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()[-4000:]}")
        try:
            server.api("GET", "/api/status")
            break
        except Exception:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError(f"JupyterLab did not start in 90 s:\n{log.read_text()[-4000:]}") from None
            time.sleep(0.3)
    return server


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory) -> Server:
    server = start_jupyter(tmp_path_factory.mktemp("jupyter"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(request, browser, jupyter_server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    p = ctx.new_page()
    p.errors = []  # type: ignore[attr-defined]
    console: list[str] = []
    # uncaught errors from nbboard's code (the runtime runs from a blob: URL; the loader is anywidget's)
    p.on("pageerror", lambda e: (console.append(f"pageerror: {e} {e.stack}"),
                                 ("blob:" in (e.stack or "") or "nbb" in (e.stack or ""))
                                 and p.errors.append(f"{e}\n{e.stack}")))  # type: ignore[attr-defined]
    p.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    p.on("console", lambda m: m.type == "error" and "nbboard" in m.text and p.errors.append(m.text))  # type: ignore[attr-defined]
    p.set_default_timeout(60_000)
    yield p
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            p.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
        except Exception:
            pass
        print("---- browser console ----\n" + "\n".join(console[-60:]))
        print("---- server log ----\n" + jupyter_server.log.read_text()[-3000:])
    ctx.close()
    jupyter_server.shutdown_kernels()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
