"""A histogram record as the page gets it: statistics, then bucket limits and counts as float64."""

from __future__ import annotations

import numpy as np

from nbboard.kinds.contract import Encoded
from nbboard.kinds.histograms.record import HistogramData
from nbboard.widgets.wire import num


def encode(rec: HistogramData) -> Encoded:
    meta = {"min": num(rec.min), "max": num(rec.max), "num": num(rec.num), "sum": num(rec.sum),
            "sum_squares": num(rec.sum_squares)}
    limits = np.ascontiguousarray(rec.bucket_limit, dtype=np.float64)
    counts = np.ascontiguousarray(rec.bucket, dtype=np.float64)
    return meta, [limits.tobytes(), counts.tobytes()]
