/**
 * The y range a scalar chart shows, from its visible downsampled points: padded min/max, or with
 * "ignore outliers" the 5%–95% quantiles of the raw points (widened to keep the smoothed lines).
 * One native Float64Array sort into a reused buffer per draw (a 12.8k-point sample costs < 1 ms).
 */
import type { Downsampled } from "./downsample";

/** One series as drawn: its raw points and, when smoothing is on, its smoothed points. */
export interface DrawnLines {
  raw: Downsampled;
  sm: Downsampled | null;
}

let buf = new Float64Array(4096);

/** The value at quantile q of ascending, finite `s` (linear interpolation). */
export function sortedQuantile(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The [min, max] y scale for `lines` over x in [x0, x1]. Non-finite values are skipped; with
 * `logY` only positive values count. With no value at all: [0, 1] (log: [0.1, 10]).
 */
export function yRange(lines: readonly DrawnLines[], x0: number, x1: number, logY: boolean, ignoreOutliers: boolean): [number, number] {
  let mn = Infinity, mx = -Infinity;
  let smMin = Infinity, smMax = -Infinity;
  let k = 0;
  if (ignoreOutliers) {
    let cap = 0;
    for (const l of lines) cap += l.raw.n;
    if (buf.length < cap) buf = new Float64Array(Math.max(cap, buf.length * 2));
  }
  for (const l of lines) {
    const raw = l.raw;
    for (let i = 0; i < raw.n; i++) {
      const x = raw.x[i], y = raw.y[i];
      if (!(y > -Infinity && y < Infinity) || x < x0 || x > x1 || (logY && y <= 0)) continue;
      if (y < mn) mn = y;
      if (y > mx) mx = y;
      if (ignoreOutliers) buf[k++] = y;
    }
    const sm = l.sm;
    if (!sm) continue;
    for (let i = 0; i < sm.n; i++) {
      const x = sm.x[i], y = sm.y[i];
      if (!(y > -Infinity && y < Infinity) || x < x0 || x > x1 || (logY && y <= 0)) continue;
      if (y < smMin) smMin = y;
      if (y > smMax) smMax = y;
    }
  }
  if (smMin < mn) mn = smMin;
  if (smMax > mx) mx = smMax;
  if (ignoreOutliers && k > 10) {
    const s = buf.subarray(0, k).sort(); // typed-array sort: numeric, native
    const lo = sortedQuantile(s, 0.05), hi = sortedQuantile(s, 0.95);
    const pad = (hi - lo) * 0.1;
    mn = Math.max(mn, Math.min(lo - pad, smMin));
    mx = Math.min(mx, Math.max(hi + pad, smMax));
  }
  if (!Number.isFinite(mn) || !Number.isFinite(mx)) return logY ? [0.1, 10] : [0, 1];
  if (logY) {
    const lmn = Math.log10(mn), lmx = Math.log10(mx);
    const pad = Math.max((lmx - lmn) * 0.05, 0.05);
    return [Math.pow(10, lmn - pad), Math.pow(10, lmx + pad)];
  }
  const pad = mx > mn ? (mx - mn) * 0.06 : Math.abs(mx) * 0.1 || 1;
  return [mn - pad, mx + pad];
}
