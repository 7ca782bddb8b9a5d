"""Notebook + logs → one self-contained, offline HTML page (nbconvert), a zip bundle, or a logdir report.

Every nbboard output carries a JSON description (kind, logdir, options) in its mime bundle. The
exporter reads that logdir again, builds the messages a live view would have received from the
same feeds the widgets use, and inlines them (binary, zlib-compressed, base64) next to a static
placeholder; the page runtime is inlined once and renders every view with no kernel and no network.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import html
import json
import os
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbboard.kinds import VIEWS, load_view
from nbboard.widgets.wire import PROTOCOL

MIME = "application/vnd.nbboard+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
STATIC = Path(__file__).resolve().parent / "static"

#: Seconds to wait for the projector's background projections (t-SNE, UMAP) before exporting what is done.
PROJECTION_TIMEOUT = 120.0

Message = tuple[dict, list[bytes]]

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style>
.nbb-export-missing { border: 1px solid var(--jp-warn-color2, #f0c36d); background: var(--jp-warn-color3, #fff8e1);
  color: var(--jp-ui-font-color1, #333); border-radius: 4px; padding: 10px 14px; margin: 4px 0;
  font: 13px var(--jp-ui-font-family, sans-serif); }
.nbb-export-missing code { font-family: var(--jp-code-font-family, monospace); }
</style>{% endblock extra_css %}
{% block footer_js %}{{ resources.nbboard_footer }}{% endblock footer_js %}
"""


class ExportError(RuntimeError):
    """The notebook could not be exported (unreadable notebook, missing front-end build, ...)."""


# ---------------------------------------------------------------------------------------------
# payloads: one view's state and messages, packed as the page's js/src/lib/exportPayload.ts reads


def encode_payload(state: dict, messages: Sequence[Message], runtime: str = "main",
                   libs: Sequence[str] = ()) -> bytes:
    """Pack a view (its model state and the kernel messages it would receive) into one binary blob.

    Layout: ``b"NBB1" | u32 LE json length | json | pad to 8 | buffers, each 8-byte aligned``.
    """
    from nbboard.widgets.wire import pack_parts

    chunks: list[bytes] = []
    off = 0
    rows = []
    for content, buffers in messages:
        locs, ch, off = pack_parts([bytes(b) for b in buffers], off)
        chunks += ch
        rows.append({"c": content, "b": locs})
    head = json.dumps({"state": state, "runtime": runtime, "libs": list(libs), "messages": rows},
                      separators=(",", ":"), default=_json_default).encode("utf-8")
    pad = -(8 + len(head)) % 8
    return b"NBB1" + struct.pack("<I", len(head)) + head + b"\0" * pad + b"".join(chunks)


def decode_payload(blob: bytes) -> tuple[dict, list[Message]]:
    """The inverse of `encode_payload` (tests, debugging): (head without messages, messages)."""
    if blob[:4] != b"NBB1":
        raise ValueError("not an nbboard export payload")
    (n,) = struct.unpack("<I", blob[4:8])
    head = json.loads(blob[8 : 8 + n])
    base = (8 + n + 7) & ~7
    msgs = [(m["c"], [blob[base + o : base + o + k] for o, k in m["b"]]) for m in head.pop("messages")]
    return head, msgs


def _json_default(x: Any) -> Any:
    import numpy as np

    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def pack(blob: bytes) -> str:
    """zlib-compress (the browser's DecompressionStream("deflate")) and base64 a blob."""
    return base64.b64encode(zlib.compress(blob, 6)).decode("ascii")


# ---------------------------------------------------------------------------------------------
# views: the feeds a live view uses, run to completion on a Store read from the logs


def view_classes() -> dict[str, type]:
    """Every view class by the kind string its model carries (the Board and each kind's views)."""
    from nbboard.widgets.board import Board

    out: dict[str, type] = {"board": Board}
    for name in VIEWS:
        cls = load_view(name)
        out[cls.kind.default_value] = cls  # type: ignore[attr-defined]
    return out


