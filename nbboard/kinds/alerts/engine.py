"""The alert engine: evaluates a Store's rules off the training thread and acts when one fires.

One engine per Store data (`store.alerts`), one thread per process (`nbboard-alerts`) ticking
every engine: every 50 ms while points arrive, backing off to 200 ms when nothing changes. A
tick copies the points logged since the last one (under the Store lock, a few slices) and
evaluates each rule on them incrementally (nbboard.kinds.alerts.evaluate) outside the lock, so
the training thread pays nothing per `add_scalar` but the check of `writer._alarm`.

When a rule fires: the alert is appended to the run's `.alerts` series (every view marks it), a
warning is printed once per rule, the callback runs, `action="raise"` arms the run's writer to
raise AlertError at its next call, a writer of that run in this process writes a text summary
(`alerts/<rule>`, which TensorBoard shows), and the rule's declarer keeps rules and alerts in
`nbboard-alerts.<host>.<pid>.json` in the run's folder, which later sessions read back.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nbboard.kinds.alerts.evaluate import Smoothed, Track
from nbboard.kinds.alerts.rules import Rule, make_rule, parse_rule
from nbboard.tfevents.filewriter import written_paths

log = logging.getLogger("nbboard")

ALERTS_TAG = ".alerts"  # the series of fired alerts in each run (kind "alerts")
RULES_TAG = ".alert-rules"  # rules read back from a logdir
FILE_PATTERN = "nbboard-alerts.*.json"
#: Kinds whose records the default non-finite rule looks into, with how to tell.
_NONFINITE_KINDS = ("scalars", "histograms", "tensor")
#: Seconds between ticks while points arrive, and the longest pause when nothing changes.
TICK, IDLE_TICK = 0.05, 0.2
#: A file keeps at most this many alerts (the oldest are dropped).
MAX_SAVED = 10_000
_HOST = socket.gethostname().replace(".", "_").replace("/", "_") or "host"


class AlertWarning(UserWarning):
    """Printed once per rule when it first fires."""


class AlertError(RuntimeError):
    """Raised on the training thread, at a writer's next call, by a rule with action="raise"."""

    def __init__(self, alert: Alert) -> None:
        super().__init__(f"nbboard alert (action='raise'): {alert.message}")
        self.alert = alert


@dataclass
class Alert:
    """One firing: the rule, where (run, tag, step) and the value against its reference."""

    rule: str
    text: str
    condition: str
    run: str
    tag: str
    step: int
    value: float
    reference: float
    wall_time: float
    fired_at: float
    action: str = "warn"
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not np.isfinite(v) and k != "value" else v)
                for k, v in self.__dict__.items()}


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _message(rule: Rule, run: str, tag: str, step: int, value: float, ref: float) -> str:
    c = rule.condition
    where = f"{tag} at step {step} in run {run}"
    said = rule.describe()
    head = said if rule.name == said else f"{rule.name} ({said})"
    if c == "nonfinite":
        return f"{head}: {where} is {value!r}"
    if c in ("rising", "falling", "not_falling", "plateau"):
        unit = "/s" if rule.seconds is not None else "/step"
        return f"{head}: {where}, smoothed value {_fmt(value)}, slope {_fmt(ref)}{unit}"
    return f"{head}: {where} is {_fmt(value)} (reference {_fmt(ref)})"


@dataclass
class Declared:
    """A rule with where it applies: runs under `scope` (a run key; None: every run), run names
    relative to `root`; `origin` is "writer", "store" or "disk" (read back from a logdir)."""

    rule: Rule
    scope: str | None
    root: str | None
    origin: str
    writer: Any = None  # weakref to the declaring writer
    folder: str | None = None  # where its file is kept (writer/store rules)
    runs_re: Any = field(default=None, repr=False)
    tag_re: Any = field(default=None, repr=False)


def _under(key: str, scope: str | None) -> bool:
    if scope is None:
        return True
    return key == scope or key.startswith(scope.rstrip("/" + os.sep) + ("/" if "://" in scope else os.sep))


def _rel(key: str, root: str | None) -> str:
    if root is None:
        root = os.getcwd()
    if key == root:
        return "."
    if _under(key, root):
        return key[len(root.rstrip("/" + os.sep)) + 1:].replace(os.sep, "/")
    return key


