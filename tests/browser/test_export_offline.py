"""The exported HTML in Chromium from file:// with every network request blocked: each view renders
its inlined data and responds to an interaction, with no console error, page error or failed
request (checked when the module's page closes); a missing logdir shows a message in place of its
view. The notebook is saved without widget state (descriptions only).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from nbboard import export
from tests.browser.lab import knn_accuracy, open_notebook, run_cell, save_notebook
from tests.export_data import every_view_notebook, write_logs


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("export-offline")
    logs = write_logs(base / "logs")
    nb = every_view_notebook(logs, base / "every-view.ipynb", missing=base / "deleted-logs")
    res = export.export_notebook(nb, base / "every-view.html")
    assert res.views == 14 and len(res.missing) == 1
    return res.path


@pytest.fixture(scope="module")
def offline(browser, exported):
    """The exported page, opened from file:// with every non-file request aborted."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, device_scale_factor=1)
    requested: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "blob:", "data:")):
            r.continue_()
        else:
            requested.append(url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.set_default_timeout(30_000)
    page.goto(exported.as_uri())
    page.wait_for_function("() => document.body.dataset.nbbExport", timeout=60_000)
    page.requested = requested  # type: ignore[attr-defined]
    yield page
    ctx.close()
    # every interaction of every test above left no error behind (whichever tests ran, in any order)
    assert problems == [], problems


def view(kind: str) -> str:
    return f".nbb-export[aria-label='nbboard {kind} view']"


def into_view(page: Page, selector: str):
    loc = page.locator(selector).first
    loc.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(150)
    return loc


def test_page_is_offline_and_every_view_rendered(offline: Page, artifacts: Path):
    assert offline.evaluate("() => document.body.dataset.nbbExport") == "ready"
    assert offline.locator(".nbb-export[data-nbb-state='rendered']").count() == 14
    assert offline.requested == [], offline.requested  # nothing tried the network
    missing = offline.locator(".nbb-export-missing")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("deleted-logs is gone")
    expect(offline.locator(".jp-OutputArea-output pre", has_text="plain output")).to_be_visible()
    into_view(offline, "h1")
    offline.screenshot(path=str(artifacts / "export-offline-top.png"))


def test_board_tabs(offline: Page, artifacts: Path):
    board = into_view(offline, view("board"))
    # a tab for every kind the logs hold (export_data logs one of each; plotly figures need plotly)
    kinds = ["scalars", "alerts", "custom_scalars", "images", "graph", "distributions", "histograms", "text",
             "pr_curves", "audio", "hparams", "meshes", "projector"]
    expect(board.locator(".nbb-tab")).to_have_count(len(kinds))
    assert board.locator(".nbb-tab").evaluate_all("ts => ts.map(t => t.dataset.kind)") == kinds
    # the Graph tab draws the run's graph as it was logged: module names, parameters, trace method
    board.locator(".nbb-tab[data-kind='graph']").click()
    graph = board.locator(".nbb-v-graph .nbg")
    expect(graph.locator(".nbg-node")).to_have_count(5)  # x, 0, 1, 2, output
    expect(graph.locator(".nbg-title")).to_contain_text("58 params · via fx")
    expect(graph.locator(".nbg-node[data-id='0'] .nbg-l1")).to_have_text("0")
    expect(graph.locator(".nbg-run")).to_be_hidden()  # one run has a graph: no run selector
    offline.wait_for_timeout(300)
    board.screenshot(path=str(artifacts / "export-board-graph-tab.png"))
    board.locator(".nbb-tab[data-kind='images']").click()
    expect(board.locator(".nbb-v-images .nbb-v-card img").first).to_be_visible()
    expect(board.locator(".nbb-scalars")).to_be_hidden()
    board.locator(".nbb-tab[data-kind='scalars']").click()
    expect(board.locator(".nbb-scalars")).to_be_visible()


def test_alerts_in_the_export(offline: Page, artifacts: Path):
    # the Board tells the alert the logs hold (a page with no kernel shows every alert's banner)
    board = into_view(offline, view("board"))
    banner = board.locator(".nbb-alert-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("loss above 0.9")
    card = offline.locator(f"{view('scalars')} .nbb-card[data-tag='loss/train']")
    card.scroll_into_view_if_needed()
    offline.wait_for_function("e => Number(e.dataset.alerts || 0) === 1", arg=card.element_handle())
    rows = offline.locator(f"{view('alerts')} .nbb-alerts-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("lr=0.1")
    expect(rows.first).to_contain_text("loss/train")
    into_view(offline, view("alerts"))
    offline.screenshot(path=str(artifacts / "export-offline-alerts.png"))


def hover_row(page: Page, card, run: str) -> dict[str, str]:
    """Hover the middle of a scalar card; its tooltip's row for `run` as {column header: cell text}."""
    over = card.locator(".u-over")
    page.mouse.move(0, 0)
    b = over.bounding_box()
    page.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.5, steps=3)
    tip = card.locator(".nbb-tooltip")
    expect(tip).to_be_visible()
    name = page.locator("td.nbb-run", has_text=re.compile(f"^{re.escape(run)}$"))
    expect(tip.locator("tr", has=name)).to_have_count(1)
    heads = tip.locator("tr").first.locator("th").all_inner_texts()
    cells = tip.locator("tr", has=name).locator("td").all_inner_texts()
    return dict(zip(heads, cells))


def test_scalars_smoothing(offline: Page, artifacts: Path):
    root = view("scalars")
    into_view(offline, root)
    offline.wait_for_function("e => Number(e.querySelector('.nbb-scalars').dataset.points) === 240",
                              arg=offline.locator(root).element_handle())
    scalars = offline.locator(f"{root} .nbb-scalars")
    card = offline.locator(f"{root} .nbb-card[data-tag='loss/train']")
    expect(scalars).to_have_attribute("data-smoothing", "0.6")  # the default
    before = hover_row(offline, card, "lr=0.1")
    slider = offline.locator(f"{root} .nbb-slider").first
    box = slider.bounding_box()
    offline.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    assert float(scalars.get_attribute("data-smoothing")) > 0.8
    # what the smoothing changes: the smoothed value at the same point; the logged value stays
    after = hover_row(offline, card, "lr=0.1")
    assert after["Step"] == before["Step"] and after["Value"] == before["Value"], (before, after)
    assert after["Smoothed"] != before["Smoothed"], (before, after)
    offline.screenshot(path=str(artifacts / "export-offline-scalars.png"))


def test_images_step_slider(offline: Page):
    root = view("images")
    card = into_view(offline, f"{root} .nbb-v-card[data-run='lr=0.1']")
    img = card.locator("img")
    expect(img).to_have_attribute("data-step", "2")
    offline.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=img.element_handle())
    card.locator("input.nbb-v-step-slider").fill("0")
    expect(img).to_have_attribute("data-step", "0")


def test_histograms_mode(offline: Page):
    root = view("histograms")
    canvas = into_view(offline, f"{root} .nbb-v-card[data-run='lr=0.1'] canvas")
    expect(canvas).to_have_attribute("data-steps", "3")
    offline.locator(f"{root} .nbb-v-histmode button[data-mode='overlay']").click()
    expect(canvas).to_have_attribute("data-mode", "overlay")


def test_distributions_hover(offline: Page):
    chart = into_view(offline, f"{view('distributions')} .nbb-v-card[data-run='lr=0.1'] .nbb-v-dist")
    expect(chart).to_have_attribute("data-steps", "3")
    box = chart.locator(".u-over").bounding_box()
    offline.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(chart.locator(".nbb-v-tip")).to_contain_text("median")


def test_text_step_slider(offline: Page):
    root = view("text")
    card = f"{root} .nbb-v-card[data-run='lr=0.1'][data-tag='notes']"  # (its alert's text is another card)
    md = into_view(offline, f"{card} .nbb-v-md")
    expect(md.locator("h3")).to_have_text("Step 2 of lr=0.1")
    offline.locator(f"{card} input.nbb-v-step-slider").fill("0")
    expect(md.locator("h3")).to_have_text("Step 0 of lr=0.1")


def test_pr_curve_hover(offline: Page):
    root = view("pr_curves")
    canvas = into_view(offline, f"{root} .nbb-v-card[data-tag='pr/class_a'] canvas")
    expect(canvas).to_have_attribute("data-runs", "2")
    box = canvas.bounding_box()
    offline.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.3)
    expect(offline.locator(f"{root} .nbb-v-tip")).to_contain_text("threshold")


