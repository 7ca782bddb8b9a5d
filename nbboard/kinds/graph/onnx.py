"""add_onnx_graph: an ONNX model file → the GraphDef torch writes for it (so TensorBoard shows the
same graph) and a `GraphData` record for nbboard's graph view.

The ONNX protobuf is read with nbboard's own wire decoder: the `onnx` package is not needed.
The view's record groups nodes by the '/' scopes exporters put in node names ("/layer1/conv/Conv"),
draws tensors as edges with their shapes where the file records them (inputs, outputs,
value_info), and lists each node's weights (initializers) as its parameters.

One divergence from torch's GraphDef: an attribute holding a tensor, graph or type proto (a
Constant's `value`, an If's branches) is written as "<tensor>", "<graph>" or "<type>" where torch
writes the whole message in protobuf text format (which would need the onnx package to print).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from typing import Any

from nbboard.convert import InputError, describe
from nbboard.kinds.graph.builder import GraphBuilder
from nbboard.kinds.graph.record import GraphData
from nbboard.tfevents.wire import (
    DecodeError,
    field_bytes,
    field_string,
    field_varint,
    iter_fields,
    signed64,
    unpack_varints,
)

METHOD = "add_onnx_graph"

# TensorProto.DataType (elem_type) → a dtype name
_DTYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
           8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64",
           14: "complex64", 15: "complex128", 16: "bfloat16"}


@dataclass
class OnnxValue:
    """A ValueInfoProto: a named tensor with its element type and shape (None: unknown dim)."""

    name: str
    elem_type: int = 0
    dims: list[int | None] | None = None


@dataclass
class OnnxNode:
    """A NodeProto: op type, name, tensor inputs/outputs and attributes as
    (name, value text, the text torch writes for it)."""

    op_type: str
    name: str
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attrs: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class OnnxGraph:
    """What add_onnx_graph needs of a ModelProto's graph."""

    name: str
    nodes: list[OnnxNode]
    inputs: list[OnnxValue]
    outputs: list[OnnxValue]
    value_info: dict[str, OnnxValue]
    initializers: dict[str, list[int]]  # weight name → dims


# ---- reading the protobuf ---------------------------------------------------------------------

def _text(b: Any) -> str:
    return bytes(b).decode("utf-8", "replace")


def value_info(buf: bytes) -> OnnxValue:
    """ValueInfoProto {name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1:
    {dim_value=1, dim_param=2}}}}}."""
    v = OnnxValue("")
    for f, _w, x in iter_fields(buf):
        if f == 1 and isinstance(x, bytes):
            v.name = _text(x)
        elif f == 2 and isinstance(x, bytes):
            for g, _w2, tt in iter_fields(x):
                if g != 1 or not isinstance(tt, bytes):
                    continue
                for h, _w3, y in iter_fields(tt):
                    if h == 1 and isinstance(y, int):
                        v.elem_type = y
                    elif h == 2 and isinstance(y, bytes):
                        dims: list[int | None] = []
                        for k, _w4, d in iter_fields(y):
                            if k == 1 and isinstance(d, bytes):
                                size = next((int(s) for j, _w5, s in iter_fields(d) if j == 1 and isinstance(s, int)), None)
                                dims.append(size)
                        v.dims = dims
    return v


def _attribute(buf: bytes) -> tuple[str, str, str]:
    """AttributeProto → (name, its value as text for the panel, the text torch's add_onnx_graph
    writes for it: every field that is set, in field-number order, joined by ' = ')."""
    fields: dict[int, list[Any]] = {}
    for f, w, x in iter_fields(buf, raw_fixed=True):
        if f in (7, 8) and w == 2 and isinstance(x, bytes):  # packed floats / ints
            fields.setdefault(f, []).extend(struct.unpack(f"<{len(x) // 4}f", x) if f == 7 else unpack_varints(x))
            continue
        if f in (2, 7) and isinstance(x, bytes) and len(x) == 4:
            x = struct.unpack("<f", x)[0]
        elif f in (3, 8, 20) and isinstance(x, int):
            x = signed64(x)
        fields.setdefault(f, []).append(x)
    name = _text(fields.get(1, [b""])[0])
    parts: list[str] = []
    value = ""
    for f in sorted(fields):
        vals = fields[f]
        if f == 1:
            parts.append(name)
        elif f in (7, 8):  # repeated floats / ints
            parts.append(str([float(v) if f == 7 else int(v) for v in vals]))
        elif f == 9:  # repeated bytes
            parts.append(str([bytes(v) for v in vals]))
        elif f == 4:  # a string: torch writes the bytes' repr (b'reflect'); the panel shows its text
            parts.append(str(bytes(vals[-1])))
            if not value:
                value = _text(vals[-1])
        elif f in (5, 6, 10, 11, 14, 15, 22, 23):  # tensors, graphs, type protos, sparse tensors
            parts.append(f"<{'tensor' if f in (5, 10, 22, 23) else 'graph' if f in (6, 11) else 'type'}>")
        else:
            v = vals[-1]
            parts.append(_text(v) if isinstance(v, bytes) else str(v))
        if f not in (1, 20) and not value:
            value = parts[-1]
    return name, value, " = ".join(parts)


