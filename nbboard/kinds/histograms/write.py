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
    _check_max_bins(max_bins, method)
    v = _values(values, method)
    mn = v.min()
    mx = v.max()
    if not (np.isfinite(mn) and np.isfinite(mx)):
        raise InputError(f"{method}: values contains NaN or ±inf ({describe(values)}); a histogram "
                         "needs finite values")
    # numpy sorts blocks and searches the edges into them: faster than searching each value
    counts, limits = np.histogram(v, bins=bins if edges is None else edges)
    # torch uses v.dot(v); einsum agrees to ~1e-16 but avoids threaded BLAS, whose ddot stalls
    # for milliseconds on a busy machine
    return _bucketed(counts, limits, max_bins, method, describe(values), float(mn), float(mx),
                     float(len(v)), float(v.sum()), float(np.einsum("i,i->", v, v)))


def _check_max_bins(max_bins: Any, method: str) -> None:
    if max_bins is not None and (not isinstance(max_bins, (numbers.Integral, np.integer))
                                 or isinstance(max_bins, bool) or int(max_bins) < 1):
        raise InputError(f"{method}: max_bins must be a positive int or None; got {describe(max_bins)}")


def _bucketed(counts: np.ndarray, limits: np.ndarray, max_bins: int | None, method: str,
              what: str, mn: float, mx: float, num: float, total: float,
              sum_squares: float) -> HistogramData:
    """torch's tail of make_histogram: merge to max_bins, keep the support (one empty bucket
    left of the first non-empty one, up to the last one)."""
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
    cum_counts = np.cumsum(np.greater(counts, 0))
    if cum_counts[-1] == 0:
        raise InputError(f"{method}: no element of values ({what}) falls inside bins "
                         f"[{limits[0]}, {limits[-1]}]; the histogram would be empty")
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start = int(start)
    end = int(end) + 1
    counts = counts[start - 1 : end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start : end + 1]
    return HistogramData(
        min=mn, max=mx, num=num, sum=total, sum_squares=sum_squares,
        bucket_limit=np.asarray(limits, dtype=np.float64),
        bucket=np.asarray(counts, dtype=np.float64),
    )


_device_edges: dict[Any, Any] = {}  # torch's default edges, once per device


def _to_device(edges: np.ndarray, device: Any) -> Any:
    """Host edges on `device` without a synchronising copy (staged in pinned memory)."""
    import torch

    t = torch.from_numpy(np.ascontiguousarray(edges, dtype=np.float64))
    if device.type == "cpu":
        return t
    return t.pin_memory().to(device, non_blocking=True)


def device_histogram(values: Any, bins: Any = "tensorflow", max_bins: int | None = None,
                     method: str = "add_histogram") -> tuple[Any, Any]:
    """Bucket a device tensor on its device, as make_histogram would (same edges, counts and
    statistics): returns (packed device tensor to copy to the host, build(host) → HistogramData).
    Only the counts, edges and five statistics cross the bus. A numpy bin rule ('auto', 'fd', ...)
    needs the values themselves: those are copied and bucketed on the host."""
    import torch

    edges = _edges(bins, method)
    _check_max_bins(max_bins, method)
    t = values.detach()
    if t.is_complex():
        raise InputError(f"{method}: values must be real numbers (bool, int or float); "
                         f"got {describe(values)}")
    if t.numel() == 0:
        raise InputError(f"{method}: values is empty ({describe(values)}); a histogram needs at "
                         "least one finite value")
    what = describe(values)
    if edges is None and isinstance(bins, str):
        flat = t.reshape(-1)
        if flat.dtype == torch.bfloat16:
            flat = flat.float()
        return flat, lambda host: make_histogram(host.numpy(), bins, max_bins, method)
    x = t.reshape(-1).to(torch.float64)
    mn, mx = torch.aminmax(x)
    if edges is None:  # n equal bins over [min, max], numpy's linspace to the last bit
        n = int(bins)
        same = mn == mx
        lo = torch.where(same, mn - 0.5, mn)
        hi = torch.where(same, mx + 0.5, mx)
        delta = hi - lo
        step = delta / n
        y = torch.arange(n + 1, dtype=torch.float64, device=x.device)
        y = torch.where(step == 0, y / n * delta, y * step) + lo
        e = torch.cat([y[:-1], hi.reshape(1)])
    else:
        n = len(edges) - 1
        if edges is TENSORFLOW_BINS:
            e = _device_edges.get(x.device)
            if e is None:
                e = _device_edges[x.device] = _to_device(edges, x.device)
        else:
            e = _to_device(edges, x.device)
    # bucket i holds [e[i], e[i+1]), the last one [e[n-1], e[n]]; outside: dropped, like numpy
    idx = torch.bucketize(x, e, right=True)
    idx = torch.where(x == e[-1], n, idx)
    counts = torch.zeros(n + 2, dtype=torch.float64, device=x.device)
    counts.scatter_add_(0, idx, torch.ones_like(x))
    finite = (torch.isfinite(mn) & torch.isfinite(mx)).to(torch.float64)
    stats = torch.stack([finite, mn, mx, x.sum(), torch.dot(x, x)])
    packed = torch.cat([stats, counts[1 : n + 1], e if edges is None else e[:0]])
    num = float(x.numel())
    host_edges = edges

    def build(host: Any) -> HistogramData:
        a = host.numpy()
        if not a[0]:
            raise InputError(f"{method}: values contains NaN or ±inf ({what}); a histogram "
                             "needs finite values")
        limits = a[5 + n :] if host_edges is None else host_edges
        return _bucketed(a[5 : 5 + n].copy(), np.array(limits, dtype=np.float64), max_bins,
                         method, what, float(a[1]), float(a[2]), num, float(a[3]), float(a[4]))

    return packed, build


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
