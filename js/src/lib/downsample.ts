/**
 * Pixel-column downsampling (M4): for each column keep the first, min, max and last point,
 * in index order, so the drawn line is the same as drawing every point. Non-finite values
 * become gaps (NaN in the output) and are reported as markers.
 */
import { emptyStats, MinMaxIndex } from "./min_max";

export interface Downsampled {
  x: Float64Array;
  y: Float64Array; // NaN = gap
  n: number;
  markers: number[]; // flat [x, value, x, value, ...] of non-finite points (≤ one per column)
  points: number; // source points in the range
}

export function newDownsampled(): Downsampled {
  return { x: new Float64Array(64), y: new Float64Array(64), n: 0, markers: [], points: 0 };
}

function push(out: Downsampled, x: number, y: number): void {
  if (out.n === out.x.length) {
    const cap = out.x.length * 2;
    const nx = new Float64Array(cap); nx.set(out.x); out.x = nx;
    const ny = new Float64Array(cap); ny.set(out.y); out.y = ny;
  }
  out.x[out.n] = x;
  out.y[out.n] = y;
  out.n++;
}

function emit(out: Downsampled, xs: ArrayLike<number>, ys: ArrayLike<number>, i: number, xoff: number): void {
  const y = ys[i];
  const x = xs[i] - xoff;
  if (Number.isFinite(y)) {
    push(out, x, y);
  } else {
    if (out.n === 0 || out.y[out.n - 1] === out.y[out.n - 1]) push(out, x, NaN); // one gap marker in a row
    out.markers.push(x, y);
  }
}

/** First index i in xs[0:n] with xs[i] >= v (xs sorted ascending). */
export function lowerBound(xs: ArrayLike<number>, n: number, v: number, lo = 0): number {
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (xs[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** First index i in xs[0:n] with xs[i] > v (xs sorted ascending). */
export function upperBound(xs: ArrayLike<number>, n: number, v: number, lo = 0): number {
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (xs[m] <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

const st = emptyStats();

/**
 * Downsample points (xs[i] - xoff, ys[i]) for i < n, visible over [x0, x1], into `columns` columns.
 * `sorted` says xs is ascending; `index` (optional) holds block min/max of ys for speed.
 * One point either side of the range is kept so lines run to the plot's edges.
 */
export function downsample(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  n: number,
  x0: number,
  x1: number,
  columns: number,
  sorted: boolean,
  index: MinMaxIndex | null = null,
  xoff = 0,
  out: Downsampled = newDownsampled(),
): Downsampled {
  out.n = 0;
  out.markers.length = 0;
  out.points = 0;
  if (n === 0) return out;
  columns = Math.max(1, Math.floor(columns));
  if (!sorted) {
    // Unordered x (e.g. steps logged out of order): draw every point in logged order.
    for (let i = 0; i < n; i++) emit(out, xs, ys, i, xoff);
    out.points = n;
    return out;
  }
  const lo = Math.max(0, lowerBound(xs, n, x0 + xoff) - 1);
  const hi = Math.min(n, upperBound(xs, n, x1 + xoff) + 1);
  out.points = hi - lo;
  if (hi - lo <= 4 * columns) {
    for (let i = lo; i < hi; i++) emit(out, xs, ys, i, xoff);
    return out;
  }
  const span = x1 - x0 || 1;
  let a = lo;
  // The point before the range (if any) draws alone.
  if (xs[a] - xoff < x0) {
    emit(out, xs, ys, a, xoff);
    a++;
  }
  const cand = [0, 0, 0, 0, 0];
  for (let c = 0; c < columns && a < hi; c++) {
    const edge = c === columns - 1 ? x1 : x0 + (span * (c + 1)) / columns;
    let b = upperBound(xs, hi, edge + xoff, a);
    if (b <= a) continue;
    if (index) index.range(ys, a, b, st);
    else rangeScan(ys, a, b);
    let k = 0;
    cand[k++] = a;
    if (st.imin >= 0) cand[k++] = st.imin;
    if (st.imax >= 0) cand[k++] = st.imax;
    if (st.inf >= 0) cand[k++] = st.inf;
    cand[k++] = b - 1;
    // insertion sort of ≤ 5 indices, then emit without repeats
    for (let i = 1; i < k; i++) {
      const v = cand[i];
      let j = i - 1;
      while (j >= 0 && cand[j] > v) { cand[j + 1] = cand[j]; j--; }
      cand[j + 1] = v;
    }
    let prev = -1;
    for (let i = 0; i < k; i++) {
      if (cand[i] !== prev) emit(out, xs, ys, cand[i], xoff);
      prev = cand[i];
    }
    a = b;
  }
  for (let i = a; i < hi; i++) emit(out, xs, ys, i, xoff); // the point after the range
  return out;
}

function rangeScan(ys: ArrayLike<number>, a: number, b: number): void {
  st.min = Infinity; st.max = -Infinity; st.imin = -1; st.imax = -1; st.nonfinite = 0; st.inf = -1;
  for (let i = a; i < b; i++) {
    const v = ys[i];
    if (!Number.isFinite(v)) {
      st.nonfinite++;
      if (st.inf < 0) st.inf = i;
      continue;
    }
    if (v < st.min) { st.min = v; st.imin = i; }
    if (v > st.max) { st.max = v; st.imax = i; }
  }
}
