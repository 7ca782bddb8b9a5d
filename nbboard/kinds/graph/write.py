"""add_graph and add_onnx_graph: a model → the graph record the view shows and the Events
TensorBoard reads (a GraphDef, plus torch's RunMetadata for a traced model). Nothing is
returned until the model is read, so a model that cannot be traced writes nothing."""

from __future__ import annotations

import os
from typing import Any

from nbboard.kinds.graph import onnx
from nbboard.kinds.graph.graphdef import graph_event, metadata_event, record_field
from nbboard.kinds.graph.record import GraphData
from nbboard.kinds.graph.trace import summary_text, trace_graph
from nbboard.tfevents.messages import event

GRAPHS = "graphs"


def traced_graph(model: Any, input_to_model: Any, verbose: bool, use_strict_trace: bool,
                 wall_time: float) -> tuple[GraphData, list[bytes]]:
    """Trace `model` with `input_to_model`: its record and its GraphDef and RunMetadata Events."""
    rec = trace_graph(model, input_to_model, use_strict_trace)
    if verbose:
        print(summary_text(rec))
    return rec, [graph_event(rec, wall_time), metadata_event(wall_time)]


def onnx_graph(prototxt: Any, wall_time: float) -> tuple[GraphData, list[bytes]]:
    """Read an ONNX model file: its record and torch's GraphDef Event (torch writes no RunMetadata),
    the GraphDef carrying the record too, so the graph reads back from disk as it was logged."""
    g = onnx.read_model(prototxt)
    name = (os.path.splitext(os.path.basename(os.fspath(prototxt)))[0]
            if isinstance(prototxt, (str, os.PathLike)) else "")
    rec = onnx.graph_data(g, name)
    return rec, [event(wall_time, 0, graph_def=onnx.graph_def(g) + record_field(rec))]
