"""add_graph: trace an nn.Module (torch.fx, else torch.jit.trace, else torch.export) into a
`GraphData` record for the graph view and a TensorBoard GraphDef (+ RunMetadata) for the file.

The record keeps the module hierarchy (groups), per-call identity of shared modules (a module
called twice becomes two groups/nodes, so the graph stays acyclic), tensor shapes and dtypes on
every edge, parameter counts and shapes per module, and a signature that marks repeated blocks.
"""

from __future__ import annotations

import hashlib
import inspect
import operator
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nbboard.summary.convert import InputError, describe, is_torch_tensor
from nbboard.tfevents.messages import event
from nbboard.tfevents.wire import field_bytes, field_string, field_varint, iter_fields, signed64

METHOD = "add_graph"
_MAX_ATTR = 240  # characters kept of a module's extra_repr / an op's constant arguments


@dataclass(eq=False)
class GraphData:
    """A traced model graph: nodes (inputs, outputs, ops, leaf modules), module groups, edges.

    Everything is JSON-able (`to_json`): the view receives it as one snapshot."""

    model: str
    method: str  # "fx", "jit", "export" or "graphdef" (read back from an event file)
    nodes: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    params: int = 0

    def to_json(self) -> dict:
        """The record as plain JSON types (what the view receives)."""
        return {"model": self.model, "method": self.method, "params": self.params,
                "nodes": self.nodes, "groups": self.groups, "edges": self.edges}

    def __repr__(self) -> str:
        return (f"GraphData({self.model}, via {self.method}: {len(self.nodes)} nodes, "
                f"{len(self.groups)} groups, {len(self.edges)} edges, {self.params:,} params)")


# ---- values: shapes and dtypes --------------------------------------------------------------

def _dims(shape: Any) -> list[int | None]:
    """A shape as a list of ints (None for a symbolic size)."""
    out: list[int | None] = []
    for d in shape:
        try:
            out.append(int(d))
        except Exception:  # symbolic size
            out.append(None)
    return out


def _dtype(t: Any) -> str:
    """A tensor's dtype without the 'torch.' prefix ('float32')."""
    return str(t.dtype).replace("torch.", "")


