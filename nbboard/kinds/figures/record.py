"""The record the Store holds for each figures point: `FigureData`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class FigureData:
    """A plotly figure kept as its JSON, shown interactively by the views."""

    json: str
