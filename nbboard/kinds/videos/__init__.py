"""Videos: add_video's animated GIFs (TensorBoard keeps them as images; nbboard as their own kind)."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.images import feed

KIND = Kind(
    name="videos",
    accessor="videos",
    feed=feed.encode,
    views={"Video": "nbboard.kinds.videos.view:Video"},
)
