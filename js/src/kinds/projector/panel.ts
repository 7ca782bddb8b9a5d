/**
 * The projector's panels over the point cloud: a point's metadata (tooltip and selection panel
 * with its nearest neighbours), the colour legend, and the status line under the stage.
 * Metadata strings are untrusted: they reach the page through textContent only.
 */
import { escapeRegex } from "../../lib/format";
import { el } from "../../view/dom";
import { fmtNum, viridis, type Coloring } from "./data";
import { METHOD_LABEL, type Embedding, type Method } from "./embeddings";

/** DOM for point i's metadata (its first `maxCols` columns), after its label image when there is one. */
export function pointRows(e: Embedding, i: number, maxCols: number, thumb: HTMLCanvasElement | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (thumb) out.push(thumb);
  const kv = (k: string, v: string) => {
    const row = el("div", "nbb-pj-kv");
    row.append(el("span", "nbb-pj-k", k), el("span", "nbb-pj-v", v));
    return row;
  };
  e.columns.slice(0, maxCols).forEach((c, j) => {
    const code = e.codes ? e.codes[j * e.n + i] : -1;
    out.push(kv(c.name, code >= 0 ? c.categories[code] ?? "" : ""));
  });
  if (e.columns.length > maxCols) out.push(el("div", "nbb-pj-k", `… ${e.columns.length - maxCols} more columns`));
  out.push(kv("point", `#${i}`));
  return out;
}

interface SelectionInfo {
  /** the selected point's label, colour and metadata rows */
  label: string;
  color: string;
  rows: HTMLElement[];
  neighbours: { index: number[]; dist: number[] };
  /** how the neighbours were found, e.g. "cosine distance in 784-D" */
  note: string;
  labelOf(j: number): string;
  colorOf(j: number): string;
  select(j: number): void;
}

/** Fill `info` with the selected point and its nearest neighbours (a neighbour selects itself on click). */
export function fillSelection(info: HTMLElement, s: SelectionInfo): void {
  const head = el("div", "nbb-pj-info-head");
  const sw = el("span", "nbb-pj-swatch");
  sw.style.background = s.color;
  const close = el("button", "nbb-btn", "×");
  close.type = "button";
  close.title = "Clear the selection";
  close.addEventListener("click", () => s.select(-1));
  head.append(sw, el("b", undefined, s.label), close);
  const nodes: HTMLElement[] = [head, ...s.rows];
  nodes.push(el("div", "nbb-pj-sec", `${s.neighbours.index.length} nearest neighbours`));
  const note = el("div", "nbb-pj-k", s.note);
  note.style.color = "var(--nbb-fg3)";
  nodes.push(note);
  s.neighbours.index.forEach((j, r) => {
    const row = el("div", "nbb-pj-nn");
    const sw = el("span", "nbb-pj-swatch");
    sw.style.background = s.colorOf(j);
    row.append(sw, el("span", "nbb-pj-name", s.labelOf(j)), el("span", "nbb-pj-count", fmtNum(s.neighbours.dist[r])));
    row.title = `point #${j}`;
    row.addEventListener("click", () => s.select(j));
    nodes.push(row);
  });
  info.replaceChildren(...nodes);
}

/**
 * Fill `legend` for a colouring: categories (each a search for its value when clicked: `isOn`
 * says whether that search is the current one, `toggle` starts or clears it) or a colour ramp.
 */
export function fillLegend(legend: HTMLElement, c: Exclude<Coloring, { kind: "none" }>, isOn: (pattern: string) => boolean, toggle: (pattern: string) => void): void {
  const nodes: HTMLElement[] = [el("div", "nbb-pj-legend-title", c.column)];
  if (c.kind === "categorical") {
    for (const entry of c.entries) {
      const row = el("div", "nbb-pj-legend-row");
      const sw = el("span", "nbb-pj-swatch");
      sw.style.background = entry.color;
      row.append(sw, el("span", "nbb-pj-name", entry.label), el("span", "nbb-pj-count", fmtNum(entry.count)));
      const pattern = entry.other ? "" : `^${escapeRegex(entry.label)}$`;
      row.title = entry.other ? "the less frequent values" : "Click to highlight these points";
      if (pattern && isOn(pattern)) row.classList.add("nbb-on");
      if (pattern) row.addEventListener("click", () => toggle(pattern));
      nodes.push(row);
    }
  } else {
    const ramp = el("canvas", "nbb-pj-ramp");
    ramp.width = 160;
    ramp.height = 10;
    const g = ramp.getContext("2d");
    if (g) {
      for (let x = 0; x < 160; x++) {
        const [r, gg, b] = viridis(x / 159);
        g.fillStyle = `rgb(${r},${gg},${b})`;
        g.fillRect(x, 0, 1, 10);
      }
    }
    const labels = el("div", "nbb-pj-ramp-labels");
    labels.append(el("span", undefined, fmtNum(c.min)), el("span", undefined, fmtNum((c.min + c.max) / 2)), el("span", undefined, fmtNum(c.max)));
    nodes.push(ramp, labels);
  }
  legend.replaceChildren(...nodes);
}

interface StatusState {
  /** the projection drawn (its coordinates may be a fallback while the chosen one computes) */
  shown: Method | undefined;
  /** the projection chosen */
  chosen: Method;
  /** the projections offered */
  methods: Method[];
  dims: 2 | 3;
  /** search matches, when searching */
  matches: number | null;
  isolated: boolean;
}

/** The status line: points and dimensions, the projection's explained variance or name, search and isolation, projections still computing or failed. */
export function statusLine(e: Embedding, st: StatusState): (string | HTMLElement)[] {
  const parts: (string | HTMLElement)[] = [`${fmtNum(e.n)} points · ${e.d}-D`];
  const shown = st.shown;
  const p = shown ? e.coords.get(shown) : undefined;
  if (shown === "pca" && p?.evr) {
    const tot = p.evr.slice(0, st.dims).reduce((a, b) => a + b, 0);
    parts.push(` · PCA: ${(tot * 100).toFixed(1)}% of variance (${p.evr.slice(0, st.dims).map((v) => (v * 100).toFixed(1) + "%").join(", ")})`);
  } else if (shown) parts.push(` · ${METHOD_LABEL[shown]}`);
  if (st.matches !== null) parts.push(` · ${fmtNum(st.matches)} match`);
  if (st.isolated) parts.push(" · isolated");
  const keys: string[] = [...st.methods];
  if (st.dims === 2 && shown && st.methods.includes(shown) && shown !== "pca") keys.push(`${shown}_2d`); // the kernel's own 2-D layout
  for (const m of keys) {
    const q = e.coords.get(m);
    const label = m.endsWith("_2d") ? `2-D ${METHOD_LABEL[m.slice(0, -3) as Method]}` : METHOD_LABEL[m as Method];
    if (m.endsWith("_2d") && q?.state === "error") continue;
    if (!q || q.state === "queued") parts.push(` · ${label} queued`);
    else if (q.state === "running") {
      const spin = el("span", "nbb-pj-spin");
      const secs = q.since ? Math.max(0, Math.round(Date.now() / 1000 - q.since)) : 0;
      parts.push(" · ", spin, `${label} computing… ${secs} s`);
    } else if (q.state === "error" && m === st.chosen) {
      parts.push(" · ", el("span", "nbb-pj-err", `${label}: ${q.message ?? "failed"}`));
    }
  }
  return parts;
}
