"""A static picture (SVG) of what a view shows, carried in its output's mime bundle and its saved
widget state: what a saved notebook shows where no widget runs (GitHub, nbviewer, VS Code's
preview, `nbconvert --to html`) and what a view shows once its kernel is gone.

Scalar charts are drawn (every run's curve per tag, min/max-bucketed to the chart's width); other
kinds are summarised (their tags and runs, the newest image of each image tag). The result is
bounded (`MAX_BYTES`): charts, images and list lines stop before it."""

from __future__ import annotations

import base64
import math
import re
from html import escape
from typing import Any

import numpy as np

from nbboard.kinds import REGISTRY
from nbboard.kinds.scalars.series import SCALARS

MAX_BYTES = 400_000
MAX_CHARTS = 12
COLS = 3
CHART_W, CHART_H = 300, 190
PAD = 10
PALETTE = ("#ff7043", "#0077bb", "#009988", "#ee3377", "#33bbee", "#cc3311",
           "#9c27b0", "#43a047", "#f9a825", "#5c6bc0", "#a0522d", "#7e57c2")  # the page's: js/src/lib/colors.ts


def _label(kind: str) -> str:
    """A kind as its view is called (the registry's first view name)."""
    k = REGISTRY.get(kind)
    names = list(k.views) if k is not None else []
    return names[0] if names else kind.replace("_", " ").title()


def run_colors(runs: list[str]) -> dict[str, str]:
    """Run colours as the page picks them (FNV-1a of the name, least-used palette slot from there)."""
    used = [0] * len(PALETTE)
    out: dict[str, str] = {}
    for run in runs:
        h = 2166136261
        for unit in memoryview(run.encode("utf-16-le")).cast("H"):  # JS's charCodeAt units
            h = ((h ^ unit) * 16777619) & 0xFFFFFFFF
        start = h % len(PALETTE)
        best = min(range(len(PALETTE)), key=lambda k: (used[(start + k) % len(PALETTE)], k))
        i = (start + best) % len(PALETTE)
        used[i] += 1
        out[run] = PALETTE[i]
    return out


def _n(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return str(v)
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.3g}"
    return f"{v:.4g}"


