"""add_onnx_graph: the same GraphDef as torch's (read by TensorBoard's EventAccumulator), a
scoped record for the graph view, and clear errors for what is not an ONNX model."""

from __future__ import annotations

import glob
import io
import os
import warnings

import pytest
import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard import InputError, SummaryWriter
from nbboard.kinds.graph.onnx import graph_data, parse_onnx
from tests.tb import accumulator

GRAPHS = "graphs"


class Block(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.bn(self.conv(x)) + x)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.layer1 = nn.Sequential(Block(8), Block(8))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.layer1(self.stem(x))), 1))


@pytest.fixture(scope="module")
def onnx_file(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("onnx") / "net.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Net().eval(), (torch.zeros(2, 1, 12, 12),), path, dynamo=False,
                          input_names=["x"], output_names=["logits"])
    return path


def graph_def_of(logdir):
    """The GraphDef TensorBoard's EventAccumulator reads from `logdir`."""
    return accumulator(str(logdir)).Graph()


def test_graphdef_matches_torch(onnx_file, tmp_path, store, capsys):
    with TorchWriter(str(tmp_path / "torch")) as tw:
        tw.add_onnx_graph(onnx_file)
    capsys.readouterr()  # torch prints every node name
    with SummaryWriter(str(tmp_path / "nbb"), store=store) as w:
        w.add_scalar("loss", 1.0, 0)
        w.add_onnx_graph(onnx_file)
    assert capsys.readouterr().out == ""
    tgd, ogd = graph_def_of(tmp_path / "torch"), graph_def_of(tmp_path / "nbb")
    assert [n.name for n in ogd.node] == [n.name for n in tgd.node]
    for a, b in zip(ogd.node, tgd.node):
        assert (a.op, list(a.input), sorted(a.attr)) == (b.op, list(b.input), sorted(b.attr)), a.name
        for key in a.attr:
            assert a.attr[key] == b.attr[key], (a.name, key)
    assert ogd.versions.producer == tgd.versions.producer == 22
    assert {"Conv", "Relu", "Add", "Gemm"} <= {n.op for n in ogd.node}
    assert accumulator(str(tmp_path / "nbb")).Scalars("loss")[0].value == 1.0  # the rest intact
    # the logdir reader reads both files back into the same graph
    from nbboard import load

    back = load(str(tmp_path), progress=False)
    a, b = back.plugin_record("torch", GRAPHS), back.plugin_record("nbb", GRAPHS)
    # nbboard's file carries the record as logged; torch's is read from its GraphDef
    assert b.to_json() == store.select(str(tmp_path / "nbb")).plugin_record(".", GRAPHS).to_json()
    assert b.method == "onnx" and len(a.nodes) > 5
    for rec in (a,):
        # the graph input and output are Variables named like tensors: the output shares its name
        # with the Gemm producing it, and both are kept
        nodes = {n["id"]: n for n in rec.nodes}
        assert nodes["x"]["kind"] == "input" and nodes["x"]["shapes"] == [[2, 1, 12, 12]]
        assert nodes["logits"]["kind"] == "op" and nodes["logits"]["op"] == "Gemm"
        out = [n for n in rec.nodes if n["kind"] == "output"]
        assert [n["id"] for n in out] == ["logits:out"] and out[0]["label"] == "logits"
        assert out[0]["shapes"] == [[2, 10]] and rec.nodes[-1] is out[0]
        edges = {(e["src"], e["dst"]): e for e in rec.edges}
        assert edges[("logits", "logits:out")]["shape"] == [2, 10]
        assert ("x", "/stem") in edges
        assert all(e["src"] in nodes and e["dst"] in nodes for e in rec.edges)
        # stem, pool, flatten and fc sit beside /layer1: it is no wrapper named after the model
        assert rec.model == "graph"


