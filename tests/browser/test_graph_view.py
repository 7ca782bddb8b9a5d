"""The model graph view in a real JupyterLab: add_graph → Graph(writer), expand a module by
double-click, search, the node panel, untrusted module names, export; screenshots in light and dark."""

from __future__ import annotations

import re
import textwrap

from playwright.sync_api import Page, expect

from tests.browser.lab import open_notebook, run_cell

CELL = textwrap.dedent("""
    import torch
    from torch import nn
    from nbboard import SummaryWriter
    from nbboard.kinds.graph.view import Graph
    from tests.test_graph import ResNet50
    w = SummaryWriter({logdir!r})
    w.add_graph(ResNet50().eval(), torch.randn(1, 3, 64, 64))
    display(Graph(w))
    class Evil(nn.Module):
        def __init__(self):
            super().__init__()
            self.add_module("<b>bold</b><img src=x onerror=self['__nbg_xss']=1>", nn.Linear(4, 4))
        def forward(self, x):
            return getattr(self, "<b>bold</b><img src=x onerror=self['__nbg_xss']=1>")(x)
    display(Graph(Evil(), torch.zeros(1, 4)))
""")

VIEW = ".jp-OutputArea-output .nbg"


def node_count(page: Page, view: str = VIEW) -> int:
    return page.locator(f"{view} .nbg-node").count()