def test_hparams_sort(offline: Page):
    root = view("hparams")
    into_view(offline, root)
    rows = offline.locator(f"{root} .nbb-v-hp-table tbody tr")
    expect(rows).to_have_count(2)
    header = offline.locator(f"{root} th[data-key='m:hparam/accuracy']")
    header.click()  # ascending: lr=0.1's session logged 0.5, lr=0.01's 0.6
    expect(rows.first).to_have_attribute("data-run", "lr=0.1/hp")
    header.click()
    expect(rows.first).to_have_attribute("data-run", "lr=0.01/hp")


def test_audio_and_run_filter(offline: Page):
    root = view("audio")
    into_view(offline, root)
    expect(offline.locator(f"{root} .nbb-v-card audio")).to_have_count(2)
    offline.wait_for_function("e => e.readyState >= 1 && e.duration > 0.9",
                              arg=offline.locator(f"{root} audio").first.element_handle())
    offline.locator(f"{root} .nbb-run-filter input").fill("0\\.1$")
    expect(offline.locator(f"{root} .nbb-v-card:visible")).to_have_count(1)


def test_mesh_orbit(offline: Page):
    box = into_view(offline, f"{view('meshes')} .nbb-v-card[data-run='lr=0.1'] .nbb-v-mesh")
    expect(box).to_have_attribute("data-vertices", "4")
    before = box.get_attribute("data-azimuth")
    b = box.bounding_box()
    offline.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.5)
    offline.mouse.down()
    offline.mouse.move(b["x"] + b["width"] * 0.8, b["y"] + b["height"] * 0.5, steps=6)
    offline.mouse.up()
    offline.wait_for_function("([e, a]) => e.getAttribute('data-azimuth') !== a", arg=[box.element_handle(), before])


