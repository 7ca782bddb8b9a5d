"""The Board: the dashboard for a logdir, a Store or a writer: scalars, a tab per record kind, the projector."""

from __future__ import annotations

from typing import Any

import traitlets

from nbboard.kinds.scalars.view import Scalars

from .feeds import BoardRecords


class Board(BoardRecords, Scalars):
    """A dashboard frame (title, tabs for the kinds present, live indicator) over the runs of a source.

    Takes the same arguments as `Scalars`: ``Board("runs/")``, ``Board(writer)``, ``Board(store)``.
    """

    kind = traitlets.Unicode("board").tag(sync=True)
    ALERTS = False  # the Board's record feed carries them

    def add_alert(self, tag: Any, **rule: Any) -> Any:
        """Declare an alert rule on the runs this Board shows (files other processes write
        included): `Store.add_alert`'s rules, kept in the logdir; returns the Rule."""
        return self.store.add_alert(tag, **rule)

    def picture_kinds(self) -> tuple[str, ...] | None:
        """Its picture: the scalar charts, then every other kind listed."""
        return None

    def describe(self) -> dict:
        d = super().describe()
        d["kind"] = "board"
        return d
