"""A sweep in the Board (issue 18): a logdir of 60 Ray Tune trials (`trial_XXXX/` event files +
`params.json`) in a real JupyterLab. The run table draws only the rows in sight, opens on the first
20 runs ticked (a sweep is not drawn whole by default), sorts by a metric with its value in a
column, ticks the top k (the scalar chart draws exactly those), colours the chart lines by an
hparam (categorical and numeric, with a legend) and groups rows under its values."""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
from playwright.sync_api import Page, expect

from tests.browser.lab import add_cell, open_notebook, run_cell, wait_for_output

TRIALS = 60
STEPS = 30
OPTIMIZERS = ("adam", "sgd", "rmsprop")
# the colour-by palette (js/src/lib/colors.ts PALETTE): categories in natural order take its first colours
PALETTE = ("#ff7043", "#0077bb", "#009988")
VIRIDIS_ENDS = ((68, 1, 84), (253, 231, 37))  # sequentialColor(0) and (1)


def _sweep(root) -> dict[str, float]:
    """The trials, written with nbboard's writer; returns each trial's last val/loss."""
    from nbboard import SummaryWriter

    last = {}
    for i in range(TRIALS):
        name = f"trial_{i:04d}"
        lr = 10 ** (-5 + 4 * i / (TRIALS - 1))
        opt = OPTIMIZERS[i % 3]
        final = 0.05 + 0.9 * abs(math.log10(lr) + 3) / 2 + 0.01 * (i % 3) + 1e-4 * i  # distinct, best near lr=1e-3
        with SummaryWriter(str(root / name)) as w:
            for s in range(STEPS):
                loss = final + (1 - final) * math.exp(-s / 6)
                w.add_scalar("val/loss", loss, s)
                w.add_scalar("val/accuracy", 1 - loss, s)
        (root / name / "params.json").write_text(json.dumps({"lr": lr, "optimizer": opt, "layers": 2 + i % 2}))
        last[name] = loss
    return last


def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def _rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(float(x)) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])  # type: ignore[return-value]


def _chart_has(page: Page, card, colors: list[tuple[int, int, int]]) -> list[int]:
    """How many opaque pixels of the card's chart canvas are each of `colors` (±12 per channel)."""
    return card.locator("canvas").first.evaluate(
        """(cv, colors) => {
        const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
        const n = colors.map(() => 0);
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] < 250) continue;
          colors.forEach((c, k) => {
            if (Math.abs(d[i] - c[0]) <= 12 && Math.abs(d[i + 1] - c[1]) <= 12 && Math.abs(d[i + 2] - c[2]) <= 12) n[k]++;
          });
        }
        return n;
    }""",
        [list(c) for c in colors],
    )


