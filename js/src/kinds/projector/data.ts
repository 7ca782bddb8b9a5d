/**
 * The projector's pure data work: fitting coordinates into a unit cube, colouring by a metadata
 * column (categorical palette or continuous colormap), regex search, k nearest neighbours and
 * screen-space picking. No DOM, no WebGL: unit-tested in test/projector.test.ts.
 */

export interface ColumnSpec {
  name: string;
  categories: string[];
  counts: number[];
  numeric: boolean;
}

/** 20 distinguishable colours (Tableau 10 and their light variants, interleaved by hue). */
export const CATEGORICAL = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d", "#499894", "#86bcb6", "#d37295", "#fabfd2", "#d4a6c8", "#79706e",
];
export const OTHER = "#9e9e9e";
/** At most this many categories get their own colour; the rest share OTHER. */
const MAX_CATEGORIES = CATEGORICAL.length;

/** Viridis, 9 stops (matplotlib's), interpolated linearly. */
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i], b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(Math.round) as [number, number, number];
}

export function hexRgb(hex: string): [number, number, number] {
  const h = hex.replace("#", "");
  const v = parseInt(h.length === 3 ? h.split("").map((c) => c + c).join("") : h.slice(0, 6), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * Centre coordinates (N×3, or N×k with k ≥ 2) on their bounding box and scale them into [-1, 1]
 * (2-D: the larger half-extent is 1; 3-D: the bounding sphere's radius is 1); `dims` 2 zeroes the
 * third axis. Non-finite values become 0.
 */
export function fitUnit(src: Float32Array, n: number, stride = 3, dims: 2 | 3 = 3): Float32Array {
  const out = new Float32Array(n * 3);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const use = Math.min(dims, stride);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < use; a++) {
      const v = src[i * stride + a];
      if (Number.isFinite(v)) {
        if (v < lo[a]) lo[a] = v;
        if (v > hi[a]) hi[a] = v;
      }
    }
  }
  let half = 0;
  const mid = [0, 0, 0];
  for (let a = 0; a < use; a++) {
    if (lo[a] > hi[a]) continue;
    mid[a] = (lo[a] + hi[a]) / 2;
    half = Math.max(half, (hi[a] - lo[a]) / 2);
  }
  if (use === 3) {
    // 3-D: scale by the bounding sphere, so the cloud stays in view whichever way it is turned
    half = 0;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let a = 0; a < 3; a++) {
        const v = src[i * stride + a];
        if (Number.isFinite(v)) r += (v - mid[a]) * (v - mid[a]);
      }
      if (r > half) half = r;
    }
    half = Math.sqrt(half);
  }
  const s = half > 0 ? 1 / half : 1;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < use; a++) {
      const v = src[i * stride + a];
      out[i * 3 + a] = Number.isFinite(v) ? (v - mid[a]) * s : 0;
    }
  }
  return out;
}

interface LegendEntry {
  label: string;
  color: string;
  count: number;
  /** category codes this entry stands for */
  codes: number[];
  /** the entry gathering the less frequent categories */
  other?: boolean;
}

export type Coloring =
  | { kind: "none"; color: string }
  | { kind: "categorical"; column: string; entries: LegendEntry[] }
  | { kind: "continuous"; column: string; min: number; max: number };

/** Categorical unless the column is numeric with more distinct values than the palette has. */
export function isContinuous(col: ColumnSpec): boolean {
  return col.numeric && col.categories.length > MAX_CATEGORIES;
}

/**
 * Per-point RGB (uint8, N×3) for colouring by `col` (codes: its category index per point), and the
 * legend describing it. Categorical columns colour their most frequent categories, the rest "other".
 */