def _drain(feed: Any, out: list[Message], timeout: float) -> None:
    """Poll `feed` until it has nothing more; a feed with `done()` (the projector's background
    projections, 2-D layouts included) is polled until done or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        while (m := feed.poll()) is not None:
            out.append(m)
        if not hasattr(feed, "done") or feed.done() or time.monotonic() > deadline:
            return
        time.sleep(0.05)


@dataclass
class BuiltView:
    """A view rebuilt from logs: its model state, messages, and the inlined code it needs."""

    state: dict
    messages: list[Message]
    runtime: str = "main"
    libs: list[str] = field(default_factory=list)


def build_view(desc: dict, store: Any, *, projection_timeout: float = PROJECTION_TIMEOUT,
               saved_state: dict | None = None) -> BuiltView:
    """The state and messages of the view `desc` describes, read from `store` with no kernel."""
    kind = str(desc.get("kind", ""))
    cls = view_classes().get(kind)
    if cls is None:
        raise ExportError(f"unknown nbboard view kind {kind!r}")
    saved = saved_state or {}
    rebuilt = cls.rebuild(store, desc)  # type: ignore[attr-defined]
    msgs: list[Message] = []
    for feed in rebuilt.feeds:
        _drain(feed, msgs, projection_timeout)
    runtime = cls.RUNTIME  # type: ignore[attr-defined]
    state: dict[str, Any] = {
        "kind": kind,
        "title": saved.get("title", desc.get("title", desc.get("logdir") or "")),
        "options": {**rebuilt.options, **(saved.get("options") or {})},
        "_uid": hashlib.sha256(json.dumps(desc, sort_keys=True, default=str).encode()).hexdigest()[:16],
        "_runtime": f"IPY_MODEL_nbb-lib-{runtime}",
        "_protocol": PROTOCOL,  # the exported models speak the live views' protocol
        **rebuilt.state,
    }
    if "ui" in state and isinstance(saved.get("ui"), dict):
        state["ui"] = dict(saved["ui"])
    for lib in rebuilt.libraries:
        state[f"_{lib}"] = f"IPY_MODEL_nbb-lib-{lib}"
    return BuiltView(state, msgs, runtime, list(rebuilt.libraries))


# ---------------------------------------------------------------------------------------------
# logdirs: where a description's logdir is on this machine


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


class _Logs:
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


# ---------------------------------------------------------------------------------------------
# the page


def _static(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise ExportError(f"nbboard's front-end build is missing ({path}); reinstall with `pip install -e .` "
                          "(needs Node.js and npm) or run `npm ci && npm run build` in js/")
    return path.read_text(encoding="utf-8")


def _library_code(name: str) -> str:
    if name == "main":
        return _static("runtime.js")
    if name == "graph":
        return _static("graph.js")
    from nbboard.kinds import library_source

    try:
        return library_source(name)
    except KeyError:
        raise ExportError(f"unknown library {name!r}") from None


class Page:
    """What one exported page inlines: each library once, each distinct payload once, the bootstrap."""

    def __init__(self) -> None:
        self.libs: dict[str, str] = {}  # name -> base64 of compressed code
        self.digests: dict[str, str] = {}
        self.payloads: dict[str, str] = {}  # id -> base64
        self._by_digest: dict[str, str] = {}
        self.views = 0
        self.missing: list[str] = []

    def add_view(self, view: BuiltView) -> str:
        """Inline a view's data (once per distinct payload); returns its placeholder HTML."""
        for name in (view.runtime, *view.libs):
            if name not in self.libs:
                code = _library_code(name).encode("utf-8")
                self.digests[name] = hashlib.sha256(code).hexdigest()[:16]
                self.libs[name] = base64.b64encode(zlib.compress(code, 9)).decode("ascii")
        blob = encode_payload(view.state, view.messages, view.runtime, view.libs)
        digest = hashlib.sha256(blob).hexdigest()
        pid = self._by_digest.get(digest)
        if pid is None:
            pid = self._by_digest[digest] = f"p{len(self.payloads)}"
            self.payloads[pid] = pack(blob)
        self.views += 1
        label = html.escape(f"nbboard {view.state.get('kind', '')} view")
        return f'<div class="nbb-export" data-nbb-payload="{pid}" aria-label="{label}"></div>'

    def add_missing(self, desc: dict, reason: str) -> str:
        """A clear message in place of a view whose logs are gone."""
        self.missing.append(reason)
        kind = html.escape(str(desc.get("kind", "view")))
        return (f'<div class="nbb-export-missing" role="note"><b>nbboard {kind}:</b> '
                f"{html.escape(reason)}</div>")

    def footer(self) -> str:
        """The scripts after the notebook: libraries, payloads and the bootstrap module."""
        if not self.views:
            return ""
        out = []
        for name, b64 in self.libs.items():
            out.append(f'<script type="application/x-nbboard-code" data-name="{name}" '
                       f'data-digest="{self.digests[name]}">{b64}</script>')
        for pid, b64 in self.payloads.items():
            out.append(f'<script type="application/x-nbboard-data" id="nbb-data-{pid}">{b64}</script>')
        boot = _static("export.js").replace("</script", "<\\/script")
        out.append(f'<script type="module">{boot}</script>')
        return "\n".join(out)