def test_board_sweep_run_table(page: Page, jupyter_server, artifacts, tmp_path):
    last = _sweep(tmp_path / "sweep")
    # what the chart drew last, per tag: the runs of its series (the paint hook benchmarks use)
    page.add_init_script("""
      (() => {
        const g = (globalThis.__nbboard__ ??= { runtimes: {} });
        g.painted = {};
        g.onPaint = (tag, series) => { g.painted[tag] = series.map(s => s.run).sort(); };
      })();
    """)
    code = textwrap.dedent(f"""
        from nbboard.widgets.board import Board
        b = Board({str(tmp_path / 'sweep')!r})
        b
    """)
    nb = jupyter_server.notebook("sweep.ipynb", [code])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    board = page.locator(".jp-OutputArea-output .nbb-board").first
    side = board.locator(".nbb-side")
    expect(side).to_have_attribute("data-runs", str(TRIALS), timeout=60_000)
    expect(board.locator(".nbb-card[data-tag='val/loss']")).to_be_visible()

    # a sweep is not drawn whole: the first 20 by name are ticked, and the header says so
    by_name = sorted(last)
    expect(side.locator(".nbb-side-count")).to_have_text(f"20 of {TRIALS} runs drawn: the first 20 by name (tick or All for more)")
    page.wait_for_function("() => (globalThis.__nbboard__.painted['val/loss'] || []).length === 20")
    assert page.evaluate("() => globalThis.__nbboard__.painted['val/loss']") == by_name[:20]
    # virtual rows: far fewer rows in the DOM than runs; scrolling brings the last one in
    rows = side.locator(".nbb-side-run")
    assert 0 < rows.count() < TRIALS
    side.locator(".nbb-side-list").evaluate("e => { e.scrollTop = e.scrollHeight; }")
    expect(side.locator(f".nbb-side-run[data-run='{by_name[-1]}']")).to_be_visible()
    side.locator(".nbb-side-list").evaluate("e => { e.scrollTop = 0; }")

    # sort by val/loss's last value (a loss: lowest first), its value in a column
    side.locator(".nbb-side-sort-tag").select_option("val/loss")
    best = sorted(last, key=lambda r: last[r])
    expect(rows.first).to_have_attribute("data-run", best[0])
    expect(rows.first.locator(".nbb-side-val")).not_to_have_text("—")
    # the default selection follows the sort: the 20 best are drawn now
    expect(side.locator(".nbb-side-count")).to_contain_text("the first 20 by val/loss (last ↑)")
    page.wait_for_function("best => JSON.stringify(globalThis.__nbboard__.painted['val/loss']) === JSON.stringify(best)",
                           arg=sorted(best[:20]))
    # the other way round: the worst first
    side.locator(".nbb-side-dir").click()
    expect(rows.first).to_have_attribute("data-run", best[-1])
    side.locator(".nbb-side-dir").click()
    expect(rows.first).to_have_attribute("data-run", best[0])

    # top k: 5 ticked, the rest hidden; the chart draws exactly those 5
    side.locator(".nbb-side-k").fill("5")
    side.locator(".nbb-side-k").dispatch_event("change")
    side.locator(".nbb-side-top").click()
    expect(side.locator(".nbb-side-count")).to_have_text(f"5 of {TRIALS} runs drawn: top 5 by val/loss (last ↑)")
    expect(side).to_have_attribute("data-shown", "5")
    page.wait_for_function("best => JSON.stringify(globalThis.__nbboard__.painted['val/loss']) === JSON.stringify(best)",
                           arg=sorted(best[:5]))
    expect(board.locator(".nbb-scalars")).to_have_attribute("data-points", str(5 * 2 * STEPS))
    for r in best[:5]:
        expect(side.locator(f".nbb-side-run[data-run='{r}'] input")).to_be_checked()
    expect(side.locator(f".nbb-side-run[data-run='{best[5]}'] input")).not_to_be_checked()

    # colour by a numeric hparam (lr, over 4 decades: a log scale): the swatches and the chart's lines
    card = board.locator(".nbb-card[data-tag='val/loss']")
    card.scroll_into_view_if_needed()
    before = _chart_has(page, card, list(VIRIDIS_ENDS))
    side.locator(".nbb-side-color").select_option("lr")
    expect(side.locator(".nbb-side-legend .nbb-side-ramp")).to_be_visible()
    expect(side.locator(".nbb-side-legend")).to_contain_text("log")
    page.wait_for_timeout(300)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shot = artifacts / "board-sweep-lr.png"
    board.screenshot(path=str(shot))
    # the 5 best sit near lr = 1e-3, mid-scale: no run of them is an end colour, all are viridis greens/blues
    swatches = [_rgb(side.locator(f".nbb-side-run[data-run='{r}'] .nbb-swatch").evaluate("e => getComputedStyle(e).backgroundColor"))
                for r in best[:5]]
    assert all(s not in [_hex(c) for c in PALETTE] for s in swatches)
    # ... so show all and check both ends of the scale reach the chart
    side.locator(".nbb-side-all").click()
    expect(side.locator(".nbb-side-count")).to_have_text(f"{TRIALS} of {TRIALS} runs shown")
    page.wait_for_function(f"() => (globalThis.__nbboard__.painted['val/loss'] || []).length === {TRIALS}")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    after = _chart_has(page, card, list(VIRIDIS_ENDS))
    board.screenshot(path=str(artifacts / "board-sweep-all-lr.png"))
    assert before == [0, 0] and after[0] > 20 and after[1] > 20, (before, after)

    # colour by a categorical hparam, grouped: a heading per optimizer with its tick
    side.locator(".nbb-side-color").select_option("optimizer")
    legend = side.locator(".nbb-side-legend-item")
    expect(legend).to_have_text(["adam", "rmsprop", "sgd"])
    adam = next(r for r in best if int(r[-4:]) % 3 == 0)
    sw = side.locator(f".nbb-side-run[data-run='{adam}'] .nbb-swatch")
    assert _rgb(sw.evaluate("e => getComputedStyle(e).backgroundColor")) == _hex(PALETTE[0])
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    cat = _chart_has(page, card, [_hex(c) for c in PALETTE] + list(VIRIDIS_ENDS))
    assert all(n > 20 for n in cat[:3]) and cat[3:] == [0, 0], cat
    side.locator(".nbb-side-group input").check()
    groups = side.locator(".nbb-side-grouprow")
    expect(groups.first).to_contain_text("optimizer = adam")
    expect(groups.first.locator(".nbb-side-val")).to_have_text(f"{TRIALS // 3}/{TRIALS // 3}")
    groups.first.locator("input").uncheck()  # hide every adam run
    expect(side).to_have_attribute("data-shown", str(TRIALS - TRIALS // 3))
    page.wait_for_function(f"() => (globalThis.__nbboard__.painted['val/loss'] || []).length === {TRIALS - TRIALS // 3}")
    assert all(int(r[-4:]) % 3 != 0 for r in page.evaluate("() => globalThis.__nbboard__.painted['val/loss']"))
    board.screenshot(path=str(artifacts / "board-sweep-grouped.png"))
    # the hparams tab follows the same selection and colours
    board.locator(".nbb-tab[data-kind='hparams']").click()
    expect(board.locator(".nbb-v-hparams")).to_be_visible()
    assert np.isfinite(last[best[0]])
    # the table's state is the Board's `ui` state, in the kernel
    page.wait_for_timeout(800)  # (the page saves `ui` 300 ms after a change)
    add_cell(page, "import json; print('UI ' + json.dumps({k: b.ui.get(k) for k in "
                   "('run_sort', 'run_top', 'run_k', 'run_color', 'run_group')}))")
    run_cell(page, 1)
    wait_for_output(page, "UI {")
    text = page.locator(".jp-OutputArea-output", has_text="UI {").first.inner_text()
    ui = json.loads(text.split("UI ", 1)[1].strip())
    assert ui == {"run_sort": {"tag": "val/loss", "stat": "last", "dir": 1}, "run_top": 0, "run_k": 5,
                  "run_color": "optimizer", "run_group": True}
