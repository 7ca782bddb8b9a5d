"""Incremental evaluation of one rule on one series: each call takes only the points logged since
the last one (numpy over the chunk), so the cost per tick follows what was logged, not the run.

Pure: no Store, no threads. `Track.feed` gets a chunk of (steps, values, wall times) and, for a
comparison against another series, the reference values at those steps; it returns the points at
which the rule fires. `Smoothed` keeps a whole series' EMA for use as a reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nbboard.kinds.alerts.rules import SIGNIFICANCE, TRENDS, Rule

#: A time window keeps at most this many points of history.
MAX_TAIL = 200_000
#: A rising/falling trend must hold this many points in a row (or a quarter of the window).
PERSIST = 3
#: The noise a trend must stand out from is estimated over this many points (or fewer at first).
NOISE_POINTS = 200


def ema(values: np.ndarray, weight: float, acc: float, count: int) -> tuple[np.ndarray, float, int]:
    """TensorBoard's smoothing (debiased EMA; non-finite values pass through and are skipped),
    continued from `acc`/`count`: (smoothed chunk, new acc, new count)."""
    out = np.array(values, dtype=np.float64, copy=True)
    if weight <= 0 or not len(out):
        return out, acc, count
    w, u = weight, 1.0 - weight
    for i, x in enumerate(out.tolist()):
        if x - x != 0.0:  # NaN or ±inf: shown as is, not accumulated
            continue
        acc = acc * w + u * x
        count += 1
        out[i] = acc / (1.0 - w ** count)
    return out, acc, count


class Smoothed:
    """One series' EMA, kept whole and extended as points arrive (a comparison's reference)."""

    __slots__ = ("weight", "values", "acc", "count", "epoch")

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.values = np.empty(0, dtype=np.float64)
        self.acc, self.count, self.epoch = 0.0, 0, -1

    def update(self, raw: np.ndarray, epoch: int) -> np.ndarray:
        """The smoothed series for `raw` (the whole series now; only its new points are smoothed)."""
        if epoch != self.epoch or len(raw) < len(self.values):
            self.values, self.acc, self.count, self.epoch = np.empty(0), 0.0, 0, epoch
        n = len(self.values)
        if len(raw) > n:
            new, self.acc, self.count = ema(raw[n:], self.weight, self.acc, self.count)
            self.values = np.concatenate([self.values, new])
        return self.values


def _persist(cond: np.ndarray, streak: int, m: int) -> tuple[np.ndarray, int]:
    """`cond` where it has held for at least `m` points in a row (counting the `streak` of points
    before the chunk), and the streak at the chunk's end."""
    c = cond.astype(np.int64)
    # run length ending at each point: index minus the index of the last False before it
    idx = np.arange(len(c))
    last_false = np.maximum.accumulate(np.where(c == 0, idx, -1))
    run = idx - last_false
    run = np.where(last_false < 0, run + streak, run)
    return run >= m, int(run[-1]) if len(run) else streak


@dataclass
class Fire:
    """A point at which a rule fires: its index in the chunk, its value and the reference
    (the threshold, the other series' value, the best so far, or the slope for trends)."""

    index: int
    value: float
    reference: float


