"""Custom scalars: a run's layout of multiline and margin charts over its scalar tags."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.custom_scalars import feed, read

KIND = Kind(
    name=read.CUSTOM_SCALARS,
    accessor="custom_scalars",
    run_level=True,
    read=read.read,
    fold=read.fold,
    build=read.build,
    feed=feed.encode,
    views={"CustomScalars": "nbboard.kinds.custom_scalars.view:CustomScalars"},
)