def _tensors(v: Any) -> Iterator[Any]:
    """Every tensor in a nested tuple/list/dict value, in order."""
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        yield v
    elif isinstance(v, (tuple, list)):
        for x in v:
            yield from _tensors(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from _tensors(x)


class _TensorInfo:
    """A tensor's shape and dtype, kept instead of the tensor itself."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: Any, dtype: Any) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype


def _light(v: Any) -> Any:
    """`v` with every tensor replaced by its _TensorInfo (nested tuples, lists, dicts kept)."""
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return _TensorInfo(v.shape, v.dtype)
    if isinstance(v, list):
        return [_light(x) for x in v]
    if isinstance(v, tuple):  # named tuples too, as plain tuples
        return tuple(_light(x) for x in v)
    if isinstance(v, dict):
        return {k: _light(x) for k, x in v.items()}
    return v if isinstance(v, (int, float, bool, str, type(None))) else None


def _value_info(v: Any) -> tuple[list[list[int | None]], list[str]]:
    """Shapes and dtypes of every tensor in a (nested) value."""
    ts = list(_tensors(v))
    return [_dims(t.shape) for t in ts], [_dtype(t) for t in ts]


def _short(s: str) -> str:
    """One line of at most _MAX_ATTR characters (for attributes shown in the panel)."""
    s = " ".join(s.split())
    return s if len(s) <= _MAX_ATTR else s[: _MAX_ATTR - 1] + "…"


_NODE = "·"  # an fx Node argument: shown as an edge, not in the op's constant arguments


def _fmt_arg(a: Any) -> str:
    """An op's argument as short text (nested tuples and lists of constants and nodes)."""
    if isinstance(a, (tuple, list)):
        inner = ", ".join(_fmt_arg(x) for x in a)
        return f"({inner})" if isinstance(a, tuple) else f"[{inner}]"
    if hasattr(a, "op") and hasattr(a, "name") and hasattr(a, "users"):  # an fx Node
        return _NODE
    return repr(a)


# ---- the record builder ----------------------------------------------------------------------

class _Builder:
    """Collects groups, nodes and edges for one model while a traced graph is converted."""

    def __init__(self, model: Any, method: str) -> None:
        self.model = model
        self.method = method
        self.modules: dict[str, Any] = dict(model.named_modules()) if model is not None else {}
        self.groups: dict[str, dict] = {}
        self.nodes: dict[str, dict] = {}
        self.edges: dict[tuple[str, str], dict] = {}
        self._scope_ids: dict[Any, str] = {}  # call key → group id
        self._calls: Counter[str] = Counter()

    # ids: a child's id is its parent's id + "." + its local name; a repeated call gets ":k"
    def _unique(self, wanted: str) -> str:
        """`wanted`, or `wanted:k` for the k-th id wanted twice (a module called again)."""
        if wanted not in self.nodes and wanted not in self.groups:
            self._calls[wanted] += 1
            return wanted
        k = max(self._calls[wanted], 1)
        while f"{wanted}:{k}" in self.nodes or f"{wanted}:{k}" in self.groups:
            k += 1
        self._calls[wanted] = k + 1
        return f"{wanted}:{k}"

    @staticmethod
    def _local(path: str, parent_path: str) -> str:
        """`path` relative to `parent_path` (a child module's attribute name)."""
        if parent_path and path.startswith(parent_path + "."):
            return path[len(parent_path) + 1:]
        return path

    def scope(self, stack: list[tuple[Any, str, str]]) -> str:
        """The group id for a module call stack [(call key, module path, type name)], outermost first;
        groups are created on first sight of each call key."""
        parent, parent_path = "", ""
        for key, path, type_name in stack:
            gid = self._scope_ids.get(key)
            if gid is None:
                local = self._local(path, parent_path) or type_name
                gid = self._unique(f"{parent}.{local}" if parent else local)
                self._scope_ids[key] = gid
                mod = self.modules.get(path)
                self.groups[gid] = {
                    "id": gid, "parent": parent, "label": local, "module": path,
                    "type": type(mod).__name__ if mod is not None else type_name.rsplit(".", 1)[-1],
                }
            parent, parent_path = gid, path
        return parent

    def add_node(self, parent: str, local: str, kind: str, op: str, *, module: str | None = None,
                 shapes: list | None = None, dtypes: list | None = None,
                 attrs: dict[str, str] | None = None) -> str:
        """Add a node under group `parent`; returns its (unique) id."""
        nid = self._unique(f"{parent}.{local}" if parent else local)
        self.nodes[nid] = {"id": nid, "parent": parent, "label": local, "kind": kind, "op": op,
                           "module": module, "shapes": shapes or [], "dtypes": dtypes or [],
                           "attrs": attrs or {}}
        return nid

    def add_edge(self, src: str, dst: str, shape: list | None, dtype: str | None) -> None:
        """Add an edge once per (src, dst); self-loops are dropped."""
        if src == dst or (src, dst) in self.edges:
            return
        self.edges[(src, dst)] = {"src": src, "dst": dst, "shape": shape, "dtype": dtype}

    # ---- finishing ----------------------------------------------------------------------
    def _module_params(self, path: str | None) -> tuple[int, dict[str, list[int]]]:
        """Total parameter count of a module and its own tensors' shapes (parameters and buffers)."""
        mod = self.modules.get(path) if path is not None else None
        if mod is None:
            return 0, {}
        total = sum(p.numel() for p in mod.parameters())
        own = {n: list(p.shape) for n, p in mod.named_parameters(recurse=False)}
        own.update({n: list(b.shape) for n, b in mod.named_buffers(recurse=False)})
        return total, own

    def _merge_single_op_groups(self) -> None:
        """jit/export trace through leaf modules: a group holding exactly one op (and no groups)
        becomes a single module node, as fx shows it."""
        children: dict[str, list[str]] = {g: [] for g in self.groups}
        has_group = set()
        for n in self.nodes.values():
            if n["parent"]:
                children[n["parent"]].append(n["id"])
        for g in self.groups.values():
            if g["parent"]:
                has_group.add(g["parent"])
        rename: dict[str, str] = {}
        for gid, kids in children.items():
            if gid in has_group or len(kids) != 1:
                continue
            g, n = self.groups.pop(gid), self.nodes[kids[0]]
            n.update(id=gid, parent=g["parent"], label=g["label"], kind="module", module=g["module"],
                     attrs={"op": n["op"], **n["attrs"]}, op=g["type"])
            rename[kids[0]] = gid
        if rename:
            self.nodes = {n["id"]: n for n in self.nodes.values()}  # same (topological) order
            edges: dict[tuple[str, str], dict] = {}
            for e in self.edges.values():
                e["src"], e["dst"] = rename.get(e["src"], e["src"]), rename.get(e["dst"], e["dst"])
                edges.setdefault((e["src"], e["dst"]), e)
            self.edges = edges

    def _drop_empty_groups(self) -> None:
        """Remove groups holding no node (e.g. a scope whose only ops were dropped)."""
        keep: set[str] = set()
        for n in self.nodes.values():  # every ancestor of a node stays
            g = n["parent"]
            while g and g not in keep and g in self.groups:
                keep.add(g)
                g = self.groups[g]["parent"]
        self.groups = {k: v for k, v in self.groups.items() if k in keep}

    def _signatures(self) -> None:
        """A structural hash per group, so identical repeated blocks can be drawn as such; nodes
        count by their weights' shapes, not names (ONNX names every weight apart: "layer1.0.conv.weight")."""
        kids: dict[str, list[str]] = {g: [] for g in self.groups}
        for n in self.nodes.values():
            if n["parent"]:
                weights = sorted((n.get("param_shapes") or {}).values())
                kids[n["parent"]].append(f"n:{n['kind']}:{n['op']}:{weights}:{n['shapes']}")
        internal: Counter[str] = Counter()
        parent_of = {n["id"]: n["parent"] for n in self.nodes.values()}
        for e in self.edges.values():
            p = parent_of.get(e["src"])
            if p and p == parent_of.get(e["dst"]):
                internal[p] += 1
        depth: dict[str, int] = {}

        def depth_of(g: str) -> int:
            if g not in depth:
                p = self.groups[g]["parent"]
                depth[g] = depth_of(p) + 1 if p in self.groups else 0
            return depth[g]

        order = sorted(self.groups, key=lambda g: -depth_of(g))  # children before parents
        subgroups: dict[str, list[str]] = {g: [] for g in self.groups}
        for g in self.groups.values():  # in creation (call) order
            if g["parent"] in subgroups:
                subgroups[g["parent"]].append(g["id"])
        sig: dict[str, str] = {}
        for gid in order:
            g = self.groups[gid]
            sub = [f"g:{sig[c]}" for c in subgroups[gid] if c in sig]
            text = "|".join([g["type"], *kids[gid], *sub, f"e{internal[gid]}"])
            sig[gid] = hashlib.sha1(text.encode()).hexdigest()[:12]
        count = Counter(sig.values())
        for gid, s in sig.items():
            self.groups[gid]["sig"] = s
            self.groups[gid]["repeat"] = count[s]

    def finish(self) -> GraphData:
        """Merge trivial groups, attach parameter counts and signatures, and return the record.

        A node's params/param_shapes already set (ONNX weights) are kept; without a model, a
        group's params are the sum of its nodes'."""
        self._drop_empty_groups()
        self._merge_single_op_groups()
        self._drop_empty_groups()
        for n in self.nodes.values():
            if "params" in n:
                continue
            if n["kind"] == "module":
                n["params"], n["param_shapes"] = self._module_params(n["module"])
            else:
                n["params"], n["param_shapes"] = 0, {}
        if self.model is None:
            for g in self.groups.values():
                g["params"], g["param_shapes"] = 0, {}
            for n in self.nodes.values():
                gid = n["parent"] if n["params"] else ""
                while gid:
                    self.groups[gid]["params"] += n["params"]
                    gid = self.groups[gid]["parent"]
        else:
            for g in self.groups.values():
                g["params"], g["param_shapes"] = self._module_params(g["module"])
        self._signatures()
        # Groups listed parents first (creation order already is); nodes in topological order.
        total = sum(p.numel() for p in self.model.parameters()) if self.model is not None else 0
        name = type(self.model).__name__ if self.model is not None else "graph"
        return GraphData(name, self.method, list(self.nodes.values()),
                         list(self.groups.values()), list(self.edges.values()), int(total))


# ---- inputs ----------------------------------------------------------------------------------

def _bind(model: Any, input_to_model: Any) -> tuple[tuple, dict]:
    """torch's add_graph convention: a tensor, or a tuple/list of positional inputs; nbboard also
    takes a dict of keyword inputs."""
    if input_to_model is None:
        return (), {}
    if isinstance(input_to_model, dict):
        return (), dict(input_to_model)
    if isinstance(input_to_model, (tuple, list)):
        return tuple(input_to_model), {}
    return (input_to_model,), {}


def _signature_text(model: Any) -> str:
    """`forward(x, y=None)` without annotations, for error messages."""
    try:
        ps = inspect.signature(model.forward).parameters.values()
    except (TypeError, ValueError):
        return "forward(...)"
    return "forward(" + ", ".join(str(p.replace(annotation=inspect.Parameter.empty)) for p in ps) + ")"


# ---- torch.fx -------------------------------------------------------------------------------

def _fx_tracer_class() -> Any:
    """The fx Tracer subclass (built lazily: torch is imported only when tracing)."""
    import torch.fx as fx

    class ScopeTracer(fx.Tracer):
        """An fx Tracer that records, on every node, the stack of module calls it was made in."""

        def __init__(self) -> None:
            super().__init__()
            self.nbb_stack: list[tuple[int, str, str]] = []
            self.nbb_calls = 0

        def call_module(self, m: Any, forward: Any, args: Any, kwargs: Any) -> Any:
            try:
                path = self.path_of_module(m)
            except NameError:
                path = type(m).__name__
            if self.is_leaf_module(m, path):
                return super().call_module(m, forward, args, kwargs)
            self.nbb_calls += 1
            self.nbb_stack.append((self.nbb_calls, path, type(m).__name__))
            try:
                return forward(*args, **kwargs)
            finally:
                self.nbb_stack.pop()

        def create_node(self, *args: Any, **kwargs: Any) -> Any:
            node = super().create_node(*args, **kwargs)
            node.meta["nbb_scope"] = list(self.nbb_stack)
            return node

    return ScopeTracer


def _fx_values(gm: Any, inputs: list[Any]) -> None:
    """Run the traced module once, storing every node's output value (shapes) in node.meta."""
    import torch.fx as fx

    class Recorder(fx.Interpreter):
        def run_node(self, n: Any) -> Any:
            r = super().run_node(n)
            n.meta["nbb_value"] = _light(r)  # shapes only: activations are freed as usual
            return r

    Recorder(gm).run(*inputs)


def _op_name(node: Any) -> str:
    """A short op name for an fx node: `add`, `flatten`, `view`, `linear`."""
    t = node.target
    if node.op == "call_method":
        return str(t)
    name = getattr(t, "__name__", None) or str(t)
    if hasattr(t, "overloadpacket"):  # aten OpOverload: aten.linear.default → linear
        name = str(t.overloadpacket).split(".")[-1]
    return name.strip("_") or name


def _convert_fx_graph(b: _Builder, graph: Any, scope_of: Any, skip: set[str],
                      leaf_modules: bool, out_spec: Any = None) -> None:
    """fx/export graph → builder nodes and edges (getitem folded into edges)."""
    ids: dict[Any, str] = {}

    def source(n: Any) -> tuple[str, list | None, str | None] | None:
        v = n.meta.get("nbb_value", n.meta.get("val"))
        shapes, dtypes = _value_info(v) if v is not None else ([], [])
        shape, dtype = (shapes[0], dtypes[0]) if len(shapes) == 1 else (None, None)
        while n.op == "call_function" and n.target is operator.getitem and n not in ids:
            n = n.args[0]
        nid = ids.get(n)
        return None if nid is None else (nid, shape, dtype)

    def connect(n: Any, dst: str) -> None:
        for src in n.all_input_nodes:
            s = source(src)
            if s is not None:
                b.add_edge(s[0], dst, s[1], s[2])

    # fx guards concrete (non-tensor) inputs with eq/_assert nodes: not part of the model's graph
    dead: set[Any] = set()
    for n in reversed(list(graph.nodes)):
        if (n.op == "call_function" and getattr(n.target, "__name__", "") == "_assert") or (
                n.op != "output" and n.users and all(u in dead for u in n.users)):
            dead.add(n)
    for n in graph.nodes:
        if n in dead:
            continue
        if n.op == "placeholder":
            if n.name in skip or not n.users:
                continue
            v = n.meta.get("nbb_value", n.meta.get("val"))
            shapes, dtypes = _value_info(v)
            attrs = {} if shapes or v is None else {"value": _short(repr(v))}
            ids[n] = b.add_node("", str(n.target).lstrip("*"), "input", "Input", shapes=shapes,
                                dtypes=dtypes, attrs=attrs)
            continue
        if n.op == "output":
            out = n.args[0]
            if out_spec is not None:  # torch.export flattens outputs: give them back their structure
                try:
                    from torch.utils import _pytree

                    leaves = list(out)[-out_spec.num_leaves:]  # buffer mutations come first
                    out = _pytree.tree_unflatten(leaves, out_spec)
                except Exception:
                    out = n.args[0]
            flat = list(_flatten_output(out, "output"))
            for label, x in flat:
                s = source(x)
                if s is None:
                    continue
                oid = b.add_node("", label, "output", "Output", shapes=[s[1]] if s[1] else [],
                                 dtypes=[s[2]] if s[2] else [])
                b.add_edge(s[0], oid, s[1], s[2])
            continue
        if n.op == "call_function" and n.target is operator.getitem:
            continue  # folded: consumers connect to the tuple's producer
        parent = b.scope(scope_of(n))
        v = n.meta.get("nbb_value", n.meta.get("val"))
        shapes, dtypes = _value_info(v) if v is not None else ([], [])
        if n.op == "call_module" and leaf_modules:
            mod = b.modules.get(n.target)
            extra = _short(mod.extra_repr()) if mod is not None else ""
            parent_path = b.groups[parent]["module"] if parent else ""
            local = b._local(str(n.target), parent_path)
            nid = b.add_node(parent, local, "module", type(mod).__name__ if mod is not None else "Module",
                             module=str(n.target), shapes=shapes, dtypes=dtypes,
                             attrs={"config": extra} if extra else {})
        elif n.op == "get_attr":
            nid = b.add_node(parent, str(n.target).rsplit(".", 1)[-1], "param", "Parameter",
                             shapes=shapes, dtypes=dtypes, attrs={"path": str(n.target)})
        else:
            consts = [f for f in (_fmt_arg(a) for a in n.args) if f != _NODE]
            consts += [f"{k}={f}" for k, f in ((k, _fmt_arg(a)) for k, a in n.kwargs.items()) if f != _NODE]
            attrs = {"args": _short(", ".join(consts))} if consts else {}
            op = _op_name(n)
            nid = b.add_node(parent, op, "op", op, shapes=shapes, dtypes=dtypes, attrs=attrs)
        ids[n] = nid
        connect(n, nid)


def _flatten_output(x: Any, label: str) -> Iterator[tuple[str, Any]]:
    """(label, node) for every node in a nested output, labelled output.0, output.logits, ..."""
    if isinstance(x, (tuple, list)):
        if len(x) == 1:
            yield from _flatten_output(x[0], label)
            return
        for i, v in enumerate(x):
            yield from _flatten_output(v, f"{label}.{i}")
    elif isinstance(x, dict):
        for k, v in x.items():
            yield from _flatten_output(v, f"{label}.{k}")
    elif hasattr(x, "all_input_nodes"):
        yield label, x


def _trace_fx(model: Any, args: tuple, kwargs: dict, have_input: bool) -> GraphData:
    """torch.fx: leaf nn modules as nodes, custom modules as groups, shapes from one run."""
    import torch.fx as fx

    params = inspect.signature(model.forward).parameters
    bound: dict[str, Any] = {}
    if have_input:
        bound = dict(inspect.signature(model.forward).bind(*args, **kwargs).arguments)
    concrete = {k: v for k, v in bound.items()
                if not is_torch_tensor(v) and not isinstance(v, (tuple, list, dict))
                and params[k].kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)}
    tracer = _fx_tracer_class()()
    graph = tracer.trace(model, concrete_args=concrete or None)
    gm = fx.GraphModule(tracer.root, graph)
    if have_input:
        inputs: list[Any] = []
        n_ph = sum(n.op == "placeholder" for n in graph.nodes)
        for name in list(params)[:n_ph]:  # fx makes one placeholder per parameter, in order
            if name in bound:
                inputs.append(bound[name])
            elif params[name].default is not inspect.Parameter.empty:
                inputs.append(params[name].default)
            else:
                inputs.append(None)
        _fx_values(gm, inputs)
    b = _Builder(model, "fx")
    _convert_fx_graph(b, graph, lambda n: [(k, p, t) for k, p, t in n.meta.get("nbb_scope", [])],
                      set(), leaf_modules=True)
    return b.finish()


