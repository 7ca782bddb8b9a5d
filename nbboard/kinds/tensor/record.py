"""The record the Store holds for each tensor point: `TensorData`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(eq=False)
class TensorData:
    """A raw tensor from add_tensor."""

    array: np.ndarray
