"""A run's custom-scalar layout as the page gets it: JSON."""

from __future__ import annotations

from typing import Any

from nbboard.kinds.custom_scalars.record import CustomScalarsLayout
from nbboard.widgets.wire import jsonable


def encode(rec: CustomScalarsLayout) -> Any:
    return {"categories": jsonable(rec.categories)}