def test_custom_scalars_filter(offline: Page):
    root = view("custom_scalars")
    chart = into_view(offline, f"{root} .nbb-v-card[data-tag='Training/losses'] .nbb-chart")
    expect(chart).to_have_attribute("data-series", "4")  # 2 runs × loss/train, loss/val
    offline.locator(f"{root} .nbb-run-filter input").fill("0\\.01")
    expect(chart).to_have_attribute("data-series", "2")  # lr=0.01's two only
    offline.locator(f"{root} .nbb-run-filter input").fill("")
    expect(chart).to_have_attribute("data-series", "4")


def test_graph_search(offline: Page):
    root = view("graph")
    into_view(offline, root)
    expect(offline.locator(f"{root} .nbg-node")).to_have_count(5)
    offline.locator(f"{root} .nbg-search").fill("Linear")
    expect(offline.locator(f"{root} .nbg-node.nbg-match")).to_have_count(2)


def test_projector_colour_by(offline: Page, artifacts: Path):
    root = view("projector")
    into_view(offline, root)
    expect(offline.locator(f"{root} .nbb-pj-legend-row")).to_have_count(10)
    colour = offline.locator(f"{root} select:visible").filter(has=offline.locator("option", has_text="parity"))
    colour.first.select_option(label="parity")
    expect(offline.locator(f"{root} .nbb-pj-legend-row")).to_have_count(2)
    offline.screenshot(path=str(artifacts / "export-offline-projector.png"))



