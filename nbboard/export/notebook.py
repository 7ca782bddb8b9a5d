"""Exporting a notebook file (or the one this kernel runs) to one self-contained HTML page."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nbboard.export.formats import ExportError
from nbboard.export.page import ExportResult, require_nbconvert, write_page
from nbboard.export.rewrite import render_notebook
from nbboard.export.views import PROJECTION_TIMEOUT
from nbboard.tfevents.filewriter import flush_all


def read_notebook(src: Path) -> Any:
    """The notebook at `src` (nbformat 4), or ExportError saying why it cannot be read."""
    require_nbconvert()
    import nbformat

    try:
        return nbformat.read(src, as_version=4)
    except (OSError, ValueError) as err:
        raise ExportError(f"could not read the notebook {src}: {err}") from err


def export_notebook(notebook: str | os.PathLike, out: str | os.PathLike | None = None, *,
                    logdirs: Sequence[str] = (), theme: str = "light",
                    projection_timeout: float = PROJECTION_TIMEOUT) -> ExportResult:
    """Export `notebook` (.ipynb) to one offline HTML file (default: beside it, .html); returns what was written."""
    src = Path(notebook)
    nb = read_notebook(src)
    dest = Path(out) if out is not None else src.with_suffix(".html")
    body, page = render_notebook(nb, src.resolve().parent, logdirs=logdirs, theme=theme, title=src.stem,
                                 projection_timeout=projection_timeout)
    return write_page(dest, body, page)


def current_notebook_path() -> Path:
    """The path of the notebook this kernel runs (as Jupyter tells the kernel), or ExportError."""
    cands = [os.environ.get("JPY_SESSION_NAME")]
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            cands.append(ip.user_ns.get("__session__"))
            cands.append(ip.user_ns.get("__vsc_ipynb_file__"))
    except ImportError:
        pass
    for c in cands:
        if not c or not str(c).endswith(".ipynb"):
            continue
        for p in (Path(c), Path.cwd() / Path(c).name):  # the kernel runs in the notebook's directory
            if p.exists():
                return p
    raise ExportError("cannot tell which notebook this kernel runs; pass its path: "
                      "%nbboard export OUT.html --notebook PATH.ipynb")


def export_current_notebook(out: str | os.PathLike | None = None, *, notebook: str | os.PathLike | None = None,
                            logdirs: Sequence[str] = (), theme: str = "light") -> ExportResult:
    """Export the notebook this kernel runs, as last saved (save it first), to `out` (default beside it)."""
    src = Path(notebook) if notebook is not None else current_notebook_path()
    flush_all()  # this kernel's writers' queued points reach the files the export reads
    return export_notebook(src, out, logdirs=logdirs, theme=theme)
