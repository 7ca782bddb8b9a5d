"""Histograms: values → HistogramData with exactly torch's buckets (TensorFlow's exponential
default bins, numpy bin rules, int counts or explicit edges), and the HistogramProto encoder."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from nbboard.convert import InputError, describe, to_float, to_numpy
from nbboard.kinds.histograms.record import HistogramData
from nbboard.tfevents.messages import histogram_message, summary, summary_value

_NUMPY_BIN_RULES = ("auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt")


def _tensorflow_bins() -> np.ndarray:
    """torch's default edges (±1e-12·1.1^k up to 1e20, and 0), built with the same float steps."""
    v = 1e-12
    buckets = []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return np.array([-b for b in reversed(buckets)] + [0.0] + buckets, dtype=np.float64)


TENSORFLOW_BINS = _tensorflow_bins()


def _values(values: Any, method: str) -> np.ndarray:
    """The input as a flat float64 array (torch casts with `astype(float)` too)."""
    arr = to_numpy(values, method, "values", copy=False)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{method}: values must be real numbers (bool, int or float); "
                         f"got {describe(values)}")
    if arr.size == 0:
        raise InputError(f"{method}: values is empty ({describe(values)}); a histogram needs at "
                         "least one finite value")
    return np.asarray(arr, dtype=np.float64).reshape(-1)


def _edges(bins: Any, method: str) -> np.ndarray | None:
    """Explicit bin edges as a float64 array, or None when numpy computes them (str/int bins)."""
    if isinstance(bins, str):
        if bins == "tensorflow":
            return TENSORFLOW_BINS
        if bins not in _NUMPY_BIN_RULES:
            raise InputError(f"{method}: bins={bins!r} is not accepted; use 'tensorflow', one of "
                             f"{', '.join(map(repr, _NUMPY_BIN_RULES))}, an int or a sequence of edges")
        return None
    if isinstance(bins, (numbers.Integral, np.integer)) and not isinstance(bins, bool):
        if int(bins) < 1:
            raise InputError(f"{method}: bins must be a positive int; got {bins!r}")
        return None
    try:
        edges = to_numpy(bins, method, "bins", copy=False)
    except InputError:
        raise InputError(f"{method}: bins must be 'tensorflow', a numpy bin rule name, an int or "
                         f"a 1-D sequence of increasing edges; got {describe(bins)}") from None
    if edges.ndim != 1 or edges.size < 2 or edges.dtype.kind not in "iuf":
        raise InputError(f"{method}: bins as edges must be a 1-D numeric sequence of at least 2 "
                         f"increasing values; got {describe(bins)}")
    edges = np.asarray(edges, dtype=np.float64)
    if not np.isfinite(edges).all() or np.any(edges[:-1] > edges[1:]):
        raise InputError(f"{method}: bins edges must be finite and increase monotonically; "
                         f"got {describe(bins)}")
    return edges


def make_histogram(values: Any, bins: Any = "tensorflow", max_bins: int | None = None,
                   method: str = "add_histogram") -> HistogramData:
    """Bucket `values` exactly like torch's summary.make_histogram (same limits and counts)."""
    edges = _edges(bins, method)
    if max_bins is not None and (not isinstance(max_bins, (numbers.Integral, np.integer))
                                 or isinstance(max_bins, bool) or int(max_bins) < 1):
        raise InputError(f"{method}: max_bins must be a positive int or None; got {describe(max_bins)}")
    v = _values(values, method)
    mn = v.min()
    mx = v.max()
    if not (np.isfinite(mn) and np.isfinite(mx)):
        raise InputError(f"{method}: values contains NaN or ±inf ({describe(values)}); a histogram "
                         "needs finite values")
    # numpy sorts blocks and searches the edges into them: faster than searching each value
    counts, limits = np.histogram(v, bins=bins if edges is None else edges)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        subsampling_remainder = num_bins % subsampling
        if subsampling_remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - subsampling_remainder]],
                            mode="constant", constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    # keep the support: one empty bucket left of the first non-empty one, up to the last one
    cum_counts = np.cumsum(np.greater(counts, 0))
    if cum_counts[-1] == 0:
        raise InputError(f"{method}: no element of values ({describe(values)}) falls inside bins "
                         f"[{limits[0]}, {limits[-1]}]; the histogram would be empty")
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start = int(start)
    end = int(end) + 1
    counts = counts[start - 1 : end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start : end + 1]
    return HistogramData(
        min=float(mn), max=float(mx), num=float(len(v)), sum=float(v.sum()),
        # torch uses v.dot(v); einsum agrees to ~1e-16 but avoids threaded BLAS, whose ddot
        # stalls for milliseconds on a busy machine
        sum_squares=float(np.einsum("i,i->", v, v)),
        bucket_limit=np.asarray(limits, dtype=np.float64),
        bucket=np.asarray(counts, dtype=np.float64),
    )


def make_histogram_raw(min: Any, max: Any, num: Any, sum: Any, sum_squares: Any,
                       bucket_limits: Any, bucket_counts: Any,
                       method: str = "add_histogram_raw") -> HistogramData:
    """A histogram from precomputed statistics; limits and counts must be 1-D and equally long."""
    stats = {}
    for name, x in (("min", min), ("max", max), ("num", num), ("sum", sum), ("sum_squares", sum_squares)):
        stats[name] = to_float(x, method, name)
    arrays = {}
    for name, x in (("bucket_limits", bucket_limits), ("bucket_counts", bucket_counts)):
        arr = to_numpy(x, method, name)
        if arr.dtype.kind not in "biuf":
            raise InputError(f"{method}: {name} must be numeric; got {describe(x)}")
        if arr.ndim != 1:
            raise InputError(f"{method}: {name} must be 1-D; got {describe(x)}")
        arrays[name] = np.asarray(arr, dtype=np.float64)
    if len(arrays["bucket_limits"]) != len(arrays["bucket_counts"]):
        raise InputError(f"{method}: bucket_limits has {len(arrays['bucket_limits'])} elements but "
                         f"bucket_counts has {len(arrays['bucket_counts'])}; they must be equally long")
    return HistogramData(bucket_limit=arrays["bucket_limits"], bucket=arrays["bucket_counts"], **stats)


def encode(tag: str, rec: HistogramData) -> bytes:
    """Summary{value{tag, histo}} with no plugin metadata, as torch writes it."""
    histo = histogram_message(rec.min, rec.max, rec.num, rec.sum, rec.sum_squares,
                              rec.bucket_limit, rec.bucket)
    return summary(summary_value(tag, histo=histo))
