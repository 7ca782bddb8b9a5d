"""Tracing a torch model into a GraphData: torch.fx with module scopes and shape propagation, then
torch.export, then TorchScript as fallbacks."""

from __future__ import annotations

import inspect
import operator
import warnings
from collections.abc import Iterator
from typing import Any

from nbboard.convert import InputError, describe, is_torch_tensor
from nbboard.kinds.graph.builder import (
    METHOD,
    NODE_ARG,
    TS_DROP,
    TS_PASS,
    GraphBuilder,
    fmt_arg,
    light_value,
    short_text,
    value_info,
)
from nbboard.kinds.graph.record import GraphData


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
            n.meta["nbb_value"] = light_value(r)  # shapes only: activations are freed as usual
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


def _convert_fx_graph(b: GraphBuilder, graph: Any, scope_of: Any, skip: set[str],
                      leaf_modules: bool, out_spec: Any = None) -> None:
    """fx/export graph → builder nodes and edges (getitem folded into edges)."""
    ids: dict[Any, str] = {}

    def source(n: Any) -> tuple[str, list | None, str | None] | None:
        v = n.meta.get("nbb_value", n.meta.get("val"))
        shapes, dtypes = value_info(v) if v is not None else ([], [])
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
            shapes, dtypes = value_info(v)
            attrs = {} if shapes or v is None else {"value": short_text(repr(v))}
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
        shapes, dtypes = value_info(v) if v is not None else ([], [])
        if n.op == "call_module" and leaf_modules:
            mod = b.modules.get(n.target)
            extra = short_text(mod.extra_repr()) if mod is not None else ""
            parent_path = b.groups[parent]["module"] if parent else ""
            local = b.local_name(str(n.target), parent_path)
            nid = b.add_node(parent, local, "module", type(mod).__name__ if mod is not None else "Module",
                             module=str(n.target), shapes=shapes, dtypes=dtypes,
                             attrs={"config": extra} if extra else {})
        elif n.op == "get_attr":
            nid = b.add_node(parent, str(n.target).rsplit(".", 1)[-1], "param", "Parameter",
                             shapes=shapes, dtypes=dtypes, attrs={"path": str(n.target)})
        else:
            consts = [f for f in (fmt_arg(a) for a in n.args) if f != NODE_ARG]
            consts += [f"{k}={f}" for k, f in ((k, fmt_arg(a)) for k, a in n.kwargs.items()) if f != NODE_ARG]
            attrs = {"args": short_text(", ".join(consts))} if consts else {}
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
    b = GraphBuilder(model, "fx")
    _convert_fx_graph(b, graph, lambda n: [(k, p, t) for k, p, t in n.meta.get("nbb_scope", [])],
                      set(), leaf_modules=True)
    return b.finish()


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

    b = GraphBuilder(model, "export")
    spec = getattr(getattr(ep, "call_spec", None), "out_spec", None)
    _convert_fx_graph(b, ep.graph, scope_of, skip, leaf_modules=False, out_spec=spec)
    return b.finish()


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


def _trace_jit(model: Any, args: tuple, strict: bool) -> GraphData:
    """torch.jit.trace: follows the branch the example input takes (data-dependent control flow)."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(model, args, strict=strict, check_trace=False)
    graph = traced.inlined_graph
    b = GraphBuilder(model, "jit")
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
        if kind in TS_DROP:
            continue
        if kind in TS_PASS:
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


def summary_text(rec: GraphData) -> str:
    """A plain-text listing of the graph (what verbose=True prints)."""
    lines = [repr(rec)]
    for n in rec.nodes:
        shp = ", ".join("×".join("?" if d is None else str(d) for d in s) for s in n["shapes"])
        lines.append(f"  {n['id']:<40} {n['op']:<20} {shp}")
    return "\n".join(lines)
