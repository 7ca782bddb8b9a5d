"""`nbboard report LOGDIR`: a notebook of the Board (plus graphs and embeddings when logged)
exported as one page."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path
from typing import Any

from nbboard.export.formats import MIME, ExportError
from nbboard.export.logs import Logs, resolve_logdir
from nbboard.export.page import ExportResult, require_nbconvert, write_page
from nbboard.export.rewrite import render_notebook
from nbboard.export.views import PROJECTION_TIMEOUT
from nbboard.kinds import REGISTRY


def _md(text: str) -> str:
    """Untrusted text (run names, paths) for a markdown cell: HTML-escaped, markdown punctuation too."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>])", r"\\\1", html.escape(text, quote=False))


def report_notebook(logdir: str, title: str | None = None) -> Any:
    """A notebook showing the Board for `logdir`, then a section for each kind that asks for one in
    reports (a run's model graph, the embeddings with every projection), when logged."""
    require_nbconvert()
    import nbformat

    path = resolve_logdir(logdir, Path.cwd()) or logdir
    if "://" not in path and not Path(path).is_dir():
        raise ExportError(f"logdir {logdir} does not exist")
    store = Logs().store(path)
    runs = store.runs()
    sections: list[tuple[str, dict]] = [("", {"kind": "board", "logdir": path, "title": title or logdir})]
    for k in REGISTRY.values():  # the kinds whose own view shows more than the Board's tab
        if k.report is None:
            continue
        heading, view = k.report
        if k.run_level:
            for run in runs:
                if store.plugin_record(run, k.name) is not None:
                    sections.append((f"{heading} — run <code>{_md(run)}</code>",
                                     {"kind": view, "logdir": path, "run": run}))
        elif any(store.tags(r).get(k.name) for r in runs):
            sections.append((heading, {"kind": view, "logdir": path}))
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f"# {_md(title or 'nbboard report')}\n\n<code>{_md(logdir)}</code> — {len(runs)} run(s), exported "
        f"{time.strftime('%Y-%m-%d %H:%M')}"))
    for heading, desc in sections:
        if heading:
            nb.cells.append(nbformat.v4.new_markdown_cell(heading))
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: desc, "text/plain": desc["kind"]})]
        nb.cells.append(cell)
    return nb


def export_report(logdir: str, out: str | os.PathLike = "report.html", *, title: str | None = None,
                  theme: str = "light", projection_timeout: float = PROJECTION_TIMEOUT) -> ExportResult:
    """The Board for `logdir` as one offline page (`nbboard report LOGDIR -o report.html`)."""
    nb = report_notebook(logdir, title)
    body, page = render_notebook(nb, Path.cwd(), theme=theme, title=title or f"nbboard report: {logdir}",
                                 exclude_input=True, projection_timeout=projection_timeout)
    dest = Path(out)
    return write_page(dest, body, page)
