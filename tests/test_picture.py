"""Static pictures of views: what a saved notebook shows where no widget runs (nbconvert, GitHub,
nbviewer) and what a view whose kernel is gone still shows."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import numpy as np

from nbboard import Store, SummaryWriter
from nbboard.widgets.board import Board
from nbboard.widgets.picture import MAX_BYTES, picture, run_colors

SVG = "{http://www.w3.org/2000/svg}"


def _curves(svg: str) -> dict[str, list[tuple[float, float]]]:
    """run -> the points of its polyline(s), parsed from the SVG."""
    root = ET.fromstring(svg)
    out: dict[str, list[tuple[float, float]]] = {}
    for pl in root.iter(f"{SVG}polyline"):
        pts = [tuple(float(v) for v in p.split(",")) for p in pl.get("points", "").split()]
        out.setdefault(pl.get("data-run", ""), []).extend(pts)  # type: ignore[arg-type]
    return out


def _log(store: Store, logdir, runs=("a", "b"), steps=50) -> None:
    for k, run in enumerate(runs):
        w = SummaryWriter(f"{logdir}/{run}", store=store)
        for s in range(steps):
            w.add_scalar("loss", 10.0 - s * (k + 1) * 0.1, s)
        w.close()


def test_picture_draws_each_runs_curve_and_lists_other_kinds(tmp_path):
    store = Store(str(tmp_path))
    _log(store, tmp_path)
    w = SummaryWriter(f"{tmp_path}/a", store=store)
    w.add_image("digit", np.full((3, 8, 8), 0.5), 0)
    w.add_histogram("weights", np.arange(10.0), 0)
    w.close()
    svg = picture(store, "runs", None)
    curves = _curves(svg)
    assert set(curves) == {"a", "b"}
    # a falls half as fast as b: its last point is higher on the page (smaller y)
    assert curves["a"][-1][1] < curves["b"][-1][1]
    # x grows left to right, y of a decreasing series grows downwards
    xs = [p[0] for p in curves["b"]]
    assert xs == sorted(xs) and curves["b"][0][1] < curves["b"][-1][1]
    assert "Histograms: weights" in svg and "Images: digit" in svg
    assert "data:image/png;base64," in svg  # the newest image is in the picture
    assert run_colors(["a", "b"])["a"] in svg


def test_picture_is_bounded_and_escapes_logged_strings(tmp_path):
    store = Store(str(tmp_path))
    evil = '<script>alert(1)</script>"&'
    w = SummaryWriter(f"{tmp_path}/{'x'}", store=store)
    for t in range(40):
        w.add_scalars(f"m{t}", {"a": 1.0}, 0)
        for s in range(5_000):
            w.add_scalar(f"t{t:02d}", float(np.sin(s / 50.0)), s)
    w.add_scalar(evil, 1.0, 0)
    w.add_scalar(evil, 2.0, 1)
    w.close()
    svg = picture(store, evil, None)
    assert len(svg) <= MAX_BYTES
    assert "<script" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)  # well-formed
    assert re.search(r"\+ \d+ more scalar tags", svg)
    assert max(len(p) for p in _curves(svg).values()) < 12 * 700  # bucketed, not 5,000 points a chart


def test_the_output_bundle_carries_the_picture_and_it_follows_the_data(tmp_path):
    store = Store(str(tmp_path))
    board = Board(store)
    try:
        first = board._bundle()[0]
        assert "image/svg+xml" in first and "No data yet" in first["image/svg+xml"]
        assert board._snapshot == first["image/svg+xml"]  # kept for the saved widget state too
        _log(store, tmp_path)
        svg = board._bundle()[0]["image/svg+xml"]
        assert set(_curves(svg)) == {"a", "b"}
        assert board.snapshot() is board.snapshot()  # unchanged data: not drawn again
    finally:
        board.close()


def test_a_saved_notebook_shows_the_curves_without_javascript(tmp_path):
    """nbclient runs a notebook whose Board is shown before training; nbconvert (no JS, no widget
    state) then renders the picture the cell-end hook put in the Board's output."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    logdir = str(tmp_path / "runs")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"from nbboard import Board, SummaryWriter\nBoard({logdir!r})"),
        nbformat.v4.new_code_cell(
            f"w = SummaryWriter({logdir + '/lr_0.1'!r})\n"
            "for s in range(200):\n    w.add_scalar('loss', 1.0 / (1 + s), s)\nw.close()"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    (out,) = [o for o in nb.cells[0].outputs if "data" in o]
    svg = out["data"]["image/svg+xml"]
    assert "lr_0.1" in svg and set(_curves(svg)) == {"lr_0.1"}  # drawn after the training cell
    assert len(_curves(svg)["lr_0.1"]) > 50
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert "nbboard.widgets.board.Board object at" not in html
    m = re.search(r'data-mime-type="image/svg\+xml"[^>]*>\s*<img[^>]*src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert m, "the page shows the picture"
    shown = base64.b64decode(m.group(1)).decode()
    assert 'class="nbboard-picture"' in shown and set(_curves(shown)) == {"lr_0.1"}


def test_the_picture_colours_runs_as_the_page_does():
    from pathlib import Path

    from nbboard.widgets.picture import PALETTE

    ts = (Path(__file__).resolve().parent.parent / "js" / "src" / "lib" / "colors.ts").read_text()
    page = re.findall(r'"(#[0-9a-fA-F]{6})"', re.search(r"PALETTE[^=]*= \[(.*?)\];", ts, re.S).group(1))
    assert list(PALETTE) == page
