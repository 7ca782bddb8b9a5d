"""`%nbboard --logdir runs` shown in one cell updates live while a LATER cell trains
(the %tensorboard workflow), with every kind of tab appearing as it is logged."""

from __future__ import annotations

import textwrap

from playwright.sync_api import Page, expect

from tests.browser.lab import open_notebook, prompt, run_cell, wait_attr_above, wait_cell_done

SHOW = textwrap.dedent("""
    %load_ext nbboard
    %nbboard --logdir {logdir}
""")

TRAIN = textwrap.dedent("""
    import math, time
    import numpy as np
    from nbboard import SummaryWriter
    rng = np.random.default_rng(0)
    writers = {{lr: SummaryWriter(f"{logdir}/lr_{{lr}}") for lr in (0.01, 0.1)}}
    for step in range(240):
        for k, (lr, w) in enumerate(writers.items()):
            decay = math.exp(-step * lr / 3)
            w.add_scalar("Loss/train", decay + 0.05 * math.sin(step / 4 + k) + 0.02 * rng.random(), step)
            w.add_scalar("Loss/validation", decay * 1.08 + 0.03, step)
            w.add_scalars("Accuracy", {{"train": 1 - decay * 0.9, "validation": 1 - decay}}, step)
            if step % 40 == 0:
                w.add_histogram("weights/fc", rng.normal(step * lr / 10, 1, 2000), step)
                w.add_image("samples", rng.random((3, 16, 16)), step)
        time.sleep(0.05)
    for w in writers.values():
        w.close()
    print("trained")
""")


def test_magic_board_updates_from_a_later_cell(page: Page, jupyter_server, artifacts, tmp_path):
    logdir = "runs"  # beside the notebook, as a user writes it (this screenshot is the README's)
    nb = jupyter_server.notebook("magic.ipynb", [SHOW.format(logdir=logdir), TRAIN.format(logdir=logdir)])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page, 0)
    root = ".jp-OutputArea-output .nbb-root[data-points]"  # the Board's scalar view
    page.wait_for_selector(root, timeout=60_000)
    wait_cell_done(page, 0)
    run_cell(page, 1)
    # the Board of cell 0 fills while cell 1 is still running
    first = wait_attr_above(page, root, "data-points", 0, timeout=60_000)
    wait_attr_above(page, root, "data-points", first + 50)
    assert "*" in prompt(page, 1)
    page.get_by_role("tab", name="Histograms").wait_for(timeout=60_000)
    # scalars arrived, so the Board is on its Scalars tab (it only leaves it when there are none)
    expect(page.locator(".jp-OutputArea-output .nbb-tab.nbb-on").first).to_have_text("Scalars")
    assert "*" in prompt(page, 1)
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "lab-magic-board.png"))
    # the training cell ends and the Board holds every point it logged (2 runs x 240 steps x
    # 2 tags, plus 2 x 2 Accuracy sub-runs x 240)
    wait_cell_done(page, 1, timeout=120_000)
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel)?.getAttribute('data-points')) === n",
        arg=[root, 2 * 240 * 2 + 4 * 240], timeout=30_000)
