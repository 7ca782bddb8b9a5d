"""The record views' data path without a browser: every kind logged by a writer → binary snapshot → deltas."""

from __future__ import annotations

import io
import json
import wave

import numpy as np
import pytest

from nbboard import Audio, Video
from nbboard.kinds.custom_scalars.view import CustomScalars
from nbboard.kinds.figures.library import plotly_source
from nbboard.kinds.figures.view import Figures
from nbboard.kinds.histograms.view import Distributions, Histograms
from nbboard.kinds.hparams.view import HParams
from nbboard.kinds.images.view import Images
from nbboard.kinds.mesh.view import Meshes
from nbboard.kinds.pr_curves.view import PRCurves
from nbboard.kinds.text.view import Text
from nbboard.store import Store
from nbboard.widgets.base import Pusher, page_library
from nbboard.widgets.board import Board
from nbboard.widgets.feeds import ALL_KINDS, ALL_PLUGINS, RecordFeed
from nbboard.writer import SummaryWriter

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>[x](javascript:window.__xss=3)'


def decode(content: dict, buffers: list) -> dict:
    """What js/src/lib/records.ts makes of a records message: (run, tag) -> row with parts sliced out."""
    assert content["type"] == "records"
    assert len(buffers) == len(content["series"])
    out = {}
    for (sid, kind, run, tag, start, reset, steps, walls, metas), buf in zip(content["series"], buffers):
        buf = bytes(buf)
        assert len(buf) % 8 == 0
        recs = []
        for meta in metas:
            parts = []
            for off, n in meta["p"]:
                assert off % 8 == 0
                parts.append(buf[off:off + n])
            recs.append((meta, parts))
        assert len(steps) == len(walls) == len(metas)
        out[(run, tag)] = {"id": sid, "kind": kind, "start": start, "reset": reset, "steps": steps, "recs": recs}
    return out


@pytest.fixture
def logged(tmp_path):
    """A writer that logged every kind once at steps 0 and 1, into its own Store."""
    import plotly.graph_objects as go

    store = Store(str(tmp_path))
    w = SummaryWriter(str(tmp_path / "run"), store=store)
    rng = np.random.default_rng(0)
    for step in range(2):
        w.add_image("img/one", rng.random((3, 8, 10)), step)
        w.add_images("img/batch", rng.random((5, 3, 4, 4)), step)
        w.add_image_with_boxes("img/boxes", rng.random((3, 20, 30)), np.array([[1, 2, 10, 12]]), step,
                               labels=[XSS])
        w.add_histogram("weights", rng.normal(size=500), step)
        w.add_text("notes", f"| a | b |\n|---|---|\n| {step} | {XSS} |", step)
        w.add_pr_curve("pr", rng.random(50) > 0.5, rng.random(50), step, num_thresholds=11)
        w.add_audio("sound", np.sin(np.linspace(0, 100, 800)), step, sample_rate=8000)
        w.add_video("clip", rng.random((1, 3, 3, 8, 8)), step, fps=2)
        w.add_mesh("cloud", rng.random((1, 30, 3)), colors=rng.integers(0, 255, (1, 30, 3)), global_step=step)
        w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_figure("plot", go.Figure(go.Bar(x=["a", "b"], y=[step, 2])), step)
    w.add_hparams({"lr": 0.1, "opt": XSS}, {"hparam/acc": 0.9}, run_name="sess")
    w.add_custom_scalars({"cat": {"losses": ["Multiline", ["loss"]]}})
    w.flush()
    yield w, store
    w.close()


