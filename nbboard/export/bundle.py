"""`nbboard export --zip`: the notebook, its exported page and the logdirs it reads, in one zip."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nbboard.export.formats import MIME, ExportError
from nbboard.export.logs import resolve_logdir
from nbboard.export.notebook import read_notebook
from nbboard.export.rewrite import nbboard_outputs, render_notebook
from nbboard.export.views import PROJECTION_TIMEOUT
from nbboard.tfevents.journal import PREFIX as JOURNAL_PREFIX


def referenced_logdirs(nb: Any) -> list[str]:
    """The logdirs named by the notebook's nbboard outputs, in order of first appearance."""
    seen: dict[str, None] = {}
    for _, desc in nbboard_outputs(nb):
        if desc.get("logdir"):
            seen.setdefault(str(desc["logdir"]), None)
    return list(seen)


def zip_layout(found: dict[str, str], nb_dir: Path) -> dict[str, str]:
    """Each found logdir's path inside the zip (relative, posix), nesting kept and copied once."""
    layout: dict[str, str] = {}
    used: set[str] = set()
    for path in sorted(set(found.values()), key=lambda p: len(Path(p).parts)):
        p = Path(path)
        parent = next((q for q in layout if p.is_relative_to(q)), None)
        if parent is not None:
            layout[path] = (Path(layout[parent]) / p.relative_to(parent)).as_posix()
            continue
        if p.is_relative_to(nb_dir) and p != nb_dir:
            rel = p.relative_to(nb_dir).as_posix()
        else:
            rel = f"logs/{p.name or 'logdir'}"
        rel = _free_folder(rel, used)
        used.add(rel)
        layout[path] = rel
    return layout


def _free_folder(rel: str, used: set[str]) -> str:
    """`rel`, or `rel-2`, `rel-3`, ... : a folder that is neither one of `used`, nor inside one, nor
    holds one (a logdir copied into another's folder would read back as runs of it)."""
    def clash(r: str) -> bool:
        return any(r == u or r.startswith(u + "/") or u.startswith(r + "/") for u in used)

    head, _, tail = rel.partition("/")
    inside = any(rel.startswith(u + "/") for u in used)  # suffixing the last folder would stay inside
    cand, i = rel, 1
    while clash(cand):
        i += 1
        cand = f"{head}-{i}/{tail}" if inside else f"{rel}-{i}"
    return cand


def zip_notebook(notebook: str | os.PathLike, out: str | os.PathLike, *, logdirs: Sequence[str] = (),
                 html_page: bool = True, theme: str = "light", projection_timeout: float = PROJECTION_TIMEOUT,
                 html_text: str | None = None) -> tuple[Path, list[str]]:
    """Bundle the notebook, the logdirs it references (rewritten as relative paths) and its HTML export.

    Unzipped anywhere, ``nbboard export NOTEBOOK.ipynb`` works again. `html_text` is the notebook's
    export when already rendered (not rendered again). Returns (zip path, what was left out and why).

    A notebook someone sent may name any folder: only logdirs inside the notebook's folder, or
    inside a folder given in `logdirs`, are packed; links are never followed; the zip never
    holds itself.
    """
    import nbformat

    src = Path(notebook).resolve()
    nb = read_notebook(src)
    nb_dir = src.parent
    found: dict[str, str] = {}
    missing: list[str] = []
    allowed = [nb_dir, *(Path(d).resolve() for d in logdirs)]
    for ld in referenced_logdirs(nb):
        path = resolve_logdir(ld, nb_dir, logdirs)
        if path is None or "://" in path:
            missing.append(ld)
        elif not any(Path(path).resolve().is_relative_to(a) for a in allowed):
            missing.append(f"{ld} (outside the notebook's folder; name it with --logdir to include it)")
        else:
            found[ld] = path
    layout = zip_layout(found, nb_dir)
    body = html_text
    if html_page and body is None:
        body = render_notebook(nb, nb_dir, logdirs=logdirs, theme=theme, title=src.stem,
                               projection_timeout=projection_timeout)[0]
    for o, desc in nbboard_outputs(nb):
        if desc.get("logdir") in found:
            o["data"][MIME] = {**desc, "logdir": layout[found[desc["logdir"]]]}
    dest = Path(out)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot write {dest}: {e.strerror or e}") from None
    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, time.localtime()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    try:
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
            itself = dest.resolve()
            z.writestr(entry(src.name), nbformat.writes(nb))
            for path, rel in layout.items():
                if any(Path(path).is_relative_to(q) and q != path for q in layout):
                    continue  # inside another logdir that is copied whole
                for f, link in _files(Path(path)):
                    if link:
                        missing.append(f"{f} (a link: not followed)")
                    elif f.resolve() != itself:
                        z.write(f, f"{rel}/{f.relative_to(path).as_posix()}")
            if html_page and body is not None:
                z.writestr(entry(src.with_suffix(".html").name), body)
    except OSError as e:
        raise ExportError(f"cannot write {dest}: {e.strerror or e}") from None
    return dest, missing


def _files(root: Path) -> Iterator[tuple[Path, bool]]:
    """Every file under `root` in name order, and each link (file or folder) met, never followed."""
    for here, dirs, files in os.walk(root):  # os.walk does not descend into linked folders
        dirs.sort()
        for d in list(dirs):
            if os.path.islink(os.path.join(here, d)):
                dirs.remove(d)
                yield Path(here, d), True
        for name in sorted(files):
            if name.startswith(JOURNAL_PREFIX):
                continue  # a writer's crash journal: transient, not data to ship
            f = Path(here, name)
            yield f, f.is_symlink()
