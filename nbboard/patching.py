"""`nbboard.patch()`: make libraries that create torch's (or tensorboardX's) SummaryWriter
themselves — accelerate's trackers, ignite's TensorboardLogger, torchtune, fastai's callback,
Ray Tune — log through nbboard, so their runs land in the kernel's Store and its live views.

    import nbboard
    nbboard.patch()                # or: with nbboard.patch(): ...
    accelerator = Accelerator(log_with="tensorboard", project_dir="runs")

It replaces `torch.utils.tensorboard.SummaryWriter` (and `tensorboardX.SummaryWriter` when
installed) with nbboard's; `nbboard.unpatch()` (or leaving the `with` block) restores them. A
library that imported the class before the patch keeps the one it holds: patch first.
"""

from __future__ import annotations

import importlib
from typing import Any

from nbboard.writer import SummaryWriter

_TARGETS = (("torch.utils.tensorboard", "SummaryWriter"),
            ("torch.utils.tensorboard.writer", "SummaryWriter"),
            ("tensorboardX", "SummaryWriter"),
            ("tensorboardX.writer", "SummaryWriter"))
_saved: dict[tuple[str, str], Any] = {}


class _Patched:
    """What patch() returns: also a context manager that unpatches on exit."""

    def __init__(self, modules: list[str]) -> None:
        self.modules = modules

    def __enter__(self) -> _Patched:
        return self

    def __exit__(self, *exc: Any) -> None:
        unpatch()

    def __repr__(self) -> str:
        return f"nbboard.patch: SummaryWriter in {', '.join(self.modules) or 'nothing'}"


def patch() -> _Patched:
    """Replace torch's and tensorboardX's SummaryWriter classes with nbboard's (those installed)."""
    done = []
    for mod_name, attr in _TARGETS:
        try:
            mod = importlib.import_module(mod_name)
        except Exception:  # not installed (or tensorboard missing under torch's module)
            continue
        key = (mod_name, attr)
        if key not in _saved:
            _saved[key] = getattr(mod, attr, None)
        setattr(mod, attr, SummaryWriter)
        done.append(mod_name)
    return _Patched(done)


def unpatch() -> None:
    """Put back the classes patch() replaced."""
    for (mod_name, attr), original in list(_saved.items()):
        mod = importlib.import_module(mod_name)
        setattr(mod, attr, original)
        del _saved[(mod_name, attr)]
