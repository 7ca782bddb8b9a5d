"""ScalarSeries: a scalar tag's points as three growable numpy columns (steps, values, wall times)."""

from __future__ import annotations

import numpy as np

SCALARS = "scalars"


_MIN_CAPACITY = 64


class ScalarSeries:
    """A scalar series as three growable numpy columns: int64 steps, float64 values and wall times."""

    __slots__ = ("_steps", "_values", "_wall_times", "_n", "version", "epoch", "_cap", "_ms",
                 "_mv", "_mw")

    def __init__(self) -> None:
        self._steps = np.empty(_MIN_CAPACITY, dtype=np.int64)
        self._values = np.empty(_MIN_CAPACITY, dtype=np.float64)
        self._wall_times = np.empty(_MIN_CAPACITY, dtype=np.float64)
        self._views()
        self._n = 0
        self.version = 0  # total points ever appended; a view that has seen v needs points [v - dropped:]
        self.epoch = 0  # bumped when points are removed (purge), so views resend the whole series

    kind = SCALARS

    def _grow(self, need: int) -> None:
        cap = len(self._steps)
        new = max(need, cap + (cap >> 1), _MIN_CAPACITY)  # ×1.5: ≤ 36 bytes per point at worst
        for name in ("_steps", "_values", "_wall_times"):
            old = getattr(self, name)
            arr = np.empty(new, dtype=old.dtype)
            arr[: self._n] = old[: self._n]
            setattr(self, name, arr)
        self._views()

    def _views(self) -> None:
        """Memoryviews of the columns: append writes through them (faster than numpy setitem)."""
        self._cap = len(self._steps)
        self._ms = memoryview(self._steps)
        self._mv = memoryview(self._values)
        self._mw = memoryview(self._wall_times)

    def append(self, step: int, value: float, wall_time: float) -> None:
        """Append one point (caller holds the Store lock)."""
        n = self._n
        if n == self._cap:
            self._grow(n + 1)
        try:
            self._ms[n] = step
        except (ValueError, TypeError):  # a step outside int64 (or not an int): numpy says which
            self._steps[n] = step
        self._mv[n] = value
        self._mw[n] = wall_time
        self._n = n + 1
        self.version += 1

    def reserve(self, k: int) -> None:
        """Make room for `k` more points at once (a loader's batches then extend without growing)."""
        if self._n + k > len(self._steps):
            self._grow(self._n + k)

    def extend(self, steps: np.ndarray, values: np.ndarray, wall_times: np.ndarray) -> None:
        """Append many points at once (caller holds the Store lock)."""
        k = len(steps)
        if k == 0:
            return
        n = self._n
        if n + k > len(self._steps):
            self._grow(n + k)
        self._steps[n : n + k] = steps
        self._values[n : n + k] = values
        self._wall_times[n : n + k] = wall_times
        self._n = n + k
        self.version += k

    def purge_from(self, step: int) -> None:
        """Drop every point with step ≥ `step` (TensorBoard's purge semantics)."""
        keep = self._steps[: self._n] < step
        if keep.all():
            return
        k = int(keep.sum())
        for name in ("_steps", "_values", "_wall_times"):
            arr = getattr(self, name)
            arr[:k] = arr[: self._n][keep]
        self._n = k
        self.epoch += 1

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self._n]

    @property
    def values(self) -> np.ndarray:
        return self._values[: self._n]

    @property
    def wall_times(self) -> np.ndarray:
        return self._wall_times[: self._n]

    def nbytes(self) -> int:
        """Bytes held by the columns (capacity included)."""
        return self._steps.nbytes + self._values.nbytes + self._wall_times.nbytes

    def __repr__(self) -> str:
        return f"ScalarSeries({self._n} points)"
