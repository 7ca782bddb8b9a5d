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
)