def _node(buf: bytes) -> OnnxNode:
    """NodeProto {input=1, output=2, name=3, op_type=4, attribute=5}."""
    n = OnnxNode("", "")
    for f, _w, x in iter_fields(buf):
        if not isinstance(x, bytes):
            continue
        if f == 1:
            n.inputs.append(_text(x))
        elif f == 2:
            n.outputs.append(_text(x))
        elif f == 3:
            n.name = _text(x)
        elif f == 4:
            n.op_type = _text(x)
        elif f == 5:
            n.attrs.append(_attribute(x))
    return n


def _initializer(buf: bytes) -> tuple[str, list[int]]:
    """TensorProto {dims=1 (packed or not), name=8}."""
    name, dims = "", []
    for f, w, x in iter_fields(buf):
        if f == 8 and isinstance(x, bytes):
            name = _text(x)
        elif f == 1 and isinstance(x, int):
            dims.append(x)
        elif f == 1 and w == 2 and isinstance(x, bytes):
            dims.extend(unpack_varints(x))
    return name, dims


def parse_onnx(data: bytes) -> OnnxGraph:
    """The graph of a serialized ONNX ModelProto {graph=7: GraphProto{node=1, name=2,
    initializer=5, input=11, output=12, value_info=13}}; DecodeError/ValueError if it is not one."""
    graph = None
    for f, _w, x in iter_fields(data):
        if f == 7 and isinstance(x, bytes):
            graph = x
    if graph is None:
        raise ValueError("no graph in it (ModelProto field 7)")
    g = OnnxGraph("", [], [], [], {}, {})
    for f, _w, x in iter_fields(graph):
        if not isinstance(x, bytes):
            continue
        if f == 1:
            g.nodes.append(_node(x))
        elif f == 2:
            g.name = _text(x)
        elif f == 5:
            name, dims = _initializer(x)
            g.initializers[name] = dims
        elif f == 11:
            g.inputs.append(value_info(x))
        elif f == 12:
            g.outputs.append(value_info(x))
        elif f == 13:
            v = value_info(x)
            g.value_info[v.name] = v
    if not g.nodes and not g.inputs:
        raise ValueError("its graph has no nodes and no inputs")
    return g


