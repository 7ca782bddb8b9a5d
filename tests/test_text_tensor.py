"""add_text and add_tensor: what torch writes (tags, plugin metadata, values), read back by
TensorBoard's EventAccumulator and tensor_util, Store records, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tensorboard.plugins.text import metadata as text_metadata
from tensorboard.util.tensor_util import make_ndarray

from nbboard.kinds.tensor import write as tm
from nbboard.kinds.tensor.record import TensorData
from nbboard.kinds.text import write as xm
from nbboard.kinds.text.record import TextData
from tests.torch_parity import assert_rejected, log_both

TEXTS = ["hello **world**", "", "ünïcødé ✓ 漢字", "<script>alert(1)</script>", "line\nbreaks\n| a | b |"]


def test_text_round_trip_matches_torch(tmp_path, store):
    def log(w):
        for i, t in enumerate(TEXTS):
            w.add_text("notes", t, i)
        w.add_text("other/tag", "x", 7)

    ours, a, b = log_both(tmp_path, store, log)
    assert sorted(a.Tags()["tensors"]) == sorted(b.Tags()["tensors"]) == [
        "notes/text_summary", "other/tag/text_summary"]
    for tag in a.Tags()["tensors"]:
        ma, mb = a.SummaryMetadata(tag), b.SummaryMetadata(tag)
        assert ma.plugin_data.plugin_name == mb.plugin_data.plugin_name == "text"
        assert text_metadata.parse_plugin_metadata(ma.plugin_data.content).version == 0
        assert ma.plugin_data.content == mb.plugin_data.content
        ea, eb = a.Tensors(tag), b.Tensors(tag)
        assert [e.step for e in ea] == [e.step for e in eb]
        for ta, tb in zip(ea, eb):
            assert ta.tensor_proto == tb.tensor_proto
    got = [make_ndarray(e.tensor_proto)[0].decode("utf-8") for e in a.Tensors("notes/text_summary")]
    assert got == TEXTS
    s = store.select(ours)
    assert s.tags(".")["text"] == ["notes", "other/tag"]
    series = s.texts(".", "notes")
    assert series.steps.tolist() == list(range(len(TEXTS)))
    assert all(isinstance(r, TextData) for r in series)
    assert [r.text for r in series] == TEXTS


DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.uint8,
          torch.int16, torch.int32, torch.int64, torch.bool, torch.complex64, torch.complex128]
# torch's own writer produces unreadable files for these (half_val of float bits, uint8 in the
# wrong field), so only the values are compared for them.
TORCH_UNREADABLE = {torch.float16, torch.bfloat16, torch.uint8}


def sample(dtype: torch.dtype) -> torch.Tensor:
    x = torch.tensor([[1.5, -2.25, 3.0], [0.0, 7.0, -1.0]])
    if dtype == torch.uint8:
        x = x.abs()
    return x.to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_tensor_round_trip(tmp_path, store, dtype):
    x = sample(dtype)
    expected = (x.float() if dtype == torch.bfloat16 else x).numpy()

    def log(w):
        w.add_tensor("t", x, 2)

    if dtype in TORCH_UNREADABLE:
        from nbboard import SummaryWriter
        from tests.tb import accumulator

        ours = str(tmp_path / "ours")
        with SummaryWriter(ours, store=store) as w:
            log(w)
        a = accumulator(ours)
    else:
        ours, a, b = log_both(tmp_path, store, log)
        assert b.SummaryMetadata("t").plugin_data.plugin_name == "tensor"
        tb = b.Tensors("t")[0]
        np.testing.assert_array_equal(make_ndarray(tb.tensor_proto), expected)
        assert make_ndarray(tb.tensor_proto).dtype == expected.dtype
    assert a.SummaryMetadata("t").plugin_data.plugin_name == "tensor"
    ev = a.Tensors("t")[0]
    assert ev.step == 2
    got = make_ndarray(ev.tensor_proto)
    assert got.dtype == expected.dtype and got.shape == (2, 3)
    np.testing.assert_array_equal(got, expected)
    rec = store.select(ours).tensors(".", "t")[0]
    assert isinstance(rec, TensorData)
    np.testing.assert_array_equal(rec.array, expected)


@pytest.mark.filterwarnings("ignore:ComplexHalf support")
def test_tensor_numpy_lists_scalars_and_copy():
    a = np.arange(6, dtype=np.int32).reshape(3, 2)
    rec = tm.make_tensor(a)
    a[:] = 0
    assert rec.array.tolist() == [[0, 1], [2, 3], [4, 5]]
    assert tm.make_tensor([[1.0, 2.0]]).array.shape == (1, 2)
    assert tm.make_tensor(3.5).array.shape == ()
    assert tm.make_tensor(torch.ones(2, dtype=torch.complex32)).array.dtype == np.complex64
    assert make_ndarray_of(tm.make_tensor(torch.zeros(0, 4))).shape == (0, 4)


def make_ndarray_of(rec):
    from tensorboard.compat.proto.summary_pb2 import Summary

    return make_ndarray(Summary.FromString(tm.encode("t", rec)).value[0].tensor)


def test_text_encode():
    from tensorboard.compat.proto.summary_pb2 import Summary

    v = Summary.FromString(xm.encode("a", xm.make_text("hi"))).value[0]
    assert v.tag == "a/text_summary" and v.tensor.string_val == [b"hi"]


BAD = [
    (lambda w: w.add_text("t", 5, 0), ["add_text", "text_string", "str"]),
    (lambda w: w.add_text("t", b"bytes", 0), ["add_text", "text_string", "str"]),
    (lambda w: w.add_text("t", None, 0), ["add_text", "text_string", "str"]),
    (lambda w: w.add_text(3, "x", 0), ["add_text", "tag"]),
    (lambda w: w.add_tensor("x", torch.zeros(2, dtype=torch.uint16), 0), ["add_tensor", "tensor", "uint16", "accepted"]),
    (lambda w: w.add_tensor("x", np.zeros(2, dtype=np.uint32), 0), ["add_tensor", "tensor", "uint32", "accepted"]),
    (lambda w: w.add_tensor("x", np.array(["a", "b"]), 0), ["add_tensor", "tensor", "accepted"]),
    (lambda w: w.add_tensor("x", "text", 0), ["add_tensor", "tensor"]),
    (lambda w: w.add_tensor("x", {"a": 1}, 0), ["add_tensor", "tensor"]),
    (lambda w: w.add_tensor("x", [[1, 2], [3]], 0), ["add_tensor", "tensor"]),
]


@pytest.mark.parametrize("call,words", BAD)
def test_bad_input_is_rejected_and_changes_nothing(tmp_path, store, call, words):
    def then(w):
        w.add_text("t", "fine", 1)
        w.add_tensor("x", torch.ones(3), 1)

    assert_rejected(tmp_path, store, call, words, then=then)
