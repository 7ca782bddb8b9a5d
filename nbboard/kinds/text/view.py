"""The text view (`Text`): logged markdown rendered (sanitised) per step, with a step slider."""

from __future__ import annotations

import traitlets

from nbboard.kinds.text.read import TEXT
from nbboard.widgets.feeds import RecordView


class Text(RecordView):
    """Logged text (add_text) rendered as markdown, tables included; every string is sanitised."""

    KINDS = (TEXT,)
    kind = traitlets.Unicode("text").tag(sync=True)
