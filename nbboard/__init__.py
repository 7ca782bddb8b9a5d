"""nbboard: TensorBoard rebuilt for the notebook.

`from nbboard import SummaryWriter` is a drop-in for torch's; every call also lands in an
in-kernel Store that nbboard's notebook views read live.
"""

from __future__ import annotations

from typing import Any

from nbboard import logdir as _logdir  # noqa: F401  (lets Store.follow tail files)
from nbboard.convert import InputError
from nbboard.kinds import VIEWS, load_view
from nbboard.store import Store, default_store
from nbboard.writer import SummaryWriter

__version__ = "0.1.0"

# Views and export import anywidget, nbconvert and the built front end: load them when asked for.
# The kinds' views come from the registry (`nbboard.Images` is the images kind's view).
_LAZY = {
    "GlobalSummaryWriter": "nbboard.global_writer",
    "patch": "nbboard.patching",
    "unpatch": "nbboard.patching",
    "Board": "nbboard.widgets.board",
    "export_notebook": "nbboard.export",
    "export_report": "nbboard.export",
    "metric": "nbboard.kinds.alerts.rules",
    "AlertError": "nbboard.kinds.alerts.engine",
    "AlertWarning": "nbboard.kinds.alerts.engine",
    "profiler_handler": "nbboard.kinds.profiler.handler",
}

__all__ = ["SummaryWriter", "Store", "InputError", "load", "default_store",
           "load_ipython_extension", *_LAZY, *VIEWS]


def load(logdir: str, **kwargs: Any) -> Store:
    """Read every event file under `logdir` into a new Store (runs named relative to it).

    `follow=True` keeps tailing the logdir in the background (`store.stop_following()`).
    """
    return _logdir.load(logdir, **kwargs)


def __getattr__(name: str) -> Any:
    if name in VIEWS:
        return load_view(name)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbboard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext nbboard`: registers the %nbboard magic."""
    from nbboard.magics import load_ipython_extension as _load_ext

    _load_ext(ipython)
