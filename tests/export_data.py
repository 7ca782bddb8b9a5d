"""Logs of every kind and notebooks whose outputs describe nbboard views, for the export tests.

The notebooks are built without a kernel: each output carries only what a saved notebook keeps
(the widget-view reference and the nbboard JSON description), like a notebook saved without
widget state.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np

MIME = "application/vnd.nbboard+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: The views the test notebook shows (kind → extra description fields).
VIEWS: dict[str, dict] = {
    "board": {"options": {"smoothing": 0.3}},
    "scalars": {"options": {"tag_filter": "loss"}},
    "images": {}, "histograms": {}, "distributions": {}, "text": {}, "pr_curves": {}, "hparams": {},
    "audio": {}, "meshes": {}, "custom_scalars": {}, "alerts": {},
    "graph": {"run": "lr=0.1"},
    "projector": {"options": {"methods": ["pca"]}},
}


def write_logs(root: Path) -> Path:
    """Two runs logging every kind the views show (graph and embedding in the first); returns root."""
    from nbboard.writer import SummaryWriter

    rng = np.random.default_rng(0)
    for i, lr in enumerate((0.1, 0.01)):
        w = SummaryWriter(str(root / f"lr={lr}"))
        if i == 0:  # fires at step 0 (loss ≈ 1.0): kept in the run's alerts file
            w.add_alert("loss/train", above=0.9, name="loss above 0.9", action="none")
        for s in range(60):
            w.add_scalar("loss/train", float(np.exp(-s * lr) + 0.05 * rng.random()), s)
            w.add_scalar("loss/val", float(np.exp(-s * lr * 0.8) + 0.05), s)
        w.add_scalar("accuracy", 0.5 + 0.1 * i, 59)
        for s in range(3):
            w.add_images("samples/batch", rng.random((4, 3, 8, 8)).astype(np.float32), s)
            w.add_histogram("weights/dense", rng.normal(0.2 * s, 1.0, 500), s)
            w.add_text("notes", f"### Step {s} of lr={lr}\n\n| metric | value |\n|---|---|\n| loss | {s} |\n\n"
                             "a web beacon in logged text: ![pixel](http://tracker.example/p.png)", s)
        labels = rng.random(200) > 0.5
        w.add_pr_curve("pr/class_a", labels, np.clip(labels * 0.6 + rng.random(200) * 0.5, 0, 1), 0)
        w.add_audio("sound/tone", np.sin(np.linspace(0, 400 * np.pi, 8000)).astype(np.float32) * 0.3, 0,
                    sample_rate=8000)
        verts = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], dtype=np.float32)
        w.add_mesh("mesh/tetra", verts, faces=np.array([[[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]]),
                   global_step=0)
        w.add_hparams({"lr": lr, "optimizer": "sgd"}, {"hparam/accuracy": 0.5 + 0.1 * i}, run_name="hp")
        if i == 0:
            w.add_custom_scalars({"Training": {"losses": ["Multiline", ["loss/train", "loss/val"]]}})
            import torch

            model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
            w.add_graph(model, torch.zeros(1, 4))
            # ten Gaussian clusters, one per label: what the page's t-SNE / UMAP must keep apart
            centres = np.random.default_rng(1).normal(size=(10, 16)) * 2.5
            emb = (rng.normal(size=(120, 16)) + centres[np.arange(120) % 10]).astype(np.float32)
            meta = [[str(k % 10), "even" if k % 2 == 0 else "odd"] for k in range(120)]
            w.add_embedding(emb, metadata=meta, metadata_header=["label", "parity"],
                            label_img=rng.random((120, 3, 8, 8)).astype(np.float32), tag="features")
            w.store.alerts.tick()  # evaluated now (the alerts thread would within 50 ms)
        w.close()
    return root


def view_output(kind: str, logdir: str, **extra) -> nbformat.NotebookNode:
    """A display_data output as a saved notebook holds it for an nbboard view (no widget state)."""
    desc = {"kind": kind, "logdir": logdir, "runs": [], "tags": [], "options": {}, **extra}
    return nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"version_major": 2, "version_minor": 1, "model_id": f"{kind}-model-0000"},
        "text/plain": f"{kind.title()}(...)",
        MIME: desc,
    })


def notebook(views: list[tuple[str, str, dict]], title: str = "Export test") -> nbformat.NotebookNode:
    """A notebook with a markdown title and one code cell per (kind, logdir, extra) view."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\nSome *markdown* before the views."))
    for n, (kind, logdir, extra) in enumerate(views):
        cell = nbformat.v4.new_code_cell(f"show_{kind}()", execution_count=n + 1)
        cell.outputs = [view_output(kind, logdir, **extra)]
        nb.cells.append(cell)
    plain = nbformat.v4.new_code_cell("print('plain output')", execution_count=len(views) + 1)
    plain.outputs = [nbformat.v4.new_output("stream", name="stdout", text="plain output\n")]
    nb.cells.append(plain)
    return nb


def every_view_notebook(logdir: Path, path: Path, missing: Path | None = None) -> Path:
    """Write a notebook showing every view of `logdir` (and a Board of `missing`, when given)."""
    views = [(k, str(logdir), dict(extra)) for k, extra in VIEWS.items()]
    if missing is not None:
        views.insert(1, ("board", str(missing), {}))
    nbformat.write(notebook(views), path)
    return path
