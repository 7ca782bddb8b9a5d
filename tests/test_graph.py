"""add_graph: fx tracing with module hierarchy and shapes, fallbacks, shared modules, errors,
the GraphDef read back by TensorBoard's EventAccumulator, and a ResNet-50-sized network."""

from __future__ import annotations

import glob
import json
import os
import time
from collections import defaultdict

import pytest
import torch
from torch import nn

from nbboard import InputError, SummaryWriter
from nbboard.kinds.graph.graphdef import graph_def, read_graph_def
from nbboard.kinds.graph.record import GraphData
from nbboard.kinds.graph.trace import trace_graph
from tests.tb import accumulator

GRAPHS = "graphs"

# ---- models ----------------------------------------------------------------------------------


class SeedNet(nn.Module):
    """The tutorials' CNN: one MaxPool module used twice."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.lin = nn.Linear(n, n)
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.lin(x)) + x


class SharedBlock(nn.Module):
    """A compound module called twice, plus two inputs and a dict of outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.block = Block(8)
        self.head = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.block(self.block(x) * y)
        a, b = h.chunk(2, dim=1)
        return {"logits": self.head(h), "parts": (a, b)}


class DataDependent(nn.Module):
    """Control flow on tensor values: fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return self.lin(x)
        return -self.lin(x)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, width: int, stride: int = 1) -> None:
        super().__init__()
        cout = width * self.expansion
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + idt)


class ResNet50(nn.Module):
    """torchvision's resnet50 layout (written out here: torchvision is not installed)."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (width, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
            layers = []
            for j in range(blocks):
                layers.append(Bottleneck(cin, width, stride if j == 0 else 1))
                cin = width * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet50_graph() -> GraphData:
    """The traced ResNet-50 (shared with bench/graph_layout.py and the browser test)."""
    torch.manual_seed(0)
    return trace_graph(ResNet50().eval(), torch.randn(1, 3, 64, 64))


# ---- helpers ---------------------------------------------------------------------------------


def top_level_acyclic(rec: GraphData) -> bool:
    """With every top-level module collapsed (the view's start), the graph has no cycle."""
    parent = {g["id"]: g["parent"] for g in rec.groups}
    parent.update({n["id"]: n["parent"] for n in rec.nodes})

    def top(x: str) -> str:
        while parent.get(x):
            x = parent[x]
        return x

    adj: dict[str, set[str]] = defaultdict(set)
    for e in rec.edges:
        a, b = top(e["src"]), top(e["dst"])
        if a != b:
            adj[a].add(b)
    state: dict[str, int] = {}

    def visit(u: str) -> bool:
        state[u] = 1
        for v in adj[u]:
            if state.get(v) == 1 or (v not in state and not visit(v)):
                return False
        state[u] = 2
        return True

    return all(visit(u) for u in list(adj) if u not in state)


def graph_of(store, logdir) -> GraphData | None:
    return store.select(str(logdir)).plugin_record(".", GRAPHS)


def by_id(rec: GraphData) -> dict[str, dict]:
    return {n["id"]: n for n in rec.nodes}


# ---- tests -----------------------------------------------------------------------------------


def test_seed_cnn_fx_shapes_params_and_pool_used_twice(tmp_path, store):
    model = SeedNet()
    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_graph(model, torch.zeros(2, 1, 28, 28))
    rec = graph_of(store, tmp_path)
    assert isinstance(rec, GraphData) and rec.method == "fx"
    nodes = by_id(rec)
    assert nodes["x"]["kind"] == "input" and nodes["x"]["shapes"] == [[2, 1, 28, 28]]
    assert nodes["conv1"]["op"] == "Conv2d" and nodes["conv1"]["params"] == 6 * 25 + 6
    assert nodes["conv1"]["param_shapes"] == {"weight": [6, 1, 5, 5], "bias": [6]}
    assert "kernel_size=(5, 5)" in nodes["conv1"]["attrs"]["config"]
    # the MaxPool called twice is two nodes, each with its own shapes: no loop
    assert nodes["pool"]["shapes"] == [[2, 6, 12, 12]] and nodes["pool:1"]["shapes"] == [[2, 16, 4, 4]]
    assert top_level_acyclic(rec)
    edges = {(e["src"], e["dst"]): e for e in rec.edges}
    assert edges[("flatten", "fc1")]["shape"] == [2, 256] and edges[("flatten", "fc1")]["dtype"] == "float32"
    assert [n["id"] for n in rec.nodes if n["kind"] == "output"] == ["output"]
    assert rec.params == sum(p.numel() for p in model.parameters())
    json.dumps(rec.to_json())  # the view's snapshot is plain JSON


