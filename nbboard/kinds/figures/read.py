"""Reading plotly figures: nbboard's own plugin, the figure's JSON in a string tensor."""

from __future__ import annotations

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.figures.record import FigureData
from nbboard.tfevents.protos import parse_tensor

FIGURES = "nbboard_plotly"


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The first string of the tensor is the figure's JSON."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if not isinstance(t, list) or not t:
        return []
    return [Decoded(FIGURES, tag, FigureData(t[0].decode("utf-8", "replace")))]
