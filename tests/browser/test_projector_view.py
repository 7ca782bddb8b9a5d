"""The embedding projector in a real JupyterLab in Chromium (WebGL on SwiftShader): scikit-learn's
digits with label images render, colour by label, click to select a point and its neighbours,
regex search, the kernel's t-SNE / UMAP switch, live updates, and t-SNE / UMAP computed in the page
(a Web Worker: animated, Stop, Re-run with new parameters); screenshots in test-artifacts/."""

from __future__ import annotations

import re
import textwrap

import pytest
from playwright.sync_api import Page, expect

from tests.browser.lab import knn_accuracy, open_notebook, run_cell, wait_for_output

SETUP = textwrap.dedent("""
    from sklearn.datasets import load_digits
    from nbboard.store import Store
    from nbboard.writer import SummaryWriter
    from nbboard.kinds.projector.view import Projector
    d = load_digits()
    store = Store({logdir!r})
    w = SummaryWriter({logdir!r} + "/digits", store=store)
    evil = '<img src=x onerror="window.__xss=1">'  # metadata is untrusted: shown as text only
    w.add_embedding(d.data, metadata=[[str(t), "even" if t % 2 == 0 else "odd", evil] for t in d.target],
                    metadata_header=["label", "parity", "note"], label_img=d.images[:, None] / 16.0, tag="digits")
    w.close()
    view = Projector(store, color_by="label", methods=("pca", "tsne", "umap"))
    display(view)
""")

# A training loop: the view is shown first, embeddings arrive while the cell runs (the first view,
# with no tag filter, sees them too: both feeds share the records' background work).
LIVE = textwrap.dedent("""
    import time
    live = SummaryWriter({logdir!r} + "/live", store=store)
    lv = Projector(store, tags="^live$", methods=("pca",))
    display(lv)
    # its own Store (the first view computes every method for the records it sees): t-SNE refused
    small = Store()
    SummaryWriter({logdir!r} + "/small", store=small).add_embedding(d.data[:50], tag="small")
    display(Projector(small, methods=("pca", "tsne"), max_points={{"tsne": 10}}))
    for epoch in range(3):
        live.add_embedding(d.data[:400] * (1 + epoch), metadata=d.target[:400].tolist(), tag="live", global_step=epoch)
        time.sleep(1.0)
    time.sleep(8)
    print("trained")
""")

# A Board shown before any embedding exists: its Projector tab, and the 3-D bundle the tab's view
# lives in (attached by the kernel only once the Board's feed has seen embeddings), arrive live.
BOARD = textwrap.dedent("""
    import time
    from nbboard import Board
    bstore = Store()
    bw = SummaryWriter({logdir!r} + "/board", store=bstore)
    board = Board(bstore)
    display(board)
    for i in range(20):
        bw.add_scalar("loss", 1 / (i + 1), i)
    time.sleep(3)
    print("scene3d before:", board._scene3d is None)
    bw.add_embedding(d.data[:300], metadata=d.target[:300].tolist(), tag="board_emb")
    time.sleep(20)
    print("board done")
""")

ROOT = ".jp-OutputArea-output .nbb-pj"
JS_VIEW = "[...window.__nbboard__.projectors].at(-1)"


def shot(page: Page, path) -> None:
    loc = page.locator(ROOT).first
    loc.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    b = loc.bounding_box()
    page.screenshot(path=str(path), clip={"x": b["x"] - 4, "y": max(b["y"] - 4, 0), "width": b["width"] + 8,
                                          "height": b["height"] + 8})


@pytest.fixture(scope="module")
def nb(browser, jupyter_server, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("projector") / "runs"
    name = jupyter_server.notebook("projector.ipynb", [SETUP.format(logdir=str(logdir)), LIVE.format(logdir=str(logdir)),
                                                            BOARD.format(logdir=str(logdir))])
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000}, device_scale_factor=1)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and ("nbboard" in m.text or "THREE" in m.text) and errors.append(m.text))
    page.set_default_timeout(60_000)
    open_notebook(page, jupyter_server.lab(name))
    run_cell(page, 0)
    page.wait_for_selector(f"{ROOT}[data-method='pca']", timeout=120_000)
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    ctx.close()
    jupyter_server.shutdown_kernels()


