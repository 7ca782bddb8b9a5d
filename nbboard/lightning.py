"""PyTorch Lightning: `TensorBoardLogger` with an nbboard SummaryWriter as its experiment.

    from nbboard.lightning import TensorBoardLogger      # was: from lightning.pytorch.loggers import ...
    trainer = Trainer(logger=TensorBoardLogger("runs", name="mnist"))

Same arguments and files as Lightning's own logger (it is a subclass); every metric, the
hyperparameters with `hp_metric`, and the graph (`log_graph=True`) also land in the kernel's
Store, so `nbboard.Board()` / `%nbboard` show them live while `trainer.fit` runs. `store=` picks
another Store. Works with `lightning` (2.x) or the older `pytorch_lightning` package.
"""

from __future__ import annotations

import os
from typing import Any

try:
    from lightning.fabric.loggers.logger import rank_zero_experiment
    from lightning.fabric.utilities.rank_zero import rank_zero_only
    from lightning.pytorch.loggers import TensorBoardLogger as _LightningTensorBoardLogger
except ImportError:  # the older package name
    try:
        from lightning_fabric.loggers.logger import rank_zero_experiment
        from lightning_fabric.utilities.rank_zero import rank_zero_only
        from pytorch_lightning.loggers import TensorBoardLogger as _LightningTensorBoardLogger
    except ImportError as e:
        raise ImportError("nbboard.lightning needs PyTorch Lightning: pip install lightning") from e

from nbboard import store as st
from nbboard.writer import SummaryWriter

__all__ = ["Logger", "TensorBoardLogger"]


class TensorBoardLogger(_LightningTensorBoardLogger):
    """Lightning's TensorBoardLogger whose `experiment` is an nbboard SummaryWriter."""

    def __init__(self, *args: Any, store: st.Store | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._nbboard_store = store

    @property
    @rank_zero_experiment
    def experiment(self) -> SummaryWriter:
        """The nbboard SummaryWriter this logger writes through (made on first use, rank 0)."""
        if self._experiment is not None:
            return self._experiment
        assert rank_zero_only.rank == 0, "tried to init log dirs in non global_rank=0"
        if self.root_dir:
            fs = getattr(self, "_fs", None)
            fs.makedirs(self.root_dir, exist_ok=True) if fs is not None else os.makedirs(
                self.root_dir, exist_ok=True)
        self._experiment = SummaryWriter(log_dir=self.log_dir, store=self._nbboard_store,
                                         **self._kwargs)
        return self._experiment


Logger = TensorBoardLogger