# ---- torch.export ---------------------------------------------------------------------------

def _trace_export(model: Any, args: tuple, kwargs: dict) -> GraphData:
    """torch.export (non-strict): ATen ops grouped by nn_module_stack; parameters folded away."""
    import torch

    ep = torch.export.export(model, args, kwargs or None, strict=False)
    sig = ep.graph_signature
    skip = set(sig.inputs_to_parameters) | set(sig.inputs_to_buffers)
    skip |= set(getattr(sig, "inputs_to_lifted_tensor_constants", {}) or {})

    def scope_of(n: Any) -> list[tuple[Any, str, str]]:
        stack = n.meta.get("nn_module_stack") or {}
        return [(k, path, t if isinstance(t, str) else getattr(t, "__name__", str(t)))
                for k, (path, t) in stack.items() if path]

    b = _Builder(model, "export")
    spec = getattr(getattr(ep, "call_spec", None), "out_spec", None)
    _convert_fx_graph(b, ep.graph, scope_of, skip, leaf_modules=False, out_spec=spec)
    return b.finish()


# ---- torch.jit.trace ------------------------------------------------------------------------

def _jit_info(v: Any) -> tuple[list[int | None] | None, str | None]:
    """(shape, dtype) of a TorchScript value, or (None, None) for non-tensors."""
    import torch

    t = v.type()
    if isinstance(t, torch._C.TensorType):
        sizes = t.sizes()
        st = t.scalarType()
        dtype = None
        if st is not None:
            dtype = {"Float": "float32", "Double": "float64", "Half": "float16", "Long": "int64",
                     "Int": "int32", "Bool": "bool", "BFloat16": "bfloat16"}.get(st, st.lower())
        return (list(sizes) if sizes is not None else None), dtype
    return None, None


