"""add_custom_scalars (+ multiline/margin shorthands): the Layout proto torch writes under
custom_scalars__config__, parsed with TensorBoard's layout_pb2, Store layout merging, bad input."""

from __future__ import annotations

import pytest
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.util.tensor_util import make_ndarray

from nbboard.kinds.custom_scalars import write as m
from nbboard.kinds.custom_scalars.record import CustomScalarsLayout
from tests.torch_parity import assert_rejected, log_both

LAYOUT = {
    "Taiwan": {"twse": ["Multiline", ["twse/0050", "twse/2330"]]},
    "USA": {"dow": ["Margin", ["dow/aaa", "dow/bbb", "dow/ccc"]],
            "nasdaq": ["Margin", ("nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc")]},
}


def layouts(acc) -> list[layout_pb2.Layout]:
    out = []
    for ev in acc.Tensors(m.CONFIG_TAG):
        arr = make_ndarray(ev.tensor_proto)
        assert arr.shape == ()
        out.append(layout_pb2.Layout.FromString(arr.item()))
    return out


def test_round_trip_matches_torch(tmp_path, store):
    def log(w):
        w.add_custom_scalars(LAYOUT)
        w.add_custom_scalars_multilinechart(["loss/train", "loss/val"], category="losses", title="both")
        w.add_custom_scalars_marginchart(["acc", "acc_lo", "acc_hi"])

    ours, a, b = log_both(tmp_path, store, log)
    assert a.SummaryMetadata(m.CONFIG_TAG).plugin_data.plugin_name == "custom_scalars"
    assert b.SummaryMetadata(m.CONFIG_TAG).plugin_data.plugin_name == "custom_scalars"
    la, lb = layouts(a), layouts(b)
    assert len(la) == len(lb) == 3
    assert la == lb
    first = la[0]
    assert [c.title for c in first.category] == ["Taiwan", "USA"]
    assert list(first.category[0].chart[0].multiline.tag) == ["twse/0050", "twse/2330"]
    s = first.category[1].chart[1].margin.series[0]
    assert (s.value, s.lower, s.upper) == ("nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc")
    rec = store.select(ours).custom_scalars(".")
    assert isinstance(rec, CustomScalarsLayout)
    assert [c["title"] for c in rec.categories] == ["Taiwan", "USA", "losses", "default"]
    assert rec.categories[2]["charts"] == [{"title": "both", "kind": "Multiline",
                                            "tags": ["loss/train", "loss/val"]}]
    assert rec.categories[3]["charts"][0]["kind"] == "Margin"


def test_merge_layouts():
    a = m.make_layout({"c": {"x": ["Multiline", ["a"]], "y": ["Multiline", ["b"]]}}).categories
    b = m.make_layout({"c": {"y": ["Margin", ["v", "l", "u"]], "z": ["Multiline", ["q"]]},
                       "d": {"w": ["Multiline", []]}}).categories
    merged = m.merge_layouts(a, b)
    assert [c["title"] for c in merged] == ["c", "d"]
    assert [(ch["title"], ch["kind"]) for ch in merged[0]["charts"]] == [
        ("x", "Multiline"), ("y", "Margin"), ("z", "Multiline")]
    assert [ch["title"] for ch in a[0]["charts"]] == ["x", "y"] and a[0]["charts"][1]["kind"] == "Multiline"
    assert m.merge_layouts([], []) == []


def test_empty_layout_encodes():
    from tensorboard.compat.proto.summary_pb2 import Summary

    v = Summary.FromString(m.encode("ignored", m.make_layout({}))).value[0]
    assert v.tag == m.CONFIG_TAG
    assert layout_pb2.Layout.FromString(v.tensor.string_val[0]) == layout_pb2.Layout()


BAD = [
    (lambda w: w.add_custom_scalars(["Multiline", ["a"]]), ["add_custom_scalars", "layout", "dict"]),
    (lambda w: w.add_custom_scalars({"c": ["Multiline", ["a"]]}), ["add_custom_scalars", "layout['c']", "dict"]),
    (lambda w: w.add_custom_scalars({"c": {"t": ["Pie", ["a"]]}}),
     ["add_custom_scalars", "layout['c']['t'][0]", "'Multiline' or 'Margin'"]),
    (lambda w: w.add_custom_scalars({"c": {"t": ["Multiline", "a"]}}),
     ["add_custom_scalars", "layout['c']['t'][1]", "list of str"]),
    (lambda w: w.add_custom_scalars({"c": {"t": ["Multiline", [1, 2]]}}), ["layout['c']['t'][1]", "str"]),
    (lambda w: w.add_custom_scalars({"c": {"t": ["Margin", ["a", "b"]]}}), ["layout['c']['t']", "exactly 3"]),
    (lambda w: w.add_custom_scalars({"c": {"t": ["Multiline"]}}), ["layout['c']['t']", "[tags]"]),
    (lambda w: w.add_custom_scalars({1: {}}), ["add_custom_scalars", "categories", "str"]),
    (lambda w: w.add_custom_scalars_marginchart(["a", "b"]), ["Margin", "exactly 3"]),
]


@pytest.mark.parametrize("call,words", BAD)
def test_bad_input_is_rejected_and_changes_nothing(tmp_path, store, call, words):
    assert_rejected(tmp_path, store, call, words,
                    then=lambda w: w.add_custom_scalars({"ok": {"t": ["Multiline", ["a"]]}}))