def test_record_for_the_view_keeps_scopes_shapes_and_weights(onnx_file, tmp_path, store):
    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_onnx_graph(onnx_file)
    rec = store.select(str(tmp_path)).plugin_record(".", GRAPHS)
    assert rec.method == "onnx" and rec.model == "net"
    import onnx

    weights = onnx.load(onnx_file).graph.initializer  # the exporter folded BatchNorm into the convs
    assert rec.params == sum(int(torch.tensor(list(t.dims)).prod()) for t in weights) > 1000
    nodes = {n["id"]: n for n in rec.nodes}
    assert nodes["x"]["kind"] == "input" and nodes["x"]["shapes"] == [[2, 1, 12, 12]]
    assert nodes["logits"]["kind"] == "output" and nodes["logits"]["shapes"] == [[2, 10]]
    groups = {g["id"]: g for g in rec.groups}
    # exporter scopes ("/layer1/layer1.0/conv/Conv") become nested groups; the two blocks match
    assert groups["layer1/layer1.0"]["parent"] == "layer1"
    assert groups["layer1/layer1.0"]["sig"] == groups["layer1/layer1.1"]["sig"]
    assert groups["layer1/layer1.0"]["repeat"] == 2
    # a scope holding one op is drawn as that op's module node, as add_graph draws a leaf module
    convs = [n for n in rec.nodes if n["op"] == "Conv"]
    assert len(convs) == 3 and all(n["params"] > 0 and n["kind"] == "module" for n in convs)
    stem = nodes["stem"]
    assert stem["op"] == "Conv" and stem["param_shapes"] == {"stem.weight": [8, 1, 3, 3], "stem.bias": [8]}
    assert stem["attrs"]["kernel_shape"] == "[3, 3]" and stem["attrs"]["pads"] == "[1, 1, 1, 1]"
    assert groups["layer1"]["type"] == "Conv·Add·Relu"
    # edges follow the tensors: the input feeds the stem conv; the residual Add has two inputs
    edges = {(e["src"], e["dst"]) for e in rec.edges}
    assert ("x", "stem") in edges
    adds = [n["id"] for n in rec.nodes if n["op"] == "Add"]
    assert len(adds) == 2 and all(sum(1 for e in rec.edges if e["dst"] == a) == 2 for a in adds)
    gemm = next(n["id"] for n in rec.nodes if n["op"] == "Gemm")
    assert (gemm, "logits") in edges
    assert all(e["src"] in nodes and e["dst"] in nodes for e in rec.edges)


def test_bytes_and_file_objects_are_accepted(onnx_file, tmp_path, store):
    data = open(onnx_file, "rb").read()
    with SummaryWriter(str(tmp_path / "a"), store=store) as w:
        w.add_onnx_graph(data)
    with SummaryWriter(str(tmp_path / "b"), store=store) as w, open(onnx_file, "rb") as fh:
        w.add_onnx_graph(fh)
    a = store.select(str(tmp_path)).plugin_record("a", GRAPHS)
    b = store.select(str(tmp_path)).plugin_record("b", GRAPHS)
    assert len(a.nodes) == len(b.nodes) == len(graph_data(parse_onnx(data)).nodes)


