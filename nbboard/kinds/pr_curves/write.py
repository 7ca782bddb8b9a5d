"""PR curves: labels and predictions → PRCurveData exactly like torch's compute_curve, and the
pr_curves plugin encoder (a float tensor of shape (6, n) with PrCurvePluginData metadata)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from nbboard.convert import InputError, describe, to_numpy
from nbboard.kinds.pr_curves.record import PRCurveData
from nbboard.tfevents.messages import plugin_metadata, summary, summary_value, tensor_proto
from nbboard.tfevents.wire import field_varint

PLUGIN_NAME = "pr_curves"
MAX_THRESHOLDS = 127  # torch silently caps num_thresholds at 127; we keep its output identical
_MINIMUM_COUNT = 1e-7
_BLOCK = 65536  # np.histogram's block size: summing in the same blocks gives identical floats


def _num_thresholds(n: Any, method: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)) or int(n) < 2:
        raise InputError(f"{method}: num_thresholds must be an int ≥ 2; got {describe(n)}")
    return min(int(n), MAX_THRESHOLDS)


def _real(x: Any, method: str, arg: str) -> np.ndarray:
    """A numpy view of a real (bool, int or float) input; complex and text are refused."""
    arr = to_numpy(x, method, arg, copy=False)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{method}: {arg} must be real numeric values (bool, int or float); got {describe(x)}")
    return arr


def _weighted_counts(idx: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """np.histogram(idx, bins=n, range=(0, n-1), weights=w)[0] for integer idx in [0, n-1]."""
    out = np.zeros(n, dtype=np.float64)
    for i in range(0, len(idx), _BLOCK):
        out += np.bincount(idx[i : i + _BLOCK], weights=w[i : i + _BLOCK], minlength=n)
    return out


def compute_curve(labels: np.ndarray, predictions: np.ndarray, num_thresholds: int,
                  weights: np.ndarray | float = 1.0) -> np.ndarray:
    """Rows TP, FP, TN, FN, precision, recall at thresholds i/(n-1), as torch computes them."""
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    tp_w = np.broadcast_to(float_labels * weights, bucket_indices.shape)
    fp_w = np.broadcast_to((1.0 - float_labels) * weights, bucket_indices.shape)
    tp_buckets = _weighted_counts(bucket_indices, tp_w, num_thresholds)
    fp_buckets = _weighted_counts(bucket_indices, fp_w, num_thresholds)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp)
    recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def make_pr_curve(labels: Any, predictions: Any, num_thresholds: int = 127, weights: Any = None,
                  method: str = "add_pr_curve") -> PRCurveData:
    """Validate (equal lengths, predictions in [0, 1]) and compute the curve like torch."""
    n = _num_thresholds(num_thresholds, method)
    lab = _real(labels, method, "labels").reshape(-1)
    pred = _real(predictions, method, "predictions").reshape(-1)
    if lab.size != pred.size:
        raise InputError(f"{method}: labels has {lab.size} elements but predictions has {pred.size}; "
                         "they must be equally long")
    if pred.size == 0:
        raise InputError(f"{method}: labels and predictions are empty; a PR curve needs at least one")
    if not (np.all(pred >= 0) and np.all(pred <= 1)):  # NaN fails both
        bad = pred[~((pred >= 0) & (pred <= 1))][:3].tolist()
        raise InputError(f"{method}: predictions must lie in [0, 1] (probabilities); got values "
                         f"such as {bad}")
    w: np.ndarray | float = 1.0
    if weights is not None:
        w = np.asarray(_real(weights, method, "weights"), dtype=np.float64)
        if w.size == 1:
            w = float(w.reshape(()))
        elif w.size == pred.size:
            w = w.reshape(-1)
        else:
            raise InputError(f"{method}: weights must be a number or have one value per prediction "
                             f"({pred.size}); got {describe(weights)}")
    return PRCurveData(compute_curve(lab, pred, n, w))


def make_pr_curve_raw(true_positive_counts: Any, false_positive_counts: Any,
                      true_negative_counts: Any, false_negative_counts: Any, precision: Any,
                      recall: Any, num_thresholds: int = 127, weights: Any = None,
                      method: str = "add_pr_curve_raw") -> PRCurveData:
    """Stack six equally long 1-D count/ratio arrays into the (6, n) PR-curve data."""
    _num_thresholds(num_thresholds, method)
    names = ("true_positive_counts", "false_positive_counts", "true_negative_counts",
             "false_negative_counts", "precision", "recall")
    rows = []
    for name, x in zip(names, (true_positive_counts, false_positive_counts, true_negative_counts,
                               false_negative_counts, precision, recall)):
        arr = _real(x, method, name)
        if arr.ndim != 1 or arr.size == 0:
            raise InputError(f"{method}: {name} must be a non-empty 1-D sequence; got {describe(x)}")
        rows.append(np.asarray(arr, dtype=np.float64))
    lengths = {name: len(r) for name, r in zip(names, rows)}
    if len(set(lengths.values())) != 1:
        raise InputError(f"{method}: the six arrays must be equally long; got lengths {lengths}")
    return PRCurveData(np.stack(rows))


def plugin_content(num_thresholds: int) -> bytes:
    """PrCurvePluginData {version = 0 (omitted), num_thresholds = 2}, as torch writes it."""
    return field_varint(2, num_thresholds)


def encode(tag: str, rec: PRCurveData) -> bytes:
    """Summary{value{tag, tensor: DT_FLOAT (6, n), metadata: plugin 'pr_curves'}}."""
    data = np.asarray(rec.data, dtype=np.float32)
    meta = plugin_metadata(PLUGIN_NAME, plugin_content(data.shape[1]))
    return summary(summary_value(tag, tensor=tensor_proto(data), metadata=meta))
