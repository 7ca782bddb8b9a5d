"""Every record view (and the Board holding them) in a real JupyterLab in Chromium: real logged data
renders, one interaction per view works, screenshots in light and dark themes; large inputs stay smooth.

One notebook per module: a setup cell logs every kind, then one cell shows each view and a Board.
"""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import Page, expect

from tests.browser.lab import add_cell, open_notebook, run_cell, wait_for_output

SETUP = textwrap.dedent("""
    import math, numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go
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
    logdir = {logdir!r}
    store = Store(logdir)
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:28, 0:28] / 27.0
    for k, run in enumerate(["lr=0.1", "lr=0.01"]):
        w = SummaryWriter(f"{{logdir}}/{{run}}", store=store)
        for step in range(0, 50, 10):
            t = step / 40
            img = np.stack([xx * (1 - t) + t * yy, yy, np.abs(np.sin(6 * (xx + t)))])
            w.add_image("samples/pattern", img, step)
            batch = np.stack([np.roll(img, i * 3, axis=2) * (0.4 + 0.6 * (i % 4) / 3) for i in range(16)])
            w.add_images("samples/batch", batch, step)
            w.add_histogram("weights/dense", rng.normal(loc=t * (1 + k), scale=1 + t, size=2000), step)
            w.add_histogram("weights/bias", rng.gamma(2 + 4 * t, size=1000), step)
            labels = rng.random(300) > 0.5
            w.add_pr_curve("pr/class_a", labels, labels * (0.15 + t / 4) + rng.random(300) * 0.6, step)
            for s in range(step, step + 10):
                w.add_scalar("loss/train", math.exp(-s / 20) + 0.05 * k, s)
                w.add_scalar("loss/eval", math.exp(-s / 25) + 0.08 + 0.05 * k, s)
                w.add_scalar("acc", 1 - math.exp(-s / 15), s)
                w.add_scalar("acc_lo", 0.9 * (1 - math.exp(-s / 15)), s)
                w.add_scalar("acc_hi", min(1, 1.1 * (1 - math.exp(-s / 15))), s)
        w.add_image_with_boxes("detect/boxes", np.stack([xx, yy, xx * 0 + 0.3]), np.array([[2, 3, 14, 16], [15, 12, 26, 25]]),
                               0, labels=["cat 0.91", "dog 0.72"])
        fig = plt.figure(figsize=(3, 2))
        plt.plot(np.sin(np.linspace(0, 6, 50)) * (k + 1))
        plt.title(f"matplotlib {{run}}")
        w.add_figure("figures/matplotlib", fig, 0)
        for step in range(3):
            w.add_text("notes/summary", f"### Step {{step}} of {{run}}\\n\\n| metric | value |\\n|---|---|\\n| loss | {{0.5 / (step + 1):.3f}} |\\n| acc | {{0.6 + step / 10:.2f}} |\\n\\n*all good*", step)
            w.add_audio("audio/tone", 0.5 * np.sin(2 * np.pi * (220 * (step + 1 + k)) * np.arange(8000) / 16000), step, sample_rate=16000)
            frames = np.zeros((1, 6, 3, 24, 24))
            for f in range(6):
                frames[0, f, k, :, 4 * f:4 * f + 4] = 1.0
                frames[0, f, 2, 4 * step:4 * step + 4, :] = 0.6
            w.add_video("video/sweep", frames, step, fps=4)
            go_fig = go.Figure(go.Scatter(x=list(range(20)), y=[math.sin(i / 3 + step) * (k + 1) for i in range(20)], mode="lines+markers", name=run))
            go_fig.update_layout(title=dict(text=f"plotly {{run}} step {{step}}"), height=320, margin=dict(l=40, r=10, t=40, b=30))
            w.add_figure("figures/plotly", go_fig, step)
        u, v = np.meshgrid(np.linspace(0, np.pi, 24), np.linspace(0, 2 * np.pi, 48))
        pts = np.stack([np.sin(u) * np.cos(v), np.sin(u) * np.sin(v), np.cos(u)], -1).reshape(1, -1, 3) * (1 + k)
        cols = ((pts[0] / (1 + k) + 1) * 127).astype(np.uint8)[None]
        w.add_mesh("mesh/sphere_points", pts, colors=cols, global_step=0)
        verts = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], dtype=float) * (1 + k)
        verts = np.concatenate([verts, verts * [[[1, 1, 3]]]])  # a batch of two: the second one taller
        faces = np.array([[[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]] * 2)
        vcols = np.array([[[255, 80, 80], [80, 255, 80], [80, 80, 255], [240, 240, 60]]] * 2)
        w.add_mesh("mesh/tetra", verts, colors=vcols, faces=faces, global_step=0)
        w.add_custom_scalars({{"Training": {{"losses": ["Multiline", ["loss/.*"]], "accuracy band": ["Margin", ["acc", "acc_lo", "acc_hi"]]}}}})
        w.flush()
    hw = SummaryWriter(f"{{logdir}}/hparams", store=store)
    for i, (lr, opt, drop) in enumerate([(0.1, "adam", 0.1), (0.03, "sgd", 0.2), (0.01, "adam", 0.3), (0.003, "sgd", 0.1), (0.001, "adam", 0.5)]):
        hw.add_hparams({{"lr": lr, "optimizer": opt, "dropout": drop}},
                       {{"hparam/accuracy": 0.7 + 0.05 * i - drop / 5, "hparam/loss": 0.5 - 0.04 * i + drop / 4}}, run_name=f"trial-{{i}}")
    print("logged")
""")