def read_model(prototxt: Any) -> OnnxGraph:
    """The graph of an ONNX file given as a path, bytes or a binary file object; InputError if it
    cannot be read or is not an ONNX model."""
    if isinstance(prototxt, (str, os.PathLike)):
        try:
            with open(prototxt, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise InputError(f"{METHOD}: prototxt {os.fspath(prototxt)!r} cannot be read ({e.strerror or e}); "
                             "expected the path of an .onnx model file") from None
    elif isinstance(prototxt, (bytes, bytearray, memoryview)):
        data = bytes(prototxt)
    elif hasattr(prototxt, "read"):
        data = prototxt.read()
        if not isinstance(data, bytes):
            raise InputError(f"{METHOD}: prototxt is a text file object; open the .onnx file in binary mode ('rb')")
    else:
        raise InputError(f"{METHOD}: prototxt must be the path of an .onnx model file, its bytes or a binary "
                         f"file object; got {describe(prototxt)}")
    try:
        return parse_onnx(data)
    except (DecodeError, ValueError, IndexError, struct.error, UnicodeDecodeError) as e:
        raise InputError(f"{METHOD}: prototxt is not an ONNX model ({e}); expected a file written by "
                         "torch.onnx.export or onnx.save") from None


# ---- the GraphDef torch writes ----------------------------------------------------------------

def _attr(key: str, value: bytes) -> bytes:
    return field_bytes(5, field_string(1, key) + field_bytes(2, value))


def graph_def(g: OnnxGraph) -> bytes:
    """torch's add_onnx_graph GraphDef: a 'Variable' NodeDef per graph input and output (dtype,
    shape), then a NodeDef per ONNX node named after its first output, op = op_type, inputs as
    named, attr 'parameters' = its attributes' text; versions.producer = 22. Byte for byte torch's
    except tensor/graph attributes, written "<tensor>"/"<graph>" (not protobuf text format)."""
    out = []
    for v in [*g.inputs, *g.outputs]:
        dims = b"".join(field_bytes(2, field_varint(1, d or 0)) for d in (v.dims or []))
        nd = (field_string(1, v.name) + field_string(2, "Variable")
              + _attr("dtype", field_varint(6, v.elem_type)) + _attr("shape", field_bytes(7, dims)))
        out.append(field_bytes(1, nd))
    for n in g.nodes:
        nd = field_string(1, n.outputs[0] if n.outputs else n.name) + field_string(2, n.op_type)
        for i in n.inputs:
            nd += field_string(3, i)
        nd += _attr("parameters", field_string(2, ", ".join(text for _k, _v, text in n.attrs)))
        out.append(field_bytes(1, nd))
    return b"".join(out) + field_bytes(4, field_varint(1, 22))


# ---- the record for the view ------------------------------------------------------------------

def _count(dims: list[int]) -> int:
    total = 1
    for d in dims:
        total *= max(int(d), 0)
    return total


def graph_data(g: OnnxGraph, model: str = "") -> GraphData:
    """A GraphData for the graph view: inputs (those that are not weights), outputs, one node per
    ONNX node inside groups from the '/' scopes of its name (a scope holding a single op becomes
    that node, as a leaf module does in add_graph), an edge per tensor passed on."""
    b = GraphBuilder(None, "onnx")
    shapes = {v.name: v for v in [*g.inputs, *g.outputs, *g.value_info.values()]}
    producer: dict[str, str] = {}

    def scope(parts: list[str]) -> str:
        parent = ""
        for k, seg in enumerate(parts):
            gid = "/".join(parts[: k + 1])
            if gid not in b.groups:
                b.groups[gid] = {"id": gid, "parent": parent, "label": seg, "module": gid.replace("/", "."),
                                 "type": ""}
            parent = gid
        return parent

    def edge_info(tensor: str) -> tuple[list[int | None] | None, str | None]:
        v = shapes.get(tensor)
        return (v.dims if v else None), (_DTYPES.get(v.elem_type) if v and v.elem_type else None)

    for v in g.inputs:
        if v.name in g.initializers:
            continue
        dims, dtype = edge_info(v.name)
        nid = b.add_node("", v.name, "input", "Input", shapes=[dims] if dims is not None else [],
                         dtypes=[dtype] if dtype else [])
        producer[v.name] = nid
    for k, n in enumerate(g.nodes):
        label = n.name or f"{n.op_type}_{k}"
        parts = [p for p in label.split("/") if p]
        parent = scope(parts[:-1]) if len(parts) > 1 else ""
        outs = [edge_info(o) for o in n.outputs]
        nid = b.add_node(parent, parts[-1] if parts else label, "op", n.op_type,
                         shapes=[d for d, _t in outs if d is not None], dtypes=[t for _d, t in outs if t],
                         attrs={key: value for key, value, _text in n.attrs})
        weights = {i: g.initializers[i] for i in n.inputs if i in g.initializers}
        b.nodes[nid]["param_shapes"] = weights  # kept by finish(); groups sum their nodes'
        b.nodes[nid]["params"] = sum(_count(d) for d in weights.values())
        for i in n.inputs:
            if i in producer:
                dims, dtype = edge_info(i)
                b.add_edge(producer[i], nid, dims, dtype)
        for o in n.outputs:
            producer[o] = nid
    for v in g.outputs:
        dims, dtype = edge_info(v.name)
        nid = b.add_node("", v.name, "output", "Output", shapes=[dims] if dims is not None else [],
                         dtypes=[dtype] if dtype else [])
        if v.name in producer:
            b.add_edge(producer[v.name], nid, dims, dtype)
    # a scope's "type": the op types inside it, in order (exporters record no module classes)
    ops: dict[str, dict[str, None]] = {gid: {} for gid in b.groups}
    for n in b.nodes.values():
        gid = n["parent"]
        while gid:
            ops[gid][n["op"]] = None
            gid = b.groups[gid]["parent"]
    for gid, grp in b.groups.items():
        types = list(ops[gid])
        grp["type"] = "·".join(types[:3]) + ("…" if len(types) > 3 else "")
    rec = b.finish()
    rec.model = model or g.name or "onnx"
    rec.params = sum(_count(d) for d in g.initializers.values())
    return rec
