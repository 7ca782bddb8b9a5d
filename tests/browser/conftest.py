"""A real JupyterLab server (127.0.0.1, random port, token, temp root) driven by Playwright in Chromium.

The kernel runs this interpreter (an ipykernel spec pointing at sys.executable is installed
into a temp JUPYTER_PATH). Chromium is Debian's (/usr/bin/chromium, or $NBBOARD_CHROMIUM);
when it is missing these tests fail rather than skip: CI installs it (`make chromium`).
The server and the notebook-driving helpers live in lab.py (shared with bench/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.lab import ARTIFACTS, CHROMIUM_ARGS, Server, chromium_path, start_jupyter


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


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
