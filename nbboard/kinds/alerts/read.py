"""Alerts read back from a logdir: the rules and fired alerts a session kept in
`nbboard-alerts.<host>.<pid>.json` beside a run's event files."""

from __future__ import annotations

import json

from nbboard.kinds.alerts.engine import ALERTS_TAG, FILE_PATTERN, RULES_TAG
from nbboard.kinds.contract import SideFile

__all__ = ["FILE_PATTERN", "read_side_file"]


def read_side_file(path: str) -> list[SideFile]:
    """The rules (tag `.alert-rules`) and alerts (tag `.alerts`, at their step) in one alerts
    file."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict):
        raise ValueError("not an nbboard alerts file (expected a JSON object)")
    out: list[SideFile] = []
    for i, r in enumerate(doc.get("rules") or []):
        if isinstance(r, dict) and isinstance(r.get("rule"), dict):
            out.append(SideFile(RULES_TAG, i, r, key=json.dumps(r, sort_keys=True)))
    for a in doc.get("alerts") or []:
        if isinstance(a, dict) and isinstance(a.get("step"), int):
            key = f"{a.get('rule')}|{a.get('tag')}|{a.get('step')}"
            out.append(SideFile(ALERTS_TAG, a["step"], a, key=key))
    return out
