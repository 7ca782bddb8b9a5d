"""add_pr_curve, add_pr_curve_raw: data identical to torch's compute_curve, read back by
TensorBoard's EventAccumulator and pr_curves metadata parser, Store records, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.plugins.pr_curve import metadata as pr_metadata
from tensorboard.util.tensor_util import make_ndarray
from torch.utils.tensorboard.summary import compute_curve as torch_compute_curve

from nbboard.kinds.pr_curves import write as m
from nbboard.kinds.pr_curves.record import PRCurveData
from tests.torch_parity import assert_rejected, log_both

RNG = np.random.default_rng(1)


@pytest.mark.parametrize("n", [1, 10, 1000, 200_000])
@pytest.mark.parametrize("num_thresholds", [2, 5, 127])
@pytest.mark.parametrize("weighted", [False, True])
def test_compute_curve_matches_torch(n, num_thresholds, weighted):
    labels = RNG.integers(0, 2, n)
    preds = RNG.random(n).astype(np.float32)
    preds[:2] = [0.0, 1.0][: min(n, 2)]
    weights = RNG.random(n) if weighted else None
    expected = torch_compute_curve(labels, preds, num_thresholds, weights)
    got = m.make_pr_curve(labels, preds, num_thresholds, weights).data
    np.testing.assert_array_equal(got, expected)


def test_num_thresholds_capped_at_127_like_torch():
    labels, preds = RNG.integers(0, 2, 50), RNG.random(50)
    rec = m.make_pr_curve(labels, preds, 500)
    assert rec.data.shape == (6, 127)
    np.testing.assert_array_equal(rec.data, torch_compute_curve(labels, preds, 127))


def test_writer_round_trip_matches_torch(tmp_path, store):
    labels = torch.randint(0, 2, (300,))
    preds = torch.rand(300)
    raw = torch_compute_curve(labels.numpy(), preds.numpy(), 11)
    wts = RNG.random(300)  # torch fails on tensor weights; nbboard takes both

    def log(w):
        w.add_pr_curve("pr", labels, preds, 0)
        w.add_pr_curve("pr", labels.numpy(), preds.numpy(), 3, num_thresholds=20, weights=wts)
        w.add_pr_curve("bool", labels.bool(), preds.double(), 1, num_thresholds=50)
        w.add_pr_curve_raw("raw", *raw, global_step=2, num_thresholds=11)

    ours, a, b = log_both(tmp_path, store, log)
    assert sorted(a.Tags()["tensors"]) == sorted(b.Tags()["tensors"]) == ["bool", "pr", "raw"]
    for tag in ("pr", "bool", "raw"):
        ma, mb = a.SummaryMetadata(tag), b.SummaryMetadata(tag)
        assert ma.plugin_data.plugin_name == mb.plugin_data.plugin_name == "pr_curves"
        pa = pr_metadata.parse_plugin_metadata(ma.plugin_data.content)
        pb = pr_metadata.parse_plugin_metadata(mb.plugin_data.content)
        assert pa.num_thresholds == pb.num_thresholds
        ea, eb = a.Tensors(tag), b.Tensors(tag)
        assert [e.step for e in ea] == [e.step for e in eb]
        for ta, tb in zip(ea, eb):
            xa, xb = make_ndarray(ta.tensor_proto), make_ndarray(tb.tensor_proto)
            assert xa.dtype == xb.dtype == np.float32
            np.testing.assert_array_equal(xa, xb)
    s = store.select(ours)
    assert set(s.tags(".")["pr_curves"]) == {"pr", "bool", "raw"}
    series = s.pr_curves(".", "pr")
    assert series.steps.tolist() == [0, 3]
    rec = series[0]
    assert isinstance(rec, PRCurveData) and rec.data.shape == (6, 127)
    np.testing.assert_array_equal(rec.data, torch_compute_curve(labels.numpy(), preds.numpy(), 127))
    assert rec.thresholds[0] == 0 and rec.thresholds[-1] == 1
    np.testing.assert_array_equal(s.pr_curves(".", "raw")[0].data, raw)


def test_encode_is_readable():
    rec = m.make_pr_curve([0, 1, 1], [0.1, 0.8, 0.4], 5)
    v = Summary.FromString(m.encode("t", rec)).value[0]
    assert v.metadata.plugin_data.plugin_name == "pr_curves"
    assert pr_metadata.parse_plugin_metadata(v.metadata.plugin_data.content).num_thresholds == 5
    np.testing.assert_array_equal(make_ndarray(v.tensor), rec.data.astype(np.float32))


def test_input_is_copied():
    labels, preds = np.array([0, 1, 1]), np.array([0.1, 0.8, 0.4])
    rec = m.make_pr_curve(labels, preds, 3)
    before = rec.data.copy()
    labels[:] = 0
    preds[:] = 0
    np.testing.assert_array_equal(rec.data, before)


GOOD = np.array([0.1, 0.9, 0.5])
BAD = [
    (lambda w: w.add_pr_curve("p", [0, 1], GOOD, 0), ["add_pr_curve", "labels", "predictions", "equally long"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], [0.1, 1.5, 0.2], 0), ["add_pr_curve", "predictions", "[0, 1]"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], [0.1, -0.5, 0.2], 0), ["add_pr_curve", "predictions", "[0, 1]"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], [0.1, float("nan"), 0.2], 0), ["predictions", "[0, 1]"]),
    (lambda w: w.add_pr_curve("p", [], [], 0), ["add_pr_curve", "empty"]),
    (lambda w: w.add_pr_curve("p", ["a", "b", "c"], GOOD, 0), ["add_pr_curve", "labels", "numeric"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], "abc", 0), ["add_pr_curve", "predictions"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], GOOD, 0, num_thresholds=1), ["add_pr_curve", "num_thresholds", "2"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], GOOD, 0, num_thresholds=2.5), ["add_pr_curve", "num_thresholds"]),
    (lambda w: w.add_pr_curve("p", [0, 1, 1], GOOD, 0, weights=[1, 2]), ["add_pr_curve", "weights"]),
    (lambda w: w.add_pr_curve_raw("p", [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1], 0),
     ["add_pr_curve_raw", "equally long", "recall"]),
    (lambda w: w.add_pr_curve_raw("p", [[1, 2]], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], 0),
     ["add_pr_curve_raw", "true_positive_counts", "1-D"]),
    (lambda w: w.add_pr_curve_raw("p", [1], [1], [1], [1], [1], [1], 0, num_thresholds=0),
     ["add_pr_curve_raw", "num_thresholds"]),
]


@pytest.mark.parametrize("call,words", BAD)
def test_bad_input_is_rejected_and_changes_nothing(tmp_path, store, call, words):
    assert_rejected(tmp_path, store, call, words, then=lambda w: w.add_pr_curve("p", [0, 1, 1], GOOD, 1))
