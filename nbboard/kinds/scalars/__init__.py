"""Scalars: one number per step, kept as numpy columns; the scalar charts."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.scalars import read
from nbboard.kinds.scalars.series import ScalarSeries

KIND = Kind(
    name=read.SCALARS,
    accessor="scalars",
    new_series=ScalarSeries,
    read=read.read,
    legacy_fields={2: read.read_legacy},
    claim=read.claim,
    takes_float=read.takes_float,
    views={"Scalars": "nbboard.kinds.scalars.view:Scalars"},
)