SHOW = textwrap.dedent("""
    views = dict(images=Images(store), histograms=Histograms(store), distributions=Distributions(store),
                 text=Text(store), pr_curves=PRCurves(store), hparams=HParams(store), audio=Audio(store),
                 video=Video(store), meshes=Meshes(store), custom_scalars=CustomScalars(store), figures=Figures(store))
    for v in views.values():
        display(v)
    board = Board(store)
    display(board)
""")

VIEW = ".jp-OutputArea-output .nbb-v-{kind}:not(.nbb-board .nbb-v-{kind})"


def view(kind: str) -> str:
    return VIEW.format(kind=kind)


@pytest.fixture(scope="module")
def nb(browser, jupyter_server, tmp_path_factory):
    """One JupyterLab page for the module with the logged data and every view displayed."""
    logdir = tmp_path_factory.mktemp("views") / "runs"
    name = jupyter_server.notebook("views.ipynb", [SETUP.format(logdir=str(logdir)), SHOW])
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000}, device_scale_factor=1)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and "nbboard" in m.text and errors.append(m.text))
    page.set_default_timeout(60_000)
    open_notebook(page, jupyter_server.lab(name))
    run_cell(page, 0)
    wait_for_output(page, "logged", timeout=120_000)
    run_cell(page, 1)
    page.wait_for_selector(".nbb-board", timeout=60_000)
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    ctx.close()
    jupyter_server.shutdown_kernels()


def shot(page: Page, selector: str, path, max_height: int = 900) -> None:
    """Screenshot the top of an element (scrolled to the top of the notebook's viewport)."""
    loc = page.locator(selector).first
    loc.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(200)
    b = loc.bounding_box()
    vp = page.viewport_size
    top = max(b["y"], 0)
    height = min(b["height"], max_height, vp["height"] - top - 30)
    page.screenshot(path=str(path), clip={"x": b["x"], "y": top, "width": b["width"], "height": height})


def test_images(nb: Page, artifacts):
    root = view("images")
    card = nb.locator(f"{root} .nbb-v-card[data-tag='samples/pattern'][data-run='lr=0.1']")
    card.scroll_into_view_if_needed()
    img = card.locator("img")
    expect(img).to_have_attribute("data-step", "40")
    nb.wait_for_function("e => e.complete && e.naturalWidth === 28", arg=img.element_handle())
    # the step slider shows an older step
    card.locator("input.nbb-v-step-slider").fill("1")
    expect(img).to_have_attribute("data-step", "10")
    # batches are the logged grid; boxes and labels are drawn over the pixels as text
    batch = nb.locator(f"{root} .nbb-v-card[data-tag='samples/batch'] img").first
    nb.wait_for_function("e => e.complete && e.naturalWidth === 28 * 8", arg=batch.element_handle())
    boxes = nb.locator(f"{root} .nbb-v-card[data-tag='detect/boxes'][data-run='lr=0.1'] .nbb-v-box")
    expect(boxes).to_have_count(2)
    expect(boxes.first).to_contain_text("cat 0.91")
    expect(nb.locator(f"{root} .nbb-v-card[data-tag='figures/matplotlib'] img").first).to_be_visible()
    # brightness applies to every image at once
    nb.locator(f"{root} .nbb-v-brightness input").fill("1.6")
    assert "brightness(1.6)" in nb.locator(root).evaluate("e => getComputedStyle(e).getPropertyValue('--nbb-v-filter')")
    nb.locator(f"{root} .nbb-v-brightness input").fill("1")
    # actual size shows the logged pixels 1:1
    nb.locator(f"{root} .nbb-v-actual input").check()
    assert img.evaluate("e => e.getBoundingClientRect().width") == 28
    nb.locator(f"{root} .nbb-v-actual input").uncheck()
    assert img.evaluate("e => e.getBoundingClientRect().width") > 100
    shot(nb, root, artifacts / "view-images.png")


def test_histograms_modes_and_hover(nb: Page, artifacts):
    root = view("histograms")
    canvas = nb.locator(f"{root} .nbb-v-card[data-tag='weights/dense'][data-run='lr=0.1'] canvas")
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_have_attribute("data-mode", "offset")
    expect(canvas).to_have_attribute("data-steps", "5")
    box = canvas.bounding_box()
    nb.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.85)
    tip = nb.locator(f"{root} .nbb-v-card[data-tag='weights/dense'][data-run='lr=0.1'] .nbb-v-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("step")
    shot(nb, root, artifacts / "view-histograms-offset.png")
    # the offset axis as in TensorBoard: rows spaced by step, time since the first, or wall time
    expect(canvas).to_have_attribute("data-axis", "step")
    for axis in ("relative", "wall", "step"):
        nb.locator(f"{root} .nbb-v-histx button[data-mode='{axis}']").click()
        expect(canvas).to_have_attribute("data-axis", axis)
        nb.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.3)
        nb.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.85, steps=3)
        expect(tip).to_be_visible()
        if axis == "relative":
            canvas.screenshot(path=str(artifacts / "view-histograms-relative.png"))
    nb.locator(f"{root} .nbb-v-histmode button[data-mode='overlay']").click()
    expect(canvas).to_have_attribute("data-mode", "overlay")
    expect(nb.locator(f"{root} .nbb-v-histx")).to_be_hidden()  # the offset axis means nothing here
    shot(nb, root, artifacts / "view-histograms-overlay.png")
    nb.locator(f"{root} .nbb-v-histmode button[data-mode='offset']").click()
    expect(nb.locator(f"{root} .nbb-v-histx")).to_be_visible()


