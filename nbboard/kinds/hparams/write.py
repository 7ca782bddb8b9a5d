"""Hyperparameters: add_hparams's dicts → HParamsData, and the hparams plugin encoder (the three
Summary messages torch writes: experiment, session_start_info, session_end_info)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from nbboard.convert import InputError, describe, is_torch_tensor, to_float
from nbboard.kinds.hparams.record import HParamsData
from nbboard.tfevents.messages import plugin_metadata, summary, summary_value
from nbboard.tfevents.wire import field_bytes, field_double, field_string, field_varint

PLUGIN_NAME = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"

# tensorboard.hparams.DataType (STRING, FLOAT64; torch writes bools as floats) and Status values
DATA_TYPE_STRING, DATA_TYPE_FLOAT64 = 1, 3
STATUS_SUCCESS = 1

_ACCEPTED = "int, float, str, bool, a numpy number or a one-element torch.Tensor (None skips it)"


def _hparam_value(k: str, v: Any, method: str) -> float | str | None:
    """One hparam as torch writes it: numbers (bool too, as torch's isinstance order does) → float."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (numbers.Real, np.bool_)):  # bool is an int: torch writes it as 1.0/0.0
        return float(v)
    if is_torch_tensor(v) or isinstance(v, np.ndarray):
        size = v.numel() if is_torch_tensor(v) else v.size
        if size == 1 and not (v.is_complex() if is_torch_tensor(v) else np.iscomplexobj(v)):
            return to_float(v, method, f"hparam_dict[{k!r}]")
    raise InputError(f"{method}: hparam_dict[{k!r}] is {describe(v)}; accepted: {_ACCEPTED}")


def make_hparams(hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                 hparam_domain_discrete: dict[str, list] | None = None,
                 method: str = "add_hparams") -> HParamsData:
    """Validate and convert one session's hparams, metric values and discrete domains."""
    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise InputError(f"{method}: hparam_dict and metric_dict must be dicts; got "
                         f"{describe(hparam_dict)} and {describe(metric_dict)}")
    hparams: dict[str, float | str] = {}
    for k, v in hparam_dict.items():
        if not isinstance(k, str):
            raise InputError(f"{method}: hparam_dict keys must be str; got {describe(k)}")
        value = _hparam_value(k, v, method)
        if value is not None:
            hparams[k] = value
    metrics: dict[str, float] = {}
    for k, v in metric_dict.items():
        if not isinstance(k, str) or not k:
            raise InputError(f"{method}: metric_dict keys must be non-empty str (scalar tags); "
                             f"got {describe(k)}")
        metrics[k if type(k) is str else str.__str__(k)] = to_float(v, method, f"metric_dict[{k!r}]")
    domains: dict[str, list] = {}
    if hparam_domain_discrete:
        if not isinstance(hparam_domain_discrete, dict):
            raise InputError(f"{method}: hparam_domain_discrete must be a dict of hparam name -> "
                             f"list of values; got {describe(hparam_domain_discrete)}")
        for k, dom in hparam_domain_discrete.items():
            v = hparam_dict.get(k) if isinstance(k, str) else None
            if (k not in hparam_dict or v is None or not isinstance(dom, list)
                    or not all(isinstance(d, type(v)) for d in dom)):
                want = type(v).__name__ if v is not None else "the hparam's value"
                raise InputError(f"{method}: hparam_domain_discrete[{k!r}] must be a list of values of "
                                 f"the same type as hparam_dict[{k!r}] ({want}); got {describe(dom)}")
            if is_torch_tensor(v) or isinstance(v, np.ndarray):
                continue  # torch writes no domain for tensor hparams
            domains[k] = [d if isinstance(d, str) else float(d) for d in dom]
    return HParamsData(hparams=hparams, metrics=metrics, hparam_domains=domains or None)


# ---- encoding (tensorboard/plugins/hparams/{plugin_data,api}.proto, google.protobuf.Value) ----

def _value(v: float | str) -> bytes:
    """google.protobuf.Value {number_value = 2 (double), string_value = 3}."""
    return field_string(3, v) if isinstance(v, str) else field_double(2, v)


def _hparam_info(name: str, v: float | str, domain: list | None) -> bytes:
    """HParamInfo {name = 1, type = 4, domain_discrete = 5 (ListValue {repeated Value values = 1})}."""
    out = field_string(1, name) + field_varint(4, DATA_TYPE_STRING if isinstance(v, str) else DATA_TYPE_FLOAT64)
    if domain is not None:
        out += field_bytes(5, b"".join(field_bytes(1, _value(d)) for d in domain))
    return out


def _plugin_summary(tag: str, content: bytes) -> bytes:
    """A Summary with one tensor-less value carrying HParamsPluginData (version 0 is omitted)."""
    return summary(summary_value(tag, metadata=plugin_metadata(PLUGIN_NAME, content)))


def experiment_content(rec: HParamsData) -> bytes:
    """HParamsPluginData {experiment = 2: Experiment {hparam_infos = 4, metric_infos = 5}}."""
    domains = rec.hparam_domains or {}
    exp = b"".join(field_bytes(4, _hparam_info(k, v, domains.get(k))) for k, v in rec.hparams.items())
    # MetricInfo {name = 1: MetricName {tag = 2}}
    exp += b"".join(field_bytes(5, field_bytes(1, field_string(2, k))) for k in rec.metrics)
    return field_bytes(2, exp)


def session_start_content(rec: HParamsData) -> bytes:
    """HParamsPluginData {session_start_info = 3: {hparams = 1 (map entries {key=1, value=2}),
    group_name = 4, start_time_secs = 5}}."""
    ssi = b"".join(field_bytes(1, field_string(1, k) + field_bytes(2, _value(v)))
                   for k, v in rec.hparams.items())
    if rec.group_name:
        ssi += field_string(4, rec.group_name)
    if rec.start_time_secs:
        ssi += field_double(5, rec.start_time_secs)
    return field_bytes(3, ssi)


def session_end_content() -> bytes:
    """HParamsPluginData {session_end_info = 4: SessionEndInfo {status = STATUS_SUCCESS}}."""
    return field_bytes(4, field_varint(1, STATUS_SUCCESS))


def encode(tag: str, rec: HParamsData) -> list[bytes]:
    """The experiment, session-start and session-end Summaries, in torch's order."""
    return [
        _plugin_summary(EXPERIMENT_TAG, experiment_content(rec)),
        _plugin_summary(SESSION_START_INFO_TAG, session_start_content(rec)),
        _plugin_summary(SESSION_END_INFO_TAG, session_end_content()),
    ]