def _widget_states(nb: Any) -> dict[str, dict]:
    try:
        return dict(nb.metadata["widgets"][WIDGET_STATE_MIME]["state"])
    except (KeyError, TypeError):
        return {}


def _saved_state(output_data: dict, states: dict[str, dict]) -> dict | None:
    ref = output_data.get(WIDGET_VIEW_MIME)
    if not isinstance(ref, dict):
        return None
    entry = states.get(str(ref.get("model_id", "")))
    return entry.get("state") if isinstance(entry, dict) else None


@dataclass
class ExportResult:
    """What an export wrote: the page, how many views it holds, and the views left out (and why)."""

    path: Path
    bytes: int
    views: int
    missing: list[str]


def _nbboard_outputs(nb: Any) -> Iterator[tuple[Any, dict]]:
    """Each nbboard output of the notebook's code cells with its JSON description ({} when it is
    unreadable; some tools store JSON mime data as text)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data")
            if not isinstance(data, dict) or MIME not in data:
                continue
            desc = data[MIME]
            if isinstance(desc, str):
                try:
                    desc = json.loads(desc)
                except ValueError:
                    desc = {}
            yield out, desc if isinstance(desc, dict) else {}


def _rewrite_outputs(nb: Any, base_dir: Path, search: Sequence[str], page: Page, logs: _Logs,
                     projection_timeout: float) -> None:
    """Replace each nbboard output by its placeholder (or a message when its logs are gone)."""
    states = _widget_states(nb)
    for out, desc in _nbboard_outputs(nb):
        saved = _saved_state(out["data"], states)
        out["data"] = {"text/html": _view_html(desc, base_dir, search, page, logs, projection_timeout, saved)}
        out.get("metadata", {}).pop(MIME, None)


def _view_html(desc: dict, base_dir: Path, search: Sequence[str], page: Page, logs: _Logs,
               projection_timeout: float, saved: dict | None) -> str:
    kind = desc.get("kind")
    logdir = desc.get("logdir")
    if kind not in view_classes():
        return page.add_missing(desc, f"this version cannot export a view of kind {kind!r}.")
    if not logdir:
        return page.add_missing(desc, "this view showed data with no logdir (an in-kernel Store or a "
                                      "traced model), so there are no logs to export it from.")
    path = resolve_logdir(str(logdir), base_dir, search)
    if path is None:
        return page.add_missing(desc, f"its logdir {logdir} is gone, so this view could not be exported "
                                      "(pass --logdir DIR to say where the logs are now).")
    try:
        store = logs.store(path)
        return page.add_view(build_view(desc, store, projection_timeout=projection_timeout, saved_state=saved))
    except ExportError:
        raise
    except Exception as err:  # unreadable logs: say so in place of the view, export the rest
        return page.add_missing(desc, f"its logs in {path} could not be read ({err}).")


def _require_nbconvert() -> None:
    try:
        import nbconvert  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as err:
        raise ExportError("exporting needs nbconvert (pip install nbconvert)") from err


def _html_exporter(theme: str, exclude_input: bool = False) -> Any:
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", theme=theme, exclude_input=exclude_input,
                            extra_loaders=[jinja2.DictLoader({"nbboard_export.html.j2": _TEMPLATE})])
    exporter.template_file = "nbboard_export.html.j2"
    return exporter


def render_notebook(nb: Any, base_dir: str | os.PathLike, *, logdirs: Sequence[str] = (),
                    theme: str = "light", title: str | None = None, exclude_input: bool = False,
                    projection_timeout: float = PROJECTION_TIMEOUT) -> tuple[str, Page]:
    """A notebook node as one offline HTML page: (html, what it inlined)."""
    nb = copy.deepcopy(nb)
    page = Page()
    _rewrite_outputs(nb, Path(base_dir), [str(d) for d in logdirs], page, _Logs(), projection_timeout)
    nb.metadata.pop("widgets", None)  # the widget manager would load from a CDN; views are inlined instead
    resources: dict[str, Any] = {"nbboard_footer": page.footer(), "metadata": {"name": title or "notebook"}}
    if title:
        nb.metadata["title"] = title
    body, _ = _html_exporter(theme, exclude_input).from_notebook_node(nb, resources=resources)
    return body, page


def _read_notebook(src: Path) -> Any:
    """The notebook at `src` (nbformat 4), or ExportError saying why it cannot be read."""
    _require_nbconvert()
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
    nb = _read_notebook(src)
    dest = Path(out) if out is not None else src.with_suffix(".html")
    body, page = render_notebook(nb, src.resolve().parent, logdirs=logdirs, theme=theme, title=src.stem,
                                 projection_timeout=projection_timeout)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")
    return ExportResult(dest, dest.stat().st_size, page.views, page.missing)


def _md(text: str) -> str:
    """Untrusted text (run names, paths) for a markdown cell: HTML-escaped, markdown punctuation too."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>])", r"\\\1", html.escape(text, quote=False))


