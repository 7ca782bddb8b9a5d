"""Export: notebook + logs → one offline HTML page; payload format; missing logs; zip; report; CLI."""

from __future__ import annotations

import base64
import json
import re
import shutil
import zipfile
import zlib
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nbboard import export
from nbboard.cli import main
from tests.export_data import MIME, every_view_notebook, notebook, write_logs


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return write_logs(tmp_path_factory.mktemp("export") / "logs")


def payloads(html: str) -> dict[str, tuple[dict, list]]:
    """The decoded payloads of an exported page, by id."""
    out = {}
    for tag, b64 in re.findall(r'(<script[^>]*application/x-nbboard-data[^>]*>)([^<]*)</script>', html):
        pid = re.search(r'id="nbb-data-(p\d+)"', tag).group(1)
        out[pid] = export.decode_payload(zlib.decompress(base64.b64decode(b64)))
    return out


def test_payload_round_trip_keeps_buffers_aligned():
    bufs = [np.arange(5, dtype=np.float64).tobytes(), b"abc", np.ones(3).tobytes()]
    blob = export.encode_payload({"kind": "scalars", "x": np.int64(3)}, [({"type": "scalars"}, bufs[:2]),
                                                                         ({"type": "t"}, bufs[2:])])
    head, msgs = export.decode_payload(blob)
    assert head["state"] == {"kind": "scalars", "x": 3} and head["runtime"] == "main"
    assert [b for _, bb in msgs for b in bb] == bufs
    (n,) = np.frombuffer(blob[4:8], dtype="<u4")
    base = (8 + int(n) + 7) & ~7
    for m in json.loads(blob[8:8 + int(n)])["messages"]:
        assert all((base + off) % 8 == 0 for off, _ in m["b"])


def test_every_view_exports_with_data_and_runtime_once(logs, tmp_path):
    nb = every_view_notebook(logs, tmp_path / "all.ipynb", missing=tmp_path / "gone")
    res = export.export_notebook(nb, tmp_path / "all.html")
    html = res.path.read_text()
    assert res.views == 14 and len(res.missing) == 1
    # the runtime and the graph runtime inlined once each; no widget manager, CDN or remote script
    assert html.count('data-name="main"') == 1 and html.count('data-name="graph"') == 1
    assert "plotly" not in re.findall(r'data-name="(\w+)"', html)
    assert not re.search(r'<script[^>]+src=', html)
    assert "application/vnd.jupyter.widget-state+json" not in html
    assert html.count('<script type="module">') == 1
    # the page may load only what it inlines: a Content-Security-Policy before any script or style
    csp = re.search(r'<meta(?=[^>]*http-equiv="Content-Security-Policy")[^>]*content="([^"]+)"[^>]*>', html)
    assert csp is not None and html.index(csp.group(0)) < min(html.index("<script"), html.index("<style"))
    assert "default-src 'none'" in csp.group(1) and "img-src data: blob:" in csp.group(1)
    assert "http" not in csp.group(1)
    # a clear message in place of the view whose logs are gone; the other views and plain outputs stay
    assert "is gone, so this view could not be exported" in html and str(tmp_path / "gone") in html
    assert "plain output" in html
    decoded = payloads(html)
    kinds = {}
    for head, msgs in decoded.values():
        kinds[head["state"]["kind"]] = msgs
    # (the profiler's export, which needs a real torch.profiler trace, is tests/browser/test_profiler_view.py's)
    assert set(kinds) == set(export.view_classes()) - {"video", "figures", "profiler"}
    # data travels as binary: scalar values are float64 buffers, not JSON text
    (content, bufs), *_ = [m for m in kinds["scalars"] if m[0]["type"] == "scalars"]
    assert sum(row[4] for row in content["series"]) * 24 == len(bufs[0])
    assert kinds["graph"][0][0]["type"] == "graph"
    assert any(m[0]["type"] == "records" and any(r[1] == "projector_coords" for r in m[0]["series"])
               for m in kinds["projector"])
    assert "0.36787944" not in html  # exp(-1) as float text would mean the data went as JSON