def test_distributions(nb: Page, artifacts):
    root = view("distributions")
    chart = nb.locator(f"{root} .nbb-v-card[data-tag='weights/dense'][data-run='lr=0.1'] .nbb-v-dist")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-steps", "5")
    over = chart.locator(".u-over")
    box = over.bounding_box()
    nb.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tip = chart.locator(".nbb-v-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("median")
    shot(nb, root, artifacts / "view-distributions.png")
    # the x-axis as in TensorBoard: time since the run's first histogram, then wall-clock time
    for mode in ("relative", "wall"):
        nb.locator(f"{root} .nbb-v-distx button[data-mode='{mode}']").click()
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-x", mode)
        expect(chart).to_have_attribute("data-steps", "5")
        box = chart.locator(".u-over").bounding_box()
        nb.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
        expect(tip).to_be_visible()
        expect(tip).to_contain_text(mode)
        expect(tip).to_contain_text("step")
        chart.screenshot(path=str(artifacts / f"view-distributions-{mode}.png"))
    nb.locator(f"{root} .nbb-v-distx button[data-mode='step']").click()
    expect(chart).to_have_attribute("data-x", "step")


def test_text(nb: Page, artifacts):
    root = view("text")
    md = nb.locator(f"{root} .nbb-v-card[data-run='lr=0.1'] .nbb-v-md")
    md.scroll_into_view_if_needed()
    expect(md).to_have_attribute("data-step", "2")
    expect(md.locator("table td").first).to_have_text("loss")
    expect(md.locator("h3")).to_have_text("Step 2 of lr=0.1")
    nb.locator(f"{root} .nbb-v-card[data-run='lr=0.1'] input.nbb-v-step-slider").fill("0")
    expect(md.locator("h3")).to_have_text("Step 0 of lr=0.1")
    shot(nb, root, artifacts / "view-text.png")


def test_pr_curves(nb: Page, artifacts):
    root = view("pr_curves")
    canvas = nb.locator(f"{root} .nbb-v-card[data-tag='pr/class_a'] canvas")
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_have_attribute("data-runs", "2")
    expect(canvas).to_have_attribute("data-step", "40,40")  # each run at its newest step
    box = canvas.bounding_box()
    nb.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.3)
    tip = nb.locator(f"{root} .nbb-v-tip")
    expect(tip).to_be_visible()
    for word in ("threshold", "precision", "recall", "TP", "FP", "TN", "FN"):
        expect(tip).to_contain_text(word)
    shot(nb, root, artifacts / "view-pr-curves.png")
    # drag a box over the upper-right quarter to zoom in; the tooltip still finds the nearest threshold
    expect(canvas).to_have_attribute("data-zoom", "")
    box = canvas.bounding_box()
    nb.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + 12)
    nb.mouse.down()
    nb.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.4, steps=5)
    expect(nb.locator(f"{root} .nbb-v-card[data-tag='pr/class_a'] .nbb-v-zoombox")).to_be_visible()
    nb.mouse.move(box["x"] + box["width"] * 0.97, box["y"] + box["height"] * 0.5, steps=5)
    nb.mouse.up()
    zoom = [float(v) for v in canvas.get_attribute("data-zoom").split(",")]
    assert 0.4 < zoom[0] < 0.6 and zoom[1] > 0.9 and zoom[2] > 0.3 and zoom[3] > 0.95, zoom
    nb.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    expect(tip).to_be_visible()
    recall = float(tip.locator("div", has_text="recall").inner_text().split()[-1])
    assert zoom[0] - 0.05 <= recall <= zoom[1] + 0.05, (recall, zoom)
    canvas.screenshot(path=str(artifacts / "view-pr-zoomed.png"))
    canvas.dblclick()
    expect(canvas).to_have_attribute("data-zoom", "")
    # a step slider per run (TensorBoard's PR curves have one per run): move one run back only
    runs = nb.locator(f"{root} .nbb-v-card[data-tag='pr/class_a'] .nbb-v-prrun")
    expect(runs).to_have_count(2)
    runs.nth(1).locator("input.nbb-v-step-slider").fill("0")
    expect(canvas).to_have_attribute("data-step", "40,0")
    expect(runs.nth(1)).to_contain_text("step 0")
    expect(runs.nth(0)).to_contain_text("step 40")
    shot(nb, root, artifacts / "view-pr-curves-per-run-steps.png")


