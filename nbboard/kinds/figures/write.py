"""Figures: a matplotlib figure (or a list of them) → an RGB image rendered like torch's
figure_to_image; a plotly figure → its JSON (FigureData), written as a string tensor under the
"nbboard_plotly" plugin so it survives the round trip through event files."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from nbboard.convert import InputError, describe
from nbboard.kinds.figures.read import FIGURES
from nbboard.kinds.figures.record import FigureData
from nbboard.kinds.images import write as image
from nbboard.kinds.images.read import IMAGES
from nbboard.kinds.images.record import ImageData
from nbboard.tfevents.messages import (
    DATA_CLASS_TENSOR,
    plugin_metadata,
    summary,
    summary_value,
    tensor_proto,
)

_ACCEPTED = ("a matplotlib.figure.Figure, a list of matplotlib Figures of one size, or a plotly "
             "Figure (or a dict with 'data')")


def _is_matplotlib(x: Any) -> bool:
    mod = sys.modules.get("matplotlib.figure")  # a Figure exists only once matplotlib is imported
    return mod is not None and isinstance(x, mod.Figure)


def _is_plotly(x: Any) -> bool:
    mod = sys.modules.get("plotly.basedatatypes")
    return mod is not None and isinstance(x, mod.BaseFigure)


def render_rgb(fig: Any) -> np.ndarray:
    """Draw a matplotlib figure with Agg, as torch does, and return a private HWC uint8 RGB copy.

    An Agg-based canvas (inline, ipympl, Tk...) is drawn in place; any other is swapped for an
    Agg canvas during the draw and then put back."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    old = fig.canvas
    canvas = old if isinstance(old, FigureCanvasAgg) else FigureCanvasAgg(fig)
    try:
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        return np.array(rgba[:, :, :3], order="C", copy=True)
    finally:
        if canvas is not old:
            fig.set_canvas(old)


def _close(figs: list[Any]) -> None:
    plt = sys.modules.get("matplotlib.pyplot")  # a figure not made by pyplot needs no closing
    if plt is not None:
        for f in figs:
            plt.close(f)


def _plotly_json(figure: Any, method: str) -> str:
    if _is_plotly(figure):
        return figure.to_json()
    try:
        import plotly.io as pio
    except ImportError:
        try:
            return json.dumps(figure)
        except (TypeError, ValueError) as e:
            raise InputError(f"{method}: figure is a dict that is not JSON-serialisable ({e}); "
                             "install plotly or pass plain lists and numbers") from e
    try:
        return pio.to_json(figure, validate=True)
    except (TypeError, ValueError) as e:
        raise InputError(f"{method}: figure is a dict that plotly rejects as a figure ({e})") from e


def make_figure(figure: Any, close: bool = True, *, method: str = "add_figure"
                ) -> tuple[str, ImageData | FigureData, Callable[[str, Any], bytes]]:
    """(kind, record, encoder) for add_figure: matplotlib → an image like torch (a list → one
    grid); plotly → FigureData holding the figure's JSON for the interactive view."""
    if _is_matplotlib(figure):
        rec = image.image_data(render_rgb(figure))
        if close:
            _close([figure])
        return IMAGES, rec, image.encode
    if isinstance(figure, (list, tuple)) and figure and all(_is_matplotlib(f) for f in figure):
        if not isinstance(figure, list):  # torch takes a list, not a tuple
            raise InputError(f"{method}: figure must be {_ACCEPTED}; got a tuple (pass a list)")
        pix = [render_rgb(f) for f in figure]
        shapes = {p.shape for p in pix}
        if len(shapes) != 1:
            raise InputError(f"{method}: the figures in the list render to different sizes "
                             f"{sorted(s[:2] for s in shapes)}; give them one figsize and dpi")
        rec = image.image_data(image.to_hwc(np.stack(pix), "NHWC", method, "figure"))
        if close:
            _close(figure)
        return IMAGES, rec, image.encode
    if _is_plotly(figure) or (isinstance(figure, dict) and "data" in figure):
        return FIGURES, FigureData(json=_plotly_json(figure, method)), encode_plotly
    raise InputError(f"{method}: figure must be {_ACCEPTED}; got {describe(figure)}")


def encode_plotly(tag: str, rec: FigureData) -> bytes:
    """A Summary with one Value{tag, tensor = DT_STRING scalar of the JSON,
    metadata plugin "nbboard_plotly"}."""
    meta = plugin_metadata(FIGURES, data_class=DATA_CLASS_TENSOR)
    tensor = tensor_proto(strings=[rec.json.encode("utf-8")], shape=())
    return summary(summary_value(tag, metadata=meta, tensor=tensor))
