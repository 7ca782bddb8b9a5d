/** PR-curve points from TensorBoard's 6-row tensor (TP, FP, TN, FN, precision, recall per threshold). */

export interface PRPoint {
  threshold: number;
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * The drawable points, ordered by recall (x): thresholds where nothing is predicted positive
 * (TP + FP = 0, precision undefined) are dropped, as TensorBoard's dashboard does.
 */
export function prPoints(data: ArrayLike<number>, n: number): PRPoint[] {
  const out: PRPoint[] = [];
  for (let i = 0; i < n; i++) {
    const tp = data[i], fp = data[n + i];
    if (tp + fp <= 0) continue;
    out.push({
      threshold: n > 1 ? i / (n - 1) : 0,
      tp, fp, tn: data[2 * n + i], fn: data[3 * n + i],
      precision: data[4 * n + i], recall: data[5 * n + i],
    });
  }
  out.sort((a, b) => a.recall - b.recall || b.precision - a.precision);
  return out;
}

/** The visible part of a PR chart: recall x0..x1, precision y0..y1 (the unit square unzoomed). */
export interface PRDomain {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const FULL_PR: PRDomain = { x0: 0, x1: 1, y0: 0, y1: 1 };

/**
 * The point of those shown in `d` nearest (recall, precision), with its distance, or null for
 * none; distances are in units of d's spans (the zoomed chart's), so "nearest" means on screen.
 */
export function nearestPoint(points: readonly PRPoint[], recall: number, precision: number, d: PRDomain = FULL_PR): { p: PRPoint; dist: number } | null {
  const sx = d.x1 - d.x0 || 1, sy = d.y1 - d.y0 || 1;
  const eps = 1e-9;
  let best: PRPoint | null = null, bd = Infinity;
  for (const p of points) {
    if (p.recall < d.x0 - eps || p.recall > d.x1 + eps || p.precision < d.y0 - eps || p.precision > d.y1 + eps) continue;
    const dd = ((p.recall - recall) / sx) ** 2 + ((p.precision - precision) / sy) ** 2;
    if (dd < bd) {
      bd = dd;
      best = p;
    }
  }
  return best ? { p: best, dist: Math.sqrt(bd) } : null;
}

/**
 * The domain a drag box zooms to: (ax, ay)–(bx, by) in plot pixels (y down) of a pw × ph plot
 * showing `d`. Null when the box is too small to mean a zoom (a click, or under 4 px either way).
 */
export function zoomDomain(d: PRDomain, ax: number, ay: number, bx: number, by: number, pw: number, ph: number): PRDomain | null {
  const cl = (v: number, m: number) => Math.min(m, Math.max(0, v));
  const x0p = cl(Math.min(ax, bx), pw), x1p = cl(Math.max(ax, bx), pw);
  const y0p = cl(Math.min(ay, by), ph), y1p = cl(Math.max(ay, by), ph);
  if (x1p - x0p < 4 || y1p - y0p < 4) return null;
  const sx = (d.x1 - d.x0) / pw, sy = (d.y1 - d.y0) / ph;
  const out = { x0: d.x0 + x0p * sx, x1: d.x0 + x1p * sx, y0: d.y1 - y1p * sy, y1: d.y1 - y0p * sy };
  return out.x1 - out.x0 < 1e-6 || out.y1 - out.y0 < 1e-6 ? null : out;
}
