"""tensorboardX's writer API on nbboard's SummaryWriter, from its documented behaviour: logdir=,
write_to_disk=False, export_scalars_to_json, add_hparams(name=), non-square sprites,
GlobalSummaryWriter — beside torch's names, which keep working."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import nbboard
from nbboard import InputError, Store, SummaryWriter
from tests.tb import accumulator


def test_logdir_keyword_and_positional_write_to_disk(tmp_path):
    w = SummaryWriter(logdir=str(tmp_path / "x"), store=Store())
    assert w.get_logdir() == str(tmp_path / "x")
    w.close()
    with pytest.raises(InputError, match="not both"):
        SummaryWriter(str(tmp_path / "a"), logdir=str(tmp_path / "b"))
    with pytest.raises(InputError, match="write_to_disk"):
        SummaryWriter(str(tmp_path / "c"), write_to_disk="no")


def test_write_to_disk_false_keeps_the_store_and_writes_no_file(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path / "run"), "", None, 10, 120, "", False, store=store)
    w.add_scalar("x", 1.0, 0)
    w.add_scalars("m", {"a": 1.0}, 0)
    w.add_image("img", np.zeros((3, 4, 4)), 0)
    w.add_histogram("h", np.arange(10.0), 0)
    w.add_hparams({"lr": 0.1}, {"hp/m": 1.0}, name="hp")
    w.add_embedding(torch.randn(5, 3), metadata=list("abcde"))
    w.flush()
    w.close()
    assert not (tmp_path / "run").exists()
    key = w._key
    assert len(store.series_for(key, "x", "scalars")) == 1
    assert len(store.series_for(key, "h", "histograms")) == 1
    assert len(store.series_for(key, "img", "images")) == 1
    assert store.plugin_record(store._name(key), "hparams") is None  # hparams: in its sub-run
    assert any(r.endswith("hp") for r in store.runs())


def test_export_scalars_to_json_like_tensorboardx(tmp_path):
    w = SummaryWriter(str(tmp_path / "run"), store=Store())
    w.add_scalar("loss", 0.5, 0, walltime=10.0)
    w.add_scalars("m", {"a": 1.0, "b": 2.0}, 3, walltime=11.0)
    w.export_scalars_to_json(str(tmp_path / "all.json"))
    got = json.loads((tmp_path / "all.json").read_text())
    assert got["loss"] == [[10.0, 0, 0.5]]
    assert got[str(tmp_path / "run" / "m_a")] == [[11.0, 3, 1.0]]
    w.add_scalar("loss", 0.25, 1, walltime=12.0)
    w.export_scalars_to_json(str(tmp_path / "next.json"))  # only what came since, like tensorboardX
    assert json.loads((tmp_path / "next.json").read_text()) == {"loss": [[12.0, 1, 0.25]]}
    w.close()


def test_add_hparams_name_keyword_and_positional(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_hparams({"lr": 0.1}, {"hp/a": 1.0}, name="by-keyword")
    w.add_hparams({"lr": 0.2}, {"hp/a": 2.0}, "by-position")  # tensorboardX's third argument
    w.add_hparams({"lr": 0.3}, {"hp/a": 3.0}, run_name="by-torch-name")
    w.close()
    st = nbboard.load(str(tmp_path), progress=False)
    assert {r: st.hparams(r).hparams["lr"] for r in st.runs() if st.hparams(r)} == {
        "by-keyword": 0.1, "by-position": 0.2, "by-torch-name": 0.3}
    with pytest.raises(InputError, match="not both"):
        w.add_hparams({"lr": 0.1}, {"hp/a": 1.0}, run_name="x", name="y")


def test_non_square_sprites(tmp_path):
    w = SummaryWriter(str(tmp_path), store=Store())
    w.add_embedding(torch.randn(6, 4), label_img=torch.rand(6, 3, 8, 12))
    w.close()
    cfg = (tmp_path / "projector_config.pbtxt").read_text()
    assert "single_image_dim: 12" in cfg and "single_image_dim: 8" in cfg
    from PIL import Image

    sprite = next(tmp_path.rglob("sprite.png"))
    width, height = Image.open(sprite).size
    assert width == 3 * 12 and height >= 3 * 8  # ceil(sqrt(6)) = 3 a row; padded square like torch


def test_global_summary_writer_counts_steps_per_tag(tmp_path, monkeypatch):
    g = nbboard.GlobalSummaryWriter(str(tmp_path), store=Store())
    for v in (0.1, 0.2, 0.3):
        g.add_scalar("loss", v)
    g.add_text("note", "hi")
    g.add_text("note", "again")
    g.add_image("img", np.zeros((3, 2, 2)))
    g.add_histogram("h", np.arange(4.0))
    assert g.file_writer.get_logdir() == str(tmp_path)
    g.close()
    ea = accumulator(tmp_path)
    assert [e.step for e in ea.Scalars("loss")] == [0, 1, 2]
    assert [e.step for e in ea.Tensors("note/text_summary")] == [0, 1]
    monkeypatch.chdir(tmp_path)  # the global writer writes under ./runs, like tensorboardX's
    from nbboard import global_writer

    monkeypatch.setattr(global_writer, "_writer", None)
    one = nbboard.GlobalSummaryWriter.getSummaryWriter()
    assert one is nbboard.GlobalSummaryWriter.getSummaryWriter()
    assert one.smw.get_logdir().startswith("runs")
    one.close()


def test_tensorboardx_only_arguments(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("x", 1.0, 0, display_name="X", summary_description="the x")
    vid = np.random.default_rng(0).random((1, 3, 8, 6, 3))  # N T H W C
    w.add_video("v", vid, 0, dataformats="NTHWC")
    w.add_video("v2", vid.transpose(0, 1, 4, 2, 3), 0)  # the same video as NTCHW
    with pytest.raises(InputError, match="dataformats must order"):
        w.add_video("v", vid, 1, dataformats="NTHW")
    with pytest.raises(InputError, match="one of them"):
        w.add_onnx_graph()
    w.close()
    a = store.series_for(w._key, "v", "videos").values[0]
    b = store.series_for(w._key, "v2", "videos").values[0]
    assert a.encoded == b.encoded
