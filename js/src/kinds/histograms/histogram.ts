/**
 * Histogram records and geometry: a record's histogram, TensorBoard's bucket edges, re-binning
 * onto a shared x grid for the offset (ridgeline) and overlay modes, and the distributions tab's
 * compressed percentiles.
 */
import { f64, num, type Rec } from "../../lib/records";

export interface Hist {
  min: number;
  max: number;
  limits: ArrayLike<number>;
  counts: ArrayLike<number>;
}

const histCache = new WeakMap<Rec, Hist>();

/** A histogram record's histogram (meta: min, max; parts: bucket limits, counts as float64), decoded once. */
export function histOf(r: Rec): Hist {
  let h = histCache.get(r);
  if (!h) {
    h = { min: num(r.meta.min), max: num(r.meta.max), limits: f64(r.parts[0]), counts: f64(r.parts[1]) };
    histCache.set(r, h);
  }
  return h;
}

/** TensorBoard's basis points for the distributions tab (a normal's ±∞, ±1.5σ, ±1σ, ±0.5σ, median). */
export const NORMAL_BPS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];

/** Bucket [left, right, count] triples as TensorBoard derives them from a HistogramProto. */
export function buckets(h: Hist): [number, number, number][] {
  const n = h.counts.length;
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const left = i === 0 ? h.min : h.limits[i - 1];
    const right = i === n - 1 ? h.max : h.limits[i];
    out.push([left, right, h.counts[i]]);
  }
  return out;
}

function lerp(x: number, x0: number, x1: number, y0: number, y1: number): number {
  return y0 + ((x - x0) * (y1 - y0)) / (x1 - x0);
}

/** TensorBoard's compress_histogram: the value at each basis point (0–10000) of the distribution. */
export function compressHistogram(h: Hist, bps: readonly number[] = NORMAL_BPS): number[] {
  const b = buckets(h);
  if (b.length === 0) return bps.map(() => 0);
  const minmin = b[0][0], maxmax = b[b.length - 1][1];
  let total = 0;
  for (const x of b) total += x[2];
  const scale = bps[bps.length - 1] / (total || 1);
  const weights: number[] = [];
  let acc = 0;
  for (const x of b) weights.push((acc += x[2] * scale));
  const out: number[] = [];
  let k = 0;
  outer: while (k < bps.length) {
    // searchsorted(weights, bp, side="right")
    let i = 0;
    while (i < weights.length && weights[i] <= bps[k]) i++;
    while (i < weights.length) {
      const cum = weights[i];
      const prev = i > 0 ? weights[i - 1] : 0;
      if (cum === prev) {
        i++;
        continue;
      }
      const lhs = !i || !prev ? minmin : Math.max(b[i - 1][1], minmin);
      const rhs = Math.min(b[i][1], maxmax);
      out.push(lerp(bps[k], prev, cum, lhs, rhs));
      k++;
      continue outer;
    }
    break;
  }
  while (k < bps.length) {
    out.push(maxmax);
    k++;
  }
  return out;
}

