"""The image view (`Images`): a card per tag with its own step slider, boxes, brightness/contrast."""

from __future__ import annotations

import traitlets

from nbboard.kinds.images.read import IMAGES
from nbboard.widgets.feeds import RecordView


class Images(RecordView):
    """Logged images (add_image, add_images grids, add_image_with_boxes, matplotlib figures).

    ``Images("runs/")``, ``Images(writer, tags="^samples")``.
    """

    KINDS = (IMAGES,)
    kind = traitlets.Unicode("images").tag(sync=True)
