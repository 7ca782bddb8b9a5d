/**
 * Barnes–Hut t-SNE (van der Maaten 2014) in 2-D or 3-D, stepped one iteration at a time so the
 * projector's worker can post the layout as it forms (TensorBoard animates t-SNE the same way).
 * Input affinities from the exact 3·perplexity nearest neighbours; repulsion approximated by a
 * quadtree / octree (O(n log n) per iteration); early exaggeration, momentum and per-coordinate
 * gains as in the reference implementation. Pure: runs in the worker and in vitest.
 */
import { gauss, knn, rng, symmetrize, type Sparse } from "./knn";

export interface TsneParams {
  dims: 2 | 3;
  perplexity: number;
  /** 0: automatic, max(n / exaggeration / 4, 50) (scikit-learn's "auto") */
  learningRate: number;
  iterations: number;
  seed: number;
  /** Barnes–Hut accuracy: a cell whose width / distance is below theta counts as one body */
  theta?: number;
  exaggeration?: number;
  /** iterations with exaggerated attraction (and momentum 0.5) */
  exaggerationIters?: number;
}

export const TSNE_DEFAULTS = { perplexity: 30, learningRate: 0, iterations: 1000, seed: 1 } as const;

/** Per-point conditional probabilities p(j|i) over its neighbours, each row's entropy matching log(perplexity). */
export function conditionalP(dist2: Float32Array, n: number, k: number, perplexity: number): Float64Array {
  const p = new Float64Array(n * k);
  const target = Math.log(Math.max(1.0001, Math.min(perplexity, k)));
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let beta = 1, lo = -Infinity, hi = Infinity;
    // distances relative to the nearest, for numerical range
    const d0 = dist2[o];
    for (let it = 0; it < 100; it++) {
      let sum = 0, dsum = 0;
      for (let t = 0; t < k; t++) {
        const d = dist2[o + t] - d0;
        const v = Math.exp(-d * beta);
        p[o + t] = v;
        sum += v;
        dsum += d * v;
      }
      if (sum === 0) sum = 1e-300;
      const h = Math.log(sum) + (beta * dsum) / sum;
      for (let t = 0; t < k; t++) p[o + t] /= sum;
      const diff = h - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  return p;
}

/**
 * A flat quadtree (dims 2) or octree (dims 3) over the current layout, rebuilt every iteration.
 * Each node is one record of STRIDE float64s in one array (cache-friendly traversal): its centre of
 * mass (3, the sum of positions until `finish` divides), count, half width, first child (−1: a leaf),
 * its one point (−1: none or several), and its cell centre (3).
 */
const STRIDE = 10;
const CX = 0, CNT = 3, HALF = 4, CHILD = 5, POINT = 6, MID = 7;

class SpaceTree {
  data = new Float64Array(0);
  nodes = 0;

  constructor(readonly dims: number) {}

  private grow(need: number): void {
    if (need * STRIDE <= this.data.length) return;
    const b = new Float64Array(Math.max(need, 2 * (this.data.length / STRIDE), 1024) * STRIDE);
    b.set(this.data);
    this.data = b;
  }

  private init(node: number, m0: number, m1: number, m2: number, half: number): void {
    const t = this.data, o = node * STRIDE;
    t[o] = t[o + 1] = t[o + 2] = 0;
    t[o + CNT] = 0;
    t[o + HALF] = half;
    t[o + CHILD] = -1;
    t[o + POINT] = -1;
    t[o + MID] = m0;
    t[o + MID + 1] = m1;
    t[o + MID + 2] = m2;
  }

  build(y: Float64Array, n: number): void {
    const d = this.dims;
    const lo = [Infinity, Infinity, 0], hi = [-Infinity, -Infinity, 0];
    if (d === 3) {
      lo[2] = Infinity;
      hi[2] = -Infinity;
    }
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) {
        const v = y[i * d + a];
        if (v < lo[a]) lo[a] = v;
        if (v > hi[a]) hi[a] = v;
      }
    }
    let half = 0;
    for (let a = 0; a < d; a++) half = Math.max(half, (hi[a] - lo[a]) / 2);
    this.nodes = 1;
    this.grow(Math.max(16, 3 * n));
    this.init(0, (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2, half * (1 + 1e-5) + 1e-5);
    for (let i = 0; i < n; i++) this.insert(y, i);
    // sums of positions → centres of mass
    const t = this.data;
    for (let node = 0, o = 0; node < this.nodes; node++, o += STRIDE) {
      const c = t[o + CNT];
      if (c > 1) {
        t[o] /= c;
        t[o + 1] /= c;
        t[o + 2] /= c;
      }
    }
  }

  private insert(y: Float64Array, i: number): void {
    const d = this.dims;
    const fan = 1 << d;
    const p0 = y[i * d], p1 = y[i * d + 1], p2 = d === 3 ? y[i * d + 2] : 0;
    let node = 0;
    for (;;) {
      let t = this.data;
      let o = node * STRIDE;
      t[o] += p0;
      t[o + 1] += p1;
      t[o + 2] += p2;
      t[o + CNT]++;
      if (t[o + CHILD] < 0) {
        if (t[o + CNT] === 1) {
          t[o + POINT] = i;
          return;
        }
        const j = t[o + POINT];
        // a leaf holding duplicates (or a cell too small to split) keeps them together
        if (j < 0 || t[o + HALF] < 1e-9 || same(y, i, j, d)) {
          t[o + POINT] = -1;
          return;
        }
        // split: the resident point moves down into its child
        this.grow(this.nodes + fan);
        t = this.data;
        const first = this.nodes;
        this.nodes += fan;
        const h = t[o + HALF] / 2;
        const c0 = t[o + MID], c1 = t[o + MID + 1], c2 = t[o + MID + 2];
        for (let q = 0; q < fan; q++) this.init(first + q, c0 + (q & 1 ? h : -h), c1 + (q & 2 ? h : -h), d === 3 ? c2 + (q & 4 ? h : -h) : 0, h);
        t[o + CHILD] = first;
        t[o + POINT] = -1;
        const oj = (first + this.quadrant(o, y[j * d], y[j * d + 1], d === 3 ? y[j * d + 2] : 0)) * STRIDE;
        t[oj] = y[j * d];
        t[oj + 1] = y[j * d + 1];
        t[oj + 2] = d === 3 ? y[j * d + 2] : 0;
        t[oj + CNT] = 1;
        t[oj + POINT] = j;
        o = node * STRIDE;
      }
      node = t[o + CHILD] + this.quadrant(o, p0, p1, p2);
    }
  }

  private quadrant(o: number, p0: number, p1: number, p2: number): number {
    const t = this.data;
    return (p0 > t[o + MID] ? 1 : 0) | (p1 > t[o + MID + 1] ? 2 : 0) | (this.dims === 3 && p2 > t[o + MID + 2] ? 4 : 0);
  }

  /** Repulsion on point i into `out` (unnormalised, dims long); returns its share of Z = Σ q. */
  repulse(y: Float64Array, i: number, theta2: number, out: Float64Array, stack: Int32Array): number {
    const d = this.dims;
    const fan = 1 << d;
    const t = this.data;
    const yi = i * d;
    const y0 = y[yi], y1 = y[yi + 1], y2 = d === 3 ? y[yi + 2] : 0;
    let f0 = 0, f1 = 0, f2 = 0, z = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const o = stack[--sp] * STRIDE;
      const cnt = t[o + CNT];
      const first = t[o + CHILD];
      const leaf = first < 0;
      if (leaf && t[o + POINT] === i) continue;
      const c0 = y0 - t[o], c1 = y1 - t[o + 1], c2 = y2 - t[o + 2];
      const dist2 = c0 * c0 + c1 * c1 + c2 * c2;
      const w = 2 * t[o + HALF];
      if (leaf || w * w < theta2 * dist2) {
        const q = 1 / (1 + dist2);
        const m = leaf && dist2 < 1e-24 ? cnt - 1 : cnt; // a leaf of duplicates that holds i
        z += m * q;
        const f = m * q * q;
        f0 += f * c0;
        f1 += f * c1;
        f2 += f * c2;
      } else {
        for (let q = 0; q < fan; q++) if (t[(first + q) * STRIDE + CNT] > 0) stack[sp++] = first + q;
      }
    }
    out[0] = f0;
    out[1] = f1;
    if (d === 3) out[2] = f2;
    return z;
  }
}

