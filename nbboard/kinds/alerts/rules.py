"""Alert rules: what a user declares (`writer.add_alert`, `store.alerts.add`, `%nbboard --alert`),
checked once when declared, kept as plain JSON so a later session reads the same rules.

A rule watches the scalar tags matching `tag` (a regular expression, matched whole) in the runs
in its scope, and fires when exactly one condition holds:

* absolute: ``above=10`` / ``below=0.5`` (the value, smoothed if `smoothing` > 0);
* comparative: ``above="Loss/train", by=0.2`` (another tag of the same run at the same step,
  exceeded by 20 %); ``below=metric("Accuracy/val", run="lr_0.01")`` (another run at the same
  step); ``below="best", by=0.05`` (fell 5 % below its best so far; ``above="best"`` for a loss);
* derivative: ``rising=True`` / ``falling=True`` / ``not_falling=True`` over the last `window`
  points or `seconds` of wall time, on TensorBoard's EMA with `smoothing` (0.6), significant
  against the series' own noise; a number is the slope (per step, or per second) to exceed;
  ``plateau=eps``: |slope| < eps;
* non-finite: ``nonfinite=True`` — NaN or ±inf in a scalar, histogram or tensor (a default rule
  watches every tag unless switched off).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nbboard.convert import InputError, describe

#: The conditions a rule can hold, each a keyword of `add_alert`.
CONDITIONS = ("above", "below", "rising", "falling", "not_falling", "plateau", "nonfinite")
TRENDS = ("rising", "falling", "not_falling", "plateau")
ACTIONS = ("warn", "raise", "none")
#: TensorBoard's default smoothing weight, used by derivative rules unless given.
TREND_SMOOTHING = 0.6
#: A trend must move more than this many standard deviations of the smoothed noise.
SIGNIFICANCE = 5.0


@dataclass(frozen=True)
class Ref:
    """A comparison's reference: `tag` (None: the rule's own tag) in `run` (None: the same run),
    or the series' own best so far (`best`)."""

    tag: str | None = None
    run: str | None = None
    best: bool = False

    def text(self, own_tag: str) -> str:
        """How a rule's description names it: "its best", "Loss/train", "Loss/val in lr_0.01"."""
        if self.best:
            return "its best"
        where = f" in {self.run}" if self.run is not None else ""
        return f"{self.tag or own_tag}{where}"


def metric(tag: str | None = None, run: str | None = None) -> Ref:
    """A reference for a comparative rule: `tag` (default: the rule's own tag) in `run` (default:
    the same run), e.g. ``add_alert("Loss/val", above=metric(run="lr_0.01"), by=0.1)``."""
    if tag is not None and (not isinstance(tag, str) or not tag):
        raise InputError(f"metric: tag must be a non-empty str or None; got {describe(tag)}")
    if run is not None and not isinstance(run, str):
        raise InputError(f"metric: run must be a run name (str) or None; got {describe(run)}")
    if tag is None and run is None:
        raise InputError("metric: give tag, run or both (the same tag in the same run is the series itself)")
    return Ref(tag=tag, run=run)