def test_hparams_sort_and_filter(nb: Page, artifacts):
    root = view("hparams")
    nb.locator(root).scroll_into_view_if_needed()
    expect(nb.locator(root)).to_have_attribute("data-sessions", "5")
    rows = nb.locator(f"{root} .nbb-v-hp-table tbody tr")
    # accuracy 0.7 + 0.05 i - dropout / 5 (SETUP): trial-0..4 = 0.68, 0.71, 0.74, 0.83, 0.80
    ascending = [f"hparams/trial-{i}" for i in (0, 1, 2, 4, 3)]
    header = nb.locator(f"{root} th[data-key='m:hparam/accuracy']")
    header.click()  # the first click sorts ascending
    expect(rows.first).to_have_attribute("data-run", ascending[0])
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.run)") == ascending
    header.click()  # the second descending
    expect(rows.first).to_have_attribute("data-run", ascending[-1])
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.run)") == ascending[::-1]
    nb.locator(f"{root} .nbb-v-hp-filter input").fill("sgd")
    expect(rows).to_have_count(2)
    expect(nb.locator(f"{root} .nbb-v-hp-pc path.nbb-v-line")).to_have_count(2)
    nb.locator(f"{root} .nbb-v-hp-filter input").fill("")
    expect(rows).to_have_count(5)
    expect(nb.locator(f"{root} .nbb-v-scatter")).to_have_count(6)  # 3 hparams × 2 metrics
    rows.nth(1).hover()
    expect(nb.locator(f"{root} .nbb-v-hp-pc path.nbb-v-hl")).to_have_count(1)
    shot(nb, root, artifacts / "view-hparams.png")
    # brush the top half of the accuracy axis: trial-3 (0.83) and trial-4 (0.80) of 0.68..0.83
    grip = nb.locator(f"{root} .nbb-v-hp-pc rect.nbb-v-brush-grip[data-key='m:hparam/accuracy']")
    g = grip.bounding_box()
    nb.mouse.move(g["x"] + g["width"] / 2, g["y"] + 2)
    nb.mouse.down()
    nb.mouse.move(g["x"] + g["width"] / 2, g["y"] + g["height"] / 2 + 5, steps=6)
    nb.mouse.up()
    expect(nb.locator(root)).to_have_attribute("data-brushed", "2")
    kept = sorted(r.get_attribute("data-run") for r in nb.locator(f"{root} .nbb-v-hp-table tbody tr:not(.nbb-v-dim)").all())
    assert kept == ["hparams/trial-3", "hparams/trial-4"], kept
    expect(nb.locator(f"{root} .nbb-v-hp-pc path.nbb-v-line.nbb-v-dim")).to_have_count(3)
    expect(nb.locator(f"{root} .nbb-v-scatter circle.nbb-v-dim")).to_have_count(3 * 6)
    nb.locator(f"{root} .nbb-v-hp-pc").screenshot(path=str(artifacts / "view-hparams-brushed.png"))
    grip.click()  # a click on the axis clears its brush
    expect(nb.locator(root)).to_have_attribute("data-brushed", "")
    expect(nb.locator(f"{root} .nbb-v-hp-table tbody tr.nbb-v-dim")).to_have_count(0)


def test_audio_and_video(nb: Page, artifacts):
    root = view("audio")
    audio = nb.locator(f"{root} .nbb-v-card[data-run='lr=0.1'] audio")
    audio.scroll_into_view_if_needed()
    expect(audio).to_have_attribute("data-step", "2")
    nb.wait_for_function("a => a.readyState >= 1 && Math.abs(a.duration - 0.5) < 0.01", arg=audio.element_handle())
    nb.locator(f"{root} .nbb-v-card[data-run='lr=0.1'] input.nbb-v-step-slider").fill("0")
    expect(audio).to_have_attribute("data-step", "0")
    shot(nb, root, artifacts / "view-audio.png")
    root = view("video")
    gif = nb.locator(f"{root} .nbb-v-card[data-run='lr=0.01'] img")
    gif.scroll_into_view_if_needed()
    nb.wait_for_function("e => e.complete && e.naturalWidth === 24", arg=gif.element_handle())
    nb.locator(f"{root} .nbb-v-card[data-run='lr=0.01'] input.nbb-v-step-slider").fill("1")
    expect(gif).to_have_attribute("data-step", "1")
    shot(nb, root, artifacts / "view-video.png")


def test_meshes_orbit(nb: Page, artifacts):
    root = view("meshes")
    box = nb.locator(f"{root} .nbb-v-card[data-tag='mesh/tetra'][data-run='lr=0.1'] .nbb-v-mesh")
    box.scroll_into_view_if_needed()
    expect(box).to_have_attribute("data-vertices", "4")
    expect(box).to_have_attribute("data-sample", "0")
    card = nb.locator(f"{root} .nbb-v-card[data-tag='mesh/tetra'][data-run='lr=0.1']")
    expect(card.locator(".nbb-v-meta")).to_contain_text("sample 0 of a batch of 2")
    draws = int(box.get_attribute("data-draws"))
    card.locator("input.nbb-v-mesh-sample-input").fill("1")  # the batch's second mesh
    expect(box).to_have_attribute("data-sample", "1")
    expect(card.locator(".nbb-v-meta")).to_contain_text("sample 1 of a batch of 2")
    assert int(box.get_attribute("data-draws")) > draws
    card.screenshot(path=str(artifacts / "view-mesh-batch.png"))
    sphere = nb.locator(f"{root} .nbb-v-card[data-tag='mesh/sphere_points'][data-run='lr=0.1'] .nbb-v-mesh")
    sphere.scroll_into_view_if_needed()
    expect(sphere).to_have_attribute("data-vertices", str(24 * 48))
    box.scroll_into_view_if_needed()
    expect(box.locator("canvas")).to_have_count(1)  # off-screen cards give their WebGL context back
    nb.wait_for_timeout(300)
    before = box.get_attribute("data-azimuth")
    b = box.bounding_box()
    nb.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.5)
    nb.mouse.down()
    nb.mouse.move(b["x"] + b["width"] * 0.8, b["y"] + b["height"] * 0.5, steps=6)
    nb.mouse.up()
    nb.wait_for_function("([e, a]) => e.getAttribute('data-azimuth') !== a", arg=[box.element_handle(), before])
    shot(nb, root, artifacts / "view-meshes.png")