def test_snapshot_holds_every_kind_with_its_parts(logged):
    _w, store = logged
    feed = RecordFeed(store, ALL_KINDS, ALL_PLUGINS)
    content, buffers = feed.poll()
    assert content.get("full") is True
    d = decode(content, buffers)
    kinds = {(run, tag): row["kind"] for (run, tag), row in d.items()}
    assert kinds == {("run", "img/one"): "images", ("run", "img/batch"): "images", ("run", "img/boxes"): "images",
                     ("run", "weights"): "histograms", ("run", "notes"): "text", ("run", "pr"): "pr_curves",
                     ("run", "sound"): "audio", ("run", "clip"): "videos", ("run", "cloud"): "mesh",
                     ("run", "plot"): "nbboard_plotly"}
    for row in d.values():
        assert row["steps"] == [0, 1] and row["start"] == 0 and len(row["recs"]) == 2

    meta, (png,) = d[("run", "img/one")]["recs"][0]
    assert png.startswith(b"\x89PNG") and (meta["w"], meta["h"], meta["c"]) == (10, 8, 3)
    meta, (png,) = d[("run", "img/batch")]["recs"][0]
    assert (meta["w"], meta["h"]) == (20, 4)  # five 4×4 images as one grid row, like torch
    meta, (png,) = d[("run", "img/boxes")]["recs"][0]
    assert meta["boxes"] == [[1, 2, 10, 12]] and meta["labels"] == [XSS]  # the page draws labels as text
    from PIL import Image
    assert Image.open(io.BytesIO(png)).size == (30, 20)  # the plain pixels: boxes are drawn by the page

    meta, (limits, counts) = d[("run", "weights")]["recs"][1]
    lim, cnt = np.frombuffer(limits), np.frombuffer(counts)
    assert len(lim) == len(cnt) and cnt.sum() == meta["num"] == 500

    meta, parts = d[("run", "notes")]["recs"][1]
    assert parts == [] and XSS in meta["text"]

    meta, (data,) = d[("run", "pr")]["recs"][0]
    pr = np.frombuffer(data).reshape(6, meta["n"])
    assert meta["n"] == 11 and np.all(pr[0] + pr[3] == pr[0, 0] + pr[3, 0])  # TP + FN = positives

    meta, (wav,) = d[("run", "sound")]["recs"][0]
    with wave.open(io.BytesIO(wav)) as f:
        assert f.getframerate() == 8000 and f.getnframes() == 800
    assert meta["sample_rate"] == 8000

    meta, (gif,) = d[("run", "clip")]["recs"][0]
    assert gif.startswith(b"GIF8") and meta["fmt"] == "gif" and meta["fps"] == 2

    meta, parts = d[("run", "cloud")]["recs"][0]
    assert meta["parts"] == ["vertices", "colors"] and meta["vertices"] == [1, 30, 3] and meta["faces"] is None
    assert len(parts[0]) == 30 * 3 * 4 and len(parts[1]) == 30 * 3

    plugins = content["plugins"]
    assert plugins["run/sess"]["hparams"]["hparams"] == {"lr": 0.1, "opt": XSS}
    assert plugins["run/sess"]["hparams"]["metrics"] == {"hparam/acc": 0.9}
    assert plugins["run"]["custom_scalars"]["categories"][0]["charts"][0] == {
        "title": "losses", "kind": "Multiline", "tags": ["loss"]}
    json.dumps(content)  # the content is plain JSON


def test_then_only_new_records_and_nothing_when_unchanged(logged):
    w, store = logged
    feed = RecordFeed(store, ALL_KINDS, ALL_PLUGINS)
    feed.poll()
    assert feed.poll() is None
    w.add_histogram("weights", np.arange(10.0), 2)
    w.add_text("other", "new tag", 0)
    content, buffers = feed.poll()
    d = decode(content, buffers)
    assert set(d) == {("run", "weights"), ("run", "other")}
    assert d[("run", "weights")]["start"] == 2 and d[("run", "weights")]["steps"] == [2]
    assert "full" not in content and content["plugins"] == {}
    assert feed.poll() is None


def test_reset_resends_everything_and_purge_resets_a_series(logged):
    _w, store = logged
    feed = RecordFeed(store, ALL_KINDS, ALL_PLUGINS)
    feed.poll()
    feed.reset()
    content, buffers = feed.poll()
    assert content["full"] and "run/sess" in content["plugins"] and len(decode(content, buffers)) == 10
    store.purge(store._key("run"), 1)
    d = decode(*feed.poll())
    assert d[("run", "weights")]["reset"] is True and d[("run", "weights")]["steps"] == [0]


def test_a_replaced_layout_is_sent_again(logged):
    w, store = logged
    feed = RecordFeed(store, (), ("custom_scalars",))
    assert feed.poll()[0]["plugins"]["run"]["custom_scalars"]["categories"][0]["title"] == "cat"
    assert feed.poll() is None
    w.add_custom_scalars_multilinechart(["loss"], category="more", title="again")
    cats = feed.poll()[0]["plugins"]["run"]["custom_scalars"]["categories"]
    assert [c["title"] for c in cats] == ["cat", "more"]


def test_large_snapshots_are_split_across_messages(tmp_path):
    store = Store(str(tmp_path))
    w = SummaryWriter(str(tmp_path / "r"), store=store)
    rng = np.random.default_rng(1)
    for step in range(20):
        w.add_image("noise", rng.random((3, 64, 64)), step)
    feed = RecordFeed(store, ("images",))
    got, msgs = 0, 0
    while (m := feed.poll(max_bytes=40_000)) is not None:
        row = decode(*m)[("r", "noise")]
        assert row["start"] == got
        got += len(row["recs"])
        msgs += 1
    assert got == 20 and msgs > 3
    w.close()


