"""The PR-curve view (`PRCurves`): a chart per tag, a step slider, a threshold tooltip."""

from __future__ import annotations

import traitlets

from nbboard.kinds.pr_curves.read import PR_CURVES
from nbboard.widgets.feeds import RecordView


class PRCurves(RecordView):
    """Precision-recall curves (add_pr_curve, add_pr_curve_raw), runs overlaid per tag."""

    KINDS = (PR_CURVES,)
    kind = traitlets.Unicode("pr_curves").tag(sync=True)
