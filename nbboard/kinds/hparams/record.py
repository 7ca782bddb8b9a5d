"""The record the Store holds for each hparams point: `HParamsData`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(eq=False)
class HParamsData:
    """One hparams session: its hyperparameters, metric values and the experiment's domains."""

    hparams: dict[str, float | str | bool]
    metrics: dict[str, float]
    hparam_domains: dict[str, Any] | None = None
    group_name: str = ""
    start_time_secs: float = 0.0
