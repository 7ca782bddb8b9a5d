"""The custom-scalars view (`CustomScalars`): add_custom_scalars' layout as multiline and margin charts."""

from __future__ import annotations

from typing import Any

import traitlets

from nbboard.kinds.custom_scalars.read import CUSTOM_SCALARS
from nbboard.kinds.scalars.feed import ScalarFeed
from nbboard.store import Store
from nbboard.widgets.feeds import RecordView


class CustomScalars(RecordView):
    """The charts laid out by add_custom_scalars, fed by the runs' scalar series (regex tags matched)."""

    PLUGINS = (CUSTOM_SCALARS,)
    kind = traitlets.Unicode("custom_scalars").tag(sync=True)

    @classmethod
    def feeds(cls, store: Store) -> list[Any]:
        """The layouts, then the scalar series the charts draw."""
        return [*super().feeds(store), ScalarFeed(store)]