# TorchScript bookkeeping (in jit traces and in torch's GraphDefs): constants and attribute reads
# are dropped, list/tuple packing and scalar conversions are looked through, so the view shows the
# tensor ops.
_TS_DROP = {"prim::Constant", "prim::GetAttr"}
_TS_PASS = {"prim::ListConstruct", "prim::TupleConstruct", "prim::DictConstruct", "prim::ListUnpack",
            "prim::TupleUnpack", "prim::TupleIndex", "prim::NumToTensor", "aten::Int", "aten::ScalarImplicit"}


def _trace_jit(model: Any, args: tuple, strict: bool) -> GraphData:
    """torch.jit.trace: follows the branch the example input takes (data-dependent control flow)."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(model, args, strict=strict, check_trace=False)
    graph = traced.inlined_graph
    b = _Builder(model, "jit")
    srcs: dict[Any, list[tuple[str, list | None, str | None]]] = {}
    g_inputs = list(graph.inputs())[1:]  # [0] is self
    names = list(inspect.signature(model.forward).parameters)
    for i, v in enumerate(g_inputs):
        shape, dtype = _jit_info(v)
        label = names[i] if i < len(names) else v.debugName().split(".")[0]
        nid = b.add_node("", label, "input", "Input", shapes=[shape] if shape else [],
                         dtypes=[dtype] if dtype else [])
        srcs[v.unique()] = [(nid, shape, dtype)]

    stack: list[tuple[Any, str, str]] = []
    calls = 0

    def scope_of(node: Any) -> list[tuple[Any, str, str]]:
        nonlocal calls, stack
        paths = [s.removeprefix("__module.") for s in node.scopeName().split("/") if s.startswith("__module.")]
        keep = 0
        while keep < len(paths) and keep < len(stack) and stack[keep][1] == paths[keep]:
            keep += 1
        stack = stack[:keep]
        for p in paths[keep:]:
            calls += 1
            mod = b.modules.get(p)
            stack.append((calls, p, type(mod).__name__ if mod is not None else "Module"))
        return list(stack)

    for node in graph.nodes():
        kind = node.kind()
        ins = list(node.inputs())
        outs = list(node.outputs())
        if kind in _TS_DROP:
            continue
        if kind in _TS_PASS:
            if kind in ("prim::ListUnpack", "prim::TupleUnpack") and ins:
                src_node = ins[0].node()
                for i, o in enumerate(outs):
                    if src_node.kind() in ("prim::ListConstruct", "prim::TupleConstruct"):
                        srcs[o.unique()] = srcs.get(list(src_node.inputs())[i].unique(), [])
                    else:
                        shape, dtype = _jit_info(o)
                        srcs[o.unique()] = [(s[0], shape, dtype) for s in srcs.get(ins[0].unique(), [])]
            else:
                merged = [s for i in ins for s in srcs.get(i.unique(), [])]
                for o in outs:
                    srcs[o.unique()] = merged
            continue
        parent = b.scope(scope_of(node))
        op = kind.split("::", 1)[-1]
        shapes, dtypes = [], []
        for o in outs:
            s, d = _jit_info(o)
            if s is not None:
                shapes.append(s)
                dtypes.append(d or "")
        nid = b.add_node(parent, op, "op", op, shapes=shapes, dtypes=dtypes)
        for i in ins:
            for s in srcs.get(i.unique(), []):
                b.add_edge(s[0], nid, s[1], s[2])
        for o in outs:
            shape, dtype = _jit_info(o)
            srcs[o.unique()] = [(nid, shape, dtype)]

    def outputs(v: Any, label: str) -> None:
        n = v.node()
        if n.kind() in ("prim::TupleConstruct", "prim::ListConstruct"):
            for i, x in enumerate(n.inputs()):
                outputs(x, f"{label}.{i}")
        elif n.kind() == "prim::DictConstruct":
            xs = list(n.inputs())
            for k, x in zip(xs[::2], xs[1::2]):
                outputs(x, f"{label}.{k.toIValue()}")
        else:
            for s in srcs.get(v.unique(), []):
                oid = b.add_node("", label, "output", "Output", shapes=[s[1]] if s[1] else [],
                                 dtypes=[s[2]] if s[2] else [])
                b.add_edge(s[0], oid, s[1], s[2])

    for v in graph.outputs():
        outputs(v, "output")
    return b.finish()


# ---- the public entry points ----------------------------------------------------------------

def trace_graph(model: Any, input_to_model: Any = None, use_strict_trace: bool = True,
                method: str | None = None) -> GraphData:
    """Trace `model` into a GraphData: torch.fx first, then torch.jit.trace, then torch.export.

    `method` forces one tracer ("fx", "jit" or "export"); errors name what to pass."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - torch is optional for the rest of nbboard
        raise InputError(f"{METHOD}: needs torch installed to trace a model") from e
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"{METHOD}: model must be a torch.nn.Module; got {describe(model)}")
    args, kwargs = _bind(model, input_to_model)
    have_input = input_to_model is not None
    sig = _signature_text(model)
    if have_input:
        try:
            inspect.signature(model.forward).bind(*args, **kwargs)
        except TypeError as e:
            raise InputError(f"{METHOD}: input_to_model does not match {type(model).__name__}.{sig}: {e}; "
                             "pass a tensor for one input, a tuple of tensors for several "
                             "(or a dict of keyword inputs)") from e
    order = [method] if method else ["fx", "jit", "export"]
    errors: list[str] = []
    # Tracing runs forward(): keep BatchNorm statistics and other buffers exactly as they were.
    saved = {k: v.detach().clone() for k, v in model.state_dict(keep_vars=True).items()
             if not isinstance(v, torch.nn.Parameter)}
    try:
        for m in order:
            try:
                with torch.no_grad():
                    if m == "fx":
                        return _trace_fx(model, args, kwargs, have_input)
                    if not have_input:
                        errors.append(f"{m}: needs input_to_model")
                        continue
                    if m == "jit":
                        if kwargs:
                            errors.append("jit: takes positional inputs only")
                            continue
                        return _trace_jit(model, args, use_strict_trace)
                    if m == "export":
                        return _trace_export(model, args, kwargs)
                    raise InputError(f"{METHOD}: unknown trace method {m!r}; use 'fx', 'jit' or 'export'")
            except InputError:
                raise
            except Exception as e:  # each tracer fails in its own way: try the next one
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                errors.append(f"{m}: {type(e).__name__}: {first[:300]}")
    finally:
        with torch.no_grad():
            state = model.state_dict(keep_vars=True)
            for k, v in saved.items():
                if k in state and state[k].shape == v.shape:
                    state[k].copy_(v)
    if not have_input:
        raise InputError(f"{METHOD}: could not trace {type(model).__name__} without an example input "
                         f"({'; '.join(errors)}); pass input_to_model matching {sig}, e.g. a tensor "
                         "for one input or a tuple of tensors for several")
    hint = ("pass use_strict_trace=False if it returns dicts or lists, and check that "
            f"input_to_model ({', '.join(describe(a) for a in args) or 'keywords'}) is what {sig} accepts")
    raise RuntimeError(f"{METHOD}: could not trace {type(model).__name__} with torch.fx, torch.jit.trace "
                       f"or torch.export: {' | '.join(errors)}. {hint}")


