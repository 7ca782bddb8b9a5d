"""A run's hparams session as the page gets it: JSON (NaN and infinities as strings)."""

from __future__ import annotations

from typing import Any

from nbboard.kinds.hparams.record import HParamsData
from nbboard.widgets.wire import jsonable


def encode(rec: HParamsData) -> Any:
    return {"hparams": jsonable(rec.hparams), "metrics": jsonable(rec.metrics),
            "domains": jsonable(rec.hparam_domains), "group": rec.group_name, "start": rec.start_time_secs}
