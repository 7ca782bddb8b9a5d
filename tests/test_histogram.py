"""add_histogram, add_histogram_raw: buckets identical to torch's for every bins option, read back
by TensorBoard's EventAccumulator, Store records, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.tensorboard.summary import make_histogram as torch_make_histogram

from nbboard.kinds.histograms import write as m
from nbboard.kinds.histograms.record import HistogramData
from tests.torch_parity import assert_rejected, log_both

RNG = np.random.default_rng(0)
INPUTS = {
    "normal_f32": RNG.normal(size=5000).astype(np.float32),
    "wide": RNG.normal(scale=1e6, size=3000),
    "ints": RNG.integers(-20, 20, size=1000),
    "constant": np.full(100, 3.0),
    "zeros": np.zeros(10),
    "single": np.array([0.5]),
    "tiny": RNG.normal(scale=1e-9, size=500),
    "positive": RNG.random(2000) * 10,
    "bool": RNG.random(300) > 0.3,
}
BINS = ["tensorflow", "auto", "fd", "doane", "sturges", "sqrt", 10, 1, np.linspace(-3, 3, 17),
        [0, 1, 2, 5, 10]]


def torch_hist(values, bins, max_bins=None):
    """What torch's writer computes (it swaps in its default edges for 'tensorflow')."""
    if isinstance(bins, str) and bins == "tensorflow":
        bins = m.TENSORFLOW_BINS.tolist()
    return torch_make_histogram(np.asarray(values).astype(float), bins, max_bins)


def test_tensorflow_bins_are_torchs():
    v, edges = 1e-12, []
    while v < 1e20:
        edges.append(v)
        v *= 1.1
    assert m.TENSORFLOW_BINS.tolist() == [-e for e in reversed(edges)] + [0] + edges


@pytest.mark.parametrize("bins", BINS, ids=repr)
@pytest.mark.parametrize("name", list(INPUTS))
@pytest.mark.parametrize("max_bins", [None, 7])
def test_make_histogram_matches_torch(name, bins, max_bins):
    values = INPUTS[name]
    try:
        expected = torch_hist(values, bins, max_bins)
    except ValueError:
        with pytest.raises(ValueError):
            m.make_histogram(values, bins, max_bins)
        return
    got = m.make_histogram(values, bins, max_bins)
    assert got.bucket_limit.tolist() == list(expected.bucket_limit)
    assert got.bucket.tolist() == list(expected.bucket)
    assert (got.min, got.max, got.num) == (expected.min, expected.max, expected.num)
    assert got.sum == expected.sum
    assert got.sum_squares == pytest.approx(expected.sum_squares, rel=1e-12)


def test_writer_round_trip_matches_torch(tmp_path, store):
    x = torch.randn(4000)

    def log(w):
        w.add_histogram("tf", x, 0)
        w.add_histogram("tf", x * 3 + 1, 5)
        w.add_histogram("auto", x.numpy(), 1, bins="auto")
        w.add_histogram("int", x.double(), 2, bins=20, max_bins=6)
        w.add_histogram("half", x.half(), 3)
        w.add_histogram("ints", torch.arange(50), 4, bins="fd")
        w.add_histogram_raw("raw", min=0.0, max=9.0, num=10, sum=45.0, sum_squares=285.0,
                            bucket_limits=[3.0, 6.0, 9.0], bucket_counts=[4, 3, 3], global_step=6)

    ours, a, b = log_both(tmp_path, store, log)
    assert sorted(a.Tags()["histograms"]) == sorted(b.Tags()["histograms"])
    for tag in a.Tags()["histograms"]:
        ea, eb = a.Histograms(tag), b.Histograms(tag)
        assert [e.step for e in ea] == [e.step for e in eb]
        for ha, hb in zip(ea, eb):
            pa, pb = ha.histogram_value, hb.histogram_value
            assert list(pa.bucket_limit) == list(pb.bucket_limit)
            assert list(pa.bucket) == list(pb.bucket)
            assert (pa.min, pa.max, pa.num) == (pb.min, pb.max, pb.num)
            assert pa.sum == pytest.approx(pb.sum) and pa.sum_squares == pytest.approx(pb.sum_squares)
    s = store.select(ours)
    assert set(s.tags(".")["histograms"]) == {"tf", "auto", "int", "half", "ints", "raw"}
    series = s.histograms(".", "tf")
    assert series.steps.tolist() == [0, 5]
    rec = series[0]
    assert isinstance(rec, HistogramData)
    assert rec.num == 4000 and rec.bucket.sum() == 4000
    assert list(rec.bucket_limit) == list(a.Histograms("tf")[0].histogram_value.bucket_limit)
    raw = s.histograms(".", "raw")[0]
    assert raw.bucket_limit.tolist() == [3.0, 6.0, 9.0] and raw.bucket.tolist() == [4, 3, 3]


