"""The hparams view (`HParams`): sessions table, parallel coordinates, hparam-vs-metric scatter."""

from __future__ import annotations

import traitlets

from nbboard.kinds.hparams.read import HPARAMS
from nbboard.widgets.feeds import RecordView


class HParams(RecordView):
    """Sessions logged by add_hparams: sortable, filterable table, parallel coordinates, scatter plots."""

    PLUGINS = (HPARAMS,)
    kind = traitlets.Unicode("hparams").tag(sync=True)