# ---- GraphDef and RunMetadata ---------------------------------------------------------------

def _attr_list_shapes(shapes: list[list[int | None]]) -> bytes:
    """AttrValue{list=1: ListValue{shape=7: TensorShapeProto{dim=2: Dim{size=1}}}}; -1 = unknown."""
    items = b""
    for s in shapes:
        dims = b"".join(field_bytes(2, field_varint(1, -1 if d is None else d)) for d in s)
        items += field_bytes(7, dims)
    return field_bytes(1, items)


def _attr_entry(key: str, value: bytes) -> bytes:
    """One NodeDef.attr map entry {key=1, value=2: AttrValue}."""
    return field_bytes(5, field_string(1, key) + field_bytes(2, value))


def _gd_safe(local: str) -> str:
    """A local name without '/' (scope separator) or ':' (output index) for a GraphDef."""
    return local.replace("/", "_").replace(":", "_")


def _gd_names(rec: GraphData) -> dict[str, str]:
    """Node id → TensorBoard node name: scopes separated by '/' so TensorBoard groups by module."""
    groups = {g["id"]: g for g in rec.groups}
    cache: dict[str, str] = {}

    def gname(gid: str) -> str:
        if gid not in cache:
            g = groups[gid]
            local = g["id"][len(g["parent"]) + 1:] if g["parent"] else g["id"]
            cache[gid] = (gname(g["parent"]) + "/" if g["parent"] else "") + _gd_safe(local)
        return cache[gid]

    out: dict[str, str] = {}
    for n in rec.nodes:
        if n["kind"] == "input":
            out[n["id"]] = "input/" + _gd_safe(n["id"])
        elif n["kind"] == "output":
            out[n["id"]] = "output/" + _gd_safe(n["id"])
        else:
            local = n["id"][len(n["parent"]) + 1:] if n["parent"] else n["id"]
            out[n["id"]] = (gname(n["parent"]) + "/" if n["parent"] else "") + _gd_safe(local)
    return out