def test_input_is_copied_and_lists_accepted():
    x = np.arange(10.0)
    rec = m.make_histogram(x)
    x[:] = 100
    assert rec.max == 9.0
    assert m.make_histogram([1, 2, 3], 3).bucket.sum() == 3
    assert m.make_histogram(torch.ones(5, dtype=torch.bfloat16)).num == 5


def test_encode_has_no_metadata():
    from tensorboard.compat.proto.summary_pb2 import Summary

    s = Summary.FromString(m.encode("h", m.make_histogram(np.arange(5.0))))
    assert s.value[0].tag == "h" and not s.value[0].HasField("metadata")
    assert list(s.value[0].histo.bucket) == list(m.make_histogram(np.arange(5.0)).bucket)


BAD = [
    (lambda w: w.add_histogram("h", np.array([]), 0), ["add_histogram", "values", "empty"]),
    (lambda w: w.add_histogram("h", torch.empty(0, 3), 0), ["add_histogram", "values", "empty"]),
    (lambda w: w.add_histogram("h", np.array([1.0, np.nan]), 0), ["add_histogram", "values", "finite"]),
    (lambda w: w.add_histogram("h", torch.tensor([1.0, float("inf")]), 0, bins="auto"),
     ["add_histogram", "values", "finite"]),
    (lambda w: w.add_histogram("h", "abc", 0), ["add_histogram", "values"]),
    (lambda w: w.add_histogram("h", np.array(["a", "b"]), 0), ["add_histogram", "values", "numbers"]),
    (lambda w: w.add_histogram("h", torch.ones(3, dtype=torch.complex64), 0),
     ["add_histogram", "values", "real"]),
    (lambda w: w.add_histogram("h", np.ones(3), 0, bins="bogus"), ["add_histogram", "bins", "tensorflow"]),
    (lambda w: w.add_histogram("h", np.ones(3), 0, bins=0), ["add_histogram", "bins", "positive"]),
    (lambda w: w.add_histogram("h", np.ones(3), 0, bins=[3, 2, 1]), ["add_histogram", "bins", "monoton"]),
    (lambda w: w.add_histogram("h", np.ones(3), 0, bins=[5, 6]), ["add_histogram", "values", "bins"]),
    (lambda w: w.add_histogram("h", np.ones(3), 0, max_bins=0), ["add_histogram", "max_bins"]),
    (lambda w: w.add_histogram("h", np.ones(3), "x"), ["add_histogram", "global_step"]),
    (lambda w: w.add_histogram_raw("h", 0, 1, 2, 1, 1, [1.0, 2.0], [1.0]),
     ["add_histogram_raw", "bucket_limits", "bucket_counts"]),
    (lambda w: w.add_histogram_raw("h", "a", 1, 2, 1, 1, [1.0], [1.0]), ["add_histogram_raw", "min"]),
    (lambda w: w.add_histogram_raw("h", 0, 1, 2, 1, 1, [[1.0]], [1.0]),
     ["add_histogram_raw", "bucket_limits", "1-D"]),
]


@pytest.mark.parametrize("call,words", BAD)
def test_bad_input_is_rejected_and_changes_nothing(tmp_path, store, call, words):
    assert_rejected(tmp_path, store, call, words, then=lambda w: w.add_histogram("h", np.arange(9.0), 1))
