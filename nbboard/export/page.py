"""The exported page: each library inlined once (the runtime, the graph bundle, plotly.js), each
distinct payload once, and the bootstrap; nbconvert's exporter and template."""

from __future__ import annotations

import base64
import hashlib
import html
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbboard.export.formats import ExportError
from nbboard.export.payload import encode_payload, pack
from nbboard.export.views import BuiltView

STATIC = Path(__file__).resolve().parent.parent / "static"


#: The exported page loads nothing from the network: only what it inlines (its scripts run from
#: inline modules and blob: URLs; images, media and fonts come as data: or blob: URLs).
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob: data:; "
       "style-src 'unsafe-inline'; img-src data: blob:; media-src data: blob:; font-src data:; "
       "connect-src data: blob:; worker-src blob: data:; base-uri 'none'; form-action 'none'")

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<meta http-equiv="Content-Security-Policy" content="CSP_HERE">
<style>
.nbb-export-missing { border: 1px solid var(--jp-warn-color2, #f0c36d); background: var(--jp-warn-color3, #fff8e1);
  color: var(--jp-ui-font-color1, #333); border-radius: 4px; padding: 10px 14px; margin: 4px 0;
  font: 13px var(--jp-ui-font-family, sans-serif); }
.nbb-export-missing code { font-family: var(--jp-code-font-family, monospace); }
</style>{% endblock extra_css %}
{% block footer_js %}{{ resources.nbboard_footer }}{% endblock footer_js %}
""".replace("CSP_HERE", CSP)


def _static(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise ExportError(f"nbboard's front-end build is missing ({path}); reinstall with `pip install -e .` "
                          "(needs Node.js and npm) or run `npm ci && npm run build` in js/")
    return path.read_text(encoding="utf-8")


def _library_code(name: str) -> str:
    if name == "main":
        return _static("runtime.js")
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


def write_page(dest: Path, body: str, page: Page) -> ExportResult:
    """Write an exported page to `dest` (its folder made if needed); ExportError if it cannot be."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(body, encoding="utf-8")
    except OSError as e:
        raise ExportError(f"cannot write {dest}: {e.strerror or e}") from None
    return ExportResult(dest, dest.stat().st_size, page.views, page.missing)


@dataclass
class ExportResult:
    """What an export wrote: the page, how many views it holds, and the views left out (and why)."""

    path: Path
    bytes: int
    views: int
    missing: list[str]


def require_nbconvert() -> None:
    try:
        import nbconvert  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as err:
        raise ExportError("exporting needs nbconvert (pip install nbconvert)") from err


def html_exporter(theme: str, exclude_input: bool = False) -> Any:
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", theme=theme, exclude_input=exclude_input,
                            extra_loaders=[jinja2.DictLoader({"nbboard_export.html.j2": _TEMPLATE})])
    exporter.template_file = "nbboard_export.html.j2"
    return exporter
