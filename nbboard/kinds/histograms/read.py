"""Reading histograms: TF1's HistogramProto field and TF2's (k, 3) [left, right, count] tensor."""

from __future__ import annotations

import numpy as np

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.histograms.record import HistogramData
from nbboard.tfevents.protos import f64, fields, packed, parse_tensor
from nbboard.tfevents.wire import I64, LEN, DecodeError

HISTOGRAMS = "histograms"


def parse_histogram(buf: bytes) -> HistogramData:
    """HistogramProto {min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}."""
    stats = {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0}
    limits: list[float] = []
    counts: list[float] = []
    for fn, wt, v in fields(buf):
        if fn in stats and wt == I64:
            stats[fn] = f64(wt, v)
        elif fn == 6:
            limits.extend(packed(wt, v, "<f8"))
        elif fn == 7:
            counts.extend(packed(wt, v, "<f8"))
    return HistogramData(min=stats[1], max=stats[2], num=stats[3], sum=stats[4],
                         sum_squares=stats[5], bucket_limit=np.asarray(limits, dtype=np.float64),
                         bucket=np.asarray(counts, dtype=np.float64))


def _tf2_histogram(arr: np.ndarray) -> HistogramData:
    """TF2's (k, 3) [left, right, count] tensor → HistogramData (bucket i covers (left, right])."""
    a = np.asarray(arr, dtype=np.float64).reshape(-1, 3) if arr.size else np.zeros((0, 3))
    left, right, count = a[:, 0], a[:, 1], a[:, 2]
    num = float(count.sum())
    centers = (left + right) / 2
    return HistogramData(
        min=float(left[0]) if len(a) else 0.0, max=float(right[-1]) if len(a) else 0.0,
        num=num, sum=float((centers * count).sum()), sum_squares=float((centers**2 * count).sum()),
        bucket_limit=right.copy(), bucket=count.copy())


def read_legacy(tag: str, wt: int, v: object) -> list[Decoded] | None:
    """Summary.Value.histo (field 5)."""
    if wt != LEN or not isinstance(v, bytes):
        return None
    return [Decoded(HISTOGRAMS, tag, parse_histogram(v))]


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The histograms plugin's tensor (TF2)."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if isinstance(t, list):
        raise DecodeError("histogram tensor of strings")
    return [Decoded(HISTOGRAMS, tag, _tf2_histogram(t))]