function same(y: Float64Array, i: number, j: number, d: number): boolean {
  for (let a = 0; a < d; a++) if (y[i * d + a] !== y[j * d + a]) return false;
  return true;
}

/** A t-SNE run: construct (neighbours and affinities), then `step()` until `done`. */
export class Tsne {
  readonly n: number;
  readonly dims: 2 | 3;
  readonly total: number;
  iter = 0;
  /** the layout, n×dims */
  readonly y: Float64Array;
  private P: Sparse;
  private upd: Float64Array;
  private gains: Float64Array;
  private tree: SpaceTree;
  private lr: number;
  private theta2: number;
  private exag: number;
  private exagIters: number;
  private stack: Int32Array;

  constructor(x: Float32Array, n: number, m: number, p: TsneParams) {
    this.n = n;
    this.dims = p.dims;
    this.total = Math.max(1, Math.floor(p.iterations));
    const perplexity = Math.max(1, Math.min(p.perplexity, (n - 1) / 3));
    const k = Math.max(1, Math.min(n - 1, Math.floor(3 * perplexity)));
    const nn = knn(x, n, m, k);
    const cond = conditionalP(nn.dist2, n, nn.k, perplexity);
    const P = symmetrize(nn.index, cond, n, nn.k, (a, b) => a + b);
    let sum = 0;
    for (let t = 0; t < P.val.length; t++) sum += P.val[t];
    for (let t = 0; t < P.val.length; t++) P.val[t] /= sum || 1;
    this.P = P;
    this.exag = p.exaggeration ?? 12;
    this.exagIters = Math.min(p.exaggerationIters ?? 250, Math.floor(this.total / 2));
    this.lr = p.learningRate > 0 ? p.learningRate : Math.max(n / this.exag / 4, 50);
    const theta = p.theta ?? (p.dims === 2 ? 0.5 : 0.8);
    this.theta2 = theta * theta;
    const rand = rng(p.seed);
    this.y = new Float64Array(n * p.dims);
    for (let i = 0; i < this.y.length; i++) this.y[i] = gauss(rand) * 1e-4;
    this.upd = new Float64Array(n * p.dims);
    this.gains = new Float64Array(n * p.dims).fill(1);
    this.tree = new SpaceTree(p.dims);
    this.stack = new Int32Array(64 * (1 << p.dims) + 64);
  }

