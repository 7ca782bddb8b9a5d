"""add_mesh: the <tag>_VERTEX/_FACE/_COLOR tensors and MeshPluginData torch writes, parsed by
TensorBoard's mesh metadata functions, Store records, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tensorboard.plugins.mesh import metadata as mesh_metadata
from tensorboard.util.tensor_util import make_ndarray

from nbboard.kinds.mesh import write as m
from nbboard.kinds.mesh.record import MeshData
from tests.torch_parity import assert_rejected, log_both

VERTS = torch.tensor([[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]], dtype=torch.float).unsqueeze(0)
COLORS = torch.tensor([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]], dtype=torch.int).unsqueeze(0)
FACES = torch.tensor([[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]], dtype=torch.int).unsqueeze(0)


def test_round_trip_matches_torch(tmp_path, store):
    cloud = torch.rand(2, 50, 3)
    cloud_colors = torch.randint(0, 256, (2, 50, 3), dtype=torch.uint8)
    cfg = {"camera": {"cls": "PerspectiveCamera", "fov": 75}, "lights": [{"cls": "AmbientLight"}]}

    def log(w):
        w.add_mesh("tetra", vertices=VERTS, colors=COLORS, faces=FACES, global_step=1)
        w.add_mesh("tetra", vertices=VERTS * 2, colors=COLORS, faces=FACES, global_step=2)
        w.add_mesh("cloud", cloud, colors=cloud_colors, config_dict=cfg, global_step=0)
        w.add_mesh("bare", cloud.numpy(), global_step=5)

    ours, a, b = log_both(tmp_path, store, log)
    tags = ["bare_VERTEX", "cloud_COLOR", "cloud_VERTEX", "tetra_COLOR", "tetra_FACE", "tetra_VERTEX"]
    assert sorted(a.Tags()["tensors"]) == sorted(b.Tags()["tensors"]) == tags
    for tag in tags:
        ma, mb = a.SummaryMetadata(tag), b.SummaryMetadata(tag)
        assert ma.plugin_data.plugin_name == mb.plugin_data.plugin_name == "mesh"
        pa = mesh_metadata.parse_plugin_metadata(ma.plugin_data.content)
        pb = mesh_metadata.parse_plugin_metadata(mb.plugin_data.content)
        assert pa == pb
        ea, eb = a.Tensors(tag), b.Tensors(tag)
        assert [e.step for e in ea] == [e.step for e in eb]
        for ta, tb in zip(ea, eb):
            xa, xb = make_ndarray(ta.tensor_proto), make_ndarray(tb.tensor_proto)
            assert xa.dtype == xb.dtype == np.float32
            np.testing.assert_array_equal(xa, xb)
    meta = mesh_metadata.parse_plugin_metadata(a.SummaryMetadata("cloud_VERTEX").plugin_data.content)
    assert list(meta.shape) == [2, 50, 3] and meta.name == "cloud"
    assert meta.components == (1 << 1) | (1 << 3)
    s = store.select(ours)
    assert sorted(s.tags(".")["mesh"]) == ["bare", "cloud", "tetra"]
    series = s.meshes(".", "tetra")
    assert series.steps.tolist() == [1, 2]
    rec = series[0]
    assert isinstance(rec, MeshData)
    assert rec.vertices.dtype == np.float32 and rec.vertices.shape == (1, 4, 3)
    assert rec.faces.dtype == np.int32 and rec.faces.tolist() == FACES.tolist()
    assert rec.colors.dtype == np.uint8 and rec.colors.tolist() == COLORS.tolist()
    assert s.meshes(".", "cloud")[0].config == cfg
    bare = s.meshes(".", "bare")[0]
    assert bare.colors is None and bare.faces is None


def test_float_colors_in_unit_range_are_scaled_and_2d_gets_a_batch():
    rec = m.make_mesh(np.zeros((3, 3)), colors=np.array([[0.0, 0.5, 1.0]] * 3))
    assert rec.vertices.shape == (1, 3, 3)
    assert rec.colors.tolist() == [[[0, 128, 255]] * 3]
    rec = m.make_mesh(np.zeros((1, 2, 3)), colors=np.full((1, 2, 3), 200.0))
    assert rec.colors.max() == 200


def test_input_is_copied():
    v = np.zeros((1, 3, 3), dtype=np.float32)
    rec = m.make_mesh(v)
    v[:] = 9
    assert rec.vertices.max() == 0


BAD = [
    (lambda w: w.add_mesh("m", VERTS, colors=COLORS[:, :3]), ["add_mesh", "colors", "(1, 3, 3)", "(1, 4, 3)"]),
    (lambda w: w.add_mesh("m", VERTS, colors=COLORS.repeat(2, 1, 1)), ["add_mesh", "colors", "vertices"]),
    (lambda w: w.add_mesh("m", VERTS[..., :2]), ["add_mesh", "vertices", "(B, N, 3)"]),
    (lambda w: w.add_mesh("m", torch.zeros(3)), ["add_mesh", "vertices", "(B, N, 3)"]),
    (lambda w: w.add_mesh("m", "points"), ["add_mesh", "vertices"]),
    (lambda w: w.add_mesh("m", VERTS * float("nan")), ["add_mesh", "vertices", "finite"]),
    (lambda w: w.add_mesh("m", VERTS, colors=COLORS * 2), ["add_mesh", "colors", "[0, 255]"]),
    (lambda w: w.add_mesh("m", VERTS, faces=FACES + 4), ["add_mesh", "faces", "[0, 3]"]),
    (lambda w: w.add_mesh("m", VERTS, faces=FACES.repeat(2, 1, 1)), ["add_mesh", "faces", "batch"]),
    (lambda w: w.add_mesh("m", VERTS, faces=FACES.float() + 0.5), ["add_mesh", "faces", "integer"]),
    (lambda w: w.add_mesh("m", VERTS, config_dict={"f": object()}), ["add_mesh", "config_dict", "JSON"]),
    (lambda w: w.add_mesh("m", VERTS, config_dict="cfg"), ["add_mesh", "config_dict", "dict"]),
]


@pytest.mark.parametrize("call,words", BAD)
def test_bad_input_is_rejected_and_changes_nothing(tmp_path, store, call, words):
    assert_rejected(tmp_path, store, call, words,
                    then=lambda w: w.add_mesh("m", VERTS, colors=COLORS, faces=FACES, global_step=1))
