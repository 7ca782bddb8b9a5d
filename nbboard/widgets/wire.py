"""The kernel side of the widget wire protocol (js/src/lib/wire.ts is the page side): its version,
the 8-byte-aligned layout of binary parts, and JSON-safe numbers.

The page says `{"type": "hello", "protocol": N}` when it attaches; the kernel answers
`{"type": "sync", "next": seq, "protocol": PROTOCOL}` and every view model carries `_protocol`,
so a page (or a saved widget state) of another version shows a clear message, not garbage.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Bumped whenever a message's layout changes (scalar deltas, record rows, projector parts).
PROTOCOL = 1


def num(x: Any) -> float | str:
    """A JSON-safe number: NaN and ±inf travel as strings."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def jsonable(x: Any) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return num(x) if isinstance(x, (float, np.floating)) else int(x)
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return str(x)


def pack_parts(parts: list[bytes], start: int = 0) -> tuple[list[list[int]], list[bytes], int]:
    """Lay binary parts out one after another from offset `start`, each 8-byte aligned (the record
    feeds' and the export payload's buffer layout): their [offset, nbytes], the chunks to join
    (padding included) and the offset after them."""
    locs, chunks, off = [], [], start
    for p in parts:
        locs.append([off, len(p)])
        chunks.append(p)
        off += len(p)
        pad = -off % 8
        if pad:
            chunks.append(b"\0" * pad)
            off += pad
    return locs, chunks, off
