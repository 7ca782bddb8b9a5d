"""Logged strings are untrusted: XSS payloads logged through every writer method (tags, run names,
text, box labels, hparam names/values, plotly titles, custom-scalar layouts) never execute in
Chromium — in every lone view and in every tab of the Board — and never become live markup.
"""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import Page, expect

from tests.browser.lab import open_notebook, run_cell, wait_for_output

CODE = textwrap.dedent('''
    import numpy as np
    import plotly.graph_objects as go
    from IPython.display import display
    from nbboard.store import Store
    from nbboard.writer import SummaryWriter
    from nbboard.widgets.board import Board
    from nbboard.kinds.images.view import Images
    from nbboard.kinds.histograms.view import Histograms, Distributions
    from nbboard.kinds.text.view import Text
    from nbboard.kinds.pr_curves.view import PRCurves
    from nbboard.kinds.hparams.view import HParams
    from nbboard import Audio, Video
    from nbboard.kinds.mesh.view import Meshes
    from nbboard.kinds.custom_scalars.view import CustomScalars
    from nbboard.kinds.figures.view import Figures
    IMG = '<img src=x onerror="window.__xss=1">'
    SCRIPT = '<script>window.__xss=2</script>'
    LINK = '[click me](javascript:window.__xss=3)'
    ALINK = '<a href="javascript:window.__xss=4">a link</a>'
    SVG = '<svg onload="window.__xss=5"></svg><iframe srcdoc="<script>parent.__xss=6</script>"></iframe>'
    ALL = IMG + SCRIPT + ALINK + SVG
    logdir = {logdir!r}
    store = Store(logdir)
    rng = np.random.default_rng(0)
    w = SummaryWriter(logdir + "/" + IMG, store=store)  # a run named with a payload
    for step in range(2):
        w.add_scalar(IMG, step, step)
        w.add_scalars(SCRIPT, {{IMG: step, "ok": 1}}, step)
        w.add_image(IMG + " image", rng.random((3, 8, 8)), step)
        w.add_images(SCRIPT + " images", rng.random((2, 3, 8, 8)), step)
        w.add_image_with_boxes(ALINK, rng.random((3, 32, 32)), np.array([[1, 1, 20, 20], [5, 5, 30, 30]]), step,
                               labels=[IMG, SCRIPT + ALINK])
        w.add_histogram(IMG + " hist", rng.normal(size=100), step)
        w.add_histogram_raw(SCRIPT + " raw", 0, 2, 3, 3, 5, [1, 2], [1, 2])
        w.add_text(IMG + " text", ALL + "\\n\\n" + LINK + "\\n\\n| " + IMG + " | " + SCRIPT + " |\\n|---|---|\\n| " + ALINK + " | x |", step)
        w.add_pr_curve(IMG + " pr", rng.random(30) > 0.5, rng.random(30), step)
        w.add_audio(SCRIPT + " audio", np.zeros(800), step, sample_rate=8000)
        w.add_video(IMG + " video", rng.random((1, 2, 3, 8, 8)), step)
        w.add_mesh(IMG + " mesh", rng.random((1, 10, 3)), global_step=step)
        fig = go.Figure(go.Scatter(x=[1, 2], y=[2, 1], name=IMG), layout=dict(title=dict(text=IMG + ALINK + SCRIPT),
                        xaxis=dict(title=dict(text=ALINK))))
        w.add_figure(IMG + " plotly", fig, step)
    w.add_custom_scalars({{IMG: {{SCRIPT + "chart": ["Multiline", [IMG]], ALINK: ["Margin", ["a", "b", "c"]]}}}})
    w.add_hparams({{IMG: 0.1, "opt": SCRIPT + ALINK, "flag": True}}, {{IMG + " metric": 0.5}}, run_name=SVG.replace("/", "|"))
    w.flush()
    for cls in (Images, Histograms, Distributions, Text, PRCurves, HParams, Audio, Video, Meshes, CustomScalars, Figures):
        display(cls(store))
    display(Board(store))
    print("shown")
''')


@pytest.fixture(scope="module")
def xss_page(browser, jupyter_server, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("xss") / "runs"
    name = jupyter_server.notebook("xss.ipynb", [CODE.format(logdir=str(logdir))])
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(60_000)
    open_notebook(page, jupyter_server.lab(name))
    run_cell(page, 0)
    wait_for_output(page, "shown", timeout=120_000)
    page.wait_for_selector(".nbb-board .nbb-tab[data-kind='hparams']", timeout=60_000)
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    ctx.close()
    jupyter_server.shutdown_kernels()


# The lone views' cards (CODE logs one run): images 3 (image, images, boxes), histograms 2 and
# distributions 2 (hist, raw), text 1, PR curves 1, audio 1, video 1, meshes 1, custom scalars 2
# (one per chart of the layout), figures 1; HParams draws a table, not cards.
LONE_CARDS = 3 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 2 + 1

LIVE_MARKUP = """() => {
  const bad = [];
  for (const root of document.querySelectorAll('.nbb-root')) {
    for (const e of root.querySelectorAll('*')) {
      const tag = e.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed'].includes(tag)) bad.push(tag);
      for (const a of e.attributes) {
        if (/^on/i.test(a.name)) bad.push(tag + ' ' + a.name);
        if (/^\\s*javascript:/i.test(a.value)) bad.push(tag + ' ' + a.name + '=' + a.value);
      }
    }
  }
  return bad;
}"""


def visit_everything(page: Page) -> None:
    """Scroll through every view, hover its cards, step its sliders, click its links and tabs."""
    for card in page.locator(".nbb-v-card").all():
        if card.evaluate("e => !!e.closest('.nbb-board')"):
            continue  # a Board's cards are visited tab by tab below (a hidden tab's cards can't be hovered)
        card.scroll_into_view_if_needed()
        card.hover()
        slider = card.locator("input.nbb-v-step-slider")
        if slider.count() and slider.is_visible():
            slider.fill("0")
    for a in page.locator(".nbb-v-md a").all():
        a.click(modifiers=["Control"])  # would run a javascript: href if one survived
    board = page.locator(".nbb-board").first
    for tab in board.locator(".nbb-tab").all():
        tab.scroll_into_view_if_needed()
        tab.click()
        page.wait_for_timeout(250)
        for card in board.locator(".nbb-v-card:visible, .nbb-card:visible").all()[:6]:
            card.hover()


def test_nothing_executes_anywhere(xss_page: Page, artifacts):
    page = xss_page
    # everything was actually drawn, with the payloads shown as text (the views render asynchronously:
    # wait for every lone view's cards before visit_everything takes its list of them)
    expect(page.locator(".jp-OutputArea-output .nbb-v-card:not(.nbb-board .nbb-v-card)")).to_have_count(LONE_CARDS)
    visit_everything(page)
    page.wait_for_function("() => document.querySelectorAll('.nbb-v-md table').length >= 1")
    page.wait_for_timeout(1000)
    assert page.evaluate("() => window.__xss") is None
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.evaluate(LIVE_MARKUP) == []
    # payloads are visible as literal text where they are names
    assert page.locator(".nbb-card-title", has_text="<img src=x onerror").count() > 0
    assert page.locator(".nbb-v-box-label", has_text="<script>").count() > 0
    assert page.locator(".nbb-v-hp-table th", has_text="<img src=x").count() > 0
    board = page.locator(".nbb-board").first
    board.locator(".nbb-tab[data-kind='text']").click()
    board.locator(".nbb-v-text").first.screenshot(path=str(artifacts / "xss-text-tab.png"))
