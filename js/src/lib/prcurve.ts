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

/** The point nearest (recall, precision) in the unit square, or null for no points. */
export function nearestPoint(points: readonly PRPoint[], recall: number, precision: number): PRPoint | null {
  let best: PRPoint | null = null, bd = Infinity;
  for (const p of points) {
    const d = (p.recall - recall) ** 2 + (p.precision - precision) ** 2;
    if (d < bd) {
      bd = d;
      best = p;
    }
  }
  return best;
}
