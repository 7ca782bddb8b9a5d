"""Embeddings for the projector: add_embedding's matrices with metadata and sprites, in 3-D/2-D."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.projector import read

KIND = Kind(
    name="projector",
    accessor="embeddings",
    side_files=(read.CONFIG,),
    read_side_file=read.read_side_file,
    views={"Projector": "nbboard.kinds.projector.view:Projector"},
    board_feed="nbboard.kinds.projector.feed:board_feed",
    # the 3-D bundle (three.js, the projector and mesh views): on the page only once they are shown
    library=("scene3d", "nbboard.kinds.projector.view:scene3d_source"),
    report=("## Embeddings", "projector"),
)
