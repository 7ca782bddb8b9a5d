"""Plotly figures logged with add_figure, kept interactive (nbboard's own plugin)."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.figures import feed, read

KIND = Kind(
    name=read.FIGURES,
    accessor="figures",
    read=read.read,
    feed=feed.encode,
    views={"Figures": "nbboard.kinds.figures.view:Figures"},
    library=("plotly", "nbboard.kinds.figures.library:plotly_source"),
)