def test_projector_tsne_and_umap_in_the_page(offline: Page, artifacts: Path):
    """t-SNE and UMAP the kernel never computed run in the exported page (a Blob-URL Web Worker under
    its CSP), animate, and end with the ten clusters apart; the Board's tab offers them too."""
    root = view("projector")
    into_view(offline, root)
    pj = offline.locator(f"{root} .nbb-pj")
    js = f"document.querySelector(\"{root} .nbb-pj\")"
    hook = "[...window.__nbboard__.projectors].find(v => v.api && v.root === el)"
    offline.evaluate(f"() => {{ window.__pj = (el => {hook})({js}); }}")
    assert offline.evaluate("() => !!window.__pj")
    pj.locator("button[data-method='tsne']").click()
    offline.wait_for_function("() => window.__pj.api.page()?.state === 'done'", timeout=120_000)
    page = offline.evaluate("() => window.__pj.api.page()")
    assert page["iter"] == page["total"] == 1000 and page["frames"] > 3, page  # animated: several layouts posted
    expect(pj).to_have_attribute("data-layout", "tsne_page")
    expect(pj.locator(".nbb-pj-progress")).to_contain_text("t-SNE in the page: 1,000 iterations in")
    labels = offline.evaluate("() => window.__pj.api.codes(0)")
    assert knn_accuracy(offline.evaluate("() => window.__pj.api.positions()"), labels) > 0.9
    offline.screenshot(path=str(artifacts / "export-offline-projector-tsne.png"))
    pj.locator("button[data-method='umap']").click()
    offline.wait_for_function("() => window.__pj.api.page()?.state === 'done'", timeout=120_000)
    expect(pj).to_have_attribute("data-layout", "umap_page")
    assert knn_accuracy(offline.evaluate("() => window.__pj.api.positions()"), labels) > 0.9
    offline.screenshot(path=str(artifacts / "export-offline-projector-umap.png"))
    # the custom projection: x from the even points' centroid to the odd ones', y from labels 0-4 to 5-9
    pj.locator("button[data-method='custom']").click()
    expect(pj).to_have_attribute("data-dims", "2")  # a plane, seen face on
    expect(pj.locator("input[data-custom=left]")).to_be_visible()
    expect(pj.locator("input[data-param=neighbors]")).to_be_hidden()
    pj.locator("input[data-custom=left]").fill("^even$")
    pj.locator("input[data-custom=right]").fill("^odd$")
    pj.locator("input[data-custom=down]").fill("^[0-4]$")
    pj.locator("input[data-custom=up]").fill("^[5-9]$")
    expect(pj).to_have_attribute("data-layout", "custom")
    expect(pj.locator(".nbb-pj-progress")).to_contain_text("x: 60 → 60 points · y: 60 → 60 points")
    expect(pj.locator(".nbb-pj-status")).to_have_text("120 points · 16-D · Custom")  # nothing "queued" in the kernel
    pos = offline.evaluate("() => window.__pj.api.positions()")
    parity = offline.evaluate("() => window.__pj.api.codes(1)")  # categories sorted: even = 0, odd = 1
    xs = {p: [pos[3 * i] for i in range(120) if parity[i] == p] for p in (0, 1)}
    ys = {h: [pos[3 * i + 1] for i in range(120) if (labels[i] >= 5) == h] for h in (False, True)}
    assert sum(xs[1]) / 60 > sum(xs[0]) / 60 and sum(ys[True]) / 60 > sum(ys[False]) / 60
    offline.screenshot(path=str(artifacts / "export-offline-projector-custom.png"))
    pj.locator("input[data-custom=up]").fill("([")  # a bad regex says so instead of drawing
    expect(pj.locator("input[data-custom=up]")).to_have_class(re.compile("nbb-invalid"))
    expect(pj.locator(".nbb-pj-progress .nbb-pj-err")).to_contain_text("the up search")
    pj.locator("input[data-custom=up]").fill("^x$")
    expect(pj.locator(".nbb-pj-progress .nbb-pj-err")).to_have_text("no point matches the up search")
    # the Board's projector tab (PCA from the kernel) offers both, enabled
    board = into_view(offline, view("board"))
    board.locator(".nbb-tab[data-kind='projector']").click()
    expect(board.locator(".nbb-pj button[data-method='tsne']")).to_be_enabled()
    expect(board.locator(".nbb-pj button[data-method='umap']")).to_be_enabled()
    board.locator(".nbb-pj button[data-method='umap']").click()
    expect(board.locator(".nbb-pj")).to_have_attribute("data-page-state", "done", timeout=120_000)
    expect(board.locator(".nbb-pj")).to_have_attribute("data-layout", "umap_page")
    offline.screenshot(path=str(artifacts / "export-offline-board-umap.png"))
    board.locator(".nbb-tab[data-kind='scalars']").click()


