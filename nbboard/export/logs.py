"""Where a view's logdir is on this machine now, and the Stores read from logdirs (each read once
per export)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def resolve_logdir(logdir: str | None, base_dir: str | os.PathLike | None,
                   search: Sequence[str | os.PathLike] = ()) -> str | None:
    """The local path (or URL) of a description's logdir, or None when it cannot be found.

    Tried in order: `search` dirs (each joined with the logdir's tail, then as is when it is the
    same directory's name), the logdir itself (absolute, or relative to the notebook's directory),
    then the notebook's directory joined with each tail of an absolute path (a moved project).
    """
    if not logdir:
        return None
    if "://" in logdir:
        return logdir
    p = Path(logdir)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    parts = [x for x in p.parts if x not in (p.anchor, "")]
    tails = [Path(*parts[i:]) for i in range(len(parts))] if parts else []
    cands: list[Path] = []
    for s in search:
        s = Path(s)
        cands += [s / t for t in tails]
        if s.name == p.name:
            cands.append(s)
    cands.append(p if p.is_absolute() else base / p)
    if p.is_absolute():
        cands += [base / t for t in tails[1:]]
    for c in cands:
        if c.is_dir():
            return str(c.resolve())
    return None


class Logs:
    """Stores read from logdirs, each read once per export."""

    def __init__(self) -> None:
        self._stores: dict[str, Any] = {}

    def store(self, path: str) -> Any:
        s = self._stores.get(path)
        if s is None:
            import warnings

            from nbboard.logdir import load

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # damage is reported by `nbboard inspect`
                s = self._stores[path] = load(path, progress=False)
        return s