def test_bad_input_is_refused_and_leaves_the_writer_intact(onnx_file, tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("loss", 1.0, 0)
    w.flush()
    files = glob.glob(os.path.join(str(tmp_path), "events.*"))
    before = [open(f, "rb").read() for f in files]
    with pytest.raises(InputError, match=r"add_onnx_graph: prototxt .*missing\.onnx.* cannot be read"):
        w.add_onnx_graph(str(tmp_path / "missing.onnx"))
    with pytest.raises(InputError, match=r"prototxt is not an ONNX model"):
        w.add_onnx_graph(b"\x08\x07garbage that is not a protobuf \xff\xff\xff")
    with pytest.raises(InputError, match=r"prototxt is not an ONNX model"):
        w.add_onnx_graph(b"")
    with pytest.raises(InputError, match=r"binary mode"):
        w.add_onnx_graph(io.StringIO("text"))
    with pytest.raises(InputError, match=r"prototxt must be the path of an \.onnx model file"):
        w.add_onnx_graph(42)
    w.flush()
    assert [open(f, "rb").read() for f in files] == before
    assert store.select(str(tmp_path)).plugin_record(".", GRAPHS) is None
    w.add_onnx_graph(onnx_file)  # and the writer still works
    w.close()
    assert accumulator(str(tmp_path)).Graph() is not None


def attr_model(path: str) -> None:
    """A model built with onnx.helper whose attributes cover the kinds add_onnx_graph writes: a
    string, a float, negative ints, lists of floats, ints and strings, and a Constant's tensor."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Constant", [], ["pads"], name="/pad/Constant",
                         value=numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))),
        helper.make_node("Pad", ["x", "pads"], ["padded"], name="/pad/Pad", mode="reflect"),
        helper.make_node("LeakyRelu", ["padded"], ["act"], name="/act/LeakyRelu", alpha=0.1),
        helper.make_node("Custom", ["act"], ["y"], name="/head/Custom", axis=-1, ints=[-1, 2, -300000],
                         floats=[0.5, 0.25, 1e-3], names=["a", "b"], domain="nbb.test"),
    ]
    graph = helper.make_graph(nodes, "attrs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 6, 6])])
    onnx.save(helper.make_model(graph), path)


def test_attribute_text_matches_torch_but_for_tensors(tmp_path, store, capsys):
    path = str(tmp_path / "attrs.onnx")
    attr_model(path)
    with TorchWriter(str(tmp_path / "torch")) as tw:
        tw.add_onnx_graph(path)
    capsys.readouterr()
    with SummaryWriter(str(tmp_path / "nbb"), store=store) as w:
        w.add_onnx_graph(path)
    tgd, ogd = graph_def_of(tmp_path / "torch"), graph_def_of(tmp_path / "nbb")
    assert [n.name for n in ogd.node] == [n.name for n in tgd.node]
    for a, b in zip(ogd.node, tgd.node):
        assert (a.op, list(a.input), sorted(a.attr)) == (b.op, list(b.input), sorted(b.attr)), a.name
        if a.op == "Constant":  # the documented divergence: torch prints the tensor in text format
            assert a.attr["parameters"].s == b"value = <tensor> = 4"  # 4: AttributeProto.TENSOR
            assert b.attr["parameters"].s.startswith(b"value = dims: 8\ndata_type: 7")
            continue
        assert a.attr == b.attr, a.name
    params = {n.name: n.attr["parameters"].s.decode() for n in ogd.node if "parameters" in n.attr}
    assert params["padded"] == "mode = b'reflect' = 3"
    assert "axis = -1 = 2" in params["y"] and "ints = [-1, 2, -300000] = 7" in params["y"]
    # the view's panel shows values as text: the string decoded, not b'reflect'
    nodes = {n["id"]: n for n in store.select(str(tmp_path)).plugin_record("nbb", GRAPHS).nodes}
    assert nodes["pad.Pad"]["attrs"] == {"mode": "reflect"}
    assert nodes["act"]["attrs"]["alpha"] == str(float(torch.tensor(0.1)))
    assert nodes["head"]["attrs"] == {"op": "Custom", "axis": "-1", "ints": "[-1, 2, -300000]",
                                      "floats": str([float(torch.tensor(f)) for f in (0.5, 0.25, 1e-3)]),
                                      "names": "[b'a', b'b']"}
    assert nodes["pad.Constant"]["attrs"] == {"value": "<tensor>"}


def test_large_graph_groups_sum_their_weights_quickly():
    """20k ops in 2.8k nested scopes: group params summed in one walk (it was O(groups × nodes))."""
    import time

    from nbboard.kinds.graph.onnx import OnnxGraph, OnnxNode, OnnxValue

    nodes, weights, prev = [], {}, "x"
    for k in range(400 * 6 * 8):
        blk, layer, op = k // 48, k // 8 % 6, k % 8
        weights[f"w{k}"] = [16, 16 if layer else 8]
        nodes.append(OnnxNode("MatMul", f"/blk{blk}/l{layer}/op{op}", [prev, f"w{k}"], [f"t{k}"]))
        prev = f"t{k}"
    g = OnnxGraph("big", nodes, [OnnxValue("x", 1, [1, 16])], [OnnxValue(prev)], {}, weights)
    t0 = time.perf_counter()
    rec = graph_data(g)
    took = time.perf_counter() - t0
    groups = {gr["id"]: gr for gr in rec.groups}
    assert len(groups) == 2800 and rec.params == 400 * (8 * 128 + 5 * 8 * 256)
    assert groups["blk7"]["params"] == 8 * 128 + 5 * 8 * 256 and groups["blk7/l0"]["params"] == 8 * 128
    assert groups["blk7/l1"]["sig"] == groups["blk9/l5"]["sig"] != groups["blk7/l0"]["sig"]
    assert groups["blk7"]["repeat"] == 400 and groups["blk7/l1"]["repeat"] == 2000
    assert took < 20, f"graph_data took {took:.1f}s"  # a guard against quadratic grouping (~1 s), not a timing target
