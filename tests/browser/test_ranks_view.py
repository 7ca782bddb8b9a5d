"""A real `torchrun --nproc_per_node=4` DDP job (tests/ranks_job.py) watched from a Board in a real
JupyterLab while it trains: one line per metric with the min–max band across the 4 ranks, the ranks'
own lines on demand, the tooltip naming the ranks at the band's ends, the strip naming the slow
rank while the job runs — and, once a rank is SIGKILLed, which rank stopped at which step."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.lab import hover_tooltip, open_notebook, run_cell, wait_attr_above
from tests.test_torchrun import torchrun


def _frames(page: Page, n: int = 2) -> None:
    page.evaluate(f"() => new Promise(r => {{ let k = {n}; const f = () => (--k ? requestAnimationFrame(f) : r()); requestAnimationFrame(f); }})")


def test_ranks_band_slowest_and_stopped(page: Page, jupyter_server, artifacts, tmp_path):
    logdir = tmp_path / "ddp-runs"
    logdir.mkdir()
    code = textwrap.dedent(f"""
        from nbboard.widgets.board import Board
        b = Board({str(logdir)!r})
        b
    """)
    nb = jupyter_server.notebook("ranks.ipynb", [code])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    board = page.locator(".jp-OutputArea-output .nbb-board").first
    expect(board).to_be_visible(timeout=60_000)
    proc = torchrun(logdir, "--steps", "110", "--slow-rank", "2", "--slow", "0.25",
                    "--kill-rank", "3", "--kill-step", "80")
    try:
        line = board.locator(".nbb-rank-line[data-run='ddp']")
        # while the job trains: the slow rank is named, with its lag
        expect(line).to_have_attribute("data-slowest", "2", timeout=120_000)
        assert proc.poll() is None, "the job is still running"
        expect(line).to_contain_text("4 ranks")
        expect(line.locator(".nbb-rank-slow")).to_have_text(" · slowest: rank 2")
        wait_attr_above(page, ".nbb-board .nbb-rank-line[data-run='ddp']", "data-step", 24, timeout=60_000)
        assert proc.poll() is None, "the job is still running"
        expect(line).to_contain_text(re.compile(r", logs (2\d\d|[3-9]\d\d) ms after the first rank"))  # the 0.25 s sleep
        # one line for the run, its ranks' min–max band around it
        card = board.locator(".nbb-card[data-tag='train/loss']")
        card.scroll_into_view_if_needed()
        expect(card).to_have_attribute("data-rank-bands", "1", timeout=30_000)
        expect(card).to_have_attribute("data-rank-lines", "0")
        # the tooltip: the mean of the ranks, and which ranks hold its min and max
        tip = hover_tooltip(card)
        expect(tip).to_contain_text("ddp (mean of 4 ranks)")
        expect(tip.locator(".nbb-rank-spread")).to_contain_text("(rank ")
        assert proc.poll() is None
        board.screenshot(path=str(artifacts / "ranks-band.png"))
        page.mouse.move(0, 0)
        # the band follows the x axis: relative and wall time draw it too
        sel = ".jp-OutputArea-output .nbb-board .nbb-card[data-tag='train/loss']"
        for mode in ("relative", "wall", "step"):
            draws = float(card.get_attribute("data-draws") or 0)
            board.locator(f".nbb-scalars .nbb-seg button[data-mode='{mode}']").click()
            wait_attr_above(page, sel, "data-draws", draws)
            expect(card).to_have_attribute("data-rank-bands", "1")
        # each rank's own line, on demand, and back
        board.locator(".nbb-rankmode button[data-lines='true']").click()
        expect(card).to_have_attribute("data-rank-lines", "4")
        expect(card).to_have_attribute("data-rank-bands", "0")
        _frames(page)
        board.screenshot(path=str(artifacts / "ranks-lines.png"))
        board.locator(".nbb-rankmode button[data-lines='false']").click()
        expect(card).to_have_attribute("data-rank-bands", "1")
        # rank 3 dies at step 80: the others reached it, the Board says rank 3 stopped, and when
        expect(line).to_have_attribute("data-stopped", "3", timeout=120_000)
        expect(line.locator(".nbb-rank-stopped")).to_contain_text("rank 3 stopped at step 79 (")
        expect(line).to_contain_text("the others reached step 80")
        _frames(page)
        board.screenshot(path=str(artifacts / "ranks-stopped.png"))
        assert proc.wait(timeout=60) != 0
        # the chart's CSV holds every rank's points under its folder's run name
        card.hover()
        with page.expect_download() as dl:
            card.locator("button", has_text="CSV").click()
        rows = Path(dl.value.path()).read_text().splitlines()[1:]
        per_rank = Counter(r.split(",")[0] for r in rows)
        assert per_rank == {"ddp/rank0": 81, "ddp/rank1": 81, "ddp/rank2": 81, "ddp/rank3": 80}, per_rank
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
