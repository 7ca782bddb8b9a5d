/**
 * The projector's custom projection (TensorBoard's "Custom" tab): the x axis runs from the centroid
 * of the points one search matches ("left") to the centroid of another's ("right"), the y axis from
 * "down" to "up"; each point's coordinates are its offsets from the mean along those two unit
 * directions. A blank side stands for all points. Pure: unit-tested in custom.test.ts.
 */

export interface CustomAxes {
  /** n×3 coordinates (z = 0), or null when an axis is undefined */
  coords: Float32Array | null;
  /** points matched by each side (−1: blank, all points) */
  counts: { left: number; right: number; down: number; up: number };
  /** why there are no coordinates */
  error: string;
}

function centroid(vec: Float32Array, n: number, m: number, mask: Uint8Array | null): { c: Float64Array; count: number } {
  const c = new Float64Array(m);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    count++;
    const o = i * m;
    for (let a = 0; a < m; a++) c[a] += vec[o + a];
  }
  if (count) for (let a = 0; a < m; a++) c[a] /= count;
  return { c, count };
}

/** The unit direction from `from` to `to`, or null when they coincide. */
function direction(from: Float64Array, to: Float64Array): Float64Array | null {
  const d = new Float64Array(from.length);
  let nn = 0;
  for (let a = 0; a < d.length; a++) {
    d[a] = to[a] - from[a];
    nn += d[a] * d[a];
  }
  if (!(nn > 1e-24)) return null;
  const s = 1 / Math.sqrt(nn);
  for (let a = 0; a < d.length; a++) d[a] *= s;
  return d;
}

/** Custom axes over `vec` (n×m) from the four searches' masks (null: blank, all points). */
export function customProjection(vec: Float32Array, n: number, m: number, left: Uint8Array | null, right: Uint8Array | null, down: Uint8Array | null, up: Uint8Array | null): CustomAxes {
  const L = centroid(vec, n, m, left), R = centroid(vec, n, m, right);
  const D = centroid(vec, n, m, down), U = centroid(vec, n, m, up);
  const counts = { left: left ? L.count : -1, right: right ? R.count : -1, down: down ? D.count : -1, up: up ? U.count : -1 };
  const none = (Object.entries(counts) as [string, number][]).find(([, c]) => c === 0);
  if (none) return { coords: null, counts, error: `no point matches the ${none[0]} search` };
  const dx = direction(L.c, R.c), dy = direction(D.c, U.c);
  if (!dx || !dy) return { coords: null, counts, error: `the ${!dx ? "left and right" : "down and up"} searches have the same centroid: type a search for each side` };
  const mean = centroid(vec, n, m, null).c;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let x = 0, y = 0;
    for (let a = 0; a < m; a++) {
      const v = vec[o + a] - mean[a];
      x += v * dx[a];
      y += v * dy[a];
    }
    out[i * 3] = x;
    out[i * 3 + 1] = y;
  }
  return { coords: out, counts, error: "" };
}
