"""The custom-scalars view (`CustomScalars`): add_custom_scalars' layout as multiline and margin charts."""

from __future__ import annotations

import traitlets

from nbboard.store import CUSTOM_SCALARS

from .feeds import RecordView


class CustomScalars(RecordView):
    """The charts laid out by add_custom_scalars, fed by the runs' scalar series (regex tags matched)."""

    PLUGINS = (CUSTOM_SCALARS,)
    WITH_SCALARS = True
    kind = traitlets.Unicode("custom_scalars").tag(sync=True)