def _bucket(x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ~2n points keeping each bucket's min and max (what the page's charts draw)."""
    if len(x) <= 2 * n:
        return x, y
    edges = np.linspace(0, len(x), n + 1).astype(int)
    xs, ys = [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b <= a:
            continue
        seg = y[a:b]
        i, j = int(np.nanargmin(seg)) if np.isfinite(seg).any() else 0, int(np.nanargmax(seg)) if np.isfinite(seg).any() else 0
        for k in sorted({i, j}):
            xs.append(x[a + k])
            ys.append(seg[k])
    return np.asarray(xs), np.asarray(ys)


def _chart(x0: int, y0: int, tag: str, curves: list[tuple[str, np.ndarray, np.ndarray]],
           colors: dict[str, str]) -> str:
    """One chart: frame, title, y and x extremes, a polyline per run."""
    w, h = CHART_W, CHART_H
    left, right, top, bottom = 44, 8, 24, 22
    pw, ph = w - left - right, h - top - bottom
    xs = np.concatenate([c[1] for c in curves]).astype(float)
    ys = np.concatenate([c[2] for c in curves]).astype(float)
    fin = np.isfinite(ys)
    parts = [f'<g transform="translate({x0},{y0})">',
             f'<rect width="{w}" height="{h}" rx="4" fill="#fff" stroke="#ddd"/>',
             f'<text x="8" y="15" font-size="12" font-weight="600">{escape(tag[:48])}</text>']
    if not fin.any() or not len(xs):
        parts.append(f'<text x="{w / 2}" y="{h / 2}" text-anchor="middle" fill="#999" font-size="11">no finite values</text></g>')
        return "".join(parts)
    xmin, xmax = float(xs.min()), float(xs.max())
    ymin, ymax = float(ys[fin].min()), float(ys[fin].max())
    if xmax == xmin:
        xmax = xmin + 1
    if ymax == ymin:
        ymin, ymax = ymin - 0.5, ymax + 0.5
    sx = pw / (xmax - xmin)
    sy = ph / (ymax - ymin)
    parts.append(f'<g font-size="10" fill="#666">'
                 f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{_fmt(ymax)}</text>'
                 f'<text x="{left - 4}" y="{top + ph}" text-anchor="end">{_fmt(ymin)}</text>'
                 f'<text x="{left}" y="{h - 6}">{_fmt(xmin)}</text>'
                 f'<text x="{left + pw}" y="{h - 6}" text-anchor="end">{_fmt(xmax)}</text></g>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#eee"/>')
    for run, cx, cy in curves:
        bx, by = _bucket(cx.astype(float), cy.astype(float), pw)
        ok = np.isfinite(by)
        if not ok.any():
            continue
        px = left + (bx[ok] - xmin) * sx
        py = top + ph - (by[ok] - ymin) * sy
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
        if ok.sum() == 1:
            parts.append(f'<circle cx="{px[0]:.1f}" cy="{py[0]:.1f}" r="2" fill="{colors[run]}"/>')
        else:
            parts.append(f'<polyline class="nbb-curve" data-run="{escape(run)}" points="{pts}" '
                         f'fill="none" stroke="{colors[run]}" stroke-width="1.5"/>')
    parts.append("</g>")
    return "".join(parts)


def _compile(pattern: Any) -> re.Pattern[str] | None:
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def picture(store: Any, title: str, kinds: tuple[str, ...] | None, options: dict[str, Any] | None = None,
            label: str = "") -> str:
    """An SVG of the `kinds` (None: every kind, as a Board shows) the Store holds: scalar charts
    drawn, other kinds listed; run/tag filters of `options` applied."""
    opts = options or {}
    run_re, tag_re = _compile(opts.get("run_filter")), _compile(opts.get("tag_filter"))
    runs = [r for r in store.runs() if run_re is None or run_re.search(r)]
    colors = run_colors(runs)
    by_tag: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    others: dict[str, dict[str, set[str]]] = {}  # kind -> tag -> runs
    n_points = 0
    for run in runs:
        for kind, tags in store.tags(run).items():
            if kinds is not None and kind not in kinds:
                continue
            if not tags and kind != SCALARS:  # a run-level kind (hparams, graph): the run
                others.setdefault(kind, {}).setdefault(run, set()).add(run)
            for tag in tags:
                if tag.startswith(".") or (tag_re is not None and not tag_re.search(tag)):
                    continue
                if kind == SCALARS:
                    s = store.series(run, tag)
                    if len(s):
                        by_tag.setdefault(tag, []).append((run, np.asarray(s.steps), np.asarray(s.values)))
                        n_points += len(s)
                else:
                    others.setdefault(kind, {}).setdefault(tag, set()).add(run)
    tags = sorted(by_tag)
    shown = tags[:MAX_CHARTS]
    rows = math.ceil(len(shown) / COLS)
    width = COLS * CHART_W + (COLS + 1) * PAD
    y = 44
    body: list[str] = []
    size = 0
    for i, tag in enumerate(shown):
        chart = _chart(PAD + (i % COLS) * (CHART_W + PAD), y + (i // COLS) * (CHART_H + PAD), tag,
                       by_tag[tag], colors)
        if size + len(chart) > MAX_BYTES // 2:
            shown = shown[:i]
            rows = math.ceil(len(shown) / COLS)
            break
        size += len(chart)
        body.append(chart)
    y += rows * (CHART_H + PAD)
    if len(tags) > len(shown):
        body.append(f'<text x="{PAD}" y="{y + 12}" font-size="12" fill="#666">+ {len(tags) - len(shown)} more scalar tags</text>')
        y += 22
    legend_runs = [r for r in runs if any(r == c[0] for t in shown for c in by_tag[t])][:12]
    if legend_runs:
        x = PAD
        for r in legend_runs:
            label_w = 16 + 7 * min(len(r), 30)
            if x + label_w > width - PAD:
                x = PAD
                y += 18
            body.append(f'<rect x="{x}" y="{y + 3}" width="10" height="10" rx="2" fill="{colors[r]}"/>'
                        f'<text x="{x + 14}" y="{y + 12}" font-size="11">{escape(r[:30])}</text>')
            x += label_w + 12
        y += 24
    for kind, tag_runs in sorted(others.items()):
        line = f"{_label(kind)}: " + ", ".join(sorted(tag_runs)[:8]) + (" …" if len(tag_runs) > 8 else "")
        body.append(f'<text x="{PAD}" y="{y + 12}" font-size="12" fill="#333">{escape(line[:140])}</text>')
        y += 20
        thumbnail = REGISTRY[kind].thumbnail if kind in REGISTRY else None
        if thumbnail is not None:
            y = _thumbs(store, thumbnail, tag_runs, body, y, width, MAX_BYTES - size)
    if not tags and not others:
        body.append(f'<text x="{PAD}" y="{y + 14}" font-size="13" fill="#888">No data yet</text>')
        y += 24
    n_tags = len(tags) + sum(len(t) for t in others.values())
    head = (f'<text x="{PAD}" y="18" font-size="14" font-weight="700" fill="#1976d2">nbboard</text>'
            f'<text x="{PAD + 66}" y="18" font-size="13" fill="#555">{escape(((label.title() + " · " if label and label != "board" else "") + title)[:90])}</text>'
            f'<text x="{PAD}" y="34" font-size="11" fill="#888">{_n(len(runs), "run")} · {_n(n_tags, "tag")} · '
            f'{_n(n_points, "scalar point")} · a static picture: run the notebook for the live, interactive view</text>')
    height = y + PAD
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" class="nbboard-picture">'
            f'<rect width="{width}" height="{height}" fill="#fafafa"/>{head}{"".join(body)}</svg>')


def _thumbs(store: Any, thumbnail: Any, tag_runs: dict[str, set[str]], body: list[str], y: float,
            width: int, budget: int) -> float:
    """The newest record's thumbnail of up to 6 tags, as embedded PNGs within `budget` bytes."""
    x = PAD
    used = 0
    size = 96
    for tag in sorted(tag_runs)[:6]:
        run = sorted(tag_runs[tag])[0]
        try:
            recs = store.series(run, tag).values
            got = thumbnail(recs[-1]) if len(recs) else None
        except Exception:
            got = None
        if not got or used + len(got[0]) * 4 // 3 > budget:
            continue
        png, iw, ih = got
        used += len(png) * 4 // 3
        scale = size / max(iw, ih, 1)
        data = base64.b64encode(png).decode("ascii")
        body.append(f'<image x="{x}" y="{y}" width="{iw * scale:.0f}" height="{ih * scale:.0f}" '
                    f'style="image-rendering:pixelated" href="data:image/png;base64,{data}"/>')
        x += size + PAD
        if x + size > width:
            x = PAD
            y += size + PAD
    return y + (size + PAD if x > PAD else 0)