def graph_def(rec: GraphData) -> bytes:
    """GraphDef {node=1: NodeDef{name=1, op=2, input=3, device=4, attr=5}, versions=4{producer=1}}
    with `_output_shapes` on every node, as torch's add_graph writes it."""
    names = _gd_names(rec)
    inputs: dict[str, list[str]] = {}
    for e in rec.edges:
        inputs.setdefault(e["dst"], []).append(names[e["src"]])
    out = []
    for n in rec.nodes:
        op = "IO Node" if n["kind"] in ("input", "output") else n["op"]
        nd = field_string(1, names[n["id"]]) + field_string(2, op)
        for i in inputs.get(n["id"], []):
            nd += field_string(3, i)
        if n["kind"] not in ("input", "output"):
            nd += field_string(4, "/device:CPU:0")
        if n["shapes"]:
            nd += _attr_entry("_output_shapes", _attr_list_shapes(n["shapes"]))
        desc = [f"{k}: {v}" for k, v in n["attrs"].items()]
        if n.get("params"):
            desc.append(f"params: {n['params']}")
        if desc:
            nd += _attr_entry("attr", field_string(2, "{ " + "; ".join(desc) + " }"))
        out.append(field_bytes(1, nd))
    return b"".join(out) + field_bytes(4, field_varint(1, 22))


