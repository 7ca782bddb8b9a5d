"""GraphBuilder: collects a model's ops, module groups, parameters and shapes (from any tracer,
ONNX or a GraphDef) into a GraphData, grouping repeated blocks and summing parameters per module."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from nbboard.kinds.graph.record import GraphData

METHOD = "add_graph"
_MAX_ATTR = 240  # characters kept of a module's extra_repr / an op's constant arguments


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


def light_value(v: Any) -> Any:
    """`v` with every tensor replaced by its _TensorInfo (nested tuples, lists, dicts kept)."""
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return _TensorInfo(v.shape, v.dtype)
    if isinstance(v, list):
        return [light_value(x) for x in v]
    if isinstance(v, tuple):  # named tuples too, as plain tuples
        return tuple(light_value(x) for x in v)
    if isinstance(v, dict):
        return {k: light_value(x) for k, x in v.items()}
    return v if isinstance(v, (int, float, bool, str, type(None))) else None


def value_info(v: Any) -> tuple[list[list[int | None]], list[str]]:
    """Shapes and dtypes of every tensor in a (nested) value."""
    ts = list(_tensors(v))
    return [_dims(t.shape) for t in ts], [_dtype(t) for t in ts]


def short_text(s: str) -> str:
    """One line of at most _MAX_ATTR characters (for attributes shown in the panel)."""
    s = " ".join(s.split())
    return s if len(s) <= _MAX_ATTR else s[: _MAX_ATTR - 1] + "…"


NODE_ARG = "·"  # an fx Node argument: shown as an edge, not in the op's constant arguments


def fmt_arg(a: Any) -> str:
    """An op's argument as short text (nested tuples and lists of constants and nodes)."""
    if isinstance(a, (tuple, list)):
        inner = ", ".join(fmt_arg(x) for x in a)
        return f"({inner})" if isinstance(a, tuple) else f"[{inner}]"
    if hasattr(a, "op") and hasattr(a, "name") and hasattr(a, "users"):  # an fx Node
        return NODE_ARG
    return repr(a)


# ---- the record builder ----------------------------------------------------------------------

class GraphBuilder:
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
    def local_name(path: str, parent_path: str) -> str:
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
                local = self.local_name(path, parent_path) or type_name
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




# TorchScript bookkeeping (in jit traces and in torch's GraphDefs): constants and attribute reads
# are dropped, list/tuple packing and scalar conversions are looked through, so the view shows the
# tensor ops.
TS_DROP = {"prim::Constant", "prim::GetAttr"}


TS_PASS = {"prim::ListConstruct", "prim::TupleConstruct", "prim::DictConstruct", "prim::ListUnpack",
            "prim::TupleUnpack", "prim::TupleIndex", "prim::NumToTensor", "aten::Int", "aten::ScalarImplicit"}