export function colorize(col: ColumnSpec | null, codes: Int32Array | null, n: number, base = "#1976d2"): { rgb: Uint8Array; coloring: Coloring } {
  const rgb = new Uint8Array(n * 3);
  if (!col || !codes) {
    const c = hexRgb(base);
    for (let i = 0; i < n; i++) rgb.set(c, i * 3);
    return { rgb, coloring: { kind: "none", color: base } };
  }
  const k = col.categories.length;
  if (isContinuous(col)) {
    const vals = col.categories.map(Number);
    const min = vals[0], max = vals[k - 1];
    const span = max - min || 1;
    const lut = new Uint8Array(k * 3);
    vals.forEach((v, j) => lut.set(viridis((v - min) / span), j * 3));
    for (let i = 0; i < n; i++) {
      const j = codes[i] * 3;
      rgb[i * 3] = lut[j];
      rgb[i * 3 + 1] = lut[j + 1];
      rgb[i * 3 + 2] = lut[j + 2];
    }
    return { rgb, coloring: { kind: "continuous", column: col.name, min, max } };
  }
  // categorical: numeric columns keep their value order; others rank by frequency
  const order = [...col.categories.keys()];
  if (!col.numeric) order.sort((a, b) => col.counts[b] - col.counts[a] || (col.categories[a] < col.categories[b] ? -1 : 1));
  const own = k <= MAX_CATEGORIES ? k : MAX_CATEGORIES - 1;
  const lut = new Uint8Array(k * 3);
  const entries: LegendEntry[] = [];
  const other: LegendEntry = { label: `other (${k - own} values)`, color: OTHER, count: 0, codes: [], other: true };
  order.forEach((code, r) => {
    const color = r < own ? CATEGORICAL[r] : OTHER;
    lut.set(hexRgb(color), code * 3);
    if (r < own) entries.push({ label: col.categories[code], color, count: col.counts[code], codes: [code] });
    else {
      other.count += col.counts[code];
      other.codes.push(code);
    }
  });
  if (other.codes.length) entries.push(other);
  for (let i = 0; i < n; i++) {
    const j = codes[i] * 3;
    rgb[i * 3] = lut[j];
    rgb[i * 3 + 1] = lut[j + 1];
    rgb[i * 3 + 2] = lut[j + 2];
  }
  return { rgb, coloring: { kind: "categorical", column: col.name, entries } };
}