class Track:
    """The state of one rule on one series (run, tag): smoothing, window history, best so far,
    and whether the rule is armed (it fires on the first point meeting the condition, then waits
    until `cooldown` points in a row have not met it, or forever with `once`)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.cursor = 0  # points of the series consumed
        self.epoch = -1
        self.reset()

    def reset(self) -> None:
        """Forget everything (the series was purged: it restarts)."""
        self.cursor = 0
        self.acc, self.count = 0.0, 0
        self.tail_s = np.empty(0)
        self.tail_raw = np.empty(0)
        self.tail_steps = np.empty(0, dtype=np.int64)
        self.tail_walls = np.empty(0)
        self.best = -math.inf if self.rule.condition == "below" else math.inf
        self.armed = True
        self.false_run = 0
        self.done = False
        self.streak = 0  # trend rules: points in a row the trend held, up to the chunk's end

    def feed(self, steps: np.ndarray, values: np.ndarray, walls: np.ndarray,
             ref: np.ndarray | None = None) -> list[Fire]:
        """Evaluate a chunk of new points (all of them: the caller passes only points whose
        reference is known); returns where the rule fires."""
        r = self.rule
        k = len(values)
        if not k:
            return []
        self.cursor += k
        if r.condition == "nonfinite":
            cond = ~np.isfinite(values)
            return self._arm(cond, values, np.full(k, np.nan), steps)
        x, self.acc, self.count = ema(values, r.smoothing, self.acc, self.count)
        if r.condition in TRENDS:
            cond, rate = self._trend(steps, values, walls, x)
            return self._arm(cond, x, rate, steps)
        if r.ref is None:
            thr = float(r.threshold)  # type: ignore[arg-type]
            reference = np.full(k, thr)
        elif r.ref.best:
            acc = np.fmax.accumulate if r.condition == "below" else np.fmin.accumulate
            prior = acc(np.concatenate([[self.best], x[:-1]]))
            self.best = float(acc(np.array([prior[-1], x[-1]]))[-1])
            reference = prior
        else:
            reference = np.asarray(ref, dtype=np.float64)
        margin = np.abs(reference) * r.by
        with np.errstate(invalid="ignore"):
            cond = x > reference + margin if r.condition == "above" else x < reference - margin
        return self._arm(cond, x, reference, steps)

    def _trend(self, steps: np.ndarray, raw: np.ndarray, walls: np.ndarray,
               x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Slope over the window per point, and whether the rule's trend holds there: the EMA's
        change across the window must also exceed SIGNIFICANCE standard deviations of the
        smoothed noise, estimated from the raw series' mean absolute second difference over the
        last NOISE_POINTS points (a trend, linear or smooth, does not count as noise)."""
        r = self.rule
        m = len(self.tail_s)
        S = np.concatenate([self.tail_s, x])
        R = np.concatenate([self.tail_raw, raw])
        ST = np.concatenate([self.tail_steps, steps]).astype(np.float64)
        W = np.concatenate([self.tail_walls, walls])
        idx = np.arange(m, len(S))
        if r.seconds is None:
            start = idx - (r.window - 1)
        else:
            start = np.searchsorted(W, W[idx] - r.seconds, side="right") - 1
        valid = start >= 0
        start = np.maximum(start, 0)
        with np.errstate(invalid="ignore"):
            d = np.abs(np.diff(R, n=2))  # second differences: a smooth trend does not count as noise
        d[~np.isfinite(d)] = 0.0
        C = np.concatenate([[0.0, 0.0], np.cumsum(d)])  # C[j]: sum of |Δ²R| up to point j
        npts = np.maximum(idx - start, 1)
        lo = np.maximum(idx - NOISE_POINTS, 0)  # the noise is estimated over a longer stretch
        mean_abs = (C[idx] - C[lo]) / np.maximum(idx - lo, 1)
        w = r.smoothing
        # white noise of sd σ: E|Δ²| = σ·√6·√(2/π); the EMA keeps (1-w)/(1+w) of its variance,
        # and a change between two smoothed points has √2 times that sd
        sigma = mean_abs * math.sqrt(math.pi / 12)
        noise = sigma * math.sqrt((1 - w) / (1 + w)) * math.sqrt(2)
        change = S[idx] - S[start]
        span = (W[idx] - W[start]) if r.seconds is not None else (ST[idx] - ST[start])
        span = np.where(span > 0, span, npts)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = change / span
            thr = r.threshold or 0.0
            if r.condition == "rising":
                cond = (rate > thr) & (change > SIGNIFICANCE * noise)
            elif r.condition == "falling":
                cond = (rate < -thr) & (-change > SIGNIFICANCE * noise)
            elif r.condition == "not_falling":
                cond = ~((rate < -thr) & (-change > SIGNIFICANCE * noise)) & np.isfinite(change)
            else:
                cond = np.abs(rate) < r.threshold
        cond &= valid
        if r.condition in ("rising", "falling"):  # a lone outlier moves the EMA for a point or two
            cond, self.streak = _persist(cond, self.streak, max(PERSIST, r.window // 4))
        # keep what the next chunk's windows reach back to
        if r.seconds is None:
            keep = r.window - 1
        else:
            keep = min(len(S) - int(np.searchsorted(W, W[-1] - r.seconds, side="right")) + 1, MAX_TAIL)
        keep = max(keep, NOISE_POINTS)
        self.tail_s, self.tail_raw = S[-keep:].copy(), R[-keep:].copy()
        self.tail_steps, self.tail_walls = ST[-keep:].astype(np.int64), W[-keep:].copy()
        return cond, rate

    def _arm(self, cond: np.ndarray, x: np.ndarray, reference: np.ndarray,
             steps: np.ndarray) -> list[Fire]:
        r = self.rule
        if r.after_step is not None:
            cond = cond & (steps >= r.after_step)
        fires: list[Fire] = []
        hits = np.flatnonzero(cond)
        if not len(hits):
            self.false_run += len(cond)
            return fires
        if self.done:
            self.false_run = len(cond) - 1 - int(hits[-1])
            return fires
        prev = -1
        for i in hits.tolist():
            gap = i - prev - 1  # points in a row not meeting the condition before this one
            run = self.false_run + gap if prev < 0 else gap
            if not self.armed and run >= r.cooldown and not r.once:
                self.armed = True
            if self.armed:
                fires.append(Fire(i, float(x[i]), float(reference[i])))
                self.armed = False
                if r.once:
                    self.done = True
                    break
            prev = i
        self.false_run = len(cond) - 1 - int(hits[-1])
        return fires