def test_graphdef_read_by_event_accumulator(tmp_path, store):
    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_scalar("loss", 1.0, 0)
        w.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28))
    ea = accumulator(str(tmp_path))
    gd = ea.Graph()
    names = {n.name: n for n in gd.node}
    assert "input/x" in names and "output/output" in names
    conv1 = names["SeedNet/Conv2d[conv1]/Conv2d"]
    assert conv1.op == "Conv2d" and conv1.input == ["input/x"]
    # both calls of the shared MaxPool in its one scope, as torch writes them (TensorBoard's loop)
    pool2 = names["SeedNet/MaxPool2d[pool]/MaxPool2d_1"]
    assert pool2.input == ["SeedNet/relu_1"]
    dims = [d.size for d in pool2.attr["_output_shapes"].list.shape[0].dim]
    assert dims == [1, 16, 4, 4]
    assert "kernel_size" in conv1.attr["attr"].s.decode()
    assert ea.Tags()["run_metadata"] == ["step1"]
    assert ea.Scalars("loss")[0].value == 1.0  # the rest of the file is intact
    # and the GraphDef reads back into a record (the logdir reader's path)
    raw = open(glob.glob(os.path.join(str(tmp_path), "events.*"))[0], "rb").read()
    assert b"input/x" in raw
    back = read_graph_def(gd.SerializeToString())  # TensorBoard's parse keeps nbboard's record
    assert len(back.nodes) == len(gd.node) and back.method == "fx" and back.params > 0


def test_verbose_prints_the_node_listing(tmp_path, store, capsys):
    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28), verbose=True)
    lines = capsys.readouterr().out.splitlines()
    rec = graph_of(store, tmp_path)
    assert lines[0] == repr(rec) and lines[0].startswith("GraphData(SeedNet, via fx:")
    assert len(lines) == 1 + len(rec.nodes)
    pool = next(ln.split() for ln in lines if ln.split()[0] == "pool:1")
    assert pool == ["pool:1", "MaxPool2d", "1×16×4×4"]
    with SummaryWriter(str(tmp_path / "quiet"), store=store) as w:
        w.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28))
    assert capsys.readouterr().out == ""


def test_shared_compound_module_two_inputs_dict_outputs():
    rec = trace_graph(SharedBlock(), (torch.randn(2, 8), torch.randn(2, 8)))
    assert rec.method == "fx"
    groups = {g["id"]: g for g in rec.groups}
    assert set(groups) == {"block", "block:1"}
    assert groups["block"]["sig"] == groups["block:1"]["sig"] and groups["block"]["repeat"] == 2
    assert groups["block"]["params"] == 8 * 8 + 8
    nodes = by_id(rec)
    assert {"x", "y"} <= set(nodes) and nodes["y"]["kind"] == "input"
    outs = sorted(n["id"] for n in rec.nodes if n["kind"] == "output")
    assert outs == ["output.logits", "output.parts.0", "output.parts.1"]
    assert nodes["output.parts.1"]["shapes"] == [[2, 4]]
    assert nodes["block.lin"]["parent"] == "block" and nodes["block:1.lin"]["parent"] == "block:1"
    assert top_level_acyclic(rec)


