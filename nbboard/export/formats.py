"""The MIME types nbboard outputs and widget state carry in a notebook, and ExportError."""

from __future__ import annotations

from nbboard.widgets.base import MIME  # every nbboard output's JSON description

__all__ = ["MIME", "WIDGET_STATE_MIME", "WIDGET_VIEW_MIME", "ExportError"]

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"


class ExportError(RuntimeError):
    """The notebook could not be exported (unreadable notebook, missing front-end build, ...)."""
