"""The alerts view (`Alerts`): every alert fired in the runs of a source, newest first, with the
rule, the value and its reference; the Board shows it as its Alerts tab."""

from __future__ import annotations

import traitlets

from nbboard.widgets.feeds import RecordView


class Alerts(RecordView):
    """The fired alerts of a logdir, Store or writer: ``Alerts(writer)``, ``Alerts("runs/")``."""

    kind = traitlets.Unicode("alerts").tag(sync=True)
    KINDS = ("alerts",)

    def picture_kinds(self) -> tuple[str, ...]:
        """No picture: a list of alerts has no chart to show (the Board's picture has them)."""
        return ()