def test_data_dependent_control_flow_falls_back_to_jit(tmp_path, store):
    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_graph(DataDependent(), torch.ones(3, 4))
    rec = graph_of(store, tmp_path)
    assert rec.method == "jit"
    nodes = by_id(rec)
    assert nodes["lin"]["kind"] == "module" and nodes["lin"]["op"] == "Linear"
    assert nodes["lin"]["shapes"] == [[3, 4]] and nodes["lin"]["params"] == 20
    assert {(e["src"], e["dst"]) for e in rec.edges} >= {("x", "lin"), ("lin", "output")}
    assert accumulator(str(tmp_path)).Graph().node


def test_export_and_jit_agree_with_fx_on_structure():
    class TupleOut(SharedBlock):
        def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, ...]:  # type: ignore[override]
            d = super().forward(x, y)
            return d["logits"], *d["parts"]

    model, inp = TupleOut(), (torch.randn(2, 8), torch.randn(2, 8))
    fx = trace_graph(model, inp)
    ex = trace_graph(model, inp, method="export")
    jit = trace_graph(model, inp, method="jit")
    dict_out = trace_graph(SharedBlock(), inp, method="export")
    assert sorted(n["id"] for n in dict_out.nodes if n["kind"] == "output") == [
        "output.logits", "output.parts.0", "output.parts.1"]
    for rec in (ex, jit):
        assert {g["id"] for g in rec.groups} == {g["id"] for g in fx.groups}
        assert by_id(rec)["block:1.lin"]["op"] == "Linear"
        assert by_id(rec)["block:1.lin"]["shapes"] == [[2, 8]]
        assert top_level_acyclic(rec)


def test_keyword_and_non_tensor_inputs():
    class Flagged(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(4, 2)

        def forward(self, x: torch.Tensor, double: bool = False) -> torch.Tensor:
            return self.lin(x * 2 if double else x)

    rec = trace_graph(Flagged(), {"x": torch.ones(1, 4), "double": True})
    assert rec.method == "fx" and "mul" in by_id(rec)


def test_untraceable_model_errors_name_what_to_pass(tmp_path, store):
    with SummaryWriter(str(tmp_path), store=store) as w:
        with pytest.raises(InputError, match="torch.nn.Module"):
            w.add_graph(lambda x: x, torch.ones(1))
        with pytest.raises(InputError, match=r"DataDependent.forward\(x\)"):
            w.add_graph(DataDependent(), (torch.ones(1, 4), torch.ones(1, 4)))
        with pytest.raises(InputError, match="input_to_model"):
            w.add_graph(DataDependent())  # fx cannot trace it, and no example input was given
        with pytest.raises(RuntimeError, match="could not trace SeedNet.*input_to_model"):
            w.add_graph(SeedNet(), torch.ones(1, 3, 8, 8))  # wrong shape: every tracer fails
        w.add_scalar("after", 2.0, 1)
    assert graph_of(store, tmp_path) is None
    ea = accumulator(str(tmp_path))
    with pytest.raises(ValueError):  # no graph was written
        ea.Graph()
    assert ea.Scalars("after")[0].value == 2.0


def test_tracing_leaves_batchnorm_statistics_alone():
    model = ResNet50().train()
    before = model.bn1.running_mean.clone(), int(model.bn1.num_batches_tracked)
    trace_graph(model, torch.randn(2, 3, 32, 32))
    assert torch.equal(model.bn1.running_mean, before[0])
    assert int(model.bn1.num_batches_tracked) == before[1]


def test_resnet50_sized_network():
    t0 = time.perf_counter()
    rec = resnet50_graph()
    took = time.perf_counter() - t0
    assert rec.method == "fx" and rec.params == 25_557_032  # torchvision's resnet50 count
    groups = {g["id"]: g for g in rec.groups}
    assert {"layer1", "layer2", "layer3", "layer4", "layer1.0", "layer4.2"} <= set(groups)
    assert groups["layer1"]["parent"] == "" and groups["layer1.0.downsample"]["parent"] == "layer1.0"
    # identical repeated blocks share a signature: layer3.1 … layer3.5
    sigs = {groups[f"layer3.{i}"]["sig"] for i in range(1, 6)}
    assert len(sigs) == 1 and groups["layer3.1"]["repeat"] == 5
    assert groups["layer3.0"]["sig"] not in sigs
    nodes = by_id(rec)
    assert nodes["layer4.2.conv3"]["shapes"] == [[1, 2048, 2, 2]] and nodes["fc"]["shapes"] == [[1, 1000]]
    assert sum(n["kind"] in ("module", "op") for n in rec.nodes) > 170
    assert top_level_acyclic(rec)
    gd = graph_def(rec)
    assert len(gd) > 10_000
    assert took < 120, f"tracing ResNet-50 took {took:.1f}s"  # a guard against pathological tracing, not a target


# ---- the notebook view's data feed -----------------------------------------------------------


def test_graph_view_sends_one_snapshot_then_follows_a_new_graph(tmp_path, store):
    from nbboard.kinds.graph.view import Graph, graph_runtime
    from nbboard.widgets.base import Pusher

    with SummaryWriter(str(tmp_path), store=store) as w:
        view = Graph(w, pusher=Pusher(start=False), expand=["layer1"])
        assert view._poll() is None  # no graph logged yet
        w.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28))
        content, buffers = view._poll()
        assert content == {"type": "graph", "full": True, "version": 1, "run": "."}
        data = json.loads(buffers[0])
        assert data["model"] == "SeedNet" and {n["id"] for n in data["nodes"]} >= {"x", "pool", "pool:1"}
        assert view._poll() is None  # nothing new: nothing sent
        view._resync()
        assert view._poll()[0]["version"] == 2
        w.add_graph(SharedBlock(), (torch.randn(2, 8), torch.randn(2, 8)))
        assert json.loads(view._poll()[1][0])["model"] == "SharedBlock"
        d = view.describe()
        assert d["kind"] == "graph" and d["model"] == "SharedBlock" and d["options"] == {"expand": ["layer1"]}
        assert view._runtime is graph_runtime() and "mountGraph" in graph_runtime().code
    direct = Graph(SeedNet(), torch.zeros(1, 1, 28, 28), pusher=Pusher(start=False))
    assert json.loads(direct._poll()[1][0])["method"] == "fx"
    with pytest.raises(ValueError, match="expand"):
        Graph(direct.record(), expand="everything", pusher=Pusher(start=False))


