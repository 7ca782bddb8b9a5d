"""Live scalar charts in a real JupyterLab (and Notebook 7) in Chromium, while the cell is still running."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.lab import (
    attr,
    hover_tooltip,
    open_notebook,
    prompt,
    run_cell,
    wait_attr_above,
    wait_for_output,
)

TRAIN = textwrap.dedent("""
    import math, time
    from nbboard.writer import SummaryWriter
    from nbboard import Scalars
    logdir = {logdir!r}
    writers = {{name: SummaryWriter(f"{{logdir}}/{{name}}") for name in ("lr=0.1", "lr=0.01")}}
    display(Scalars(logdir, smoothing=0.0))
    for step in range({steps}):
        for k, (name, w) in enumerate(writers.items()):
            base = math.exp(-step / (60 + 60 * k))
            w.add_scalar("loss/train", base + 0.08 * math.sin(step / 3 + k), step)
            w.add_scalar("loss/eval", base * 1.1 + 0.02, step)
            w.add_scalar("accuracy", 1 - base + (float("nan") if step == 150 else 0.0), step)
        time.sleep({sleep})
    for w in writers.values():
        w.close()
    print("done")
""")


def test_chart_updates_while_the_cell_runs(page: Page, jupyter_server, artifacts, tmp_path):
    steps = 300
    nb = jupyter_server.notebook("live.ipynb", [TRAIN.format(logdir=str(tmp_path / "runs"), steps=steps, sleep=0.06)])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    root = ".jp-OutputArea-output .nbb-root"
    page.wait_for_selector(f"{root} .nbb-card", timeout=60_000)

    # drawn points grow while the cell is still running
    first = wait_attr_above(page, root, "data-drawn-points", 0)
    later = wait_attr_above(page, root, "data-drawn-points", first + 30)
    assert later > first
    assert "*" in prompt(page), "the cell should still be running"

    # move the smoothing slider (a real click on the track) while data keeps coming
    slider = page.locator(f"{root} .nbb-slider")
    box = slider.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    assert float(attr(page, root, "data-smoothing")) > 0.8  # (shown with smoothing 0.0)
    card = page.locator(f"{root} .nbb-card[data-tag='loss/train']")
    draws = float(card.get_attribute("data-draws") or 0)
    wait_attr_above(page, f"{root} .nbb-card[data-tag='loss/train']", "data-draws", draws)

    # drag-box zoom on the loss chart, during the run
    over = card.locator(".u-over")
    card.scroll_into_view_if_needed()
    ob = over.bounding_box()
    assert ob is not None
    page.mouse.move(ob["x"] + ob["width"] * 0.15, ob["y"] + ob["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(ob["x"] + ob["width"] * 0.3, ob["y"] + ob["height"] * 0.5, steps=4)
    page.mouse.move(ob["x"] + ob["width"] * 0.45, ob["y"] + ob["height"] * 0.5, steps=4)
    page.mouse.up()
    page.wait_for_function(
        "sel => (document.querySelector(sel)?.getAttribute('data-zoom') || '') !== ''",
        arg=f"{root} .nbb-card[data-tag='loss/train']",
    )
    zoom = [float(v) for v in (card.get_attribute("data-zoom") or "").split(",")]
    assert 0 <= zoom[0] < zoom[1]
    assert "*" in prompt(page), "interaction must work while the kernel is busy"

    # hover shows the tooltip with run names (as text)
    # (the output may have moved while data kept arriving: re-measure and retry a few spots)
    tip = hover_tooltip(card, fy=0.4, spots=(0.3, 0.5, 0.7, 0.4, 0.6))
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("lr=0.1")
    # what the smoothing changed: the tooltip has a smoothed column, and the noisy loss's smoothed
    # values are not the logged ones
    assert tip.locator("th").all_inner_texts()[1:4] == ["Run", "Smoothed", "Value"]
    rows = [r.locator("td").all_inner_texts() for r in tip.locator("tr:has(td)").all()]
    assert rows and any(r[2] != r[3] for r in rows), rows
    page.locator(root).screenshot(path=str(artifacts / "scalars-live-lab.png"))

    # still growing after the interactions, then everything arrives
    now = float(attr(page, root, "data-points"))
    wait_attr_above(page, root, "data-points", now)
    wait_for_output(page, "done", timeout=120_000)
    expected = steps * 2 * 3
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel)?.getAttribute('data-points')) === n",
        arg=[root, expected], timeout=15_000,
    )
    # zoom survives live updates; double-click resets it
    assert card.get_attribute("data-zoom")
    over.dblclick()
    expect(card).to_have_attribute("data-zoom", "")
    page.mouse.move(0, 0)
    page.locator(root).screenshot(path=str(artifacts / "scalars-final-lab.png"))
    assert page.errors == []  # type: ignore[attr-defined]


def test_board_in_notebook7_and_filters(page: Page, jupyter_server, artifacts, tmp_path):
    code = textwrap.dedent(f"""
        import math
        from nbboard.writer import SummaryWriter
        for name in ("baseline", "wide", "deep"):
            with SummaryWriter({str(tmp_path / 'runs')!r} + "/" + name) as w:
                for step in range(0, 2000, 5):
                    w.add_scalar("loss", math.exp(-step / 500) * (1 + 0.1 * math.sin(step)) + len(name) * 0.01, step)
                    w.add_scalar("metrics/accuracy", 1 - math.exp(-step / 400) - len(name) * 0.005, step)
        %load_ext nbboard
        %nbboard --logdir {str(tmp_path / 'runs')} --runs "baseline|wide"
    """)
    nb = jupyter_server.notebook("nb7.ipynb", [code])
    open_notebook(page, jupyter_server.nb7(nb))
    run_cell(page)
    root = ".jp-OutputArea-output .nbb-root.nbb-board"
    page.wait_for_selector(f"{root} .nbb-card", timeout=60_000)
    page.wait_for_function(
        "sel => Number(document.querySelector(sel)?.getAttribute('data-points')) === 2 * 2 * 400",
        arg=f"{root} .nbb-scalars",
    )
    runs = page.locator(f"{root} .nbb-side .nbb-side-run")  # the Board's run list, as TensorBoard's sidebar
    expect(runs).to_have_count(2)
    expect(page.locator(f"{root} .nbb-chip").first).to_be_hidden()  # (the scalar tab's own chips give way to it)
    # widen the run filter in the page: the third run appears
    page.locator(f"{root} .nbb-side-filter").fill("")
    expect(runs).to_have_count(3)
    page.wait_for_function(
        "sel => Number(document.querySelector(sel)?.getAttribute('data-points')) === 3 * 2 * 400",
        arg=f"{root} .nbb-scalars",
    )
    # download a chart's data as CSV and JSON (the whole series, not the drawn sample), expand it
    card = page.locator(f"{root} .nbb-card[data-tag='loss']")
    card.hover()
    with page.expect_download() as dl:
        card.locator("button", has_text="CSV").click()
    csv = Path(dl.value.path()).read_text().splitlines()
    assert csv[0] == "run,tag,step,wall_time,value" and len(csv) == 1 + 3 * 400
    with page.expect_download() as dl:
        card.locator("button", has_text="JSON").click()
    assert set(json.loads(Path(dl.value.path()).read_text())["runs"]) == {"baseline", "wide", "deep"}
    with page.expect_download() as dl:
        card.locator("button", has_text="PNG").click()
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    card.locator("button[title^='Expand']").click()
    expect(card).to_have_class("nbb-card nbb-expanded")
    # hide a run from the legend, switch to log-y and relative time
    runs.filter(has_text="deep").locator("input").uncheck()
    page.wait_for_function(
        "sel => Number(document.querySelector(sel)?.getAttribute('data-points')) === 2 * 2 * 400",
        arg=f"{root} .nbb-scalars",
    )
    page.locator(f"{root} .nbb-logy input").check()
    page.locator(f"{root} .nbb-seg button[data-mode='relative']").click()
    assert page.locator(f"{root} details.nbb-section").count() == 2  # "loss" and "metrics"
    page.wait_for_timeout(300)
    page.locator(root).screenshot(path=str(artifacts / "board-notebook7.png"))
    assert page.errors == []  # type: ignore[attr-defined]


def test_dark_theme_screenshot(page: Page, jupyter_server, artifacts, tmp_path):
    code = textwrap.dedent(f"""
        import math, random
        from nbboard.writer import SummaryWriter
        from nbboard import Scalars
        random.seed(0)
        for name in ("adam", "sgd"):
            with SummaryWriter({str(tmp_path / 'runs')!r} + "/" + name) as w:
                for step in range(1000):
                    noise = random.gauss(0, 0.05)
                    w.add_scalar("train/loss", math.exp(-step / (200 if name == 'adam' else 450)) + noise, step)
                    w.add_scalar("train/grad_norm", abs(random.gauss(1, 0.3)) * (float('inf') if step == 700 else 1), step)
        Scalars({str(tmp_path / 'runs')!r}, smoothing=0.9)
    """)
    nb = jupyter_server.notebook("dark.ipynb", [code])
    jupyter_server.set_theme("JupyterLab Dark")
    try:
        open_notebook(page, jupyter_server.lab(nb))
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        run_cell(page)
        root = ".jp-OutputArea-output .nbb-root"
        page.wait_for_function(
            "sel => Number(document.querySelector(sel)?.getAttribute('data-points')) === 4000", arg=root,
            timeout=60_000,
        )
        card = page.locator(f"{root} .nbb-card[data-tag='train/loss']")
        card.scroll_into_view_if_needed()
        ob = card.locator(".u-over").bounding_box()
        assert ob is not None
        page.mouse.move(ob["x"] + ob["width"] * 0.4, ob["y"] + ob["height"] * 0.5)
        expect(card.locator(".nbb-tooltip")).to_be_visible()
        page.wait_for_timeout(200)
        page.locator(root).screenshot(path=str(artifacts / "scalars-dark-lab.png"))
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        jupyter_server.set_theme("JupyterLab Light")


WRITER_SCRIPT = textwrap.dedent("""
    import math, sys, time
    from torch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(sys.argv[1], flush_secs=1)
    for step in range(int(sys.argv[2])):
        w.add_scalar("loss", math.exp(-step / 40), step)
        w.flush()
        time.sleep(0.1)
    w.close()