def run_metadata() -> bytes:
    """RunMetadata {step_stats=1: StepStats{dev_stats=1: DeviceStepStats{device=1}}} (as torch)."""
    return field_bytes(1, field_bytes(1, field_string(1, "/device:CPU:0")))


def graph_event(rec: GraphData, wall_time: float) -> bytes:
    """The Event {graph_def=4} TensorBoard's graph plugin reads."""
    return event(wall_time, 0, graph_def=graph_def(rec))


def metadata_event(wall_time: float, tag: str = "step1") -> bytes:
    """An Event with TaggedRunMetadata (torch writes one next to its graph)."""
    return event(wall_time, 0) + field_bytes(8, field_string(1, tag) + field_bytes(2, run_metadata()))


def read_graph_def(data: bytes) -> GraphData:
    """A GraphData from a GraphDef (graphs written by torch, TensorBoard or nbboard): '/' scopes
    become groups, `_output_shapes` become edge shapes. For the logdir reader."""
    nodes: list[dict[str, Any]] = []
    for f, _wt, v in iter_fields(data):
        if f != 1 or not isinstance(v, bytes):
            continue
        nd: dict[str, Any] = {"name": "", "op": "", "inputs": [], "shapes": [], "attrs": {}}
        for g, _w, x in iter_fields(v):
            if g == 1 and isinstance(x, bytes):
                nd["name"] = x.decode("utf-8", "replace")
            elif g == 2 and isinstance(x, bytes):
                nd["op"] = x.decode("utf-8", "replace")
            elif g == 3 and isinstance(x, bytes):
                nd["inputs"].append(re.sub(r":\d+$", "", x.decode("utf-8", "replace").lstrip("^")))
            elif g == 5 and isinstance(x, bytes):
                _read_attr(x, nd)
        nodes.append(nd)
    return _graph_from_nodes(nodes)


_SCOPE = re.compile(r"^(?P<type>[\w.]+)\[(?P<name>.+)\]$")  # torch's "Conv2d[conv1]"


def _onnx_io(n: dict[str, Any]) -> bool:
    """torch's add_onnx_graph writes each ONNX graph input and output as an input-less 'Variable'."""
    return n["op"] == "Variable" and not n["inputs"]


