"""nbboard in marimo (anywidget's other host): a Board renders inside marimo's shadow DOM with
its styles (they go into the widget's own shadow root, where the page head's do not reach), its
charts laid out in cards that do not overlap, and its tabs respond."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.browser.lab import ROOT, wait_until_serving

APP = textwrap.dedent('''
    import marimo

    app = marimo.App(width="full")


    @app.cell
    def _():
        import marimo as mo
        import numpy as np
        from nbboard import Board, SummaryWriter

        logdir = {logdir!r}
        for lr in (0.1, 0.01):
            with SummaryWriter(f"{{logdir}}/lr_{{lr}}") as w:
                for s in range(100):
                    w.add_scalar("loss", 1.0 / (1 + lr * s), s)
                    w.add_scalar("accuracy", 1 - 1.0 / (1 + lr * s), s)
                w.add_histogram("weights", np.random.default_rng(0).normal(size=500), 0)
        board = mo.ui.anywidget(Board(logdir))
        board
        return


    if __name__ == "__main__":
        app.run()
''')


@pytest.fixture(scope="module")
def marimo_app(tmp_path_factory):
    """`marimo run` on a one-cell app showing a Board, on a free loopback port."""
    base = tmp_path_factory.mktemp("marimo")
    app = base / "app.py"
    app.write_text(APP.format(logdir=str(base / "runs")))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = base / "marimo.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT), MARIMO_SKIP_UPDATE_CHECK="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "marimo", "run", str(app), "--headless", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=base, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(proc, lambda: urllib.request.urlopen(url, timeout=2).read(), log, "marimo", 60)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_board_in_marimo_is_styled_and_laid_out(browser, marimo_app, artifacts):
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000}, device_scale_factor=1)
    page: Page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(marimo_app)
        board = page.locator(".nbb-board")  # Playwright's CSS locators pierce open shadow roots
        cards = board.locator(".nbb-card[data-tag]")
        expect(cards).to_have_count(2, timeout=90_000)
        # the runtime's styles reached the widget's shadow root
        in_shadow = board.evaluate("b => b.getRootNode() instanceof ShadowRoot")
        assert in_shadow, "marimo renders widgets in shadow DOM (the case this test is for)"
        assert board.evaluate("b => !!b.getRootNode().querySelector('style[data-nbb-css]')")
        toolbar = board.locator(".nbb-toolbar").first
        assert toolbar.evaluate("e => getComputedStyle(e).display") == "flex"
        tab = board.locator(".nbb-tab[data-kind='scalars']")
        assert tab.evaluate("e => getComputedStyle(e).cursor") == "pointer"
        assert cards.first.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
        # each chart inside its own card, the cards side by side or stacked, never overlapping
        boxes = [c.bounding_box() for c in cards.all()]
        a, b = boxes
        assert a["x"] + a["width"] <= b["x"] + 1 or a["y"] + a["height"] <= b["y"] + 1 or \
            b["x"] + b["width"] <= a["x"] + 1 or b["y"] + b["height"] <= a["y"] + 1, boxes
        for card in cards.all():
            canvas = card.locator("canvas").first
            expect(canvas).to_be_visible()
            cb, kb = canvas.bounding_box(), card.bounding_box()
            assert kb["x"] - 1 <= cb["x"] and cb["x"] + cb["width"] <= kb["x"] + kb["width"] + 1, (cb, kb)
            assert kb["y"] - 1 <= cb["y"] and cb["y"] + cb["height"] <= kb["y"] + kb["height"] + 1, (cb, kb)
        # the tabs respond
        board.locator(".nbb-tab[data-kind='histograms']").click()
        expect(board.locator(".nbb-v-histograms .nbb-card").first).to_be_visible()
        board.locator(".nbb-tab[data-kind='scalars']").click()
        expect(cards.first).to_be_visible()
        page.wait_for_timeout(300)
        board.screenshot(path=str(artifacts / "marimo-board.png"))
        assert errors == [], errors
    finally:
        ctx.close()