""")


def test_another_process_writing_the_logdir(page: Page, jupyter_server, artifacts, tmp_path):
    """%nbboard --logdir shows a run written by another process (torch's own SummaryWriter), live."""
    script = tmp_path / "train.py"
    script.write_text(WRITER_SCRIPT)
    logdir = tmp_path / "external"
    code = textwrap.dedent(f"""
        import subprocess, sys
        %load_ext nbboard
        %nbboard --logdir {logdir}
        proc = subprocess.Popen([sys.executable, {str(script)!r}, {str(logdir / 'torch_run')!r}, "120"])
        proc.wait()
        print("writer finished")
    """)
    nb = jupyter_server.notebook("external.ipynb", [code])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    scalars = ".jp-OutputArea-output .nbb-board .nbb-scalars"
    first = wait_attr_above(page, scalars, "data-points", 0, timeout=60_000)
    later = wait_attr_above(page, scalars, "data-points", first + 5, timeout=30_000)
    assert later > first
    assert "*" in prompt(page), "points from the other process should arrive while the cell runs"
    expect(page.locator(".jp-OutputArea-output .nbb-board .nbb-side-run")).to_have_text("torch_run")
    wait_for_output(page, "writer finished")
    page.wait_for_function(
        "sel => Number(document.querySelector(sel)?.getAttribute('data-points')) === 120", arg=scalars,
        timeout=15_000,
    )
    assert page.errors == []  # type: ignore[attr-defined]
