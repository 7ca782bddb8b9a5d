"""Alerts: rules on any scalar (absolute, derivative, comparative, non-finite) evaluated off the
training thread; fired alerts are records of run series `.alerts`, shown by every view."""

from nbboard.kinds.alerts import feed, read
from nbboard.kinds.contract import Kind

KIND = Kind(
    name="alerts",
    side_files=(read.FILE_PATTERN,),
    read_side_file=read.read_side_file,
    feed=feed.encode,
    views={"Alerts": "nbboard.kinds.alerts.view:Alerts"},
)
