"""The plotly-figure view (`Figures`): figures logged with add_figure, interactive via plotly.js.

plotly.js (~4.8 MB) reaches the page only when such a view is shown: one `Runtime` model per
kernel holds it (the code shipped inside the Python plotly package), imported once per page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets
import traitlets

from nbboard.store import FIGURES

from .base import Runtime, static_runtime
from .feeds import RecordView


def plotly_source() -> str:
    """plotly.min.js from the installed plotly package, wrapped as an ES module exporting Plotly."""
    try:
        import plotly
    except ImportError as err:
        raise RuntimeError("nbboard.Figures needs the plotly package (pip install plotly)") from err
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    code = path.read_text(encoding="utf-8")
    # The UMD bundle takes its CommonJS branch here, so it never touches a page-level AMD loader.
    return ("const module = {exports: {}}; const exports = module.exports;\n" + code
            + "\n;export default (module.exports.default || module.exports);\n")


def plotly_library() -> Runtime:
    """The kernel's plotly.js model, created (and sent to the page) the first time a figure view needs it."""
    return static_runtime("plotly", plotly_source, digest_prefix="plotly-")


class Figures(RecordView):
    """Plotly figures logged with add_figure, one interactive chart per tag with a step slider."""

    KINDS = (FIGURES,)
    kind = traitlets.Unicode("figures").tag(sync=True)
    _plotly = traitlets.Instance(Runtime, allow_none=True).tag(sync=True, **ipywidgets.widget_serialization)

    def __init__(self, source: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("_plotly", plotly_library())
        super().__init__(source, **kwargs)