def state(page: Page) -> dict:
    return page.evaluate(f"() => {JS_VIEW}.api.state()")


def test_renders_coloured_by_label_and_selects(nb: Page, artifacts):
    root = nb.locator(ROOT)
    root.scroll_into_view_if_needed()
    assert state(nb)["n"] == 1797
    # coloured by label: a categorical legend with the ten digits and their counts
    rows = root.locator(".nbb-pj-legend-row")
    expect(rows).to_have_count(10)
    expect(rows.nth(3)).to_contain_text("3")
    expect(rows.nth(3)).to_contain_text("183")
    nb.locator(f"{ROOT} select").nth(2).select_option(label="parity")
    expect(rows).to_have_count(2)
    nb.locator(f"{ROOT} select").nth(2).select_option(label="label")
    expect(rows).to_have_count(10)
    # hover shows a tooltip; a click selects the point under the cursor and lists its neighbours
    canvas = root.locator("canvas").first
    box = canvas.bounding_box()
    pt = nb.evaluate(f"() => {JS_VIEW}.api.screenOf(1000)")
    nb.mouse.move(box["x"] + pt["x"], box["y"] + pt["y"])
    expect(root.locator(".nbb-pj-tip")).to_be_visible()
    expect(root.locator(".nbb-pj-tip")).to_contain_text("label")
    nb.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])
    nb.wait_for_function(f"() => {JS_VIEW}.api.state().selected >= 0")
    s = state(nb)
    assert len(s["neighbours"]) == 10 and s["selected"] not in s["neighbours"]
    info = root.locator(".nbb-pj-info")
    expect(info).to_be_visible()
    expect(info.locator(".nbb-pj-nn")).to_have_count(10)
    expect(info).to_contain_text("original space (64-D)")
    expect(info).to_contain_text('<img src=x onerror="window.__xss=1">')
    assert nb.evaluate("() => window.__xss") is None and info.locator("img").count() == 0
    expect(info.locator("canvas.nbb-pj-thumb")).to_have_count(1)  # the point's label image
    nb.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)
    shot(nb, artifacts / "projector-digits-selected.png")
    assert not nb.errors  # type: ignore[attr-defined]


def test_search_isolate_and_sprites(nb: Page, artifacts):
    root = nb.locator(ROOT)
    # a legend entry highlights its category; clicking it again clears that
    root.locator(".nbb-pj-legend-row").nth(4).click()
    nb.wait_for_function(f"() => {JS_VIEW}.api.state().matches === 181")
    root.locator(".nbb-pj-legend-row").nth(4).click()
    nb.wait_for_function(f"() => {JS_VIEW}.api.state().matches === 0")
    root.locator("input[type=search]").fill("^3$")
    nb.wait_for_function(f"() => {JS_VIEW}.api.state().matches === 183")
    expect(root.locator(".nbb-pj-status")).to_contain_text("183 match")
    root.locator("button", has_text="Isolate").click()
    expect(root.locator("button", has_text="Show all")).to_be_visible()
    root.locator("button", has_text="Images").click()
    nb.wait_for_timeout(500)
    shot(nb, artifacts / "projector-digits-isolated-images.png")
    root.locator("button", has_text="Clear").click()
    nb.wait_for_function(f"() => {JS_VIEW}.api.state().matches === 0 && {JS_VIEW}.api.state().selected === -1")
    root.locator("button", has_text="Images").click()
    # an invalid regex is flagged, not thrown
    root.locator("input[type=search]").fill("([")
    expect(root.locator("input[type=search]")).to_have_class("nbb-input nbb-pj-search nbb-invalid")
    root.locator("input[type=search]").fill("")
    assert not nb.errors  # type: ignore[attr-defined]


