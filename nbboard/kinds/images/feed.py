"""An image or video record as the page gets it: the PNG/GIF bytes, with boxes and labels as data."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.contract import Encoded
from nbboard.kinds.images.record import ImageData, encode_png


def encode(rec: ImageData) -> Encoded:
    meta: dict[str, Any] = {"w": rec.width, "h": rec.height, "c": rec.channels, "fmt": rec.format}
    if rec.format == "gif":
        meta["fps"] = rec.fps
        return meta, [rec.encoded]
    if rec.boxes is not None:
        # Boxes and labels are drawn by the page over the plain pixels (labels stay text, never HTML).
        meta["boxes"] = np.asarray(rec.boxes, dtype=np.float64).round(3).tolist()
        meta["labels"] = list(rec.labels) if rec.labels is not None else None
        meta["rescale"] = rec.rescale
        return meta, [encode_png(rec.array)]
    return meta, [rec.encoded]


def thumbnail(rec: ImageData) -> tuple[bytes, int, int] | None:
    """A still image's PNG for a view's static picture (a video's GIF is left out)."""
    if rec.format != "png":
        return None
    return rec.encoded, rec.width, rec.height
