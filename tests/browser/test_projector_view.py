"""The embedding projector in a real JupyterLab in Chromium (WebGL on SwiftShader): scikit-learn's
digits with label images render, colour by label, click to select a point and its neighbours,
regex search, the t-SNE switch, and UMAP's missing-extra message; screenshots in test-artifacts/."""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import Page, expect

from tests.browser.lab import open_notebook, run_cell

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
    name = jupyter_server.notebook("projector.ipynb", [SETUP.format(logdir=str(logdir)), LIVE.format(logdir=str(logdir))])
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
    expect(tsne).to_be_enabled(timeout=240_000)  # computed on the kernel's projection thread
    tsne.click()
    expect(root).to_have_attribute("data-method", "tsne")
    root.locator("button[data-dims='2']").click()
    expect(root).to_have_attribute("data-dims", "2")
    expect(root).to_have_attribute("data-layout", "tsne_2d", timeout=240_000)  # its own 2-D layout
    shot(nb, artifacts / "projector-digits-tsne-2d.png")
    umap = root.locator("button[data-method=umap]")  # umap-learn is a test extra
    expect(umap).to_be_enabled(timeout=240_000)
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
    # a projection the kernel refused says why, on the button and in the status line when chosen
    small = nb.locator(ROOT).nth(2)
    tsne = small.locator("button[data-method=tsne]")
    expect(tsne).to_have_class("nbb-btn nbb-pj-failed")
    assert "max_points" in (tsne.get_attribute("title") or "")
    tsne.click()
    expect(small.locator(".nbb-pj-status")).to_contain_text("max_points")
    assert "[*]" in nb.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-InputPrompt").inner_text()
    assert not nb.errors  # type: ignore[attr-defined]
