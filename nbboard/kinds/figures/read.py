"""Reading plotly figures: nbboard's own plugin, the figure's JSON in a string tensor."""

from __future__ import annotations

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.figures.record import FigureData
from nbboard.tfevents.protos import first_string

FIGURES = "nbboard_plotly"


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The first string of the tensor is the figure's JSON."""
    raw = first_string(tensor)
    return [] if raw is None else [Decoded(FIGURES, tag, FigureData(raw.decode("utf-8", "replace")))]
