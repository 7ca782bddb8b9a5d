"""The mesh view (`Meshes`): meshes and point clouds in three.js with orbit controls."""

from __future__ import annotations

import traitlets

from nbboard.kinds.mesh.read import MESH
from nbboard.widgets.feeds import RecordView


class Meshes(RecordView):
    """Meshes and point clouds from add_mesh: vertex colours, faces, a step slider, orbit controls."""

    KINDS = (MESH,)
    kind = traitlets.Unicode("meshes").tag(sync=True)
