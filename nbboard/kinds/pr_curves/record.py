"""The record the Store holds for each pr_curves point: `PRCurveData`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(eq=False)
class PRCurveData:
    """PR-curve data as TensorBoard's pr_curves plugin stores it: rows TP, FP, TN, FN, precision, recall."""

    data: np.ndarray  # shape (6, num_thresholds), float64

    @property
    def thresholds(self) -> np.ndarray:
        n = self.data.shape[1]
        return np.arange(n, dtype=np.float64) / max(n - 1, 1)
