"""GraphData: a model graph as the graph view draws it (nodes, module groups, parameters, shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