def test_quickstart_export_offline(browser, tmp_path, artifacts: Path):
    """The real thing: the quickstart run headless, exported, opened offline; every view has data."""
    from nbboard.demo import NOTEBOOKS, run_notebook

    run_notebook(NOTEBOOKS / "quickstart.ipynb", tmp_path / "quickstart.ipynb", cwd=tmp_path)
    res = export.export_notebook(tmp_path / "quickstart.ipynb")
    assert res.views == 5 and res.missing == []
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, device_scale_factor=1)
    requested: list[str] = []
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "blob:", "data:"))
              else (requested.append(r.request.url), r.abort()))
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(res.path.as_uri())
        page.wait_for_function("() => document.body.dataset.nbbExport === 'ready'", timeout=60_000)
        expect(page.locator(".nbb-export[data-nbb-state='rendered']")).to_have_count(5)
        board = into_view(page, view("board"))
        page.wait_for_function("e => Number(e.querySelector('.nbb-scalars').dataset.points) > 100",
                               arg=board.element_handle())
        board.locator(".nbb-tab[data-kind='histograms']").click()
        expect(board.locator(".nbb-v-histograms canvas").first).to_be_visible()
        board.locator(".nbb-tab[data-kind='scalars']").click()
        into_view(page, view("graph"))
        expect(page.locator(f"{view('graph')} .nbg-node").first).to_be_visible()
        into_view(page, view("projector"))
        page.locator(f"{view('projector')} button[data-method='tsne']").click()
        expect(page.locator(f"{view('projector')} .nbb-pj")).to_have_attribute("data-method", "tsne")
        into_view(page, view("board"))
        page.screenshot(path=str(artifacts / "export-quickstart-board.png"))
        assert requested == [] and problems == [], (requested, problems)
    finally:
        ctx.close()


def test_magic_export_from_jupyterlab(page, jupyter_server):
    """`%nbboard export` in a notebook open in JupyterLab finds that notebook (as last saved) by itself."""
    logdir = jupyter_server.root / "runs-export-magic"
    name = jupyter_server.notebook("export-magic.ipynb", [
        "%load_ext nbboard\nfrom nbboard import SummaryWriter\n"
        f"w = SummaryWriter({str(logdir / 'a')!r})\n"
        "for s in range(20):\n    w.add_scalar('loss', 1 / (s + 1), s)\n"
        f"%nbboard --logdir {logdir}",
        "%nbboard export exported.html",
    ])
    open_notebook(page, jupyter_server.lab(name))
    run_cell(page, 0)
    expect(page.locator(".nbb-board .nbb-card[data-tag='loss']")).to_be_visible(timeout=60_000)
    save_notebook(page, jupyter_server, name, "application/vnd.nbboard+json")  # the export reads the notebook as saved
    run_cell(page, 1)
    out = jupyter_server.root / "exported.html"
    expect(page.locator(".jp-OutputArea-output", has_text="exported 1 view(s)")).to_be_visible(timeout=60_000)
    html = out.read_text()
    assert html.count('data-nbb-payload="') == 1 and 'class="nbb-export-missing"' not in html