@pytest.mark.parametrize("cls,kind", [
    (Images, "images"), (Histograms, "histograms"), (Distributions, "distributions"), (Text, "text"),
    (PRCurves, "pr_curves"), (HParams, "hparams"), (Audio, "audio"), (Video, "video"), (Meshes, "meshes"),
    (CustomScalars, "custom_scalars"), (Figures, "figures"),
])
def test_each_view_feeds_its_own_kind(logged, cls, kind):
    w, store = logged
    sent: list = []
    v = cls(w, pusher=Pusher(start=False))
    v.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    assert v.kind == kind
    msg = v._poll()
    assert msg is not None
    msgs = sent + [msg]
    rec = [m for m in msgs if m[0]["type"] == "records"]
    assert rec, f"{cls.__name__} sent no records message"
    d = decode(*rec[0])
    if kind == "hparams":
        assert d == {} and "sess" in rec[0][0]["plugins"]  # runs named relative to the writer
    elif kind == "custom_scalars":
        assert [m[0]["type"] for m in msgs] == ["records", "scalars"]
        assert "custom_scalars" in rec[0][0]["plugins"]["."]
    else:
        expect = {"images": "images", "histograms": "histograms", "distributions": "histograms", "text": "text",
                  "pr_curves": "pr_curves", "audio": "audio", "video": "videos", "meshes": "mesh",
                  "figures": "nbboard_plotly"}[kind]
        assert {row["kind"] for row in d.values()} <= {expect}
    desc = v.describe()
    assert desc["kind"] == kind and desc["logdir"]
    v.close()


def test_board_sends_records_beside_scalars(logged):
    w, _store = logged
    b = Board(w, pusher=Pusher(start=False))
    sent: list = []
    b.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    assert b.push(force=True)
    types = [c["type"] for c, _ in sent]
    assert types == ["records", "scalars"]
    assert b._plotly is page_library("plotly")  # a plotly figure was logged: its tab needs plotly.js
    d = b.describe()
    assert "weights" in d["tags"] and "loss" in d["tags"]
    b.close()


def test_plotly_figures_and_the_lazy_library(tmp_path):
    go = pytest.importorskip("plotly.graph_objects")
    store = Store(str(tmp_path))
    w = SummaryWriter(str(tmp_path / "r"), store=store)
    w.add_scalar("x", 1.0, 0)
    b = Board(w, pusher=Pusher(start=False))
    b.send = lambda *a, **k: None
    b.push(force=True)
    assert b._plotly is None  # no plotly figure yet: plotly.js does not reach the page
    w.add_figure("fig", go.Figure(go.Scatter(x=[1, 2], y=[3, 1]), layout={"title": {"text": XSS}}), 0)
    feed = RecordFeed(store, ("nbboard_plotly",))
    d = decode(*feed.poll())
    meta, (js,) = d[("r", "fig")]["recs"][0]
    fig = json.loads(js.decode())
    assert fig["data"][0]["y"] == [3, 1] and fig["layout"]["title"]["text"] == XSS
    src = plotly_source()
    assert src.startswith("const module") and src.rstrip().endswith(";") and len(src) > 1_000_000
    lib = page_library("plotly")
    assert lib is page_library("plotly") and lib.digest.startswith("plotly-")
    b.push(force=True)
    assert b._plotly is lib  # attached once a plotly figure exists
    b.close()
    w.close()


def test_view_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="mode must be one of"):
        Histograms(Store(str(tmp_path)), mode="sideways", pusher=Pusher(start=False))
    with pytest.raises(ValueError, match="tags must be a regular expression"):
        Images(Store(str(tmp_path)), tags="(", pusher=Pusher(start=False))
    v = Histograms(Store(str(tmp_path)), mode="overlay", runs="a.*", pusher=Pusher(start=False))
    assert v.ui == {"histogram_mode": "overlay"} and v.options == {"run_filter": "a.*"}
    v.close()


def test_a_logdir_written_by_torch_feeds_the_views(tmp_path):
    """Views given a logdir read event files another writer (torch's) wrote, through the reader."""
    import time

    torch_tb = pytest.importorskip("torch.utils.tensorboard")
    w = torch_tb.SummaryWriter(str(tmp_path / "torchrun"))
    for s in range(3):
        w.add_histogram("h", np.random.randn(100), s)
        w.add_text("t", "hello **world**", s)
    w.add_hparams({"lr": 0.1}, {"hp/acc": 0.5})
    w.close()
    v = Text(str(tmp_path), pusher=Pusher(start=False))
    hp = HParams(str(tmp_path), pusher=Pusher(start=False))
    deadline = time.monotonic() + 20
    got: dict = {}
    plugins: dict = {}
    while time.monotonic() < deadline and not (got and plugins):
        m = v._poll()
        if m:
            got.update(decode(*m))
        m = hp._poll()
        if m:
            plugins.update(m[0]["plugins"])
        time.sleep(0.1)
    assert [r["steps"] for r in got.values()] == [[0, 1, 2]]
    assert next(iter(got.values()))["recs"][0][0]["text"] == "hello **world**"
    (session,) = plugins.values()
    assert session["hparams"]["hparams"] == {"lr": 0.1}
    v.close()
    hp.close()