  get done(): boolean {
    return this.iter >= this.total;
  }

  /** One gradient step. */
  step(): void {
    if (this.done) return;
    const { n, dims: d, y, P, upd, gains } = this;
    const early = this.iter < this.exagIters;
    const exag = early ? this.exag : 1;
    const momentum = early ? 0.5 : 0.8;
    this.tree.build(y, n);
    const grad = new Float64Array(n * d);
    const rep = new Float64Array(d);
    let z = 0;
    if (this.stack.length < this.tree.nodes) this.stack = new Int32Array(this.tree.nodes + 64);
    for (let i = 0; i < n; i++) {
      z += this.tree.repulse(y, i, this.theta2, rep, this.stack);
      for (let a = 0; a < d; a++) grad[i * d + a] = -rep[a];
    }
    const zinv = z > 0 ? 1 / z : 0;
    // attraction along P's entries (unrolled: d is 2 or 3)
    const { ptr, col, val } = P;
    const three = d === 3;
    for (let i = 0; i < n; i++) {
      const yi = i * d;
      const a0 = y[yi], a1 = y[yi + 1], a2 = three ? y[yi + 2] : 0;
      let g0 = 0, g1 = 0, g2 = 0;
      for (let t = ptr[i], end = ptr[i + 1]; t < end; t++) {
        const yj = col[t] * d;
        const v0 = a0 - y[yj], v1 = a1 - y[yj + 1], v2 = three ? a2 - y[yj + 2] : 0;
        const f = val[t] / (1 + v0 * v0 + v1 * v1 + v2 * v2);
        g0 += f * v0;
        g1 += f * v1;
        g2 += f * v2;
      }
      grad[yi] = grad[yi] * zinv + exag * g0;
      grad[yi + 1] = grad[yi + 1] * zinv + exag * g1;
      if (three) grad[yi + 2] = grad[yi + 2] * zinv + exag * g2;
    }
    const mean = new Float64Array(d);
    for (let t = 0; t < n * d; t++) {
      const g = 4 * grad[t];
      gains[t] = Math.sign(g) !== Math.sign(upd[t]) ? gains[t] + 0.2 : Math.max(0.01, gains[t] * 0.8);
      upd[t] = momentum * upd[t] - this.lr * gains[t] * g;
      y[t] += upd[t];
      mean[t % d] += y[t];
    }
    for (let a = 0; a < d; a++) mean[a] /= n;
    for (let t = 0; t < n * d; t++) y[t] -= mean[t % d];
    this.iter++;
  }

  /** The layout as float32 (n×3; z is 0 in 2-D), the projector's coordinate format. */
  coords(out = new Float32Array(this.n * 3)): Float32Array {
    const d = this.dims;
    for (let i = 0; i < this.n; i++) for (let a = 0; a < d; a++) out[i * 3 + a] = this.y[i * d + a];
    return out;
  }
}
