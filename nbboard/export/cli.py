"""`nbboard export` / `nbboard report` and `%nbboard export`: argument parsing and the summary
line."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nbboard.export.bundle import zip_notebook
from nbboard.export.notebook import current_notebook_path, export_current_notebook, export_notebook
from nbboard.export.page import ExportResult
from nbboard.export.report import export_report
from nbboard.export.views import PROJECTION_TIMEOUT


def _magic_parser() -> argparse.ArgumentParser:
    class _P(argparse.ArgumentParser):
        def error(self, message: str) -> Any:
            raise ValueError(f"%nbboard export: {message}\n{self.format_usage()}")

    p = _P(prog="%nbboard export", add_help=False,
           description="Export this notebook, as last saved, with its logs to one offline HTML file.")
    p.add_argument("out", nargs="?", default=None, help="the HTML file (default: the notebook's name, .html)")
    p.add_argument("--notebook", default=None, help="the .ipynb to export (default: this kernel's notebook)")
    p.add_argument("--logdir", action="append", default=[], help="where to look for logs that moved")
    p.add_argument("--zip", default=None, help="also bundle the notebook and its logdirs in this zip")
    p.add_argument("--theme", default="light", choices=("light", "dark"))
    p.add_argument("-h", "--help", action="store_true")
    return p


def magic(args: Sequence[str]) -> Any:
    """`%nbboard export [OUT.html] [--notebook NB] [--logdir DIR] [--zip OUT.zip]` (called by nbboard.magics)."""
    p = _magic_parser()
    ns = p.parse_args(list(args))
    if ns.help:
        print(p.format_help())
        return None
    res = export_current_notebook(ns.out, notebook=ns.notebook, logdirs=ns.logdir, theme=ns.theme)
    print(_summary(res) + "  (the notebook as last saved: save it first to include recent outputs)")
    if ns.zip:
        src = Path(ns.notebook) if ns.notebook else current_notebook_path()
        z, _ = zip_notebook(src, ns.zip, logdirs=ns.logdir, theme=ns.theme,
                            html_text=res.path.read_text(encoding="utf-8"))
        print(f"bundled the notebook and its logs in {z}")
    try:
        from IPython.display import FileLink

        return FileLink(os.path.relpath(res.path))
    except (ImportError, ValueError):
        return None


def _summary(res: ExportResult) -> str:
    s = f"exported {res.views} view(s) to {res.path} ({res.bytes / 1e6:.2f} MB)"
    if res.missing:
        s += f"; {len(res.missing)} left out: " + "; ".join(res.missing)
    return s


def _cmd_export(args: argparse.Namespace) -> int:
    """`nbboard export` (ExportError is reported by nbboard.cli.main)."""
    page = None
    if args.out is not None or not args.zip:
        res = export_notebook(args.notebook, args.out, logdirs=args.logdir, theme=args.theme,
                              projection_timeout=args.projection_timeout)
        print(_summary(res))
        page = res.path.read_text(encoding="utf-8")  # the zip holds the same page: render it once
    if args.zip:
        z, missing = zip_notebook(args.notebook, args.zip, logdirs=args.logdir, theme=args.theme,
                                  projection_timeout=args.projection_timeout, html_text=page)
        print(f"bundled {args.notebook} and its logs in {z}" + (f" (not found: {missing})" if missing else ""))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    """`nbboard report` (ExportError is reported by nbboard.cli.main)."""
    res = export_report(args.logdir, args.out, title=args.title, theme=args.theme,
                        projection_timeout=args.projection_timeout)
    print(_summary(res))
    return 0


def add_subcommands(sub: Any) -> None:
    """Add `export` and `report` to the `nbboard` command's subparsers."""
    e = sub.add_parser("export", help="a notebook with its logs as one offline HTML file (or a zip)",
                       description="Export a notebook to one self-contained HTML file: every nbboard "
                                   "output becomes an interactive view with its data read from the logs.")
    e.add_argument("notebook", help="the .ipynb file")
    e.add_argument("-o", "--out", default=None, help="the HTML file (default: NOTEBOOK.html)")
    e.add_argument("--logdir", action="append", default=[], metavar="DIR",
                   help="where to look for logdirs that moved (repeatable)")
    e.add_argument("--zip", default=None, metavar="OUT.zip",
                   help="bundle the notebook, the logdirs it references and its HTML export in a zip")
    e.add_argument("--theme", default="light", choices=("light", "dark"))
    e.add_argument("--projection-timeout", type=float, default=PROJECTION_TIMEOUT,
                   help="seconds to wait for t-SNE/UMAP projections (default %(default)s)")
    e.set_defaults(func=_cmd_export)
    r = sub.add_parser("report", help="the Board for a logdir as one offline HTML page",
                       description="Write the Board (and graph and projector, when logged) for a logdir "
                                   "as one self-contained HTML page.")
    r.add_argument("logdir", help="a local path or an fsspec URL")
    r.add_argument("-o", "--out", default="report.html", help="the HTML file (default: %(default)s)")
    r.add_argument("--title", default=None)
    r.add_argument("--theme", default="light", choices=("light", "dark"))
    r.add_argument("--projection-timeout", type=float, default=PROJECTION_TIMEOUT)
    r.set_defaults(func=_cmd_report)
