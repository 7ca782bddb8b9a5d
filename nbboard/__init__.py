"""nbboard: TensorBoard rebuilt for the notebook.

`from nbboard import SummaryWriter` is a drop-in for torch's; every call also lands in an
in-kernel Store that nbboard's notebook views read live.
"""

from __future__ import annotations

from typing import Any

from nbboard.store import Store, default_store
from nbboard.summary.convert import InputError
from nbboard.writer import SummaryWriter

__version__ = "0.1.0"

__all__ = ["SummaryWriter", "Store", "InputError", "load", "default_store", "Board", "Scalars",
           "load_ipython_extension"]


def load(logdir: str, **kwargs: Any) -> Store:
    """Read every event file under `logdir` into a new Store (runs named relative to it)."""
    from nbboard.logdir import load as _load

    return _load(logdir, **kwargs)


def __getattr__(name: str) -> Any:
    # Views import anywidget and the built front end: load them only when asked for.
    if name in ("Board", "Scalars"):
        from nbboard import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'nbboard' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext nbboard`: registers the %nbboard magic."""
    from nbboard.magics import load_ipython_extension as _load_ext

    _load_ext(ipython)
