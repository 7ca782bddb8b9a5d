"""The profiler view (`Profiler`): a run's profiles with tabs for the overview, operators,
kernels, memory, modules and recommendations; the Board shows it as its Profiler tab."""

from __future__ import annotations

import traitlets

from nbboard.kinds.profiler import NAME
from nbboard.widgets.feeds import RecordView


class Profiler(RecordView):
    """PyTorch profiler traces of a logdir, Store or writer: ``Profiler("runs/")``,
    ``Profiler(writer)`` (with ``on_trace_ready=writer.profiler_handler()``)."""

    KINDS = (NAME,)
    kind = traitlets.Unicode("profiler").tag(sync=True)
