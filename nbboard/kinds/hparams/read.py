"""Reading hparams: the plugin's experiment, session-start and session-end pieces (in its
metadata content), gathered per run and built, with the run's metric scalars, into HParamsData."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

from nbboard.kinds.contract import Decoded, Metadata, SideFile
from nbboard.kinds.hparams.record import HParamsData
from nbboard.tfevents.protos import f64, fields, string
from nbboard.tfevents.wire import I64, LEN, VARINT

HPARAMS = "hparams"
SCALARS = "scalars"
#: Files sweeps leave beside a run's event files with its hyperparameters: Ray Tune's trial
#: `params.json`, Lightning's `version_N/hparams.yaml`.
SIDE_FILES = ("params.json", "hparams.yaml")
#: Nested configs are flattened to keys joined by this (`optimizer/lr`).
SEP = "/"


def _pb_value(buf: bytes) -> Any:
    """google.protobuf.Value → Python (number, string, bool, list, None)."""
    for fn, wt, v in fields(buf):
        if fn == 2 and wt == I64:
            return f64(wt, v)
        if fn == 3 and wt == LEN:
            return string(v)
        if fn == 4 and wt == VARINT:
            return bool(v)
        if fn == 6 and wt == LEN:
            return [_pb_value(x) for f2, w2, x in fields(v) if f2 == 1 and w2 == LEN]
        if fn == 1:
            return None
    return 0.0  # every field at its default: number_value 0


def parse_hparams(content: bytes) -> dict[str, Any]:
    """HParamsPluginData → {"experiment": {...}} / {"session_start": {...}} / {"session_end": {}}."""
    out: dict[str, Any] = {}
    for fn, wt, v in fields(content):
        if wt != LEN:
            continue
        if fn == 2:
            infos: dict[str, Any] = {}
            metrics: list[str] = []
            for f2, w2, v2 in fields(v):
                if f2 == 4 and w2 == LEN:
                    name, domain = "", None
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == LEN:
                            name = string(v3)
                        elif f3 == 5 and w3 == LEN:
                            domain = [_pb_value(x) for f4, w4, x in fields(v3) if f4 == 1 and w4 == LEN]
                        elif f3 == 6 and w3 == LEN:
                            lo = hi = None
                            for f4, w4, x in fields(v3):
                                if f4 == 1:
                                    lo = f64(w4, x)
                                elif f4 == 2:
                                    hi = f64(w4, x)
                            domain = {"min": lo, "max": hi}
                    infos[name] = domain
                elif f2 == 5 and w2 == LEN:
                    group = tag = ""
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == LEN:
                            for f4, w4, x in fields(v3):
                                if f4 == 1 and w4 == LEN:
                                    group = string(x)
                                elif f4 == 2 and w4 == LEN:
                                    tag = string(x)
                    metrics.append(f"{group}/{tag}" if group else tag)
            out["experiment"] = {"hparam_infos": infos, "metrics": metrics}
        elif fn == 3:
            hp: dict[str, Any] = {}
            group, start = "", 0.0
            for f2, w2, v2 in fields(v):
                if f2 == 1 and w2 == LEN:
                    k, val = "", None
                    for f3, w3, v3 in fields(v2):
                        if f3 == 1 and w3 == LEN:
                            k = string(v3)
                        elif f3 == 2 and w3 == LEN:
                            val = _pb_value(v3)
                    hp[k] = 0.0 if val is None else val
                elif f2 == 4 and w2 == LEN:
                    group = string(v2)
                elif f2 == 5 and w2 == I64:
                    start = f64(w2, v2)
            out["session_start"] = {"hparams": hp, "group_name": group, "start_time_secs": start}
        elif fn == 4:
            out["session_end"] = {}
    return out


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """A piece of the run's session: everything is in the metadata's content."""
    return [Decoded(HPARAMS, tag, parse_hparams(md.content))]


def _flat(value: Any, prefix: str, out: dict[str, float | str | bool]) -> None:
    """A config's leaves as hparams: numbers as float, bools and strings kept, nested mappings
    flattened (`optimizer/lr`), anything else (lists, None) as its JSON text."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flat(v, f"{prefix}{SEP}{k}" if prefix else str(k), out)
        return
    if not prefix:
        return
    if isinstance(value, bool | str):
        out[prefix] = value
    elif isinstance(value, int | float):
        out[prefix] = float(value)
    else:
        out[prefix] = json.dumps(value, default=str)


def read_side_file(path: str) -> list[SideFile]:
    """A run's hyperparameters from a sweep's file (params.json, hparams.yaml); its content's
    digest tells a rewritten file from the one already read. A file that is not a mapping of
    that format raises ValueError saying why (the reader reports it with the path and reads on)."""
    with open(path, "rb") as f:
        raw = f.read()
    name = os.path.basename(path)
    if name.endswith(".json"):
        try:
            config = json.loads(raw)
        except ValueError as e:
            raise ValueError(f"not JSON ({e}); the run's hyperparameters in it were not read") from None
    else:
        try:
            import yaml
        except ImportError:
            raise ValueError("reading it needs PyYAML (pip install pyyaml)") from None
        try:
            config = yaml.safe_load(raw)
        except yaml.YAMLError as e:
            raise ValueError(f"not YAML ({e}); the run's hyperparameters in it were not read") from None
    if config is None:
        return []  # an empty file (being written): read again when it changes
    if not isinstance(config, Mapping):
        raise ValueError(f"holds a {type(config).__name__}, not a mapping of hyperparameters")
    flat: dict[str, float | str | bool] = {}
    _flat(config, "", flat)
    return [SideFile(name, 0, {"file_hparams": flat}, key=hashlib.sha1(raw).hexdigest())]


def fold(state: dict[str, Any], pieces: dict[str, Any]) -> None:
    """Keep the newest experiment / session-start / session-end piece."""
    state.setdefault("pieces", {}).update(pieces)


def build(state: dict[str, Any], series: Mapping[str, Any]) -> HParamsData | None:
    """The run's session: its hyperparameters and the last value of each metric's scalar series
    (None until an experiment or a session start has been read)."""
    hp = state.get("pieces", {})
    if "session_start" not in hp and "experiment" not in hp and "file_hparams" not in hp:
        return None
    exp = hp.get("experiment", {})
    ssi = hp.get("session_start", {})
    metrics: dict[str, float] = {}
    # A sweep's file names no metrics: every scalar of the run is one (TensorBoard's default).
    names = exp["metrics"] if "metrics" in exp else [t for t, s in series.items() if s.kind == SCALARS]
    for name in names:
        s = series.get(name)
        if s is not None and s.kind == SCALARS and len(s):
            metrics[name] = float(s.values[-1])
    infos = exp.get("hparam_infos", {})
    domains = {k: v for k, v in infos.items() if v is not None}
    # the writer's own session wins over a file's value of the same name
    return HParamsData(hparams={**hp.get("file_hparams", {}), **ssi.get("hparams", {})}, metrics=metrics,
                       hparam_domains=domains or None, group_name=ssi.get("group_name", ""),
                       start_time_secs=ssi.get("start_time_secs", 0.0))
