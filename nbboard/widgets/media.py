"""The audio (`Audio`) and video (`Video`) views: a player per tag with a step slider."""

from __future__ import annotations

import traitlets

from nbboard.store import AUDIO, VIDEOS

from .feeds import RecordView


class Audio(RecordView):
    """Logged audio clips (add_audio) with a player per tag and step."""

    KINDS = (AUDIO,)
    kind = traitlets.Unicode("audio").tag(sync=True)


class Video(RecordView):
    """Logged videos (add_video, animated GIFs) playing per tag and step."""

    KINDS = (VIDEOS,)
    kind = traitlets.Unicode("video").tag(sync=True)