def test_graph_expand_search_panel_and_export(page: Page, jupyter_server, artifacts, tmp_path):
    nb = jupyter_server.notebook("graph.ipynb", [CELL.format(logdir=str(tmp_path / "run"))])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    resnet = page.locator(VIEW).first
    resnet.locator(".nbg-node").first.wait_for(timeout=90_000)
    # starts with the top-level modules closed: x, conv1, bn1, relu, maxpool, layer1-4, avgpool, flatten, fc, output
    expect(resnet.locator(".nbg-node")).to_have_count(13)
    expect(resnet.locator(".nbg-title")).to_contain_text("ResNet50")
    expect(resnet.locator(".nbg-node.nbg-group")).to_have_count(4)
    before = resnet.locator(".nbg-node").count()

    # double-click layer1: it opens in place into its three Bottleneck blocks
    resnet.locator(".nbg-node[data-id='layer1']").dblclick()
    expect(resnet.locator(".nbg-cluster[data-id='layer1']")).to_have_count(1)
    expect(resnet.locator(".nbg-node")).to_have_count(before - 1 + 3)
    # the identical blocks layer1.1 and layer1.2 carry the ×2 repeat mark
    expect(resnet.locator(".nbg-node[data-id='layer1.1'] .nbg-rep")).to_have_text("×2")
    expect(resnet.locator(".nbg-bandlabel")).to_have_text("2 × Bottleneck")  # grouped in one band
    resnet.locator(".nbg-node[data-id='layer1.0']").dblclick()
    expect(resnet.locator(".nbg-cluster[data-id='layer1.0']")).to_have_count(1)
    assert node_count(page) > before + 2 + 8
    page.wait_for_timeout(400)  # the re-layout animation

    # search + Enter brings a node into view; clicking it shows its type, parameters and shapes
    search = resnet.locator(".nbg-search")
    search.fill("layer1.0.conv2")
    search.press("Enter")
    search.press("Escape")
    page.wait_for_timeout(200)
    resnet.locator(".nbg-node[data-id='layer1.0.conv2']").click()
    panel = resnet.locator(".nbg-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Conv2d")
    expect(panel).to_contain_text("36,864")  # 64·64·3·3 weights
    expect(panel).to_contain_text("1×64×16×16")
    page.mouse.move(0, 0)
    resnet.screenshot(path=str(artifacts / "graph-view-lab.png"))

    # search highlights matches, also inside closed modules (their module is marked)
    resnet.locator(".nbg-search").fill("downsample")
    expect(resnet.locator(".nbg-count")).to_contain_text("match")
    expect(resnet.locator(".nbg-node.nbg-match").first).to_be_visible()
    assert resnet.locator(".nbg-node.nbg-match[data-id='layer2']").count() == 1
    page.wait_for_timeout(300)
    resnet.screenshot(path=str(artifacts / "graph-search-lab.png"))

    # Enter jumps to the first match, opening the modules around it
    resnet.locator(".nbg-search").press("Enter")
    expect(resnet.locator(".nbg-node.nbg-selected[data-id='layer1.0.downsample']")).to_have_count(1)
    expect(resnet.locator(".nbg-panel")).to_contain_text("Sequential")
    resnet.locator(".nbg-search").fill("")

    # double-click an open module's header closes it again
    resnet.locator(".nbg-btn", has_text="Fit").click()
    header = resnet.locator(".nbg-cluster[data-id='layer1'] .nbg-chead")
    header.dblclick()
    expect(resnet.locator(".nbg-node[data-id='layer1']")).to_have_count(1)

    # the SVG download: a standalone SVG with the theme's colours resolved
    with page.expect_download() as dl:
        resnet.locator(".nbg-btn", has_text="SVG").click()
    svg = open(dl.value.path(), encoding="utf-8").read()
    assert svg.startswith("<svg") and "layer4" in svg
    assert set(re.findall(r"var\((--[\w-]+)", svg)) <= {"--nbg-cat"}  # set inside the file itself
    with page.expect_download() as dl:
        resnet.locator(".nbg-btn", has_text="PNG").click()
    assert open(dl.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"

    # untrusted module names are text, never markup
    evil = page.locator(VIEW).nth(1)
    evil.locator(".nbg-node").first.wait_for()
    expect(evil).to_contain_text("<b>bold</b>")
    assert evil.locator("b, img").count() == 0
    assert page.evaluate("() => window.__nbg_xss") is None
    assert page.errors == []  # type: ignore[attr-defined]


def test_graph_dark_theme(page: Page, jupyter_server, artifacts, tmp_path):
    jupyter_server.set_theme("JupyterLab Dark")
    try:
        cell = textwrap.dedent(f"""
            import torch
            from nbboard import SummaryWriter
            from nbboard.kinds.graph.view import Graph
            from tests.test_graph import ResNet50
            w = SummaryWriter({str(tmp_path / 'run')!r})
            w.add_graph(ResNet50().eval(), torch.randn(1, 3, 64, 64))
            Graph(w, expand=["layer2", "layer2.0"])
        """)
        nb = jupyter_server.notebook("graph-dark.ipynb", [cell])
        open_notebook(page, jupyter_server.lab(nb))
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        run_cell(page)
        view = page.locator(VIEW).first
        view.locator(".nbg-cluster[data-id='layer2.0']").wait_for(timeout=90_000)
        page.wait_for_timeout(300)
        view.screenshot(path=str(artifacts / "graph-view-dark.png"))
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        jupyter_server.set_theme("JupyterLab Light")


def test_onnx_graph_renders_and_expands(page: Page, jupyter_server, artifacts, tmp_path):
    """add_onnx_graph's record in the same view: exporter scopes as modules, repeated blocks marked."""
    cell = textwrap.dedent(f"""
        import warnings, torch
        from nbboard import SummaryWriter
        from nbboard.kinds.graph.view import Graph
        from tests.test_onnx_graph import Net
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Net().eval(), (torch.zeros(2, 1, 12, 12),), {str(tmp_path / 'net.onnx')!r}, dynamo=False,
                              input_names=["x"], output_names=["logits"])
        w = SummaryWriter({str(tmp_path / 'run')!r})
        w.add_onnx_graph({str(tmp_path / 'net.onnx')!r})
        Graph(w)
    """)
    nb = jupyter_server.notebook("onnx-graph.ipynb", [cell])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    view = page.locator(VIEW).first
    view.locator(".nbg-node").first.wait_for(timeout=90_000)
    # x, stem, layer1 (closed), pool, Flatten, fc, logits
    expect(view.locator(".nbg-node")).to_have_count(7)
    expect(view.locator(".nbg-node.nbg-group")).to_have_count(1)
    view.locator(".nbg-node[data-id='layer1']").dblclick()
    expect(view.locator(".nbg-cluster[data-id='layer1']")).to_have_count(1)
    expect(view.locator(".nbg-bandlabel")).to_have_text("2 × Conv·Add·Relu")  # the two identical blocks
    view.locator(".nbg-node[data-id='stem']").click()
    panel = view.locator(".nbg-panel")
    expect(panel).to_contain_text("Conv")
    expect(panel).to_contain_text("kernel_shape")
    expect(panel).to_contain_text("8×1×3×3")
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)
    view.screenshot(path=str(artifacts / "graph-view-onnx.png"))
    assert page.errors == []  # type: ignore[attr-defined]


