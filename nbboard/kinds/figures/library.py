"""plotly.js for the page: the copy inside the Python plotly package, as an ES module. It reaches
the page only when a plotly figure is shown (~4.8 MB), once per kernel and once per export."""

from __future__ import annotations

from pathlib import Path


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
