"""The video view (`Video`): add_video's GIFs playing per tag and step."""

from __future__ import annotations

import traitlets

from nbboard.widgets.feeds import RecordView


class Video(RecordView):
    """Logged videos (add_video, animated GIFs) playing per tag and step."""

    KINDS = ("videos",)
    kind = traitlets.Unicode("video").tag(sync=True)
