"""One view's state and messages packed as an exported page reads them
(js/src/lib/export_payload.ts): a JSON head and 8-byte-aligned binary parts, zlib-compressed,
base64."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Sequence
from typing import Any

Message = tuple[dict, list[bytes]]


def encode_payload(state: dict, messages: Sequence[Message], runtime: str = "main",
                   libs: Sequence[str] = ()) -> bytes:
    """Pack a view (its model state and the kernel messages it would receive) into one binary blob.

    Layout: ``b"NBB1" | u32 LE json length | json | pad to 8 | buffers, each 8-byte aligned``.
    """
    from nbboard.widgets.wire import pack_parts

    chunks: list[bytes] = []
    off = 0
    rows = []
    for content, buffers in messages:
        locs, ch, off = pack_parts([bytes(b) for b in buffers], off)
        chunks += ch
        rows.append({"c": content, "b": locs})
    head = json.dumps({"state": state, "runtime": runtime, "libs": list(libs), "messages": rows},
                      separators=(",", ":"), default=_json_default).encode("utf-8")
    pad = -(8 + len(head)) % 8
    return b"NBB1" + struct.pack("<I", len(head)) + head + b"\0" * pad + b"".join(chunks)


def decode_payload(blob: bytes) -> tuple[dict, list[Message]]:
    """The inverse of `encode_payload` (tests, debugging): (head without messages, messages)."""
    if blob[:4] != b"NBB1":
        raise ValueError("not an nbboard export payload")
    (n,) = struct.unpack("<I", blob[4:8])
    head = json.loads(blob[8 : 8 + n])
    base = (8 + n + 7) & ~7
    msgs = [(m["c"], [blob[base + o : base + o + k] for o, k in m["b"]]) for m in head.pop("messages")]
    return head, msgs


def _json_default(x: Any) -> Any:
    import numpy as np

    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def pack(blob: bytes) -> str:
    """zlib-compress (the browser's DecompressionStream("deflate")) and base64 a blob."""
    return base64.b64encode(zlib.compress(blob, 6)).decode("ascii")
