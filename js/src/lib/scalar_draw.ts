/**
 * What a scalar chart draws from a series, shared by the scalar and custom-scalar views: its x
 * column for the chosen axis, its x extent, its downsampled raw (and smoothed) points for an
 * x range and width (cached per chart until the series or the range changes), nearest point lookup.
 */
import { derive } from "./derive";
import { downsample, lowerBound, newDownsampled, type Downsampled } from "./downsample";
import type { ScalarData } from "./series";

export type XAxis = "step" | "relative" | "wall";

/** The x column of `s` on axis `mode`, the offset subtracted from it, and whether it is ascending. */
export function xColumn(s: ScalarData, mode: XAxis): { xs: Float64Array; xoff: number; sorted: boolean } {
  if (mode === "step") return { xs: s.steps, xoff: 0, sorted: s.stepsSorted };
  return { xs: s.walls, xoff: mode === "relative" && s.n > 0 ? s.walls[0] : 0, sorted: s.wallsSorted };
}

const extents = new WeakMap<ScalarData, { extentKey: string; extent: [number, number] }>();

/** [min, max] of the series' x on axis `mode` (NaN when empty); unsorted columns are scanned once per version. */
export function xExtent(s: ScalarData, mode: XAxis): [number, number] {
  const { xs, xoff, sorted } = xColumn(s, mode);
  if (s.n === 0) return [NaN, NaN];
  if (sorted) return [xs[0] - xoff, xs[s.n - 1] - xoff];
  let d = extents.get(s);
  if (!d) extents.set(s, (d = { extentKey: "", extent: [0, 0] }));
  const key = `${mode}:${s.version}`;
  if (d.extentKey !== key) {
    let mn = Infinity, mx = -Infinity;
    for (let i = 0; i < s.n; i++) {
      if (xs[i] < mn) mn = xs[i];
      if (xs[i] > mx) mx = xs[i];
    }
    d.extent = [mn - xoff, mx - xoff];
    d.extentKey = key;
  }
  return d.extent;
}

/** The x range covering every series ([0, 1] when none has points; a lone x is widened by 1). */
export function fullExtent(series: readonly ScalarData[], mode: XAxis): [number, number] {
  let mn = Infinity, mx = -Infinity;
  for (const s of series) {
    const [a, b] = xExtent(s, mode);
    if (a < mn) mn = a;
    if (b > mx) mx = b;
  }
  if (!Number.isFinite(mn)) return [0, 1];
  if (mx <= mn) return [mn - 1, mx + 1];
  return [mn, mx];
}

/** Index of the point of `s` whose x (axis `mode`) is nearest to `x`; -1 when empty. */
export function nearestIndex(s: ScalarData, mode: XAxis, x: number): number {
  if (s.n === 0) return -1;
  const { xs, xoff, sorted } = xColumn(s, mode);
  if (sorted) {
    const i = lowerBound(xs, s.n, x + xoff);
    if (i >= s.n) return s.n - 1;
    if (i > 0 && Math.abs(xs[i - 1] - xoff - x) <= Math.abs(xs[i] - xoff - x)) return i - 1;
    return i;
  }
  let i = 0, best = Infinity;
  for (let k = 0; k < s.n; k++) {
    const dd = Math.abs(xs[k] - xoff - x);
    if (dd < best) { best = dd; i = k; }
  }
  return i;
}

/** A series as a chart draws it now: raw points, and smoothed points (sm.n = 0 without smoothing). */
interface Drawn {
  raw: Downsampled;
  sm: Downsampled;
  key: string;
}

/** One chart's downsampled series, recomputed only when the series, x range, width, axis or smoothing changed. */
export class DrawCache {
  private drawn = new Map<ScalarData, Drawn>();

  get(s: ScalarData, x0: number, x1: number, cols: number, mode: XAxis, w: number): Drawn {
    const key = `${s.version}|${x0}|${x1}|${cols}|${mode}|${w}`;
    let d = this.drawn.get(s);
    if (d && d.key === key) return d;
    if (!d) {
      d = { raw: newDownsampled(), sm: newDownsampled(), key: "" };
      this.drawn.set(s, d);
    }
    const dv = derive(s, w);
    const { xs, xoff, sorted } = xColumn(s, mode);
    downsample(xs, s.values, s.n, x0, x1, cols, sorted, dv.raw, xoff, d.raw);
    if (w > 0) downsample(xs, dv.smoother.out, s.n, x0, x1, cols, sorted, dv.sm, xoff, d.sm);
    else d.sm.n = 0;
    d.key = key;
    return d;
  }

  /** Forget series no longer drawn (keeps memory bounded as runs come and go). */
  keepOnly(series: readonly ScalarData[]): void {
    if (this.drawn.size <= series.length) return;
    const keep = new Set(series);
    for (const s of this.drawn.keys()) if (!keep.has(s)) this.drawn.delete(s);
  }
}
