/**
 * Synthetic data for the projection specs: Gaussian clusters in many dimensions, and the kNN label
 * accuracy of a layout (how often a point's nearest neighbours in the layout share its cluster).
 */
import { gauss, knn, rng } from "./knn";

/** `n` points in `m` dimensions around `c` random centres `spread` apart (unit noise); labels say which. */
export function clusters(n: number, m: number, c: number, spread = 8, seed = 7): { x: Float32Array; labels: Int32Array } {
  const rand = rng(seed);
  const centres = new Float64Array(c * m);
  for (let i = 0; i < centres.length; i++) centres[i] = gauss(rand) * spread;
  const x = new Float32Array(n * m);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = i % c;
    labels[i] = l;
    for (let a = 0; a < m; a++) x[i * m + a] = centres[l * m + a] + gauss(rand);
  }
  return { x, labels };
}

/** The share of (point, neighbour) pairs among each point's k nearest in `coords` (n×stride) with the same label. */
export function knnAccuracy(coords: Float32Array, n: number, stride: number, labels: Int32Array, k = 5): number {
  const nn = knn(coords, n, stride, k);
  let same = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < nn.k; t++) same += labels[nn.index[i * nn.k + t]] === labels[i] ? 1 : 0;
  return same / (n * nn.k);
}