def test_custom_scalars(nb: Page, artifacts):
    root = view("custom_scalars")
    nb.locator(root).scroll_into_view_if_needed()
    multi = nb.locator(f"{root} .nbb-v-card[data-tag='Training/losses'] .nbb-chart")
    margin = nb.locator(f"{root} .nbb-v-card[data-tag='Training/accuracy band'] .nbb-chart")
    expect(multi).to_have_attribute("data-series", "4")  # 2 runs × loss/train, loss/eval
    expect(margin).to_have_attribute("data-series", "6")  # 2 runs × value, lower, upper
    nb.locator(f"{root} .nbb-run-filter input").fill("0\\.01")
    expect(multi).to_have_attribute("data-series", "2")
    nb.locator(f"{root} .nbb-run-filter input").fill("")
    expect(multi).to_have_attribute("data-series", "4")
    over = multi.locator(".u-over")
    b = over.bounding_box()
    nb.mouse.move(b["x"] + b["width"] * 0.4, b["y"] + b["height"] * 0.5)
    expect(multi.locator(".nbb-v-tip")).to_contain_text("lr=0.1: loss/train")
    shot(nb, root, artifacts / "view-custom-scalars.png")


def test_plotly_figures(nb: Page, artifacts):
    root = view("figures")
    fig = nb.locator(f"{root} .nbb-v-card[data-run='lr=0.1'] .nbb-v-figure")
    fig.scroll_into_view_if_needed()
    expect(fig).to_have_attribute("data-step", "2", timeout=60_000)
    expect(fig.locator(".main-svg").first).to_be_visible()
    expect(fig.locator(".gtitle")).to_have_text("plotly lr=0.1 step 2")
    nb.locator(f"{root} .nbb-v-card[data-run='lr=0.1'] input.nbb-v-step-slider").fill("0")
    expect(fig.locator(".gtitle")).to_have_text("plotly lr=0.1 step 0")
    # plotly.js came once, as its own model; the runtime bundle does not carry it
    assert nb.evaluate("() => Object.keys(globalThis.__nbboard__.runtimes).filter(k => k.startsWith('plotly-')).length") == 1
    shot(nb, root, artifacts / "view-figures.png")


def test_board_tabs(nb: Page, artifacts):
    board = nb.locator(".nbb-board").first
    board.scroll_into_view_if_needed()
    tabs = board.locator(".nbb-tab")
    expect(tabs).to_have_count(12)  # a tab appears as its kind's data arrives
    kinds = [t.get_attribute("data-kind") for t in tabs.all()]
    assert kinds[0] == "scalars"
    assert set(kinds) == {"scalars", "custom_scalars", "images", "distributions", "histograms", "figures",
                          "pr_curves", "text", "audio", "video", "hparams", "meshes"}
    for kind in ("images", "histograms", "hparams"):
        board.locator(f".nbb-tab[data-kind='{kind}']").click()
        expect(board.locator(f".nbb-v-{kind}")).to_be_visible()
        expect(board.locator(".nbb-scalars")).to_be_hidden()
    # plotly.js reaches a Board only once a plotly figure is logged; its tab draws them
    board.locator(".nbb-tab[data-kind='figures']").click()
    fig = board.locator(".nbb-v-figures .nbb-v-card[data-run='lr=0.1'] .nbb-v-figure")
    fig.scroll_into_view_if_needed()
    expect(fig.locator(".gtitle")).to_have_text("plotly lr=0.1 step 2", timeout=60_000)
    board.locator(".nbb-tab[data-kind='hparams']").click()
    # the hparams tab links a session to its scalars
    board.locator(".nbb-v-hparams .nbb-v-runlink").first.click()
    expect(board.locator(".nbb-scalars")).to_be_visible()
    # ... and the Board has one run filter: the scalar tab's now shows only that run, so do the others
    run_filter = board.locator(".nbb-side-filter")  # the sidebar's, shared by every tab
    assert "trial" in run_filter.input_value()
    expect(board.locator(".nbb-side-run")).to_have_count(1)
    board.locator(".nbb-tab[data-kind='images']").click()
    expect(board.locator(".nbb-v-images .nbb-v-card")).to_have_count(0)
    run_filter.fill("")
    expect(board.locator(".nbb-v-images .nbb-v-card").first).to_be_visible()
    # a run unticked in the sidebar leaves every tab; All brings it back
    n = board.locator(".nbb-v-images .nbb-v-card").count()
    board.locator(".nbb-side-run[data-run='lr=0.1'] input").uncheck()
    expect(board.locator(".nbb-v-images .nbb-v-card")).not_to_have_count(n)
    assert board.locator(".nbb-v-images .nbb-v-card[data-run='lr=0.1']").count() == 0
    board.locator(".nbb-tab[data-kind='scalars']").click()
    expect(board.locator(".nbb-side-count")).to_contain_text("shown")
    board.locator(".nbb-side-all").click()
    expect(board.locator(".nbb-side-run[data-run='lr=0.1'] input")).to_be_checked()
    board.locator(".nbb-tab[data-kind='images']").click()
    expect(board.locator(".nbb-v-images .nbb-v-card")).to_have_count(n)
    # the Board's colour map is shared: the same run has the same swatch in every tab
    sw = board.locator(".nbb-v-images .nbb-v-card[data-run='lr=0.1'] .nbb-swatch").first
    expect(sw).to_be_visible()
    shot(nb, ".nbb-board", artifacts / "board-images-tab.png")
    # (that the current tab reaches the kernel's widget state is checked in the live test below)