@dataclass(frozen=True)
class Rule:
    """One checked alert rule (see the module docstring). `to_json`/`from_json` round-trip it."""

    name: str
    tag: str
    condition: str
    threshold: float | None = None  # above/below: the number; trends: the slope; plateau: eps
    ref: Ref | None = None  # above/below: the reference series instead of a number
    by: float = 0.0  # comparative margin, a fraction of the reference's magnitude
    window: int = 20
    seconds: float | None = None
    smoothing: float = 0.0
    after_step: int | None = None
    runs: str | None = None  # regex of run names the rule watches (None: every run in its scope)
    once: bool = False
    cooldown: int = 10  # points the condition must be false before the rule fires again
    action: str = "warn"
    callback: Callable[[Any], Any] | None = field(default=None, compare=False)

    def describe(self) -> str:
        """The rule in words ("Loss/train > 10 after step 1000")."""
        c = self.condition
        if c == "nonfinite":
            text = f"{self.tag} is NaN or ±inf"
        elif c in ("above", "below"):
            op = ">" if c == "above" else "<"
            if self.ref is None:
                text = f"{self.tag} {op} {self.threshold:g}"
            else:
                margin = f" by {self.by * 100:g}%" if self.by else ""
                text = f"{self.tag} {op} {self.ref.text(self.tag)}{margin}"
        else:
            span = f"{self.seconds:g} s" if self.seconds is not None else f"{self.window} points"
            words = {"rising": "rising", "falling": "falling", "not_falling": "not falling",
                     "plateau": "flat"}[c]
            rate = self.threshold or 0.0
            unit = "/s" if self.seconds is not None else "/step"
            if c == "plateau":
                text = f"{self.tag} {words} (|slope| < {rate:g}{unit}) over {span}"
            else:
                text = f"{self.tag} {words}{f' faster than {rate:g}{unit}' if rate else ''} over {span}"
        if self.smoothing and c not in TRENDS and c != "nonfinite":
            text += f" (smoothed {self.smoothing:g})"
        if self.after_step is not None:
            text += f" after step {self.after_step}"
        if self.runs is not None:
            text += f" in runs /{self.runs}/"
        return text

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON (what the logdir keeps; the callback is not kept)."""
        d: dict[str, Any] = {"name": self.name, "tag": self.tag, "condition": self.condition}
        if self.threshold is not None:
            d["threshold"] = self.threshold
        if self.ref is not None:
            d["ref"] = {"tag": self.ref.tag, "run": self.ref.run, "best": self.ref.best}
        for key, default in (("by", 0.0), ("window", 20), ("seconds", None), ("smoothing", 0.0),
                             ("after_step", None), ("runs", None), ("once", False),
                             ("cooldown", 10), ("action", "warn")):
            v = getattr(self, key)
            if v != default:
                d[key] = v
        return d

    @staticmethod
    def from_json(d: dict[str, Any]) -> Rule:
        """A rule read back from a logdir (checked again: the file may have been edited)."""
        if not isinstance(d, dict):
            raise InputError(f"alert rule: expected a JSON object; got {describe(d)}")
        kw: dict[str, Any] = {k: d[k] for k in ("by", "window", "seconds", "smoothing", "after_step",
                                                 "runs", "once", "cooldown", "action", "name") if k in d}
        cond = d.get("condition")
        if cond not in CONDITIONS:
            raise InputError(f"alert rule: condition must be one of {CONDITIONS}; got {cond!r}")
        ref = d.get("ref")
        if cond in ("above", "below"):
            if isinstance(ref, dict):
                kw[cond] = "best" if ref.get("best") else Ref(tag=ref.get("tag"), run=ref.get("run"))
            else:
                kw[cond] = d.get("threshold")
        elif cond == "nonfinite":
            kw[cond] = True
        else:
            kw[cond] = d.get("threshold") if cond == "plateau" else (d.get("threshold") or True)
        return make_rule(d.get("tag"), **kw)


def _number(method: str, arg: str, v: Any, *, low: float | None = None, high: float | None = None,
            low_open: bool = False, what: str = "a number") -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise InputError(f"{method}: {arg} must be {what}; got {describe(v)}")
    x = float(v)
    if not math.isfinite(x) or (low is not None and (x <= low if low_open else x < low)) or (
            high is not None and x >= high):
        raise InputError(f"{method}: {arg} must be {what}; got {v!r}")
    return x


def _regex(method: str, arg: str, v: Any) -> str:
    if not isinstance(v, str) or not v:
        raise InputError(f"{method}: {arg} must be a tag name or a regular expression (str); got {describe(v)}")
    try:
        re.compile(v)
    except re.error as err:
        raise InputError(f"{method}: {arg} {v!r} is not a regular expression ({err})") from None
    return v


def make_rule(tag: Any, *, above: Any = None, below: Any = None, rising: Any = None,
              falling: Any = None, not_falling: Any = None, plateau: Any = None,
              nonfinite: Any = None, by: Any = 0.0, window: Any = 20, seconds: Any = None,
              smoothing: Any = None, after_step: Any = None, runs: Any = None, once: Any = False,
              cooldown: Any = 10, action: Any = "warn", callback: Any = None, name: Any = None,
              method: str = "add_alert") -> Rule:
    """A checked Rule from `add_alert`'s keywords; InputError naming the argument otherwise."""
    tag = _regex(method, "tag", tag)
    given = {k: v for k, v in (("above", above), ("below", below), ("rising", rising),
                               ("falling", falling), ("not_falling", not_falling),
                               ("plateau", plateau), ("nonfinite", nonfinite))
             if v is not None and v is not False}
    if len(given) != 1:
        raise InputError(f"{method}: give exactly one condition of {', '.join(CONDITIONS)}; got "
                         f"{', '.join(given) or 'none'}")
    (cond, value), = given.items()
    threshold: float | None = None
    ref: Ref | None = None
    if cond in ("above", "below"):
        if isinstance(value, Ref):
            ref = value
        elif isinstance(value, str):
            ref = Ref(best=True) if value == "best" else Ref(tag=_regex(method, cond, value))
        else:
            threshold = _number(method, cond, value, what="a number, a tag name, 'best' or metric(...)")
    elif cond == "nonfinite":
        if value is not True:
            raise InputError(f"{method}: nonfinite must be True; got {describe(value)}")
    elif cond == "plateau":
        threshold = _number(method, "plateau", value, low=0, low_open=True,
                            what="the largest |slope| that counts as flat (a number > 0)")
    elif value is not True:
        threshold = _number(method, cond, value, low=0,
                            what="True or a slope ≥ 0 to exceed (per step, or per second with seconds=)")
    by_f = _number(method, "by", by, low=0, what="a fraction ≥ 0 of the reference (0.2 is 20 %)")
    if by_f and ref is None:
        raise InputError(f"{method}: by applies to comparisons (above/below a tag, metric(...) or "
                         f"'best'); {cond}={value!r} takes none")
    if isinstance(window, bool) or not isinstance(window, numbers.Integral) or int(window) < 2:
        raise InputError(f"{method}: window must be an int ≥ 2 (points); got {describe(window)}")
    secs = None if seconds is None else _number(method, "seconds", seconds, low=0, low_open=True,
                                                  what="a number of seconds > 0 or None")
    if smoothing is None:
        smooth = TREND_SMOOTHING if cond in TRENDS else 0.0
    else:
        smooth = _number(method, "smoothing", smoothing, low=0, high=1, what="a weight in [0, 1)")
    if after_step is not None and (isinstance(after_step, bool) or not isinstance(after_step, numbers.Integral)):
        raise InputError(f"{method}: after_step must be an int or None; got {describe(after_step)}")
    if runs is not None:
        runs = _regex(method, "runs", runs)
    if not isinstance(once, bool):
        raise InputError(f"{method}: once must be True or False; got {describe(once)}")
    if isinstance(cooldown, bool) or not isinstance(cooldown, numbers.Integral) or int(cooldown) < 1:
        raise InputError(f"{method}: cooldown must be an int ≥ 1 (points); got {describe(cooldown)}")
    if action is None:
        action = "none"
    if action not in ACTIONS:
        raise InputError(f"{method}: action must be one of {ACTIONS} (or None); got {action!r}")
    if callback is not None and not callable(callback):
        raise InputError(f"{method}: callback must be callable (it gets the Alert) or None; got "
                         f"{describe(callback)}")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise InputError(f"{method}: name must be a non-empty str or None; got {describe(name)}")
    rule = Rule(name="", tag=tag, condition=cond, threshold=threshold, ref=ref, by=by_f,
                window=int(window), seconds=secs, smoothing=smooth,
                after_step=None if after_step is None else int(after_step), runs=runs, once=once,
                cooldown=int(cooldown), action=action, callback=callback)
    return Rule(**{**rule.__dict__, "name": name or rule.describe()})


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SPEC = re.compile(
    rf"^\s*(?P<tag>\S+)\s+(?:(?P<op>>|<)\s*(?P<rhs>[^\s<>]\S*)|(?P<trend>rising|falling|not_falling|plateau|nonfinite)"
    rf"(?:\s+(?P<rate>{_NUM}))?)(?P<rest>(?:\s+\S+)*)\s*$")


