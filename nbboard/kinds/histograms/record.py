"""The record the Store holds for each histograms point: `HistogramData`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(eq=False)
class HistogramData:
    """A histogram as TensorBoard's HistogramProto: bucket i counts values in (limit[i-1], limit[i]]."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: np.ndarray
    bucket: np.ndarray
