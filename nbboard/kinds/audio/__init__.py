"""Audio: add_audio's clips as 16-bit WAV."""

from nbboard.kinds.audio import feed, read
from nbboard.kinds.contract import Kind

KIND = Kind(
    name=read.AUDIO,
    accessor="audio",
    read=read.read,
    legacy_fields={6: read.read_legacy},
    feed=feed.encode,
    views={"Audio": "nbboard.kinds.audio.view:Audio"},
)