def test_saved_widget_state_ui_is_kept(logs, tmp_path):
    nb = notebook([("board", str(logs), {})])
    out = nb.cells[1].outputs[0]
    model_id = out.data["application/vnd.jupyter.widget-view+json"]["model_id"]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0, "state": {
        model_id: {"model_name": "AnyModel", "model_module": "anywidget", "model_module_version": "*",
                   "state": {"ui": {"tab": "images"}, "options": {"smoothing": 0.9}}}}}}
    path = tmp_path / "state.ipynb"
    nbformat.write(nb, path)
    html = export.export_notebook(path).path.read_text()
    ((head, _),) = payloads(html).values()
    assert head["state"]["ui"] == {"tab": "images"} and head["state"]["options"]["smoothing"] == 0.9


def test_logdir_that_moved_is_found(logs, tmp_path):
    moved = tmp_path / "project" / "logs"
    moved.parent.mkdir()

    shutil.copytree(logs, moved)
    gone = "/nowhere/else/project/logs"
    assert export.resolve_logdir(gone, tmp_path / "project") == str(moved.resolve())  # a moved project
    assert export.resolve_logdir(gone, tmp_path, [moved]) == str(moved.resolve())  # --logdir DIR
    assert export.resolve_logdir("logs", tmp_path / "project") == str(moved.resolve())  # relative
    assert export.resolve_logdir("/nowhere/at/all", tmp_path) is None


def test_zip_reopens_and_reexports_elsewhere(logs, tmp_path):
    src = tmp_path / "a"
    src.mkdir()
    every_view_notebook(logs, src / "nb.ipynb")
    z, missing = export.zip_notebook(src / "nb.ipynb", tmp_path / "nb.zip", logdirs=[str(logs)])
    assert missing == []
    with zipfile.ZipFile(z) as f:
        names = f.namelist()
        assert "nb.ipynb" in names and "nb.html" in names
        assert any(n.startswith("logs/logs/lr=0.1/events.out.tfevents") for n in names)
        f.extractall(tmp_path / "b")
    descs = [o.data[MIME] for c in nbformat.read(tmp_path / "b" / "nb.ipynb", 4).cells for o in c.get("outputs", [])
             if MIME in o.get("data", {})]
    assert {d["logdir"] for d in descs} == {"logs/logs"}
    res = export.export_notebook(tmp_path / "b" / "nb.ipynb")
    assert res.views == 14 and res.missing == []


