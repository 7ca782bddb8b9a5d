"""The notebooks in nbboard/notebooks/ run headless (nbclient, a kernel on this interpreter) without errors,
and export to offline HTML: the quickstart through `nbboard demo`, the other through `%nbboard export`."""

from __future__ import annotations

import shutil

import nbformat

from nbboard.cli import main
from nbboard.demo import NOTEBOOKS, run_notebook

MIME = "application/vnd.nbboard+json"


def descriptions(nb) -> list[dict]:
    return [o["data"][MIME] for c in nb.cells for o in c.get("outputs", []) if MIME in o.get("data", {})]


def text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_quickstart_runs_and_exports_through_the_demo(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    html = tmp_path / "quickstart.html"
    assert f"Open it: {html}" in out and "make lab" in out
    nb = nbformat.read(tmp_path / "quickstart.ipynb", 4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    kinds = [d["kind"] for d in descriptions(nb)]
    assert kinds == ["images", "graph", "board", "pr_curves", "projector"]
    assert "lr=0.05: validation loss" in text(nb) and "lr=0.01: validation loss" in text(nb)
    board = next(d for d in descriptions(nb) if d["kind"] == "board")
    assert board["logdir"] == str(tmp_path / "runs" / "quickstart")
    page = html.read_text()
    assert page.count('data-nbb-payload="') == 5 and 'class="nbb-export-missing"' not in page
    assert html.stat().st_size < 3_000_000
    import nbboard
    GRAPHS = "graphs"
    HPARAMS = "hparams"
    PROJECTOR = "projector"

    store = nbboard.load(str(tmp_path / "runs" / "quickstart"))
    assert {"lr_0.05", "lr_0.01", "lr_0.05/loss_validation", "lr_0.01/hparams"} <= set(store.runs())
    tags = store.tags("lr_0.05")
    assert len(tags["pr_curves"]) == 10 and "weights/features.0.weight" in tags["histograms"]
    assert GRAPHS in tags and PROJECTOR in tags and HPARAMS in store.tags("lr_0.05/hparams")


def test_watch_another_process_and_magic_export(tmp_path):
    nb = run_notebook(NOTEBOOKS / "watch-another-process.ipynb", tmp_path / "watch.ipynb", cwd=tmp_path,
                      timeout=300)
    assert [d["kind"] for d in descriptions(nb)] == ["board"]
    out = text(nb)
    assert "lr_0.1: 60 steps" in out and "lr_0.01: 60 steps" in out
    assert (tmp_path / "runs" / "other-process" / "lr_0.1").is_dir()
    # %nbboard export, in a kernel, of the saved notebook
    exporter = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext nbboard"),
        nbformat.v4.new_code_cell("%nbboard export watch.html --notebook watch.ipynb"),
    ])
    nbformat.write(exporter, tmp_path / "exporter.ipynb")
    done = run_notebook(tmp_path / "exporter.ipynb", cwd=tmp_path, timeout=120)
    assert "exported 1 view(s)" in text(done)
    page = (tmp_path / "watch.html").read_text()
    assert page.count('data-nbb-payload="') == 1 and 'class="nbb-export-missing"' not in page
    shutil.rmtree(tmp_path / "runs")  # the logs are gone: the view becomes a message, the rest exports
    assert main(["export", str(tmp_path / "watch.ipynb"), "-o", str(tmp_path / "gone.html")]) == 0
    assert "is gone" in (tmp_path / "gone.html").read_text()
