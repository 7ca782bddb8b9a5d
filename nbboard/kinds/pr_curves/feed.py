"""A PR-curve record as the page gets it: the (6, n) float64 rows."""

from __future__ import annotations

import numpy as np

from nbboard.kinds.contract import Encoded
from nbboard.kinds.pr_curves.record import PRCurveData


def encode(rec: PRCurveData) -> Encoded:
    data = np.ascontiguousarray(rec.data, dtype=np.float64)
    return {"n": int(data.shape[1])}, [data.tobytes()]
