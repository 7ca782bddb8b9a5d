"""Text: add_text's markdown."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.text import feed, read

KIND = Kind(
    name=read.TEXT,
    accessor="texts",
    read=read.read,
    claim=read.claim,
    feed=feed.encode,
    views={"Text": "nbboard.kinds.text.view:Text"},
)