def test_tsne_umap_and_2d_layouts(nb: Page, artifacts):
    root = nb.locator(ROOT)
    tsne = root.locator("button[data-method=tsne]")
    # computed on the kernel's projection thread (the button is enabled before: the page could compute it)
    expect(tsne).not_to_have_class(re.compile("nbb-pj-busy"), timeout=240_000)
    tsne.click()
    expect(root).to_have_attribute("data-method", "tsne")
    root.locator("button[data-dims='2']").click()
    expect(root).to_have_attribute("data-dims", "2")
    expect(root).to_have_attribute("data-layout", "tsne_2d", timeout=240_000)  # its own 2-D layout
    shot(nb, artifacts / "projector-digits-tsne-2d.png")
    umap = root.locator("button[data-method=umap]")  # umap-learn is a test extra
    expect(umap).not_to_have_class(re.compile("nbb-pj-busy"), timeout=240_000)
    umap.click()
    expect(root).to_have_attribute("data-method", "umap")
    expect(root).to_have_attribute("data-layout", "umap_2d", timeout=240_000)
    root.locator("button[data-dims='3']").click()
    expect(root).to_have_attribute("data-layout", "umap")
    shot(nb, artifacts / "projector-digits-umap.png")
    assert not nb.errors  # type: ignore[attr-defined]


