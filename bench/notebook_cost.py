"""What nbboard adds to a notebook saved with widget state: a notebook is executed with nbclient
(store_widget_state, as JupyterLab saves it) for a few sets of views, and the saved .ipynb's size
and the page code in it are printed. The page code ships per view set: the main runtime always,
the graph bundle only with a graph, the 3-D bundle (three.js) only with a projector or meshes,
plotly.js only with plotly figures. The last line is the same notebook had every bundle ridden in
one runtime (the layout before the split). Run: .venv/bin/python bench/notebook_cost.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

LOG = """
import numpy as np, torch
from nbboard import SummaryWriter, Board, Scalars, Graph, Projector
with SummaryWriter({logdir!r}) as w:
    for i in range(200):
        w.add_scalar('loss', 1 / (i + 1), i)
    if {graph}:
        w.add_graph(torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)),
                    torch.zeros(1, 8))
    if {emb}:
        w.add_embedding(np.random.default_rng(0).random((300, 16)), metadata=[str(i % 10) for i in range(300)])
"""

CASES = {
    "one scalar chart": ("display(Scalars({logdir!r}))", False, False),
    "a Board (scalars only)": ("display(Board({logdir!r}))", False, False),
    "a Board with a graph": ("display(Board({logdir!r}))", True, False),
    "a Board with a projector": ("display(Board({logdir!r}))", False, True),
    "Scalars + Graph + Projector + Board": (
        "display(Scalars({logdir!r})); display(Graph({logdir!r})); display(Projector({logdir!r})); "
        "display(Board({logdir!r}))", True, True),
}


def run(tmp: Path, show: str, graph: bool, emb: bool) -> tuple[int, dict[str, int]]:
    """The saved notebook's bytes and each page library's code bytes in it."""
    logdir = str(tmp / "runs")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(LOG.format(logdir=logdir, graph=graph, emb=emb)),
                nbformat.v4.new_code_cell(show.format(logdir=logdir)),
                # a Board reads its logdir on a thread: let it attach what it needs before the save
                nbformat.v4.new_code_cell("import time; time.sleep(2)")]
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    libs = {}
    for m in state.values():
        if "code" in m["state"]:
            digest = m["state"]["digest"]
            name = digest.split("-")[0] if "-" in digest else "runtime"
            libs[name] = len(json.dumps(m["state"]["code"]))
    path = tmp / "saved.ipynb"
    nbformat.write(nb, path)
    return path.stat().st_size, libs


def main() -> None:
    static = Path(__file__).resolve().parent.parent / "nbboard" / "static"
    print(f"{'views in the notebook':40s} {'saved .ipynb':>13s}   page code in it")
    for label, (show, graph, emb) in CASES.items():
        with tempfile.TemporaryDirectory() as d:
            size, libs = run(Path(d), show, graph, emb)
        parts = ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(libs.items()))
        print(f"{label:40s} {size / 1024:10.0f} KB   {parts}")
    one = sum(len(json.dumps((static / n).read_text())) for n in ("runtime.js", "graph.js", "scene3d.js"))
    print(f"{'(every bundle in one runtime, as before)':40s} {'':>13s}   runtime {one / 1024:.0f} KB in every notebook")


if __name__ == "__main__":
    main()
