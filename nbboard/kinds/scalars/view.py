"""The scalar view (`Scalars`): every run's scalar tags as live charts, with its display options."""

from __future__ import annotations

from typing import Any

import traitlets

from nbboard.kinds.scalars.feed import ScalarFeed
from nbboard.kinds.scalars.series import SCALARS
from nbboard.store import Store
from nbboard.widgets.base import Rebuilt, View, check_regex
from nbboard.widgets.feeds import RecordFeed, poll_all
from nbboard.widgets.source import resolve_source, source_title

OPTION_KEYS = {
    "smoothing", "x_axis", "log_y", "ignore_outliers", "run_filter", "tag_filter", "hidden_runs", "collapsed",
}


def _options(smoothing: float | None, x_axis: str | None, log_y: bool | None, ignore_outliers: bool | None,
             runs: str | None, tags: str | None, extra: dict | None) -> dict:
    opts: dict = dict(extra or {})
    unknown = set(opts) - OPTION_KEYS
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)}; accepted: {sorted(OPTION_KEYS)}")
    if smoothing is not None:
        if not 0 <= smoothing < 1:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
        opts["smoothing"] = float(smoothing)
    if x_axis is not None:
        if x_axis not in ("step", "relative", "wall"):
            raise ValueError(f"x_axis must be 'step', 'relative' or 'wall', got {x_axis!r}")
        opts["x_axis"] = x_axis
    if log_y is not None:
        opts["log_y"] = bool(log_y)
    if ignore_outliers is not None:
        opts["ignore_outliers"] = bool(ignore_outliers)
    for key, name, value in (("run_filter", "runs", runs), ("tag_filter", "tags", tags)):
        if value is not None:
            opts[key] = check_regex(name, str(value))
        elif opts.get(key) is not None:
            opts[key] = check_regex(f"options[{key!r}]", str(opts[key]))
    return opts


class Scalars(View):
    """Live scalar charts for the runs of a logdir, a Store or a SummaryWriter.

    ``Scalars("runs/")``, ``Scalars(writer)``, ``Scalars(store, smoothing=0.9, runs="lr.*")``.
    `runs`/`tags` are regular expressions that start as the view's run/tag filters.
    """

    kind = traitlets.Unicode("scalars").tag(sync=True)
    #: The view gets the fired alerts of its runs (markers on the charts); a Board's record feed
    #: carries them already.
    ALERTS = True

    def __init__(
        self,
        source: Any = None,
        *,
        runs: str | None = None,
        tags: str | None = None,
        smoothing: float | None = None,
        x_axis: str | None = None,
        log_y: bool | None = None,
        ignore_outliers: bool | None = None,
        options: dict | None = None,
        max_rate: float = 10.0,
        **kwargs: Any,
    ) -> None:
        opts = _options(smoothing, x_axis, log_y, ignore_outliers, runs, tags, options)  # before following
        store, logdir = resolve_source(source)
        kwargs.setdefault("title", source_title(source, logdir))
        super().__init__(options=opts, max_rate=max_rate, **kwargs)
        self.store = store
        self.logdir = logdir
        self._feed = ScalarFeed(store)
        self._alerts = [RecordFeed(store, ("alerts",))] if self.ALERTS else []
        _ = store.alerts  # rules read back from the logdir are evaluated from now on

    @classmethod
    def rebuild(cls, store: Store, desc: dict[str, Any]) -> Rebuilt:
        opts = {k: v for k, v in (desc.get("options") or {}).items() if k in OPTION_KEYS}
        alerts = [RecordFeed(store, ("alerts",))] if cls.ALERTS else []
        return Rebuilt([ScalarFeed(store), *alerts], opts)

    def _poll(self) -> tuple[dict, list[bytes]] | None:
        return poll_all(self, self._alerts, self._feed.poll())

    def _resync(self) -> None:
        self._feed.reset()
        for f in self._alerts:
            f.reset()

    def picture_kinds(self) -> tuple[str, ...] | None:
        """Its picture draws the scalar charts."""
        return (SCALARS,)

    def describe(self) -> dict:
        with self.store.lock:
            self._feed._discover()
            seen = self._feed.describe()
        return {"kind": self.kind, "logdir": self.logdir, **seen, "options": dict(self.options)}