def test_graph_view_of_a_logdir_does_not_import_torch():
    import subprocess
    import sys

    from nbboard.kinds.graph.view import _is_module

    assert _is_module(nn.Linear(1, 1)) and not _is_module("runs/exp1")
    code = ("import sys; from nbboard.kinds.graph.view import _is_module; "
            "assert not _is_module('runs/exp1') and 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))


def test_graphs_written_by_torch_load_as_clean_acyclic_records(tmp_path):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    import nbboard

    with TorchWriter(str(tmp_path / "torch")) as t:
        t.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28))
    rec = nbboard.load(str(tmp_path)).plugin_record("torch", GRAPHS)
    assert isinstance(rec, GraphData) and rec.method == "graphdef" and rec.model == "SeedNet"
    ops = [n["op"] for n in rec.nodes if n["kind"] != "input" and n["kind"] != "output"]
    assert ops == ["Conv2d", "relu", "MaxPool2d", "Conv2d", "relu", "MaxPool2d", "flatten", "Linear", "relu", "Linear"]
    assert top_level_acyclic(rec)  # torch scopes both MaxPool calls alike: split into two
    nodes = by_id(rec)
    assert nodes["SeedNet/MaxPool2d[pool]:1"]["shapes"] == [[1, 16, 4, 4]]
    assert nodes["SeedNet/Conv2d[conv1]"]["label"] == "conv1"


# ---- what TensorBoard sees, and what reading the files back gives (issue 14) -----------------


