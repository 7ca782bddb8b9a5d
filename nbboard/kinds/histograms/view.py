"""The histogram view (`Histograms`: offset/overlay modes) and `Distributions` (TensorBoard's percentile bands)."""

from __future__ import annotations

from typing import Any

import traitlets

from nbboard.kinds.histograms.read import HISTOGRAMS
from nbboard.widgets.feeds import RecordView

MODES = ("offset", "overlay")


class Histograms(RecordView):
    """Logged histograms as a ridgeline over steps (``mode="offset"``) or overlaid (``"overlay"``)."""

    KINDS = (HISTOGRAMS,)
    kind = traitlets.Unicode("histograms").tag(sync=True)

    def __init__(self, source: Any = None, *, mode: str | None = None, **kwargs: Any) -> None:
        ui = dict(kwargs.pop("ui", None) or {})
        if mode is not None:
            if mode not in MODES:
                raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
            ui["histogram_mode"] = mode
        super().__init__(source, ui=ui, **kwargs)


class Distributions(RecordView):
    """Logged histograms as percentile bands over steps, drawn as TensorBoard's distributions tab."""

    KINDS = (HISTOGRAMS,)
    kind = traitlets.Unicode("distributions").tag(sync=True)