/** The x extent covering every histogram (finite values only); [0, 1] when there is none. */
export function extentOf(hists: readonly Hist[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const h of hists) {
    if (Number.isFinite(h.min) && h.min < lo) lo = h.min;
    if (Number.isFinite(h.max) && h.max > hi) hi = h.max;
  }
  if (!(lo <= hi)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * Re-bin a histogram onto `nbins` equal bins over [lo, hi], spreading each bucket's count
 * uniformly over its width (as TensorBoard's histogram dashboard does). Zero-width buckets
 * put their whole count into the bin holding them.
 */
export function rebin(h: Hist, lo: number, hi: number, nbins: number): Float64Array {
  const out = new Float64Array(nbins);
  const w = (hi - lo) / nbins;
  if (!(w > 0)) return out;
  for (const [l0, r0, c] of buckets(h)) {
    if (!c) continue;
    const l = Math.max(l0, lo), r = Math.min(r0, hi);
    if (r0 <= l0 || r <= l) {
      const x = Math.min(Math.max((l0 + r0) / 2, lo), hi);
      out[Math.min(nbins - 1, Math.max(0, Math.floor((x - lo) / w)))] += c;
      continue;
    }
    const density = c / (r0 - l0);
    let i = Math.max(0, Math.floor((l - lo) / w));
    const iEnd = Math.min(nbins - 1, Math.floor((r - lo) / w));
    for (; i <= iEnd; i++) {
      const bl = lo + i * w, br = bl + w;
      const overlap = Math.min(br, r) - Math.max(bl, l);
      if (overlap > 0) out[i] += density * overlap;
    }
  }
  return out;
}

interface RidgeRow {
  step: number;
  /** the record's index in the series */
  index: number;
  /** its value on the offset axis (step, seconds since the first, or wall time) */
  at: number;
  /** baseline y (pixels, top = 0) */
  base: number;
  /** polyline points [x0, y0, x1, y1, ...] in pixels */
  points: Float64Array;
}

/**
 * Ridgeline (offset mode) geometry: the newest step at the bottom, older steps further up;
 * each row's peak may rise `overlap` rows above its baseline. `maxRows` evenly samples long
 * series so 1,000 steps still draw quickly. With `at` (each record's value on TensorBoard's
 * offset time axis: step, relative or wall time) baselines are spaced by that value, so gaps in
 * steps or time show; rows come back ordered by it, back (oldest) to front.
 */
export function ridgeline(
  hists: readonly Hist[],
  steps: readonly number[],
  width: number,
  height: number,
  opts: { nbins?: number; overlap?: number; maxRows?: number; lo?: number; hi?: number; at?: readonly number[] } = {},
): RidgeRow[] {
  const nbins = opts.nbins ?? 60;
  const overlap = opts.overlap ?? 2.5;
  const at = opts.at;
  const idx = sampleIndices(hists.length, opts.maxRows ?? 60);
  if (at) idx.sort((a, b) => at[a] - at[b] || a - b);
  let amin = Infinity, amax = -Infinity;
  if (at) for (const i of idx) (amin = Math.min(amin, at[i])), (amax = Math.max(amax, at[i]));
  const [lo, hi] = opts.lo !== undefined && opts.hi !== undefined ? [opts.lo, opts.hi] : extentOf(hists);
  const bins = idx.map((i) => rebin(hists[i], lo, hi, nbins));
  let peak = 0;
  for (const b of bins) for (const v of b) if (v > peak) peak = v;
  const n = idx.length;
  const rowH = height / (n - 1 + overlap + 0.0001);
  const top = overlap * rowH;
  const rows: RidgeRow[] = [];
  for (let k = 0; k < n; k++) {
    const base = n === 1 ? height : at ? (amax > amin ? top + ((at[idx[k]] - amin) / (amax - amin)) * (height - top) : height) : top + k * rowH;
    const b = bins[k];
    const pts = new Float64Array(2 * (nbins + 2));
    pts[0] = 0;
    pts[1] = base;
    for (let j = 0; j < nbins; j++) {
      pts[2 + 2 * j] = ((j + 0.5) / nbins) * width;
      pts[3 + 2 * j] = base - (peak > 0 ? (b[j] / peak) * rowH * overlap : 0);
    }
    pts[2 * nbins + 2] = width;
    pts[2 * nbins + 3] = base;
    rows.push({ step: steps[idx[k]], index: idx[k], at: at ? at[idx[k]] : steps[idx[k]], base, points: pts });
  }
  return rows;
}

/** Overlay mode: every sampled histogram re-binned on one axis, heights normalised to `height`. */
export function overlay(hists: readonly Hist[], width: number, height: number, nbins = 60, maxRows = 60): Float64Array[] {
  const idx = sampleIndices(hists.length, maxRows);
  const [lo, hi] = extentOf(hists);
  const bins = idx.map((i) => rebin(hists[i], lo, hi, nbins));
  let peak = 0;
  for (const b of bins) for (const v of b) if (v > peak) peak = v;
  return bins.map((b) => {
    const pts = new Float64Array(2 * nbins);
    for (let j = 0; j < nbins; j++) {
      pts[2 * j] = ((j + 0.5) / nbins) * width;
      pts[2 * j + 1] = height - (peak > 0 ? (b[j] / peak) * height : 0);
    }
    return pts;
  });
}

/** Up to `max` indices spread evenly over [0, n), always keeping the first and the last. */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}

/** TensorBoard's time axis of distributions and offset histograms: step, time since the run's first histogram, wall time. */
export type TimeAxis = "step" | "relative" | "wall";

/** Each record's position on the time axis `mode`, in record order: its step, its wall time, or seconds since the series' first record. */
export function timeValues(recs: readonly { step: number; wall: number }[], mode: TimeAxis): number[] {
  if (mode === "step") return recs.map((r) => r.step);
  if (mode === "wall") return recs.map((r) => r.wall);
  const t0 = recs.reduce((m, r) => Math.min(m, r.wall), Infinity);
  return recs.map((r) => r.wall - t0);
}

/**
 * The x column of a series of histogram records for `mode`, and the record order drawing it
 * (uPlot needs ascending x: records come in step order, wall times need not follow it).
 */
export function distXs(recs: readonly { step: number; wall: number }[], mode: TimeAxis): { xs: number[]; order: number[] } {
  const order = recs.map((_r, i) => i);
  const x = timeValues(recs, mode);
  if (mode === "step") return { xs: x, order };
  order.sort((a, b) => x[a] - x[b] || a - b);
  return { xs: order.map((i) => x[i]), order };
}
