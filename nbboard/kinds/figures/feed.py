"""A plotly figure record as the page gets it: its JSON bytes."""

from __future__ import annotations

from nbboard.kinds.contract import Encoded
from nbboard.kinds.figures.record import FigureData


def encode(rec: FigureData) -> Encoded:
    return {}, [rec.json.encode("utf-8")]