def _graph_from_nodes(nodes: list[dict[str, Any]]) -> GraphData:
    """Decoded NodeDefs → GraphData: TorchScript bookkeeping dropped, calls of shared scopes split.

    An ONNX graph output's Variable has the name of the op that produces it (its first output):
    the op keeps the name, the output becomes node `name:out` fed by it."""
    b = _Builder(None, "graphdef")
    by_name: dict[str, dict[str, Any]] = {}
    for n in nodes:  # a name repeated: the op, else the first Variable (a graph input)
        if n["name"] not in by_name or not _onnx_io(n):
            by_name[n["name"]] = n
    memo: dict[str, list[str]] = {}

    def sources(name: str, depth: int = 0) -> list[str]:
        """The kept nodes whose outputs flow into `name`'s input (through pass-through nodes)."""
        n = by_name.get(name)
        if n is None or n["op"] in _TS_DROP or depth > 50:
            return []
        if n["op"] not in _TS_PASS:
            return [name]
        if name not in memo:
            memo[name] = [s for i in n["inputs"] for s in sources(i, depth + 1)]
        return memo[name]

    # Scopes are entered and left in (topological) node order: a scope entered again after it was
    # left is another call of a shared module (torch names both calls alike) and gets its own group.
    stack: list[tuple[str, str]] = []  # (scope path, group id)
    calls: Counter[str] = Counter()

    def scope(path: str) -> str:
        nonlocal stack
        paths = [path[:i] for i in range(len(path)) if path[i] == "/"] + [path] if path else []
        keep = 0
        while keep < len(stack) and keep < len(paths) and stack[keep][0] == paths[keep]:
            keep += 1
        stack = stack[:keep]
        for p in paths[keep:]:
            k = calls[p]
            calls[p] += 1
            gid = p if k == 0 else f"{p}:{k}"
            seg = p.rsplit("/", 1)[-1]
            m = _SCOPE.match(seg)
            label, typ = (m["name"], m["type"]) if m else (seg, seg)
            b.groups[gid] = {"id": gid, "parent": stack[-1][1] if stack else "", "label": label, "module": p,
                             "type": typ}
            stack.append((p, gid))
        return stack[-1][1] if stack else ""

    kept: list[tuple[str, list[str]]] = []  # (node id, the names of its inputs)
    onnx_outputs = [n for n in nodes if _onnx_io(n) and by_name[n["name"]] is not n]
    for n in [*(n for n in nodes if not _onnx_io(n) or by_name[n["name"]] is n), *onnx_outputs]:
        if n["op"] in _TS_DROP or n["op"] in _TS_PASS:
            continue
        name, inputs = n["name"], n["inputs"]
        if _onnx_io(n):
            io, label = True, name
            if by_name[name] is n:
                kind = "input"
            else:  # drawn last, as the other readers' outputs are
                kind, inputs, name = "output", [name], f"{name}:out"
        else:
            io = n["op"] == "IO Node"
            kind = ("output" if inputs else "input") if io else "op"
            label = name.rsplit("/", 1)[-1] if not io else name.split("/", 1)[-1]
        parent = "" if io or "/" not in name else scope(name.rsplit("/", 1)[0])
        op = n["op"].split("::", 1)[-1] if "::" in n["op"] else n["op"]
        attrs = {k: v for k, v in n["attrs"].items() if v and v != "{}"}
        b.nodes[name] = {"id": name, "parent": parent, "label": label, "kind": kind, "op": "Input" if kind == "input"
                         else "Output" if kind == "output" else op, "module": None, "shapes": n["shapes"],
                         "dtypes": [], "attrs": attrs}
        kept.append((name, inputs))
    for nid, inputs in kept:
        for i in inputs:
            for src in sources(i):
                if src in b.nodes:
                    shapes = by_name[src]["shapes"] or b.nodes[nid]["shapes"]  # ONNX ops: the output's
                    b.add_edge(src, nid, shapes[0] if len(shapes) == 1 else None, None)
    rec = b.finish()
    tops = [g for g in rec.groups if not g["parent"]]
    if len(tops) == 1 and all(n["parent"] for n in rec.nodes if n["kind"] not in ("input", "output")):
        rec.model = tops[0]["label"]  # torch wraps everything in the model's class name
    return rec


def _shape(shp: bytes) -> list[int | None]:
    """TensorShapeProto{dim=2: Dim{size=1}} → dims (None for a negative, unknown size)."""
    dims: list[int | None] = []
    for h, _w, dim in iter_fields(shp):
        if h == 2 and isinstance(dim, bytes):
            size = signed64(int(next((s for k, _w2, s in iter_fields(dim) if k == 1), 0)))
            dims.append(None if size < 0 else size)
    return dims


def _read_attr(entry: bytes, nd: dict[str, Any]) -> None:
    """Decode one NodeDef.attr entry into `nd` (`_output_shapes` → shapes, strings → attrs)."""
    key, value = "", b""
    for f, _w, x in iter_fields(entry):
        if f == 1 and isinstance(x, bytes):
            key = x.decode("utf-8", "replace")
        elif f == 2 and isinstance(x, bytes):
            value = x
    if key == "_output_shapes":
        for f, _w, lst in iter_fields(value):
            if f == 1 and isinstance(lst, bytes):
                nd["shapes"].extend(_shape(shp) for g, _w2, shp in iter_fields(lst) if g == 7 and isinstance(shp, bytes))
    elif key == "shape" and nd["op"] == "Variable":  # an ONNX graph input/output's shape
        nd["shapes"] = [_shape(shp) for f, _w, shp in iter_fields(value) if f == 7 and isinstance(shp, bytes)]
    else:
        for f, _w, x in iter_fields(value):
            if f == 2 and isinstance(x, bytes):
                nd["attrs"][key] = _short(x.decode("utf-8", "replace"))


def summary_text(rec: GraphData) -> str:
    """A plain-text listing of the graph (what verbose=True prints)."""
    lines = [repr(rec)]
    for n in rec.nodes:
        shp = ", ".join("×".join("?" if d is None else str(d) for d in s) for s in n["shapes"])
        lines.append(f"  {n['id']:<40} {n['op']:<20} {shp}")
    return "\n".join(lines)


def log_graph(writer: Any, model: Any, input_to_model: Any = None, verbose: bool = False,
              use_strict_trace: bool = True) -> None:
    """SummaryWriter.add_graph: trace, then queue the GraphDef event and keep the record in the
    Store. A model that cannot be traced raises before anything is written."""
    from nbboard import store as st

    rec = trace_graph(model, input_to_model, use_strict_trace)
    wt = time.time()
    gd = graph_event(rec, wt)
    md = metadata_event(wt)
    if verbose:
        print(summary_text(rec))
    writer._raw_event(gd)
    writer._raw_event(md)
    writer.store.set_plugin_record(writer._key, st.GRAPHS, rec)

