"""The model graph: add_graph's traced module graph and add_onnx_graph's ONNX graph, one per run."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.graph.graphdef import read_graph_def
from nbboard.kinds.graph.write import GRAPHS

KIND = Kind(
    name=GRAPHS,
    accessor="graph",
    run_level=True,
    event_fields={4: read_graph_def},  # Event.graph_def
    views={"Graph": "nbboard.kinds.graph.view:Graph"},
    report=("## Model graph", "graph"),
)