class Tutorial(nn.Module):
    """The PyTorch TensorBoard tutorial's CNN sized for load_digits (8×8), its MaxPool used twice,
    inside a nested block as well, so scopes nest."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.features = nn.Sequential(nn.Conv2d(6, 16, 3, padding=1), nn.ReLU())
        self.fc1 = nn.Linear(16 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(self.features(x))
        x = x.view(-1, 16 * 2 * 2)
        return self.fc2(torch.relu(self.fc1(x)))


def _module_scopes(names: list[str]) -> set[str]:
    """The module scopes TensorBoard groups nodes by: every prefix of a node name made of the root
    scope and `Type[attribute]` segments (torch's parameter scopes weight/bias left out)."""
    import re

    out: set[str] = set()
    for name in names:
        parts = name.split("/")[:-1]
        if not parts or parts[0] in ("input", "output"):
            continue
        path = parts[0]
        out.add(path)
        for seg in parts[1:]:
            if not re.fullmatch(r"[\w.]+\[[^\]]+\]", seg):
                break
            path += "/" + seg
            out.add(path)
    return out


@pytest.mark.parametrize("model_cls, shape", [(SeedNet, (1, 1, 28, 28)), (Tutorial, (1, 1, 8, 8))])
def test_graphdef_scopes_match_torchs_writer(tmp_path, model_cls, shape):
    """TensorBoard's loader sees nbboard's graph in the same module scopes as torch's writer's."""
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    torch.manual_seed(0)
    model, x = model_cls().eval(), torch.randn(*shape)
    with TorchWriter(str(tmp_path / "torch")) as t:
        t.add_graph(model, x)
    with SummaryWriter(str(tmp_path / "nbboard")) as w:
        w.add_graph(model, x)
    theirs = [n.name for n in accumulator(str(tmp_path / "torch")).Graph().node]
    ours = [n.name for n in accumulator(str(tmp_path / "nbboard")).Graph().node]
    assert len(_module_scopes(ours)) > 3
    assert _module_scopes(ours) == _module_scopes(theirs)
    root = model_cls.__name__
    assert all(n.startswith((root + "/", "input/", "output/")) for n in ours)
    # the shared MaxPool: both calls in one scope, as torch has them
    assert sum(n.startswith(f"{root}/MaxPool2d[pool]/") for n in ours) == 2
    assert len(set(ours)) == len(ours)


def test_tensorboards_graph_plugin_serves_the_scoped_graph(tmp_path):
    """TensorBoard 2's graph endpoint reads nbboard's GraphDef: scopes there, nbboard's record not shown."""
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider
    from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.graph import graphs_plugin

    with SummaryWriter(str(tmp_path / "a")) as w:
        w.add_graph(Tutorial(), torch.zeros(1, 1, 8, 8))
    mux = pem.EventMultiplexer()
    mux.AddRunsFromDirectory(str(tmp_path))
    mux.Reload()
    tb_ctx = base_plugin.TBContext(logdir=str(tmp_path), multiplexer=mux,
                                   data_provider=data_provider.MultiplexerDataProvider(mux, str(tmp_path)))
    plugin = graphs_plugin.GraphsPlugin(tb_ctx)
    assert plugin.info_impl(context.RequestContext(), "")["a"]["run_graph"] is True
    body, mime = plugin.graph_impl(context.RequestContext(), "a", None, False, experiment="",
                                   limit_attr_size=1024, large_attrs_key="_too_large_attrs")
    assert mime == "text/x-protobuf"
    assert 'name: "Tutorial/Sequential[features]/Conv2d[0]/Conv2d"' in body
    assert 'name: "Tutorial/MaxPool2d[pool]/MaxPool2d_1"' in body
    assert "nbboard.graph" not in body  # the record is an unknown field: TensorBoard never shows it


def _feed_payloads(store) -> dict[str, dict]:
    """run → the graph JSON a Graph view of `store` sends the page."""
    from nbboard.kinds.graph.view import GraphFeed

    feed, out = GraphFeed(store, None), {}
    while (m := feed.poll()) is not None:
        out[m[0]["run"]] = json.loads(m[1][0])
    return out


def test_graph_read_from_disk_is_the_graph_logged(tmp_path):
    """A fresh read of the logdir (nbboard.load, a Board, an export) gives the view what the live
    writer gave it: names, module paths, parameters, shared calls, the trace method."""
    import nbboard
    from nbboard.kinds.graph.view import Graph
    from nbboard.widgets.base import Pusher

    store = nbboard.Store()
    with (SummaryWriter(str(tmp_path / "lr_0.1"), store=store) as a,
          SummaryWriter(str(tmp_path / "lr_0.01"), store=store) as b):
        a.add_graph(Tutorial(), torch.zeros(4, 1, 8, 8))
        b.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28))
    live = _feed_payloads(store)
    assert len(live) == 2
    loaded = nbboard.load(str(tmp_path))
    disk = _feed_payloads(loaded)
    assert set(disk) == {"lr_0.1", "lr_0.01"}
    by_model = {d["model"]: d for d in live.values()}
    for run, model in (("lr_0.1", "Tutorial"), ("lr_0.01", "SeedNet")):
        assert disk[run] == by_model[model]
    tut = disk["lr_0.1"]
    assert tut["method"] == "fx" and tut["params"] == sum(p.numel() for p in Tutorial().parameters())
    labels = {n["id"]: n for n in tut["nodes"]}
    assert labels["conv1"]["label"] == "conv1" and labels["conv1"]["op"] == "Conv2d"
    assert labels["pool"]["module"] == labels["pool:1"]["module"] == "pool"
    # and a Graph view of the logdir sends both runs (the page's run selector)
    view = Graph(loaded, pusher=Pusher(start=False))
    runs = []
    while (m := view._poll()) is not None:
        runs.append(m[0]["run"])
    assert sorted(runs) == ["lr_0.01", "lr_0.1"]
    assert view.describe()["model"] == "SeedNet"  # the first run shown: lr_0.01


