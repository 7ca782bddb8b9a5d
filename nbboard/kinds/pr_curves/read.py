"""Reading PR curves: the pr_curves plugin's (6, num_thresholds) tensor."""

from __future__ import annotations

import numpy as np

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.pr_curves.record import PRCurveData
from nbboard.tfevents.protos import parse_tensor
from nbboard.tfevents.wire import DecodeError

PR_CURVES = "pr_curves"


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """Rows TP, FP, TN, FN, precision, recall."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if isinstance(t, list) or t.ndim != 2 or t.shape[0] != 6:
        raise DecodeError("pr_curves tensor is not (6, num_thresholds)")
    return [Decoded(PR_CURVES, tag, PRCurveData(np.asarray(t, dtype=np.float64)))]
