"""Images: add_image, add_images grids, add_image_with_boxes and matplotlib figures."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.images import feed, read

KIND = Kind(
    name=read.IMAGES,
    accessor="images",
    read=read.read,
    legacy_fields={4: read.read_legacy},
    feed=feed.encode,
    views={"Images": "nbboard.kinds.images.view:Images"},
    thumbnail=feed.thumbnail,
)
