"""Notebook + logs → one self-contained, offline HTML page (nbconvert), a zip bundle, or a logdir report.

Every nbboard output carries a JSON description (kind, logdir, options) in its mime bundle. The
exporter reads that logdir again, builds the messages a live view would have received from the
same feeds the widgets use, and inlines them (binary, zlib-compressed, base64) next to a static
placeholder; the page runtime is inlined once and renders every view with no kernel and no network.
"""

from __future__ import annotations

from nbboard.export.bundle import referenced_logdirs, zip_layout, zip_notebook
from nbboard.export.cli import add_subcommands, magic
from nbboard.export.formats import MIME, ExportError
from nbboard.export.logs import resolve_logdir
from nbboard.export.notebook import current_notebook_path, export_current_notebook, export_notebook
from nbboard.export.page import ExportResult, Page
from nbboard.export.payload import decode_payload, encode_payload
from nbboard.export.report import export_report, report_notebook
from nbboard.export.rewrite import render_notebook
from nbboard.export.views import build_view, view_classes

__all__ = ["MIME", "ExportError", "ExportResult", "Page", "add_subcommands", "build_view", "current_notebook_path",
           "decode_payload", "encode_payload", "export_current_notebook", "export_notebook",
           "export_report", "magic", "referenced_logdirs", "render_notebook", "report_notebook",
           "resolve_logdir", "view_classes", "zip_layout", "zip_notebook"]
