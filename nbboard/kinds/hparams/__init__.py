"""HParams: one session per run (add_hparams), its hyperparameters and metrics."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.hparams import feed, read

KIND = Kind(
    name=read.HPARAMS,
    accessor="hparams",
    run_level=True,
    read=read.read,
    fold=read.fold,
    build=read.build,
    side_files=read.SIDE_FILES,
    read_side_file=read.read_side_file,
    feed=feed.encode,
    views={"HParams": "nbboard.kinds.hparams.view:HParams"},
)
