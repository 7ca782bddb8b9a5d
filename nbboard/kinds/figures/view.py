"""The plotly-figure view (`Figures`): figures logged with add_figure, interactive via plotly.js
(one `Runtime` model per kernel holds plotly.js, imported once per page)."""

from __future__ import annotations

from typing import Any

import traitlets

from nbboard.kinds.figures.read import FIGURES
from nbboard.widgets.base import library_trait, page_library
from nbboard.widgets.feeds import RecordView


class Figures(RecordView):
    """Plotly figures logged with add_figure, one interactive chart per tag with a step slider."""

    KINDS = (FIGURES,)
    LIBRARIES = ("plotly",)
    kind = traitlets.Unicode("figures").tag(sync=True)
    _plotly = library_trait()

    def __init__(self, source: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("_plotly", page_library("plotly"))
        super().__init__(source, **kwargs)