/** A case-insensitive RegExp from user text, or an error message. Empty text → null (no search). */
export function compileSearch(text: string): RegExp | null | { error: string } {
  const t = text.trim();
  if (!t) return null;
  try {
    return new RegExp(t, "i");
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Points whose value in any of `columns` (or only column `only`) matches `re`: a 0/1 mask and the count.
 * The regex runs once per distinct value, not once per point.
 */
export function searchMask(re: RegExp, columns: ColumnSpec[], codes: Int32Array | null, n: number, only = -1): { mask: Uint8Array; count: number } {
  const mask = new Uint8Array(n);
  let count = 0;
  if (!codes) return { mask, count };
  columns.forEach((col, j) => {
    if (only >= 0 && j !== only) return;
    const hit = col.categories.map((c) => re.test(c));
    if (!hit.some(Boolean)) return;
    const off = j * n;
    for (let i = 0; i < n; i++) if (!mask[i] && hit[codes[off + i]]) mask[i] = 1;
  });
  for (let i = 0; i < n; i++) count += mask[i];
  return { mask, count };
}

export type Distance = "euclidean" | "cosine";

/** The k nearest neighbours of point `q` among rows of `vec` (N×m), nearest first, with distances. */
export function nearest(vec: Float32Array, n: number, m: number, q: number, k: number, metric: Distance = "euclidean"): { index: number[]; dist: number[] } {
  k = Math.max(0, Math.min(k, n - 1));
  const idx = new Int32Array(k).fill(-1);
  const dst = new Float64Array(k).fill(Infinity);
  const qo = q * m;
  let qn = 0;
  if (metric === "cosine") {
    for (let a = 0; a < m; a++) qn += vec[qo + a] * vec[qo + a];
    qn = Math.sqrt(qn) || 1;
  }
  for (let i = 0; i < n; i++) {
    if (i === q) continue;
    const o = i * m;
    let d = 0;
    if (metric === "euclidean") {
      for (let a = 0; a < m; a++) {
        const t = vec[o + a] - vec[qo + a];
        d += t * t;
      }
    } else {
      let dot = 0, nn = 0;
      for (let a = 0; a < m; a++) {
        dot += vec[o + a] * vec[qo + a];
        nn += vec[o + a] * vec[o + a];
      }
      d = 1 - dot / ((Math.sqrt(nn) || 1) * qn);
    }
    if (d < dst[k - 1]) {
      let j = k - 1;
      while (j > 0 && dst[j - 1] > d) {
        dst[j] = dst[j - 1];
        idx[j] = idx[j - 1];
        j--;
      }
      dst[j] = d;
      idx[j] = i;
    }
  }
  const index: number[] = [], dist: number[] = [];
  for (let j = 0; j < k; j++) {
    if (idx[j] < 0) break;
    index.push(idx[j]);
    dist.push(metric === "euclidean" ? Math.sqrt(dst[j]) : dst[j]);
  }
  return { index, dist };
}

/**
 * Screen-space buckets of projected points, for hover and click: built once per camera pose in
 * O(N), then a lookup near the cursor touches only a few cells.
 */
export class PickGrid {
  readonly sx: Float32Array;
  readonly sy: Float32Array;
  readonly depth: Float32Array;
  private start = new Int32Array(0);
  private items = new Int32Array(0);
  private cols = 0;
  private rows = 0;

  constructor(
    readonly n: number,
    readonly cell = 16,
  ) {
    this.sx = new Float32Array(n);
    this.sy = new Float32Array(n);
    this.depth = new Float32Array(n);
  }

  /**
   * Project points (unit-cube positions, N×3) with a column-major 4×4 view-projection matrix onto a
   * w×h pixel canvas; points with visible[i] == 0, behind the camera or off screen are left out.
   */
  build(pos: Float32Array, mvp: ArrayLike<number>, w: number, h: number, visible: Uint8Array | null): void {
    const { n, sx, sy, depth, cell } = this;
    const cols = (this.cols = Math.max(1, Math.ceil(w / cell)));
    const rows = (this.rows = Math.max(1, Math.ceil(h / cell)));
    const count = new Int32Array(cols * rows + 1);
    const cellOf = new Int32Array(n);
    const e = mvp;
    for (let i = 0; i < n; i++) {
      cellOf[i] = -1;
      if (visible && !visible[i]) continue;
      const x = pos[i * 3], y = pos[i * 3 + 1], z = pos[i * 3 + 2];
      const cw = e[3] * x + e[7] * y + e[11] * z + e[15];
      if (cw <= 1e-6) continue;
      const cx = (e[0] * x + e[4] * y + e[8] * z + e[12]) / cw;
      const cy = (e[1] * x + e[5] * y + e[9] * z + e[13]) / cw;
      const px = (cx * 0.5 + 0.5) * w, py = (1 - (cy * 0.5 + 0.5)) * h;
      if (px < 0 || py < 0 || px >= w || py >= h) continue;
      sx[i] = px;
      sy[i] = py;
      depth[i] = cw;
      const c = Math.floor(py / cell) * cols + Math.floor(px / cell);
      cellOf[i] = c;
      count[c + 1]++;
    }
    for (let c = 0; c < cols * rows; c++) count[c + 1] += count[c];
    const items = new Int32Array(count[cols * rows]);
    const fill = count.slice(0, cols * rows);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.start = count;
    this.items = items;
  }

  /** The point nearest to (x, y) within `radius` pixels (the nearer to the camera on ties), or -1. */
  pick(x: number, y: number, radius: number): number {
    const { cell, cols, rows, start, items, sx, sy, depth } = this;
    if (!items.length) return -1;
    const c0 = Math.max(0, Math.floor((x - radius) / cell)), c1 = Math.min(cols - 1, Math.floor((x + radius) / cell));
    const r0 = Math.max(0, Math.floor((y - radius) / cell)), r1 = Math.min(rows - 1, Math.floor((y + radius) / cell));
    let best = -1, bestD = radius * radius, bestZ = Infinity;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cc = r * cols + c;
        for (let k = start[cc]; k < start[cc + 1]; k++) {
          const i = items[k];
          const dx = sx[i] - x, dy = sy[i] - y;
          const d = dx * dx + dy * dy;
          if (d < bestD - 1e-9 || (Math.abs(d - bestD) <= 1e-9 && depth[i] < bestZ)) {
            best = i;
            bestD = d;
            bestZ = depth[i];
          }
        }
      }
    }
    return best;
  }
}

/** Point states, as the shader reads them (higher draws on top). */
export const PointState = { Normal: 0, Dim: 1, Match: 2, Neighbour: 3, Selected: 4, Hidden: 5 } as const;

/**
 * Per-point states from the search mask, the selection and its neighbours, and isolation.
 * With a search or a selection, everything else is dimmed (or hidden when isolating).
 */
export function pointStates(n: number, match: Uint8Array | null, selected: number, neighbours: readonly number[], isolate: Uint8Array | null, out?: Uint8Array): Uint8Array {
  const s = out && out.length === n ? out : new Uint8Array(n);
  const focus = match !== null || selected >= 0;
  for (let i = 0; i < n; i++) {
    let v: number = focus ? PointState.Dim : PointState.Normal;
    if (match && match[i]) v = PointState.Match;
    if (isolate && !isolate[i]) v = PointState.Hidden;
    s[i] = v;
  }
  for (const j of neighbours) if (j >= 0 && j < n) s[j] = PointState.Neighbour;
  if (selected >= 0 && selected < n) s[selected] = PointState.Selected;
  return s;
}

/** Compact number formatting for the status line and legends. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) return v.toLocaleString("en-US");
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  // 4 significant digits; Number() drops trailing zeros of the fraction only (1230.4 → 1,230)
  return Number(v.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 20 });
}
