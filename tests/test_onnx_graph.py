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
from nbboard.store import GRAPHS
from nbboard.summary.onnx_graph import graph_data, parse_onnx
from tests.tb import accumulator


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
    assert [n["id"] for n in a.nodes] == [n["id"] for n in b.nodes] and len(a.nodes) > 5


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
