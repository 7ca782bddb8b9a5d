"""The model graph: add_graph's traced module graph and add_onnx_graph's ONNX graph, one per run."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.graph.graphdef import read_graph_def
from nbboard.kinds.graph.record import GraphData
from nbboard.kinds.graph.write import GRAPHS

KIND = Kind(
    name=GRAPHS,
    accessor="graph",
    run_level=True,
    event_fields={4: read_graph_def},  # Event.graph_def
    feed=GraphData.to_json,  # a Board's Graph tab: each run's graph as JSON
    views={"Graph": "nbboard.kinds.graph.view:Graph"},
    # the graph bundle (dagre + the view): a Board attaches it once a run has a graph, and its
    # Graph tab imports it only when opened
    library=("graph", "nbboard.kinds.graph.view:graph_source"),
    report=("## Model graph", "graph"),
)
