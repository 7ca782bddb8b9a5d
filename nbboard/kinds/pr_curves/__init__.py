"""PR curves: add_pr_curve's counts, precision and recall per threshold."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.pr_curves import feed, read

KIND = Kind(
    name=read.PR_CURVES,
    accessor="pr_curves",
    read=read.read,
    feed=feed.encode,
    views={"PRCurves": "nbboard.kinds.pr_curves.view:PRCurves"},
)
