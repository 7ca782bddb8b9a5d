"""GraphData ↔ TensorBoard's GraphDef: writing node names in the module scopes TensorBoard groups
by, with shapes, and reading a GraphDef (torch's, ONNX's or nbboard's) back into a GraphData."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from nbboard.kinds.graph.builder import TS_DROP, TS_PASS, GraphBuilder, short_text
from nbboard.kinds.graph.record import GraphData
from nbboard.tfevents.messages import event
from nbboard.tfevents.wire import field_bytes, field_string, field_varint, iter_fields, signed64


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


def _segment(type_name: str, local: str) -> str:
    """A module's scope segment as torch's writer names it: `Conv2d[conv1]`."""
    return f"{_gd_safe(type_name)}[{_gd_safe(local)}]"


def _gd_names(rec: GraphData) -> dict[str, str]:
    """Node id → TensorBoard node name, scoped as torch's writer scopes them so TensorBoard groups by
    module: `Net/Conv2d[conv1]/Conv2d`, `Net/relu`, `input/x`, `output/output`.

    The root scope is the model's class name; a module is `Type[attribute]`; a leaf module node gets
    a scope of its own (torch's holds the module's ops). Every call of a shared module lands in the
    same scope, as in torch's graphs, where TensorBoard draws it as one node with a loop."""
    groups = {g["id"]: g for g in rec.groups}
    root = _gd_safe(rec.model) or "Model"
    scopes: dict[str, str] = {}

    def scope(gid: str) -> str:
        if not gid or gid not in groups:
            return root
        if gid not in scopes:
            g = groups[gid]
            scopes[gid] = scope(g["parent"]) + "/" + _segment(g["type"], g["label"])
        return scopes[gid]

    used: set[str] = set()

    def unique(name: str) -> str:
        k, out = 0, name
        while out in used:
            k += 1
            out = f"{name}_{k}"
        used.add(out)
        return out

    out: dict[str, str] = {}
    for n in rec.nodes:
        if n["kind"] in ("input", "output"):
            out[n["id"]] = unique(f"{n['kind']}/" + _gd_safe(n["label"]))
        elif n["kind"] == "module":
            out[n["id"]] = unique(scope(n["parent"]) + "/" + _segment(n["op"], n["label"]) + "/" + _gd_safe(n["op"]))
        else:
            out[n["id"]] = unique(scope(n["parent"]) + "/" + _gd_safe(n["label"]))
    return out


#: GraphDef field holding nbboard's own record as JSON (module names, parameters, shared-module
#: calls, the trace method): a field number GraphDef does not define, which protobuf readers
#: (TensorBoard's) keep as an unknown field and never show; nbboard reads the graph back from it.
RECORD_FIELD = 5849
_RECORD_FORMAT = "nbboard.graph/1"


def record_field(rec: GraphData) -> bytes:
    """The GraphDef field carrying `rec` whole, so a graph read from disk is the graph logged."""
    data = json.dumps({"format": _RECORD_FORMAT, **rec.to_json()}, separators=(",", ":"), allow_nan=False)
    return field_string(RECORD_FIELD, data)


def _record_from_json(raw: bytes) -> GraphData | None:
    """The GraphData `record_field` wrote, or None when the bytes are not one."""
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(d, dict) or d.get("format") != _RECORD_FORMAT:
        return None
    parts = [d.get(k) for k in ("nodes", "groups", "edges")]
    if not all(isinstance(p, list) and all(isinstance(x, dict) for x in p) for p in parts):
        return None
    params = d.get("params")
    return GraphData(str(d.get("model", "graph")), str(d.get("method", "graphdef")), parts[0], parts[1], parts[2],
                     params if isinstance(params, int) else 0)


def graph_def(rec: GraphData) -> bytes:
    """GraphDef {node=1: NodeDef{name=1, op=2, input=3, device=4, attr=5}, versions=4{producer=1}}
    with `_output_shapes` on every node, as torch's add_graph writes it, plus nbboard's record
    (`record_field`) for nbboard's own reader."""
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
    return b"".join(out) + field_bytes(4, field_varint(1, 22)) + record_field(rec)


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
    """A GraphData from a GraphDef, for the logdir reader: nbboard's own record when the GraphDef
    carries one (`record_field`), else (torch, TensorBoard) '/' scopes become groups and
    `_output_shapes` edge shapes."""
    fields = list(iter_fields(data))
    for f, _wt, v in reversed(fields):  # nbboard writes its record last
        if f == RECORD_FIELD and isinstance(v, bytes):
            rec = _record_from_json(v)
            if rec is not None:  # nbboard's own graph: the record as logged
                return rec
    nodes: list[dict[str, Any]] = []
    for f, _wt, v in fields:
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
    b = GraphBuilder(None, "graphdef")
    by_name: dict[str, dict[str, Any]] = {}
    for n in nodes:  # a name repeated: the op, else the first Variable (a graph input)
        if n["name"] not in by_name or not _onnx_io(n):
            by_name[n["name"]] = n
    memo: dict[str, list[str]] = {}

    def sources(name: str, depth: int = 0) -> list[str]:
        """The kept nodes whose outputs flow into `name`'s input (through pass-through nodes)."""
        n = by_name.get(name)
        if n is None or n["op"] in TS_DROP or depth > 50:
            return []
        if n["op"] not in TS_PASS:
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
        if n["op"] in TS_DROP or n["op"] in TS_PASS:
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
                nd["attrs"][key] = short_text(x.decode("utf-8", "replace"))
