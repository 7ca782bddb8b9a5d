"""Hugging Face transformers: a `TensorBoardCallback` that logs through nbboard.

    from nbboard.transformers import TensorBoardCallback
    trainer = Trainer(..., args=TrainingArguments(..., report_to="none"),
                      callbacks=[TensorBoardCallback()])

transformers' own callback works with `tb_writer=nbboard.SummaryWriter(...)` too, but closes
the writer when training ends, and a later `trainer.evaluate()` then opens a writer of torch's
own: its metrics miss the Store. This one makes its writers with nbboard (`store=` picks the
Store) and keeps the writer open after training, so evaluation lands in the same run; it is
closed at exit or with `callback.close()`. Pass `report_to="none"` so the Trainer does not add
its own TensorBoard callback beside it.
"""

from __future__ import annotations

import functools
from typing import Any

try:
    from transformers.integrations import TensorBoardCallback as _HFTensorBoardCallback
except ImportError as e:
    raise ImportError("nbboard.transformers needs transformers: pip install transformers") from e

from nbboard import store as st
from nbboard.writer import SummaryWriter

__all__ = ["TensorBoardCallback"]


class TensorBoardCallback(_HFTensorBoardCallback):
    """transformers' TensorBoardCallback writing through an nbboard SummaryWriter."""

    def __init__(self, tb_writer: SummaryWriter | None = None, *, store: st.Store | None = None) -> None:
        super().__init__(tb_writer=tb_writer)
        self._SummaryWriter = functools.partial(SummaryWriter, store=store)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Flush, and keep the writer for a later evaluate() (transformers' closes it)."""
        if self.tb_writer is not None:
            self.tb_writer.flush()

    def close(self) -> None:
        """Close the writer (it reopens if the Trainer logs again)."""
        if self.tb_writer is not None:
            self.tb_writer.close()
