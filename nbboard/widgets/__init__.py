"""Notebook views of the Store: live anywidget models fed by one delta pusher thread per kernel."""

from __future__ import annotations

import importlib
from typing import Any

# Loaded when asked for: the kinds' feeds import `widgets.wire` (numpy only) without anywidget.
_LAZY = {"MIME": "base", "Pusher": "base", "Runtime": "base", "View": "base", "default_pusher": "base",
         "runtime": "base", "Board": "board"}

__all__ = [*_LAZY, "show_writer"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbboard.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"nbboard.widgets.{module}"), name)


def show_writer(writer: Any, **kwargs: Any) -> None:
    """Display a Board over the runs of `writer` (what `SummaryWriter.show()` does).

    It displays right away, so a training loop later in the same cell updates it live. It
    returns None so that `writer.show()` as a cell's last line does not display it twice;
    keyword arguments are `Board`'s (runs, tags, smoothing, x_axis, log_y, ...).
    """
    from IPython.display import display

    from nbboard.widgets.board import Board

    display(Board(writer, **kwargs))
