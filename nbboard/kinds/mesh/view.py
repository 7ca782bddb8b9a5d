"""The mesh view (`Meshes`): meshes and point clouds in three.js with orbit controls."""

from __future__ import annotations

from typing import Any

import traitlets

from nbboard.kinds.mesh.read import MESH
from nbboard.kinds.projector.view import SCENE3D
from nbboard.widgets.base import library_trait, page_library
from nbboard.widgets.feeds import RecordView


class Meshes(RecordView):
    """Meshes and point clouds from add_mesh: vertex colours, faces, a step slider, orbit controls."""

    KINDS = (MESH,)
    kind = traitlets.Unicode("meshes").tag(sync=True)
    LIBRARIES = (SCENE3D,)
    #: the 3-D bundle (three.js and this view's code), shipped to the page with the first such view
    _scene3d = library_trait()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("_scene3d", page_library(SCENE3D))
        super().__init__(*args, **kwargs)
