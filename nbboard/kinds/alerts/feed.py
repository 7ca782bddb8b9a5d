"""An alert as the page gets it: its JSON (rule, tag, step, value, reference, message), with
non-finite numbers as null plus their text (JSON has no NaN); the page sanitises every string."""

from __future__ import annotations

import math
from typing import Any

from nbboard.kinds.contract import Encoded


def encode(rec: dict[str, Any]) -> Encoded:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, float) and not math.isfinite(v):
            out[k] = None
            out[f"{k}_text"] = repr(v)
        else:
            out[k] = v
    return out, []