def report_notebook(logdir: str, title: str | None = None) -> Any:
    """A notebook showing the Board for `logdir` (plus its graph and projector, when logged)."""
    _require_nbconvert()
    import nbformat

    path = resolve_logdir(logdir, Path.cwd()) or logdir
    if "://" not in path and not Path(path).is_dir():
        raise ExportError(f"logdir {logdir} does not exist")
    store = _Logs().store(path)
    runs = store.runs()
    sections: list[tuple[str, dict]] = [("", {"kind": "board", "logdir": path, "title": title or logdir})]
    for run in runs:
        if store.plugin_record(run, "graphs") is not None:
            sections.append((f"## Model graph — run <code>{_md(run)}</code>", {"kind": "graph", "logdir": path, "run": run}))
    if any(store.tags(r).get("projector") for r in runs):
        sections.append(("## Embeddings", {"kind": "projector", "logdir": path}))
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
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")
    return ExportResult(dest, dest.stat().st_size, page.views, page.missing)


# ---------------------------------------------------------------------------------------------
# zip: the notebook plus the logdirs it references, relocatable


def referenced_logdirs(nb: Any) -> list[str]:
    """The logdirs named by the notebook's nbboard outputs, in order of first appearance."""
    seen: dict[str, None] = {}
    for _, desc in _nbboard_outputs(nb):
        if desc.get("logdir"):
            seen.setdefault(str(desc["logdir"]), None)
    return list(seen)


def _zip_layout(found: dict[str, str], nb_dir: Path) -> dict[str, str]:
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
    export when already rendered (not rendered again). Returns (zip path, logdirs not found).
    """
    import nbformat

    src = Path(notebook).resolve()
    nb = _read_notebook(src)
    nb_dir = src.parent
    found: dict[str, str] = {}
    missing: list[str] = []
    for ld in referenced_logdirs(nb):
        path = resolve_logdir(ld, nb_dir, logdirs)
        if path is None or "://" in path:
            missing.append(ld)
        else:
            found[ld] = path
    layout = _zip_layout(found, nb_dir)
    body = html_text
    if html_page and body is None:
        body = render_notebook(nb, nb_dir, logdirs=logdirs, theme=theme, title=src.stem,
                               projection_timeout=projection_timeout)[0]
    for o, desc in _nbboard_outputs(nb):
        if desc.get("logdir") in found:
            o["data"][MIME] = {**desc, "logdir": layout[found[desc["logdir"]]]}
    dest = Path(out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, time.localtime()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(entry(src.name), nbformat.writes(nb))
        for path, rel in layout.items():
            if any(Path(path).is_relative_to(q) and q != path for q in layout):
                continue  # inside another logdir that is copied whole
            for f in sorted(Path(path).rglob("*")):
                if f.is_file():
                    z.write(f, f"{rel}/{f.relative_to(path).as_posix()}")
        if html_page and body is not None:
            z.writestr(entry(src.with_suffix(".html").name), body)
    return dest, missing


# ---------------------------------------------------------------------------------------------
# inside a notebook: %nbboard export


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
    _flush_writers()
    return export_notebook(src, out, logdirs=logdirs, theme=theme)


def _flush_writers() -> None:
    """Put what this kernel's writers still queue on disk, so the export reads every logged point."""
    try:
        from nbboard.tfevents.filewriter import _live
    except ImportError:
        return
    for t in list(_live):
        try:
            t.flush()
        except Exception:  # a failing writer reports itself; the export goes on
            pass


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


# ---------------------------------------------------------------------------------------------
# the command line (registered by nbboard.cli.build_parser)


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