def parse_rule(text: Any, method: str = "--alert") -> Rule:
    """A rule from its one-line form (`%nbboard --alert`): ``"Loss/train > 10"``, ``"Acc/val <
    best by 5% after 1000"``, ``"Loss/val > Loss/train by 20%"``, ``"Loss/val > lr_0.01:Loss/val"``,
    ``"Loss/train rising window 50"``, ``"Loss/train plateau 1e-4 seconds 60"``, ``"Loss nonfinite
    raise"``. Words after the condition: by N%, after STEP, window N, seconds S, smoothing W,
    once, raise, silent."""
    if not isinstance(text, str):
        raise InputError(f"{method}: expected a rule as text; got {describe(text)}")
    m = _SPEC.match(text)
    if not m:
        raise InputError(f"{method}: cannot read {text!r}; write 'TAG > NUMBER', 'TAG < best by 5%', "
                         "'TAG > OTHER_TAG', 'TAG > RUN:TAG', 'TAG rising|falling|not_falling|plateau "
                         "[RATE]' or 'TAG nonfinite', then options (by N%, after STEP, window N, "
                         "seconds S, smoothing W, once, raise, silent)")
    kw: dict[str, Any] = {}
    if m["op"]:
        cond = "above" if m["op"] == ">" else "below"
        rhs = m["rhs"]
        if re.fullmatch(_NUM, rhs):
            kw[cond] = float(rhs)
        elif rhs == "best":
            kw[cond] = "best"
        elif ":" in rhs:
            run, _, other = rhs.partition(":")
            kw[cond] = metric(other or None, run)
        else:
            kw[cond] = rhs
    else:
        cond = m["trend"]
        kw[cond] = float(m["rate"]) if m["rate"] else (True if cond != "plateau" else None)
        if cond == "plateau" and kw[cond] is None:
            raise InputError(f"{method}: plateau needs the largest |slope| that counts as flat: "
                             f"'{m['tag']} plateau 1e-4'")
    words = m["rest"].split()
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("once", "raise", "silent"):
            if w == "once":
                kw["once"] = True
            else:
                kw["action"] = "raise" if w == "raise" else "none"
            i += 1
            continue
        if i + 1 >= len(words) or w not in ("by", "after", "window", "seconds", "smoothing"):
            raise InputError(f"{method}: in {text!r}, {w!r} is not an option; options: by N%, after "
                             "STEP, window N, seconds S, smoothing W, once, raise, silent")
        arg = words[i + 1]
        try:
            if w == "by":
                kw["by"] = float(arg[:-1]) / 100 if arg.endswith("%") else float(arg)
            elif w == "after":
                kw["after_step"] = int(arg)
            elif w == "window":
                kw["window"] = int(arg)
            elif w == "seconds":
                kw["seconds"] = float(arg)
            else:
                kw["smoothing"] = float(arg)
        except ValueError:
            raise InputError(f"{method}: in {text!r}, {w} takes a number; got {arg!r}") from None
        i += 2
    return make_rule(m["tag"], method=method, **kw)