# --- axes, card grids, actual-size images and PR curves (issue 14), in a page at devicePixelRatio 2 ---

def _tutorial_like_logs(root: Path) -> Path:
    """Four runs with the issue's hard cases: a loss in a tiny range over steps to 1M, a wide image,
    histograms at three steps, and PR curves logged per class with tags without a "/"."""
    import numpy as np

    from nbboard.writer import SummaryWriter

    rng = np.random.default_rng(1)
    for r in range(4):
        w = SummaryWriter(str(root / f"run{r}"))
        for s in range(0, 1_000_000, 200):
            w.add_scalar("loss/small", 2.3045 + 0.0004 * np.sin(s / 1e5 + r), s, walltime=1.7e9 + s * 0.02)
        for k in range(4):
            for s in range(0, 100):
                w.add_scalar(f"metrics/m{k}", float(np.cos(s / 10 + k)), s, walltime=1.7e9 + s)
        if r == 0:
            yy, xx = np.mgrid[0:250, 0:800]
            w.add_image("wide/banner", np.stack([xx / 800, yy / 250, (xx // 40 + yy // 40) % 2 * 1.0]), 0)
        for s in range(3):
            w.add_histogram("weights/w", rng.normal(0.1 * s, 1.0, 300), s, walltime=1.7e9 + s)
            for cls in ("plane", "car", "bird"):
                labels = rng.random(200) > 0.5
                w.add_pr_curve(cls, labels, np.clip(labels * (0.2 + 0.2 * s) + rng.random(200) * 0.6, 0, 1), s)
        w.close()
    return root


@pytest.fixture(scope="module")
def tutorial(browser, tmp_path_factory):
    """The exported page of those logs (scalars, images, distributions, PR curves) at devicePixelRatio 2."""
    from tests.export_data import notebook

    base = tmp_path_factory.mktemp("export-axes")
    logs = str(_tutorial_like_logs(base / "logs"))
    views = [("scalars", logs, {}), ("images", logs, {}), ("distributions", logs, {}), ("pr_curves", logs, {})]
    import nbformat

    nbformat.write(notebook(views), base / "axes.ipynb")
    res = export.export_notebook(base / "axes.ipynb", base / "axes.html")
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, device_scale_factor=2)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.set_default_timeout(30_000)
    page.goto(res.path.as_uri())
    page.wait_for_function("() => document.body.dataset.nbbExport", timeout=60_000)
    yield page
    ctx.close()
    assert problems == [], problems


def _ticks(chart, axis: str) -> list[str]:
    return [t for t in (chart.get_attribute(f"data-{axis}-ticks") or "").split("|") if t]


def _wait_ticks(page: Page, chart) -> None:
    page.wait_for_function("e => (e.dataset.yTicks || '').length > 0 && (e.dataset.xTicks || '').length > 0",
                           arg=chart.element_handle())


def _saturation(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    mx, mn = max(r, g, b), min(r, g, b)
    lum = (mx + mn) / 2
    return 0.0 if mx == mn else (mx - mn) / (1 - abs(2 * lum - 1))


def test_scalar_ticks_distinct_and_clear(tutorial: Page, artifacts: Path):
    root = view("scalars")
    card = into_view(tutorial, f"{root} .nbb-card[data-tag='loss/small']")
    chart = card.locator(".nbb-chart")
    _wait_ticks(tutorial, chart)
    y = _ticks(chart, "y")
    assert len(y) >= 3 and len(set(y)) == len(y), y  # issue 14: "2.305, 2.305, 2.304"
    x = _ticks(chart, "x")
    assert len(set(x)) == len(x) and not any("e+" in t or "." in t.rstrip("kM") and not t.endswith(("k", "M")) for t in x), x
    assert chart.get_attribute("data-label-overflow") == "0"
    # drag-zoom to a few hundred steps: integer labels, all distinct, never "5.0e+5"
    over = chart.locator(".u-over")
    b = over.bounding_box()
    tutorial.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + 40)
    tutorial.mouse.down()
    tutorial.mouse.move(b["x"] + b["width"] * 0.5 + 1.5, b["y"] + 40, steps=3)
    tutorial.mouse.up()
    expect(card).not_to_have_attribute("data-zoom", "")
    tutorial.wait_for_function("e => !(e.dataset.xTicks || '').startsWith('0|')", arg=chart.element_handle())
    zoom = [float(v) for v in card.get_attribute("data-zoom").split(",")]
    assert zoom[1] - zoom[0] < 5000, zoom
    x = _ticks(chart, "x")
    assert len(x) >= 3 and len(set(x)) == len(x), x
    assert all(re.fullmatch(r"\d{3},\d{3}|\d+(\.\d)?k", t) for t in x), x
    chart.screenshot(path=str(artifacts / "export-axes-zoomed.png"))
    # wall time: the labels ("3:09am") have room at the chart's edges
    tutorial.locator(f"{root} .nbb-seg button[data-mode='wall']").click()
    tutorial.wait_for_function("e => /[ap]m/.test(e.dataset.xTicks || '')", arg=chart.element_handle())
    assert chart.get_attribute("data-label-overflow") == "0", chart.get_attribute("data-x-ticks")
    chart.screenshot(path=str(artifacts / "export-axes-wall.png"))
    # no run colour reads as a disabled grey
    swatches = tutorial.locator(f"{root} .nbb-chip .nbb-swatch")
    expect(swatches).to_have_count(4)
    for css in swatches.evaluate_all("es => es.map(e => getComputedStyle(e).backgroundColor)"):
        assert _saturation(css) >= 0.35, css
    tutorial.locator(f"{root} .nbb-seg button[data-mode='step']").click()


def test_scalar_cards_fill_the_row(tutorial: Page, artifacts: Path):
    root = view("scalars")
    grid = into_view(tutorial, f"{root} .nbb-section[data-group='metrics'] .nbb-grid")
    cards = grid.locator(".nbb-card")
    expect(cards).to_have_count(4)

    def widths() -> tuple[float, list[float]]:
        return grid.evaluate("g => g.clientWidth"), cards.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().width)")

    # the lone card of a section spans the row instead of leaving it half empty
    lone = tutorial.locator(f"{root} .nbb-card[data-tag='loss/small']")
    row = tutorial.locator(f"{root} .nbb-section[data-group='loss'] .nbb-grid").evaluate("g => g.clientWidth")
    assert lone.bounding_box()["width"] >= row - 2, (lone.bounding_box(), row)
    for size, per_row in (("S", 4), ("M", 2), ("L", 1)):
        tutorial.locator(f"{root} .nbb-cardsize button[data-size='{size}']").click()
        expect(tutorial.locator(f"{root} .nbb-scalars")).to_have_attribute("data-card-size", size)
        full, ws = widths()
        # per_row cards share the row (gaps of 10px between them): the row is filled
        assert abs(ws[0] * per_row + 10 * (per_row - 1) - full) <= 3, (size, full, ws)
        # and each chart follows its card's new width
        tutorial.wait_for_function(
            "g => [...g.querySelectorAll('.nbb-chart')].every(c => Math.abs(c.querySelector('.uplot').offsetWidth - c.clientWidth) <= 1)",
            arg=grid.element_handle())
        if size == "M":
            tutorial.locator(root).screenshot(path=str(artifacts / "export-scalars-cards-M.png"))
        if size == "S":  # the narrowest cards on wall time still have room for every label
            tutorial.locator(f"{root} .nbb-seg button[data-mode='wall']").click()
            charts = grid.locator(".nbb-chart")
            tutorial.wait_for_function("g => [...g.querySelectorAll('.nbb-chart')].every(c => /:/.test(c.dataset.xTicks || ''))",
                                       arg=grid.element_handle())
            assert charts.evaluate_all("cs => cs.map(c => c.dataset.labelOverflow)") == ["0"] * 4
            tutorial.locator(root).screenshot(path=str(artifacts / "export-scalars-cards-S-wall.png"))
            tutorial.locator(f"{root} .nbb-seg button[data-mode='step']").click()
    tutorial.locator(f"{root} .nbb-cardsize button[data-size='M']").click()


def test_distribution_steps_are_integers(tutorial: Page, artifacts: Path):
    chart = into_view(tutorial, f"{view('distributions')} .nbb-v-card[data-run='run0'] .nbb-v-dist")
    expect(chart).to_have_attribute("data-steps", "3")
    _wait_ticks(tutorial, chart)
    x = _ticks(chart, "x")
    assert x and all(re.fullmatch(r"\d+", t) for t in x), x  # no 0.5 step ticks
    assert chart.get_attribute("data-label-overflow") == "0"
    chart.screenshot(path=str(artifacts / "export-distributions-steps.png"))


def test_images_actual_size_is_one_to_one(tutorial: Page, artifacts: Path):
    root = view("images")
    card = into_view(tutorial, f"{root} .nbb-v-card[data-tag='wide/banner']")
    img = card.locator("img")
    tutorial.wait_for_function("e => e.complete && e.naturalWidth === 800", arg=img.element_handle())
    fit = img.bounding_box()
    assert abs(fit["width"] / fit["height"] - 800 / 250) < 0.05, fit  # fitted: the aspect ratio kept
    tutorial.locator(f"{root} .nbb-v-actual input").check()
    # 1 image pixel = 1 CSS pixel (at devicePixelRatio 2 too), the card widened to its row
    tutorial.wait_for_function("e => e.getBoundingClientRect().width === 800", arg=img.element_handle())
    box = img.bounding_box()
    assert (box["width"], box["height"]) == (800, 250), box
    assert card.bounding_box()["width"] > 800
    tutorial.locator(root).screenshot(path=str(artifacts / "export-images-actual-size.png"))
    # narrower than the image, the card scrolls it rather than squashing it
    tutorial.set_viewport_size({"width": 700, "height": 900})
    try:
        tutorial.wait_for_function("e => e.parentElement.parentElement.clientWidth < 800", arg=img.element_handle())
        box = img.bounding_box()
        assert (box["width"], box["height"]) == (800, 250), box
        scroller = card.locator(".nbb-v-imgscroll")
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    finally:
        tutorial.set_viewport_size({"width": 1300, "height": 900})
        tutorial.locator(f"{root} .nbb-v-actual input").uncheck()


def test_pr_curves_grid_and_per_run_steps(tutorial: Page, artifacts: Path):
    root = view("pr_curves")
    into_view(tutorial, root)
    cards = tutorial.locator(f"{root} .nbb-v-card")
    expect(cards).to_have_count(3)
    # one section for the per-class tags, cards side by side (not one per row)
    expect(tutorial.locator(f"{root} .nbb-section")).to_have_count(1)
    tops = cards.evaluate_all("cs => cs.map(c => Math.round(c.getBoundingClientRect().top))")
    assert tops[0] == tops[1], tops
    card = tutorial.locator(f"{root} .nbb-v-card[data-tag='car']")
    canvas = card.locator("canvas")
    expect(canvas).to_have_attribute("data-runs", "4")
    expect(canvas).to_have_attribute("data-step", "2,2,2,2")
    # each run has its own step slider, as in TensorBoard
    rows = card.locator(".nbb-v-prrun")
    expect(rows).to_have_count(4)
    rows.nth(1).locator("input.nbb-v-step-slider").fill("0")
    expect(canvas).to_have_attribute("data-step", "2,0,2,2")
    expect(rows.nth(1)).to_have_attribute("data-step", "0")
    expect(rows.nth(1)).to_contain_text("step 0")
    rows.nth(3).locator("input.nbb-v-step-slider").fill("1")
    expect(canvas).to_have_attribute("data-step", "2,0,2,1")
    tutorial.locator(root).screenshot(path=str(artifacts / "export-pr-curves-grid.png"))
