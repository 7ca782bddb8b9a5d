"""Notebook views of the Store: live anywidget models fed by one delta pusher thread per kernel."""

from __future__ import annotations

from typing import Any

from .base import MIME, Pusher, Runtime, View, default_pusher, runtime
from .board import Board
from .custom_scalars import CustomScalars
from .figures import Figures
from .graph import Graph
from .histograms import Distributions, Histograms
from .hparams import HParams
from .images import Images
from .media import Audio, Video
from .meshes import Meshes
from .pr_curves import PRCurves
from .projector import Projector
from .scalars import ScalarFeed, Scalars
from .text import Text

__all__ = ["MIME", "Audio", "Board", "CustomScalars", "Distributions", "Figures", "Graph",
           "HParams", "Histograms", "Images", "Meshes", "PRCurves", "Projector", "Pusher", "Runtime",
           "ScalarFeed", "Scalars", "Text", "Video", "View", "default_pusher", "runtime", "show_writer"]


def show_writer(writer: Any, **kwargs: Any) -> None:
    """Display a Board over the runs of `writer` (what `SummaryWriter.show()` does).

    It displays right away, so a training loop later in the same cell updates it live. It
    returns None so that `writer.show()` as a cell's last line does not display it twice;
    keyword arguments are `Board`'s (runs, tags, smoothing, x_axis, log_y, ...).
    """
    from IPython.display import display

    display(Board(writer, **kwargs))
