"""A text record as the page gets it: the markdown source (the page sanitises it)."""

from __future__ import annotations

from nbboard.kinds.contract import Encoded
from nbboard.kinds.text.record import TextData


def encode(rec: TextData) -> Encoded:
    return {"text": rec.text}, []