def test_dark_theme(nb: Page, artifacts):
    nb.evaluate("() => document.body.dataset.jpThemeLight")  # page is alive
    nb.locator("text=Settings").first.click()
    nb.locator(".lm-Menu-itemLabel:text-is('Theme')").click()
    nb.locator(".lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    expect(nb.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    nb.wait_for_timeout(800)
    try:
        for kind in ("images", "histograms", "distributions", "pr_curves", "hparams", "text", "custom_scalars", "meshes",
                     "figures", "audio", "video"):
            shot(nb, view(kind), artifacts / f"view-{kind.replace('_', '-')}-dark.png")
        # every custom scalar chart spans its card (a chart left at an old width leaves half the card empty)
        widths = nb.locator(f"{view('custom_scalars')} .nbb-chart").evaluate_all(
            "cs => cs.map(c => [c.clientWidth, c.querySelector('.uplot').getBoundingClientRect().width])")
        assert all(abs(c - u) <= 3 for c, u in widths), widths
        board = nb.locator(".nbb-board").first
        board.locator(".nbb-tab[data-kind='histograms']").click()
        shot(nb, ".nbb-board", artifacts / "board-histograms-dark.png")
    finally:
        nb.locator("text=Settings").first.click()
        nb.locator(".lm-Menu-itemLabel:text-is('Theme')").click()
        nb.locator(".lm-Menu-itemLabel:text-is('JupyterLab Light')").click()
    assert nb.errors == []  # type: ignore[attr-defined]


LARGE = textwrap.dedent("""
    import time, json
    big = Store({logdir!r})
    bw = SummaryWriter({logdir!r} + "/big", store=big)
    rng = np.random.default_rng(1)
    base = rng.random((64, 3, 32, 32)).astype(np.float32)
    t0 = time.perf_counter()
    for step in range(200):
        bw.add_images("big/grid", np.roll(base, step, axis=3), step)
    for step in range(1000):
        bw.add_histogram("big/hist", rng.normal(loc=step / 300, scale=1 + step / 1000, size=500), step)
    log_s = time.perf_counter() - t0
    display(Images(big), Histograms(big), Distributions(big))
    print("large logged", round(log_s, 2))
""")

MEASURE_SCRUB = """async (sel) => {
  const slider = document.querySelector(sel);
  const img = slider.closest('.nbb-v-card').querySelector('img');
  const times = [];
  for (let i = 0; i < 200; i += 4) {
    const t0 = performance.now();
    slider.value = String(i);
    slider.dispatchEvent(new Event('input'));
    times.push(performance.now() - t0);
  }
  // time until the last scrubbed image is decoded and shown
  const t0 = performance.now();
  slider.value = '123';
  slider.dispatchEvent(new Event('input'));
  await img.decode();
  const shown = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {median: times[times.length >> 1], max: times[times.length - 1], shown};
}"""

MEASURE_FRAME = """async ([sel, btn]) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  await frame();
  const t0 = performance.now();
  document.querySelector(btn).click();
  await frame();  // the redraw runs in this frame
  await frame();
  const work = Number(document.querySelector(sel).closest('.nbb-v-grid-root').dataset.frameMs);
  return [performance.now() - t0, work];
}"""


def test_large_inputs_stay_smooth(nb: Page, jupyter_server, artifacts, tmp_path_factory):
    """200 steps of a 64-image grid and 1,000 histogram steps: snapshot time, scrub and redraw cost."""
    import json

    logdir = tmp_path_factory.mktemp("large") / "runs"
    add_cell(nb, LARGE.format(logdir=str(logdir)))
    t0 = nb.evaluate("() => performance.now()")
    run_cell(nb, 2)
    wait_for_output(nb, "large logged", timeout=180_000)
    out = nb.locator(".jp-Notebook .jp-Cell").nth(2).locator(".jp-OutputArea")
    grid = out.locator(".nbb-v-card[data-tag='big/grid']")
    grid.scroll_into_view_if_needed()
    slider = grid.locator("input.nbb-v-step-slider")
    expect(slider).to_have_attribute("max", "199", timeout=120_000)
    images_ready = nb.evaluate("() => performance.now()") - t0
    scrub = nb.evaluate(MEASURE_SCRUB, "[data-tag='big/grid'] input.nbb-v-step-slider")
    expect(grid.locator("img")).to_have_attribute("data-step", "123")

    hist = out.locator(".nbb-v-histograms .nbb-v-card[data-tag='big/hist'] canvas")
    hist.scroll_into_view_if_needed()
    expect(hist).to_have_attribute("data-steps", "1000", timeout=60_000)
    hist_ready = nb.evaluate("() => performance.now()") - t0
    sel = "[data-tag='big/hist'] canvas"
    mode_btns = out.locator(".nbb-v-histograms .nbb-v-histmode button")
    mode_btns.nth(1).evaluate("b => b.dataset.bench = 'overlay'")
    mode_btns.nth(0).evaluate("b => b.dataset.bench = 'offset'")
    overlay_ms, overlay_work = nb.evaluate(MEASURE_FRAME, [sel, "button[data-bench='overlay']"])
    expect(hist).to_have_attribute("data-mode", "overlay")  # the click did switch (the time is of that redraw)
    offset_ms, offset_work = nb.evaluate(MEASURE_FRAME, [sel, "button[data-bench='offset']"])
    expect(hist).to_have_attribute("data-mode", "offset")
    dist = out.locator(".nbb-v-distributions .nbb-v-card[data-tag='big/hist'] .nbb-v-dist")
    dist.scroll_into_view_if_needed()
    expect(dist).to_have_attribute("data-steps", "1000", timeout=60_000)
    out.locator(".nbb-v-histograms").evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(nb, ".jp-Notebook .jp-Cell >> nth=2 >> .nbb-v-histograms", artifacts / "view-large-histograms.png")
    numbers = {
        "images_200x64_snapshot_ms": round(images_ready), "histograms_1000_snapshot_ms": round(hist_ready),
        "image_scrub_median_ms": round(scrub["median"], 2), "image_scrub_max_ms": round(scrub["max"], 2),
        "image_scrub_to_pixels_ms": round(scrub["shown"], 1),
        "histogram_1000_overlay_click_to_frame_ms": round(overlay_ms, 1),
        "histogram_1000_offset_click_to_frame_ms": round(offset_ms, 1),
        "histogram_1000_overlay_draw_ms": overlay_work, "histogram_1000_offset_draw_ms": offset_work,
    }
    (artifacts / "views-bench.json").write_text(json.dumps(numbers, indent=1) + "\n")
    print(numbers)
    # Timings are reported, not asserted (a loaded machine would fail them at random): their
    # targets (scrub < 16 ms, a redraw in a frame) are bench/views_browser.py's. What must hold is
    # checked above: the scrub landed on its step, each click switched the mode it measured.


LIVE = textwrap.dedent("""
    import time
    live = Store({logdir!r})
    lw = SummaryWriter({logdir!r} + "/live", store=live)
    lw.add_scalar("loss", 1.0, 0)
    lb = Board(live)
    display(lb)
    for step in range(60):
        lw.add_scalar("loss", 1 / (step + 1), step)
        if step >= 10:
            lw.add_image("live/frame", np.full((3, 16, 16), (step % 10) / 10), step)
            lw.add_histogram("live/hist", rng.normal(loc=step / 20, size=300), step)
        time.sleep(0.1)
    print("live done")
""")


def test_board_updates_live_while_the_cell_runs(nb: Page, tmp_path_factory, artifacts):
    """Tabs appear as kinds get logged, and the record tabs grow while the kernel is busy."""
    add_cell(nb, LIVE.format(logdir=str(tmp_path_factory.mktemp("live") / "runs")))
    n = nb.locator(".jp-Notebook .jp-Cell").count() - 1
    run_cell(nb, n)
    cell = nb.locator(".jp-Notebook .jp-Cell").nth(n)
    board = cell.locator(".nbb-board")
    board.scroll_into_view_if_needed()
    tab = board.locator(".nbb-tab[data-kind='images']")
    expect(tab).to_be_visible(timeout=30_000)  # appears once the loop logs its first image
    tab.click()
    slider = board.locator(".nbb-v-card[data-tag='live/frame'] input.nbb-v-step-slider")
    first = int(slider.get_attribute("max") or 0)
    nb.wait_for_function("([e, n]) => Number(e.max) > n + 3", arg=[slider.element_handle(), first], timeout=30_000)
    assert "*" in cell.locator(".jp-InputPrompt").inner_text(), "must update while the cell runs"
    expect(board.locator(".nbb-v-images .nbb-live.nbb-on")).to_be_visible()  # the live indicator
    board.locator(".nbb-tab[data-kind='histograms']").click()
    canvas = board.locator(".nbb-v-card[data-tag='live/hist'] canvas")
    steps = int(canvas.get_attribute("data-steps") or 0)
    nb.wait_for_function("([e, n]) => Number(e.dataset.steps) > n", arg=[canvas.element_handle(), steps], timeout=30_000)
    shot(nb, f".jp-Notebook .jp-Cell >> nth={n} >> .nbb-board", artifacts / "board-live-histograms.png")
    wait_for_output(nb, "live done")
    # the UI state (current tab, mode) reached the kernel's widget state
    add_cell(nb, "print('ui:', lb.ui.get('tab'))")
    run_cell(nb, n + 1)
    wait_for_output(nb, "ui: histograms", timeout=30_000)


def test_board_tabs_in_notebook7(browser, jupyter_server, tmp_path, artifacts):
    """Smoke: the record tabs of a Board also work in Notebook 7."""
    code = textwrap.dedent(f"""
        import numpy as np
        from nbboard.store import Store
        from nbboard.writer import SummaryWriter
        from nbboard.widgets.board import Board
        store = Store({str(tmp_path / "runs")!r})
        w = SummaryWriter({str(tmp_path / "runs" / "nb7")!r}, store=store)
        for s in range(3):
            w.add_image("img", np.random.default_rng(s).random((3, 12, 12)), s)
            w.add_histogram("h", np.random.default_rng(s).normal(size=300), s)
        w.flush()
        display(Board(store))
        print("nb7 shown")
    """)
    name = jupyter_server.notebook("nb7-views.ipynb", [code])
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        open_notebook(page, jupyter_server.nb7(name))
        run_cell(page, 0)
        wait_for_output(page, "nb7 shown")
        board = page.locator(".nbb-board")
        board.locator(".nbb-tab[data-kind='images']").click(timeout=60_000)
        img = board.locator(".nbb-v-card[data-tag='img'] img")
        expect(img).to_have_attribute("data-step", "2")
        board.locator(".nbb-tab[data-kind='histograms']").click()
        expect(board.locator(".nbb-v-card[data-tag='h'] canvas")).to_have_attribute("data-steps", "3")
        board.screenshot(path=str(artifacts / "board-notebook7-histograms.png"))
    finally:
        page.close()


def test_hparams_ticks_scales_colours_and_pages(nb: Page, artifacts):
    """Real ticks on every axis, per-axis linear/log/quantile scales, lines coloured by a metric,
    and a paged table (a view opened with 2 sessions per page)."""
    add_cell(nb, "display(HParams(store, ui={'hparams_page_size': 2}))")
    cell = nb.locator(".jp-Notebook .jp-Cell").last
    run_cell(nb, nb.locator(".jp-Notebook .jp-Cell").count() - 1)
    root = cell.locator(".nbb-v-hparams")
    expect(root).to_have_attribute("data-sessions", "5")
    root.scroll_into_view_if_needed()
    ticks = lambda key: root.locator(f".nbb-v-hp-pc text.nbb-v-tick[data-key='{key}']").evaluate_all(  # noqa: E731
        "ts => ts.map(t => t.textContent)")
    # lr spans 0.001..0.1: log by default, ticks at 1, 2 and 5 per decade (two decades)
    expect(root.locator(".nbb-v-hp-pc text.nbb-v-tick[data-key='h:lr']")).to_have_count(7)
    assert ticks("h:lr") == ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1"]
    acc = ticks("m:hparam/accuracy")
    assert len(acc) >= 3 and len(set(acc)) == len(acc), acc  # more than min and max, all distinct
    root.locator(".nbb-v-hp-scales select[data-key='h:lr']").select_option("linear")
    expect(root.locator(".nbb-v-hp-pc text.nbb-v-tick[data-key='h:lr']").first).to_have_text("0.02")
    assert ticks("h:lr") == ["0.02", "0.04", "0.06", "0.08", "0.10"]
    root.locator(".nbb-v-hp-scales select[data-key='h:lr']").select_option("quantile")
    expect(root.locator(".nbb-v-hp-pc text.nbb-v-tick[data-key='h:lr']")).to_have_count(5)
    assert ticks("h:lr") == ["0.001", "0.003", "0.01", "0.03", "0.1"]  # the values themselves, evenly spaced
    # colour by accuracy: the best session (trial-3, 0.83) yellow, the worst (trial-0, 0.68) purple
    root.locator("select.nbb-v-hp-color").select_option("m:hparam/accuracy")
    expect(root).to_have_attribute("data-color-by", "m:hparam/accuracy")
    line = lambda run: root.locator(f".nbb-v-hp-pc path.nbb-v-line[data-run='hparams/{run}']")  # noqa: E731
    expect(line("trial-3")).to_have_attribute("stroke", "rgb(253, 231, 37)")
    expect(line("trial-0")).to_have_attribute("stroke", "rgb(68, 1, 84)")
    expect(root.locator(".nbb-v-hp-ramp")).to_be_visible()
    # the table shows 2 sessions a page; the parallel coordinates all 5
    rows = root.locator(".nbb-v-hp-table tbody tr")
    expect(rows).to_have_count(2)
    expect(root.locator(".nbb-v-hp-pc path.nbb-v-line")).to_have_count(5)
    where = root.locator(".nbb-v-hp-where")
    expect(where).to_have_text("1–2 of 5")
    prev, nxt = root.get_by_role("button", name="‹ Prev"), root.get_by_role("button", name="Next ›")
    expect(prev).to_be_disabled()
    first_page = rows.evaluate_all("rs => rs.map(r => r.dataset.run)")
    nxt.click()
    nxt.click()
    expect(where).to_have_text("5–5 of 5")
    expect(rows).to_have_count(1)
    expect(nxt).to_be_disabled()
    prev.click()
    expect(where).to_have_text("3–4 of 5")
    assert not set(rows.evaluate_all("rs => rs.map(r => r.dataset.run)")) & set(first_page)
    root.locator("select.nbb-v-hp-pagesize").select_option("10")
    expect(rows).to_have_count(5)
    expect(where).to_have_text("1–5 of 5")
    shot(nb, ".jp-Notebook .jp-Cell:last-child .nbb-v-hparams", artifacts / "view-hparams-scales.png")
