"""The audio view (`Audio`): a player per tag with a step slider."""

from __future__ import annotations

import traitlets

from nbboard.kinds.audio.read import AUDIO
from nbboard.widgets.feeds import RecordView


class Audio(RecordView):
    """Logged audio clips (add_audio) with a player per tag and step."""

    KINDS = (AUDIO,)
    kind = traitlets.Unicode("audio").tag(sync=True)