BOARD_CELL = textwrap.dedent("""
    import torch
    from torch import nn
    from nbboard import SummaryWriter, Board
    from tests.test_graph import SeedNet, Tutorial
    root = {root!r}
    for lr, model, x in (("lr_0.1", Tutorial(), torch.zeros(4, 1, 8, 8)), ("lr_0.01", SeedNet(), torch.zeros(1, 1, 28, 28))):
        with SummaryWriter(f"{{root}}/{{lr}}") as w:
            for s in range(5):
                w.add_scalar("loss", 1.0 / (s + 1), s)
            w.add_graph(model, x)
    # a fresh read of the logdir, as %nbboard --logdir does: the graphs come from the files
    Board(root)
""")


def test_board_graph_tab_runs_and_shared_module(page: Page, jupyter_server, artifacts, tmp_path):
    """Issue 14: the Board's Graph tab (graph bundle imported only when opened), each run's graph
    read from disk as it was logged, a run selector, and the tutorial's MaxPool shown as one module
    called twice (both calls marked; selecting one highlights the other)."""
    later = textwrap.dedent("""
        with SummaryWriter(f"{root}/lr_1") as w:
            w.add_graph(nn.Sequential(nn.Linear(4, 3)), torch.zeros(1, 4))
    """)
    nb = jupyter_server.notebook("board-graph.ipynb", [BOARD_CELL.format(root=str(tmp_path / "runs")), later])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    board = page.locator(".jp-OutputArea-output .nbb-board").first
    tab = board.locator(".nbb-tab[data-kind='graph']")
    tab.wait_for(timeout=90_000)
    expect(board.locator(".nbb-scalars")).to_be_visible()
    bundles = "() => Object.keys(globalThis.__nbboard__.runtimes).filter(d => d.startsWith('graph-')).length"
    # the Board holds graphs, but the graph bundle waits for its tab
    assert page.evaluate(bundles) == 0, page.evaluate("() => Object.keys(globalThis.__nbboard__.runtimes)")
    tab.click()
    graph = board.locator(".nbb-v-graph .nbg")
    graph.locator(".nbg-node").first.wait_for(timeout=30_000)
    assert page.evaluate(bundles) == 1

    # two runs have a graph: a run selector, runs by name; lr_0.01 (SeedNet) first, whichever came first
    runs = graph.locator(".nbg-run")
    expect(runs.locator("option")).to_have_count(2)
    assert runs.locator("option").all_text_contents() == ["lr_0.01", "lr_0.1"]
    expect(runs).to_be_visible()
    expect(graph.locator(".nbg-title")).to_contain_text("SeedNet")
    runs.select_option("lr_0.1")
    # read from disk, the graph is the one logged: module names, parameters, the trace method
    expect(graph.locator(".nbg-title")).to_contain_text("Tutorial")
    expect(graph.locator(".nbg-title")).to_contain_text("params · via fx")
    expect(graph.locator(".nbg-node[data-id='conv1'] .nbg-l1")).to_have_text("conv1")

    # the MaxPool called twice: one module, both calls marked, each leading to the other
    pool, pool2 = graph.locator(".nbg-node[data-id='pool']"), graph.locator(".nbg-node[data-id='pool:1']")
    expect(pool.locator(".nbg-callmark")).to_have_text("↻ 1/2")
    expect(pool2.locator(".nbg-callmark")).to_have_text("↻ 2/2")
    pool.click()
    expect(pool2).to_have_class(re.compile(r"\bnbg-same\b"))
    panel = graph.locator(".nbg-panel")
    expect(panel).to_contain_text("one module called 2 times, parameters shared; this is call 1")
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    board.screenshot(path=str(artifacts / "board-graph-shared-module.png"))
    panel.locator(".nbg-link", has_text="pool:1").first.click()
    expect(pool2).to_have_class(re.compile(r"\bnbg-selected\b"))
    expect(pool).to_have_class(re.compile(r"\bnbg-same\b"))
    expect(pool2).not_to_have_class(re.compile(r"\bnbg-same\b"))

    # a run logging a graph later joins the selector while the tab is open; the run shown stays
    run_cell(page, 1)
    expect(runs.locator("option")).to_have_count(3, timeout=30_000)
    assert runs.locator("option").all_text_contents() == ["lr_0.01", "lr_0.1", "lr_1"]
    expect(runs).to_have_value("lr_0.1")
    runs.select_option("lr_1")
    expect(graph.locator(".nbg-title")).to_contain_text("Sequential")
    # back to the other run, and the Board's other tabs still work
    runs.select_option("lr_0.01")
    expect(graph.locator(".nbg-title")).to_contain_text("SeedNet")
    board.locator(".nbb-tab[data-kind='scalars']").click()
    expect(board.locator(".nbb-scalars")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]
