"""A view whose kernel is gone says so and how to reconnect: at once when the kernel restarts
under the page, and, after a page reload from the saved notebook, with the picture of what it
last showed instead of an empty view."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.browser.lab import open_notebook, run_cell, save_notebook, wait_cell_done

CODE = """
from nbboard import Board, SummaryWriter
with SummaryWriter("gone-runs/lr_0.1") as w:
    for s in range(300):
        w.add_scalar("loss", 2.0 / (1 + s / 20), s)
Board("gone-runs")
"""

SAVE_STATE = "/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin"


def test_kernel_gone_notice_and_last_picture(page: Page, jupyter_server, artifacts):
    jupyter_server.api("PUT", SAVE_STATE, {"raw": json.dumps({"saveState": True})})
    try:
        nb = jupyter_server.notebook("gone.ipynb", [CODE])
        open_notebook(page, jupyter_server.lab(nb))
        run_cell(page)
        wait_cell_done(page, 0)
        board = ".jp-OutputArea-output .nbb-board"
        page.wait_for_selector(f"{board} .nbb-card[data-tag='loss']")
        expect(page.locator(".nbb-kernel-gone")).to_have_count(0)  # a live kernel: no notice
        saved = save_notebook(page, jupyter_server, nb, "application/vnd.jupyter.widget-state+json")["content"]
        assert "application/vnd.jupyter.widget-state+json" in saved["metadata"].get("widgets", {})

        # the kernel restarts under the page: the Board still shows its data, and says it is stale
        page.locator(".jp-NotebookPanel-toolbar [data-command='notebook:restart-kernel']").first.click()
        page.locator(".jp-Dialog .jp-mod-accept").click()  # "Restart Kernel?"
        gone = page.locator(f"{board} .nbb-kernel-gone, .jp-OutputArea-output .nbb-kernel-gone")
        expect(gone.first).to_contain_text("Re-run this cell to reconnect", timeout=20_000)
        expect(page.locator(f"{board} .nbb-card[data-tag='loss']")).to_be_visible()

        # a reload: the Board comes back from the saved widget state, with its last picture
        page.reload()
        open_notebook(page, page.url)
        notice = page.locator(".jp-OutputArea-output .nbb-kernel-gone")
        expect(notice).to_contain_text("kernel behind this view is gone", timeout=30_000)
        img = notice.locator("img.nbb-snapshot")
        expect(img).to_be_visible()
        assert page.evaluate("el => el.complete && el.naturalWidth > 300", img.element_handle())
        src = img.get_attribute("src") or ""
        assert "lr_0.1" in src and "polyline" in src  # the curve, drawn by the kernel at cell end
        expect(page.locator(".jp-OutputArea-output .nbb-board .nbb-card")).to_have_count(0)  # not an empty Board
        notice.screenshot(path=str(artifacts / "kernel-gone-lab.png"))
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        jupyter_server.api("PUT", SAVE_STATE, {"raw": json.dumps({"saveState": False})})
