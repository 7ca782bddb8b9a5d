"""Meshes and point clouds: add_mesh's vertices, faces and colours."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.mesh import feed, read

KIND = Kind(
    name=read.MESH,
    accessor="meshes",
    read=read.read,
    merge_event=read.merge_event,
    feed=feed.encode,
    views={"Meshes": "nbboard.kinds.mesh.view:Meshes"},
    # Meshes are drawn by the 3-D bundle the projector kind ships (three.js, once per page).
    library=("scene3d", "nbboard.kinds.projector.view:scene3d_source"),
)