def test_dark_theme(nb: Page, artifacts):
    nb.locator("text=Settings").first.click()
    nb.locator(".lm-Menu-itemLabel:text-is('Theme')").click()
    nb.locator(".lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    expect(nb.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    nb.wait_for_timeout(800)
    try:
        nb.evaluate(f"() => {JS_VIEW}.api.select(42)")
        # the canvas clears to the theme's background (dark), not white
        px = nb.evaluate(f"""() => {{ const v = {JS_VIEW}; v.renderer.render(v.scene, v.camera);
            const gl = v.renderer.getContext(); const p = new Uint8Array(4); gl.readPixels(2, 2, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, p);
            return [...p]; }}""")
        assert sum(px[:3]) < 200, px
        shot(nb, artifacts / "projector-digits-dark.png")
    finally:
        nb.locator("text=Settings").first.click()
        nb.locator(".lm-Menu-itemLabel:text-is('Theme')").click()
        nb.locator(".lm-Menu-itemLabel:text-is('JupyterLab Light')").click()
    assert not nb.errors  # type: ignore[attr-defined]


def test_live_updates_while_the_cell_runs(nb: Page, artifacts):
    run_cell(nb, 1)
    live = nb.locator(ROOT).nth(1)
    live.scroll_into_view_if_needed()
    # the third step's embedding arrives (and is shown, following the newest) before the cell ends
    try:
        expect(live.locator("select").nth(1).locator("option")).to_have_count(3, timeout=20_000)
    except AssertionError:
        nb.screenshot(path=str(artifacts / "FAILED-projector-live.png"))
        print(nb.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea").inner_text()[-3000:])
        raise
    expect(live).to_have_attribute("data-method", "pca")
    assert nb.evaluate("() => [...window.__nbboard__.projectors].at(-2).api.state().n") == 400  # the last is the small one
    assert "[*]" in nb.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-InputPrompt").inner_text()
    # a projection the kernel refused says why on its button, and the page computes it instead
    small = nb.locator(ROOT).nth(2)
    tsne = small.locator("button[data-method=tsne]")
    # (refused once the projection thread gets to it, after the digits view's t-SNE and UMAP)
    expect(tsne).to_have_attribute("title", re.compile(r"max_points=10.*\(the page computes it\)"), timeout=240_000)
    tsne.click()
    expect(small).to_have_attribute("data-layout", "tsne_page", timeout=60_000)
    expect(small).to_have_attribute("data-page-state", "done", timeout=60_000)
    expect(small.locator(".nbb-pj-status")).not_to_contain_text("max_points")
    assert not nb.errors  # type: ignore[attr-defined]



def test_tsne_and_umap_in_the_page(nb: Page, artifacts):
    """The live view's kernel computes PCA only: t-SNE and UMAP run in the page's Web Worker, the
    scatter animates through their iterations, Stop keeps the layout so far, Re-run takes new
    parameters, and the final layouts keep the digits apart (kNN label accuracy)."""
    live = nb.locator(ROOT).nth(1)
    live.scroll_into_view_if_needed()
    view = "[...window.__nbboard__.projectors].at(-2).api"
    assert nb.evaluate(f"() => {view}.state().n") == 400
    expect(live.locator(".nbb-pj-params")).to_be_hidden()  # PCA: no layout parameters
    live.locator("button[data-method=tsne]").click()
    expect(live.locator(".nbb-pj-params")).to_be_visible()
    expect(live.locator("input[data-param=perplexity]")).to_have_value("30")
    # the animation: layouts arrive while it iterates, each drawn (data-layout says whose)
    nb.wait_for_function(f"() => {{ const p = {view}.page(); return p && p.state === 'running' && p.iter > 0 && p.iter < p.total; }}",
                         polling=20, timeout=120_000)
    expect(live).to_have_attribute("data-layout", "tsne_page")
    nb.wait_for_function(f"() => {view}.page().state === 'done'", timeout=120_000)
    page = nb.evaluate(f"() => {view}.page()")
    assert page["iter"] == page["total"] == 1000 and page["frames"] > 3, page
    labels = nb.evaluate(f"() => {view}.codes(0)")
    acc = knn_accuracy(nb.evaluate(f"() => {view}.positions()"), labels)
    assert acc > 0.9, acc
    expect(live.locator(".nbb-pj-progress")).to_contain_text("t-SNE in the page: 1,000 iterations in")
    shot_of(nb, live, artifacts / "projector-page-tsne.png")
    # Re-run with many iterations, then Stop: the layout so far stays, the status says where it stopped
    live.locator("input[data-param=iterations]").fill("5000")
    live.locator("input[data-param=iterations]").dispatch_event("change")
    live.locator("button[data-action=run]").click()
    nb.wait_for_function(f"() => {view}.page().state === 'running' && {view}.page().iter > 300", timeout=120_000)
    live.locator("button[data-action=stop]").click()
    expect(live).to_have_attribute("data-page-state", "stopped")
    stopped = nb.evaluate(f"() => {view}.page()")
    assert stopped["total"] == 5000 and 300 < stopped["iter"] < 5000, stopped
    expect(live.locator(".nbb-pj-progress")).to_contain_text("stopped at iteration")
    assert nb.evaluate(f"() => {view}.page().iter") == stopped["iter"]  # the worker is gone: nothing moves
    # UMAP with its own parameters
    live.locator("button[data-method=umap]").click()
    expect(live.locator("input[data-param=neighbors]")).to_be_visible()
    expect(live.locator("input[data-param=perplexity]")).to_be_hidden()
    nb.wait_for_function(f"() => {view}.page()?.state === 'done'", timeout=120_000)
    assert knn_accuracy(nb.evaluate(f"() => {view}.positions()"), labels) > 0.9
    live.locator("input[data-param=neighbors]").fill("8")
    live.locator("input[data-param=neighbors]").dispatch_event("change")
    live.locator("button[data-action=run]").click()
    nb.wait_for_function(f"() => {view}.page()?.state === 'done'", timeout=120_000)
    assert knn_accuracy(nb.evaluate(f"() => {view}.positions()"), labels) > 0.9
    expect(live).to_have_attribute("data-layout", "umap_page")
    shot_of(nb, live, artifacts / "projector-page-umap.png")
    # a bookmark keeps the page's layout, the search, the selection and the camera
    live.locator("input[type=search]").fill("^3$")
    nb.evaluate(f"() => {view}.select(7)")
    live.locator("canvas").first.hover()
    nb.mouse.down()
    nb.mouse.move(300, 300, steps=5)  # rotate the camera
    nb.mouse.up()
    # the orbit's damping glides on for a few frames: wait until the camera is still
    nb.wait_for_function(f"""async () => {{ const a = JSON.stringify({view}.camera());
        await new Promise(r => setTimeout(r, 250)); return a === JSON.stringify({view}.camera()); }}""", timeout=30_000)
    saved = nb.evaluate(f"() => ({{ pos: {view}.positions(), cam: {view}.camera(), st: {view}.state() }})")
    live.locator(".nbb-pj-bm-name").fill("threes <b>umap</b>")
    live.locator("button", has_text="Save bookmark").click()
    bm = live.locator(".nbb-pj-bookmarks select")
    expect(bm.locator("option")).to_have_count(2)
    expect(bm).to_have_value("threes <b>umap</b>")  # a name is text, not markup
    mark = nb.evaluate(f"() => {view}.bookmarks()[0]")
    assert mark["method"] == "umap" and mark["search"] == "^3$" and mark["selected"] == 7 and mark["layout"]
    assert mark["camera"]["position"] != pytest.approx([1.55, 1.05, 2.2], abs=1e-3)  # the drag turned it
    # elsewhere: PCA, no search, no selection, camera reset; then back through the bookmark
    live.locator("button[data-method=pca]").click()
    expect(live.locator(".nbb-pj-params")).to_be_hidden()
    live.locator("button", has_text="Clear").click()
    live.locator("button[data-dims='2']").click()
    assert nb.evaluate(f"() => {view}.state().selected") == -1
    bm.select_option("threes <b>umap</b>")
    expect(live).to_have_attribute("data-layout", "umap_page")
    expect(live).to_have_attribute("data-dims", "3")
    back = nb.evaluate(f"() => ({{ pos: {view}.positions(), cam: {view}.camera(), st: {view}.state() }})")
    assert back["pos"] == saved["pos"]
    for k in ("position", "target", "up"):
        assert back["cam"][k] == pytest.approx(mark["camera"][k], abs=1e-6), k
    assert back["st"]["selected"] == 7 and back["st"]["matches"] == saved["st"]["matches"] > 0
    expect(live.locator(".nbb-pj-progress")).to_contain_text("the layout from a bookmark")
    shot_of(nb, live, artifacts / "projector-bookmark-restored.png")
    assert not nb.errors  # type: ignore[attr-defined]


def shot_of(page: Page, loc, path) -> None:
    """A screenshot of one projector view."""
    loc.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    b = loc.bounding_box()
    page.screenshot(path=str(path), clip={"x": b["x"] - 4, "y": max(b["y"] - 4, 0), "width": b["width"] + 8,
                                          "height": b["height"] + 8})


def test_board_projector_tab_arrives_live(nb: Page, artifacts):
    """A Board shown with scalars only: no Projector tab and no 3-D bundle; an embedding logged while
    the cell runs brings the tab, and the view (from the bundle the kernel then attaches) draws it."""
    run_cell(nb, 2)
    wait_for_output(nb, "scene3d before: True", timeout=60_000)  # no 3-D bundle for scalars alone
    board = nb.locator(".jp-Notebook .jp-Cell").nth(2).locator(".jp-OutputArea-output").first
    tab = board.locator(".nbb-tab", has_text="Projector")
    expect(tab).to_be_visible(timeout=30_000)
    assert "[*]" in nb.locator(".jp-Notebook .jp-Cell").nth(2).locator(".jp-InputPrompt").inner_text()
    tab.click()
    pj = board.locator(".nbb-pj")
    expect(pj).to_have_attribute("data-method", "pca", timeout=60_000)
    assert nb.evaluate("() => [...window.__nbboard__.projectors].at(-1).api.state().n") == 300
    expect(pj.locator(".nbb-pj-legend-row")).to_have_count(10)
    shot_of(nb, pj, artifacts / "board-projector-live.png")
    assert not nb.errors  # type: ignore[attr-defined]