def _join(root: str | None, run: str) -> str:
    root = root if root is not None else os.getcwd()
    if run == ".":
        return root
    if "://" in root:
        return root.rstrip("/") + "/" + run
    return os.path.normpath(os.path.join(root, run))


class AlertEngine:
    """The rules of one Store's data, their state, and what fired (`store.alerts`)."""

    def __init__(self, data: Any, series_for: Callable[[str, str, str], Any]) -> None:
        self._data = weakref.ref(data)
        self._series_for = series_for  # the Store's: (run key, tag, kind) -> series, made if new
        self._lock = threading.RLock()
        self._tick_lock = threading.Lock()
        self._declared: list[Declared] = []
        self._tracks: dict[tuple[int, str, str], Track] = {}
        self._smoothed: dict[tuple[str, str, float], Smoothed] = {}
        self._seen: set[tuple[str, str, str, int, str]] = set()  # (rule, run, tag, step, value)
        self._read: dict[tuple[str, str], int] = {}  # (run key, tag) -> records of .alerts/.alert-rules read
        self._warned: set[str] = set()
        self._fired: list[Alert] = []
        self._writers: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self._files: dict[str, dict[str, Any]] = {}  # folder -> what its alerts file holds
        self._matched_version = -1
        self._default = Declared(make_rule(".*", nonfinite=True, name="non-finite values"),
                                 None, None, "default")
        self._compile(self._default)
        self._nonfinite = True
        self.idle_ticks = 0
        _engines.add(self)
        _ensure_thread()

    # ---- declaring --------------------------------------------------------------------
    def add(self, tag: Any = None, *, rule: Rule | None = None, scope: str | None = None,
            root: str | None = None, writer: Any = None, save: bool = True, **kw: Any) -> Rule:
        """Declare a rule (see `make_rule` for the keywords; `rule=` a made one; a `tag` holding
        a whole rule as text, e.g. "Loss/train > 10", is parsed). Returns the checked Rule."""
        if rule is None:
            if isinstance(tag, str) and not kw and re.search(r"\s", tag.strip()):
                rule = parse_rule(tag, "add_alert")
            else:
                rule = make_rule(tag, **kw)
        origin = "writer" if writer is not None else "store"
        folder = scope if save and scope is not None and "://" not in scope else None
        d = Declared(rule, scope, root, origin, weakref.ref(writer) if writer is not None else None,
                     folder)
        with self._lock:
            self._compile(d)
            # a rule of the same name on the same runs is replaced (a re-run cell, an edited
            # threshold, a rule read back from the logdir): what it fired stays fired
            old = [o for o in self._declared if o.rule.name == rule.name and o.scope == scope]
            if old:
                self._declared = [o for o in self._declared if o not in old]
                self._tracks = {k: t for k, t in self._tracks.items()
                                if t.declared not in old}  # type: ignore[attr-defined]
            self._declared.append(d)
            self._matched_version = -1
        if folder is not None:
            self._save(folder, rule=d)
        _wake.set()
        return rule

    def remove(self, name: str) -> None:
        """Stop evaluating the rule(s) called `name` (its alerts stay)."""
        with self._lock:
            keep = [d for d in self._declared if d.rule.name != name]
            if len(keep) == len(self._declared):
                raise KeyError(f"no alert rule named {name!r}; rules: {[d.rule.name for d in self._declared]}")
            self._declared = keep
            self._tracks = {k: t for k, t in self._tracks.items()
                            if t.declared in keep or t.declared is self._default}  # type: ignore[attr-defined]

    @property
    def nonfinite(self) -> bool:
        """Whether the default rule alerts on NaN/±inf in every scalar, histogram and tensor."""
        return self._nonfinite

    @nonfinite.setter
    def nonfinite(self, on: bool) -> None:
        if not isinstance(on, bool):
            raise TypeError(f"alerts.nonfinite must be True or False; got {on!r}")
        with self._lock:
            self._nonfinite = on
            if not on:
                self._tracks = {k: t for k, t in self._tracks.items() if k[0] != id(self._default)}
            self._matched_version = -1

    def rules(self) -> list[Rule]:
        """The rules in force (declared here or read back from the logdir), without the default."""
        with self._lock:
            return [d.rule for d in self._declared]

    def fired(self) -> list[Alert]:
        """Every alert fired in this process so far, oldest first."""
        with self._lock:
            return list(self._fired)

    def attach_writer(self, key: str, writer: Any) -> None:
        """A writer of run `key` in this process: it gets the raise actions and writes the text
        summaries of alerts in its run (and sub-runs)."""
        self._writers[key] = writer

    @staticmethod
    def _compile(d: Declared) -> None:
        d.tag_re = re.compile(d.rule.tag)
        d.runs_re = re.compile(d.rule.runs) if d.rule.runs is not None else None

    # ---- evaluating -------------------------------------------------------------------
    def tick(self) -> int:
        """Evaluate every rule on what was logged since the last tick; returns how many new points
        were looked at (0: nothing changed)."""
        with self._tick_lock:  # the thread and a caller (tests, flush) never tick at once
            return self._tick()

    def _tick(self) -> int:
        data = self._data()
        if data is None:
            return 0
        work: list[tuple[Track, Declared, str, str, Any, Any]] = []
        with data.lock:
            if data.version != self._matched_version:
                self._match(data)
            self._read_records(data)
            for (_di, key, tag), t in list(self._tracks.items()):
                s = t.series  # type: ignore[attr-defined]
                n = len(s)
                if s.epoch != t.epoch:  # purged (a restart): evaluate what remains afresh; the
                    t.reset()  # alerts of points kept are known (same step and value), new ones fire
                    t.epoch = s.epoch
                if n <= t.cursor:
                    continue
                work.append((t, t.declared, key, tag, s, self._chunk(s, t.cursor, n)))  # type: ignore[attr-defined]
        looked = 0
        for t, d, key, tag, s, chunk in work:
            looked += len(chunk[0])
            try:
                self._evaluate(data, t, d, key, tag, s, chunk)
            except Exception as e:  # one broken rule must not stop the others
                log.warning("nbboard: alert rule %r failed on %s: %r", d.rule.name, tag, e)
                t.cursor += len(chunk[0])
        return looked

    @staticmethod
    def _chunk(s: Any, a: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if s.kind == "scalars":
            return s.steps[a:n].copy(), s.values[a:n].copy(), s.wall_times[a:n].copy()
        items = s.items(a, n)
        steps = np.array([i[0] for i in items], dtype=np.int64)
        walls = np.array([i[1] for i in items], dtype=np.float64)
        vals = np.array([_record_value(i[2]) for i in items], dtype=np.float64)
        return steps, vals, walls

    def _match(self, data: Any) -> None:
        """Make a Track for each (rule, run, tag) the rules watch (after runs or tags appeared)."""
        self._matched_version = data.version
        rules = [(id(d), d) for d in self._declared]  # keyed by identity: removals keep keys
        if self._nonfinite:
            rules.append((id(self._default), self._default))
        for key, run in list(data.runs.items()):
            for tag, s in list(run.series.items()):
                for di, d in rules:
                    if (di, key, tag) in self._tracks:
                        continue
                    kinds = _NONFINITE_KINDS if d.rule.condition == "nonfinite" else ("scalars",)
                    if s.kind not in kinds or tag.startswith(".") or not _under(key, d.scope):
                        continue
                    if not d.tag_re.fullmatch(tag):
                        continue
                    if d.runs_re is not None and not d.runs_re.fullmatch(_rel(key, d.root)):
                        continue
                    t = Track(d.rule)
                    t.series, t.declared, t.epoch = s, d, s.epoch  # type: ignore[attr-defined]
                    self._tracks[(di, key, tag)] = t

    def _read_records(self, data: Any) -> None:
        """Alerts and rules read back from logdir files: their alerts count as fired (not fired
        again), their rules are evaluated like declared ones."""
        for key, run in list(data.runs.items()):
            for tag in (ALERTS_TAG, RULES_TAG):
                s = run.series.get(tag)
                if s is None:
                    continue
                done = self._read.get((key, tag), 0)
                if len(s) <= done:
                    continue
                for _step, _wall, rec in s.items(done, len(s)):
                    if tag == ALERTS_TAG:
                        v = rec.get("value")
                        self._seen.add((rec.get("rule"), key, rec.get("tag"), rec.get("step"),
                                        _same(float("nan") if v is None else float(v))))
                    else:
                        self._disk_rule(key, rec)
                self._read[(key, tag)] = len(s)

    def _disk_rule(self, folder_key: str, rec: dict[str, Any]) -> None:
        try:
            rule = Rule.from_json(rec.get("rule"))  # type: ignore[arg-type]
        except Exception as e:
            log.warning("nbboard: an alert rule in %s cannot be read: %s", folder_key, e)
            return
        scope = _join(folder_key, rec.get("scope", "."))
        root = _join(folder_key, rec.get("root", "."))
        for d in self._declared:
            if d.scope == scope and (d.rule.to_json() == rule.to_json()
                                     or (d.rule.name == rule.name and d.origin != "disk")):
                return  # declared here too (a re-run notebook, maybe edited): this session's wins
        d = Declared(rule, scope, root, "disk")
        self._compile(d)
        self._declared.append(d)
        self._matched_version = -1

    def _reference(self, data: Any, d: Declared, key: str, tag: str, steps: np.ndarray
                   ) -> tuple[np.ndarray, int] | None:
        """The reference series' values at `steps`, and how many leading steps it has reached
        (the rest wait for it); None if it does not exist yet."""
        ref = d.rule.ref
        assert ref is not None
        rkey = _join(d.root, ref.run) if ref.run is not None else key
        rtag = ref.tag or tag
        with data.lock:
            run = data.runs.get(rkey)
            s = run.series.get(rtag) if run is not None else None
            if s is None or s.kind != "scalars" or not len(s):
                return None
            rsteps, rvals, epoch = s.steps, s.values, s.epoch
        if d.rule.smoothing:
            sm = self._smoothed.get((rkey, rtag, d.rule.smoothing))
            if sm is None:
                sm = self._smoothed[(rkey, rtag, d.rule.smoothing)] = Smoothed(d.rule.smoothing)
            rvals = sm.update(rvals, epoch)
        ready = int(np.searchsorted(steps, rsteps.max(), side="right"))
        if len(rsteps) > 1 and np.any(rsteps[1:] < rsteps[:-1]):  # out of order: latest logged
            at = np.full(ready, len(rsteps) - 1)
        else:
            at = np.searchsorted(rsteps, steps[:ready], side="right") - 1
        vals = np.where(at >= 0, rvals[np.maximum(at, 0)], np.nan)
        return vals, ready

    def _evaluate(self, data: Any, t: Track, d: Declared, key: str, tag: str, s: Any,
                  chunk: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        steps, vals, walls = chunk
        ref = None
        if d.rule.ref is not None and not d.rule.ref.best:
            got = self._reference(data, d, key, tag, steps)
            if got is None:
                return  # nothing to compare with yet: the points wait
            ref, ready = got
            steps, vals, walls = steps[:ready], vals[:ready], walls[:ready]
        for f in t.feed(steps, vals, walls, ref):
            self._fire(data, d, key, tag, int(steps[f.index]), f.value, f.reference,
                       float(walls[f.index]))

    # ---- firing -----------------------------------------------------------------------
    def _writer_for(self, key: str, d: Declared) -> Any:
        w = d.writer() if d.writer is not None else None
        if w is not None and _under(key, w._key):
            return w
        best = None
        for wkey, w in list(self._writers.items()):
            if _under(key, wkey) and (best is None or len(wkey) > len(best[0])):
                best = (wkey, w)
        return best[1] if best else None

    def _fire(self, data: Any, d: Declared, key: str, tag: str, step: int, value: float,
              reference: float, wall: float) -> None:
        rule = d.rule
        seen = (rule.name, key, tag, step, _same(value))
        with self._lock:
            if seen in self._seen:
                return
            self._seen.add(seen)
        writer = self._writer_for(key, d)
        root = d.root
        if root is None and writer is not None:  # the default rule: name runs as the writer's are
            root = os.path.dirname(writer._key)
        run = _rel(key, root)
        alert = Alert(rule.name, rule.describe(), rule.condition, run, tag, step, value, reference,
                      wall, time.time(), rule.action, _message(rule, run, tag, step, value, reference))
        with data.lock:
            s = self._series_for(key, ALERTS_TAG, "alerts")
            s.append(step, alert.to_json(), wall)
            self._read[(key, ALERTS_TAG)] = len(s)  # ours: not read back as a disk alert
        with self._lock:
            self._fired.append(alert)
            first = rule.name not in self._warned
            self._warned.add(rule.name)
        if rule.action == "warn" and first:
            warnings.warn_explicit(f"nbboard alert: {alert.message} (told once per rule; "
                                   "store.alerts.fired() lists every alert)", AlertWarning,
                                   "<nbboard alerts>", 0, module="nbboard")
        if writer is not None:
            try:
                writer._alert_text(key, alert)
            except Exception as e:  # a closed or broken writer: the alert is still in the Store
                log.debug("nbboard: alert text not written: %r", e)
        if rule.callback is not None:
            try:
                rule.callback(alert)
            except Exception as e:
                log.warning("nbboard: the callback of alert rule %r raised %r", rule.name, e)
        if rule.action == "raise" and writer is not None:
            writer._alarm = AlertError(alert)
        if d.origin in ("writer", "store") or (d.origin == "default" and writer is not None):
            if "://" not in key:
                self._save(key, alert=alert)

    # ---- files ------------------------------------------------------------------------
    def _save(self, folder: str, rule: Declared | None = None, alert: Alert | None = None) -> None:
        """Keep a rule or an alert in this process's alerts file in `folder` (written whole,
        atomically: a reader sees the old file or the new one)."""
        with self._lock:
            f = self._files.setdefault(folder, {"version": 1, "host": _HOST, "pid": os.getpid(),
                                                "rules": [], "alerts": []})
            if rule is not None:
                root = rule.root if rule.root is not None else folder
                f["rules"] = [r for r in f["rules"] if (r.get("rule") or {}).get("name") != rule.rule.name]
                f["rules"].append({"rule": rule.rule.to_json(), "scope": ".",
                                   "root": os.path.relpath(root, folder).replace(os.sep, "/")})
            if alert is not None:
                f["alerts"].append(alert.to_json())
                del f["alerts"][:-MAX_SAVED]
            text = json.dumps(f, allow_nan=True)
        path = os.path.join(folder, f"nbboard-alerts.{_HOST}.{os.getpid()}.json")
        written_paths.add(path)  # this kernel's tailing readers leave it alone: it is in the Store
        tmp = os.path.join(folder, f".nbboard-alerts.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            os.makedirs(folder, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError as e:
            log.warning("nbboard: could not keep alerts in %s: %s", folder, e)


def _same(value: float) -> str:
    """A value as an alert's identity holds it: float32, as event files keep scalars (a point read
    back from disk is the point logged)."""
    return repr(np.float32(value).item())


def _record_value(rec: Any) -> float:
    """A number that is finite iff a histogram or tensor record holds only finite values."""
    for name in ("min", "max", "sum", "sum_squares"):
        v = getattr(rec, name, None)
        if v is not None and not np.isfinite(v):
            return float(v)
    arr = getattr(rec, "array", None)
    if arr is None:
        arr = getattr(rec, "values", None)
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "fc" and arr.size:
        bad = ~np.isfinite(arr)
        if bad.any():
            return float(np.real(arr[bad].ravel()[0]))
    return 0.0


# ---- the one thread ticking every engine ------------------------------------------------
_engines: weakref.WeakSet[AlertEngine] = weakref.WeakSet()
_wake = threading.Event()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def _ensure_thread() -> None:
    global _thread
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=_run, name="nbboard-alerts", daemon=True)
        _thread.start()


def _run() -> None:
    pause = TICK
    while True:
        _wake.wait(pause)
        _wake.clear()
        looked = 0
        for e in list(_engines):
            try:
                looked += e.tick()
            except Exception as err:  # never let the thread die
                log.warning("nbboard: alert evaluation failed: %r", err)
        pause = TICK if looked else min(IDLE_TICK, pause * 2)


def tick_all() -> None:
    """Evaluate every engine now, on the calling thread (tests; `flush` waits for nothing)."""
    for e in list(_engines):
        e.tick()


def _after_fork_in_child() -> None:
    global _thread
    _thread = None
    _engines.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