def test_onnx_graph_read_from_disk_is_the_graph_logged(tmp_path):
    import warnings

    import nbboard
    from tests.test_onnx_graph import Net

    path = str(tmp_path / "net.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Net().eval(), (torch.zeros(2, 1, 12, 12),), path, dynamo=False,
                          input_names=["x"], output_names=["logits"])
    store = nbboard.Store()
    with SummaryWriter(str(tmp_path / "run"), store=store) as w:
        w.add_onnx_graph(path)
    live = _feed_payloads(store)
    disk = _feed_payloads(nbboard.load(str(tmp_path / "run")))
    assert list(disk.values()) == list(live.values())
    # TensorBoard still reads torch's ONNX GraphDef
    assert len(accumulator(str(tmp_path / "run")).Graph().node) > 5


def test_board_feeds_every_runs_graph_and_attaches_the_graph_bundle(tmp_path):
    """The Board's record feed carries each run's graph (its Graph tab), and the Board references
    the graph bundle only once a graph is logged; an export of the Board inlines it."""
    import nbboard
    from nbboard.export.views import build_view
    from nbboard.kinds.graph.view import graph_runtime
    from nbboard.widgets.base import Pusher
    from nbboard.widgets.board import Board

    with SummaryWriter(str(tmp_path / "a"), store=nbboard.Store()) as w:
        w.add_scalar("loss", 1.0, 0)
        board = Board(w, pusher=Pusher(start=False))
        while board._poll() is not None:
            pass
        assert board._graph is None  # no graph yet: the bundle is not sent to the page
        w.add_graph(SeedNet(), torch.zeros(1, 1, 28, 28))
    sent: list[dict] = []
    board.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    while (m := board._poll()) is not None:
        sent.append(m[0])
    graphs = [c["plugins"][r]["graphs"] for c in sent if c.get("type") == "records" for r in c.get("plugins", {})
              if "graphs" in c["plugins"][r]]
    assert len(graphs) == 1 and graphs[0]["model"] == "SeedNet"
    assert board._graph is graph_runtime()

    built = build_view({"kind": "board", "logdir": str(tmp_path)}, nbboard.load(str(tmp_path)))
    assert "graph" in built.libs and built.state["_graph"] == "IPY_MODEL_nbb-lib-graph"