def test_report_is_the_board_plus_graph_and_projector(logs, tmp_path, capsys):
    assert main(["report", str(logs), "-o", str(tmp_path / "r.html"), "--title", "My runs"]) == 0
    assert "exported 3 view(s)" in capsys.readouterr().out
    html = (tmp_path / "r.html").read_text()
    kinds = sorted(h["state"]["kind"] for h, _ in payloads(html).values())
    assert kinds == ["board", "graph", "projector"]
    assert "<title>My runs</title>" in html
    assert "Model graph — run <code>lr=0.1</code>" in html
    assert main(["report", str(logs), "-o", str(tmp_path / "e.html"), "--title", "<script>alert(1)</script>_x_"]) == 0
    evil = (tmp_path / "e.html").read_text()
    assert "<script>alert(1)" not in evil and "&lt;script&gt;alert(1)&lt;/script&gt;_x_" in evil
    assert main(["report", str(tmp_path / "none"), "-o", str(tmp_path / "x.html")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_export_and_zip(logs, tmp_path, capsys):
    nb = tmp_path / "n.ipynb"
    nbformat.write(notebook([("scalars", str(logs), {})]), nb)
    assert main(["export", str(nb), "-o", str(tmp_path / "o.html")]) == 0
    assert "exported 1 view(s)" in capsys.readouterr().out
    assert main(["export", str(nb), "--zip", str(tmp_path / "o.zip")]) == 0
    assert (tmp_path / "o.zip").exists()
    assert main(["export", str(tmp_path / "missing.ipynb")]) == 2
    assert "could not read the notebook" in capsys.readouterr().err


def test_view_without_logdir_or_unknown_kind_gets_a_message(tmp_path):
    nb = notebook([("scalars", "", {}), ("sparkles", "/tmp", {})])
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    res = export.export_notebook(path)
    html = res.path.read_text()
    assert res.views == 0 and len(res.missing) == 2
    assert "no logdir" in html and "cannot export a view of kind 'sparkles'" in html
    assert 'type="module"' not in html  # no views: no runtime at all


def test_magic_exports_the_named_notebook(logs, tmp_path, capsys):
    nb = tmp_path / "m.ipynb"
    nbformat.write(notebook([("scalars", str(logs), {})]), nb)
    export.magic([str(tmp_path / "m.html"), "--notebook", str(nb)])
    assert "exported 1 view(s)" in capsys.readouterr().out
    assert (tmp_path / "m.html").exists()
    with pytest.raises(ValueError, match="%nbboard export"):
        export.magic(["--bogus"])


def test_current_notebook_is_found_from_the_session(logs, tmp_path, monkeypatch):
    nb = tmp_path / "session.ipynb"
    nbformat.write(notebook([("scalars", str(logs), {})]), nb)
    monkeypatch.setenv("JPY_SESSION_NAME", str(nb))
    res = export.export_current_notebook()
    assert res.path == tmp_path / "session.html" and res.views == 1
    monkeypatch.setenv("JPY_SESSION_NAME", "Untitled.ipynb")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(export.ExportError, match="cannot tell which notebook"):
        export.current_notebook_path()


def test_plotly_is_inlined_once_and_only_with_figures(tmp_path):
    go = pytest.importorskip("plotly.graph_objects")
    from nbboard.writer import SummaryWriter

    w = SummaryWriter(str(tmp_path / "logs" / "a"))
    w.add_figure("fig/plotly", go.Figure(go.Scatter(x=[1, 2], y=[2, 1])), 0)
    w.close()
    nbformat.write(notebook([("figures", str(tmp_path / "logs"), {}), ("board", str(tmp_path / "logs"), {})]),
                   tmp_path / "f.ipynb")
    html = export.export_notebook(tmp_path / "f.ipynb").path.read_text()
    assert html.count('data-name="plotly"') == 1 and html.count('data-name="main"') == 1
    heads = [h for h, _ in payloads(html).values()]
    assert all(h["libs"] == ["plotly"] and h["state"]["_plotly"] == "IPY_MODEL_nbb-lib-plotly" for h in heads)


def test_export_waits_for_every_projection_including_2d_layouts(tmp_path):
    pytest.importorskip("sklearn")
    from nbboard.writer import SummaryWriter

    w = SummaryWriter(str(tmp_path / "logs" / "run"))
    w.add_embedding(np.random.default_rng(0).normal(size=(60, 8)).astype(np.float32), tag="emb")
    w.close()
    path = tmp_path / "p.ipynb"
    nbformat.write(notebook([("projector", str(tmp_path / "logs"), {"options": {"methods": ["pca", "tsne"]}})]), path)
    html = export.export_notebook(path).path.read_text()
    ((_, msgs),) = payloads(html).values()
    last: dict[str, str] = {}
    for content, _ in msgs:
        for row in content["series"]:
            if row[1] == "projector_coords":
                last.update({m["method"]: m["state"] for m in row[8]})
    assert set(last) == {"pca", "tsne", "tsne_2d"}
    assert all(s in ("done", "error") for s in last.values()), last


def test_zip_layout_gives_every_logdir_its_own_folder():
    nb_dir = Path("/x/nb")
    layout = export.zip_layout({"a": "/other/run", "b": "/x/nb/logs/run"}, nb_dir)
    assert layout == {"/other/run": "logs/run", "/x/nb/logs/run": "logs/run-2"}
    # a notebook-relative logdir inside a folder another logdir took moves out of it
    layout = export.zip_layout({"a": "/x/nb/logs", "b": "/q/w/e/r/run"}, nb_dir)
    assert layout == {"/x/nb/logs": "logs", "/q/w/e/r/run": "logs-2/run"}


def test_cli_zip_of_a_missing_notebook_is_one_error_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.ipynb"), "--zip", str(tmp_path / "x.zip")]) == 2
    err = capsys.readouterr().err
    assert "could not read the notebook" in err and "Traceback" not in err
    assert not (tmp_path / "x.zip").exists()


def test_cli_export_with_zip_renders_once_with_the_projection_timeout(logs, tmp_path, monkeypatch):
    nb = tmp_path / "n.ipynb"
    nbformat.write(notebook([("scalars", str(logs), {})]), nb)
    calls = []
    real = export.render_notebook
    for module in (export.notebook, export.bundle):  # every caller of render_notebook
        monkeypatch.setattr(module, "render_notebook", lambda *a, **k: calls.append(k) or real(*a, **k))
    assert main(["export", str(nb), "-o", str(tmp_path / "o.html"), "--zip", str(tmp_path / "o.zip"),
                 "--projection-timeout", "7"]) == 0
    assert [k["projection_timeout"] for k in calls] == [7.0]
    with zipfile.ZipFile(tmp_path / "o.zip") as z:
        assert z.read("n.html").decode() == (tmp_path / "o.html").read_text()
    calls.clear()
    assert main(["export", str(nb), "--zip", str(tmp_path / "p.zip"), "--projection-timeout", "7"]) == 0
    assert [k["projection_timeout"] for k in calls] == [7.0]
    assert not (tmp_path / "n.html").exists()


def test_json_text_descriptions_are_found_and_rewritten_in_the_zip(logs, tmp_path):
    nb = notebook([("scalars", str(logs), {})])
    out = nb.cells[1].outputs[0]
    out.data[MIME] = json.dumps(out.data[MIME])  # some tools store JSON mime data as text
    assert export.referenced_logdirs(nb) == [str(logs)]
    nbformat.write(nb, tmp_path / "t.ipynb")
    z, missing = export.zip_notebook(tmp_path / "t.ipynb", tmp_path / "t.zip", html_page=False,
                                     logdirs=[str(logs)])
    assert missing == []
    with zipfile.ZipFile(z) as f:
        back = nbformat.reads(f.read("t.ipynb").decode(), 4)
    assert back.cells[1].outputs[0].data[MIME]["logdir"] == "logs/logs"


def test_zip_packs_only_the_notebooks_own_logdirs_never_links_nor_itself(logs, tmp_path):
    """A notebook someone sent may name any folder: outside the notebook's folder a logdir needs
    --logdir; a link to a private file stays out; a zip written into a zipped folder skips itself."""
    project = tmp_path / "project"
    shutil.copytree(logs, project / "runs")
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (project / "runs" / "leak.txt").symlink_to(secret)
    (project / "runs" / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    outside = tmp_path / "elsewhere"
    shutil.copytree(logs, outside)
    nbformat.write(notebook([("scalars", ".", {}), ("scalars", str(outside), {})]), project / "n.ipynb")
    z, missing = export.zip_notebook(project / "n.ipynb", project / "n.zip", html_page=False)
    with zipfile.ZipFile(z) as f:
        names = f.namelist()
        data = b"".join(f.read(n) for n in names)
    assert b"private" not in data and not any("leak" in n or n.endswith(".zip") for n in names)
    assert any("runs/lr=0.1/events.out.tfevents" in n for n in names)
    assert not any("elsewhere" in n for n in names)
    assert any("outside the notebook's folder" in m and "elsewhere" in m for m in missing)
    assert sum("a link: not followed" in m for m in missing) == 2
    z2, missing2 = export.zip_notebook(project / "n.ipynb", tmp_path / "m.zip", html_page=False,
                                       logdirs=[str(outside)])  # named on the command line: packed
    assert not any("outside" in m for m in missing2)
    with zipfile.ZipFile(z2) as f:
        assert any("elsewhere/lr=0.1/events.out.tfevents" in n for n in f.namelist())


def test_unwritable_outputs_are_one_line_errors(logs, tmp_path, capsys):
    nb = tmp_path / "n.ipynb"
    nbformat.write(notebook([("scalars", str(logs), {})]), nb)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")  # a folder path through a file cannot be written, even by root
    for argv in (["export", str(nb), "-o", str(blocker / "o.html")],
                 ["export", str(nb), "--zip", str(blocker / "o.zip")],
                 ["report", str(logs), "-o", str(blocker / "r.html")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: cannot write") and "Traceback" not in err and err.count("\n") == 1
