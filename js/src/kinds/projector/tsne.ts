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

/** A flat quadtree (dims 2) or octree (dims 3) over the current layout, rebuilt every iteration. */
class SpaceTree {
  private cap = 0;
  centre = new Float64Array(0); // cell centre, dims per node
  half = new Float64Array(0); // half width
  mass = new Float64Array(0); // sum of positions, dims per node
  count = new Int32Array(0);
  child = new Int32Array(0); // first of 2^dims children, -1 for a leaf
  point = new Int32Array(0); // a leaf's one point, -1 if none
  nodes = 0;

  constructor(readonly dims: number) {}

  private grow(need: number): void {
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2, 1024);
    const d = this.dims;
    const ext = <T extends Float64Array | Int32Array>(a: T, size: number, make: (s: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.centre = ext(this.centre, cap * d, (s) => new Float64Array(s));
    this.mass = ext(this.mass, cap * d, (s) => new Float64Array(s));
    this.half = ext(this.half, cap, (s) => new Float64Array(s));
    this.count = ext(this.count, cap, (s) => new Int32Array(s));
    this.child = ext(this.child, cap, (s) => new Int32Array(s));
    this.point = ext(this.point, cap, (s) => new Int32Array(s));
    this.cap = cap;
  }

  private init(node: number, centre: ArrayLike<number>, off: number, half: number): void {
    const d = this.dims;
    for (let a = 0; a < d; a++) {
      this.centre[node * d + a] = centre[off + a];
      this.mass[node * d + a] = 0;
    }
    this.half[node] = half;
    this.count[node] = 0;
    this.child[node] = -1;
    this.point[node] = -1;
  }

  build(y: Float64Array, n: number): void {
    const d = this.dims;
    const lo = new Array(d).fill(Infinity), hi = new Array(d).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) {
        const v = y[i * d + a];
        if (v < lo[a]) lo[a] = v;
        if (v > hi[a]) hi[a] = v;
      }
    }
    let half = 0;
    const c = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      c[a] = (lo[a] + hi[a]) / 2;
      half = Math.max(half, (hi[a] - lo[a]) / 2);
    }
    this.nodes = 1;
    this.grow(Math.max(16, 2 * n));
    this.init(0, c, 0, half * (1 + 1e-5) + 1e-5);
    for (let i = 0; i < n; i++) this.insert(y, i);
  }

  private insert(y: Float64Array, i: number): void {
    const d = this.dims;
    const fan = 1 << d;
    let node = 0;
    for (;;) {
      for (let a = 0; a < d; a++) this.mass[node * d + a] += y[i * d + a];
      this.count[node]++;
      if (this.child[node] < 0) {
        if (this.count[node] === 1) {
          this.point[node] = i;
          return;
        }
        const j = this.point[node];
        // a leaf holding duplicates (or cells too small to split) keeps them together
        if (j < 0 || this.half[node] < 1e-9 || same(y, i, j, d)) {
          this.point[node] = -1;
          return;
        }
        // split: the resident point moves down into its child
        this.grow(this.nodes + fan);
        const first = this.nodes;
        this.nodes += fan;
        const h = this.half[node] / 2;
        const cc = new Float64Array(d);
        for (let q = 0; q < fan; q++) {
          for (let a = 0; a < d; a++) cc[a] = this.centre[node * d + a] + ((q >> a) & 1 ? h : -h);
          this.init(first + q, cc, 0, h);
        }
        this.child[node] = first;
        this.point[node] = -1;
        const cj = first + this.quadrant(node, y, j);
        for (let a = 0; a < d; a++) this.mass[cj * d + a] += y[j * d + a];
        this.count[cj] = 1;
        this.point[cj] = j;
      }
      node = this.child[node] + this.quadrant(node, y, i);
    }
  }

  private quadrant(node: number, y: Float64Array, i: number): number {
    const d = this.dims;
    let q = 0;
    for (let a = 0; a < d; a++) if (y[i * d + a] > this.centre[node * d + a]) q |= 1 << a;
    return q;
  }

  /** Repulsion on point i into `out` (unnormalised, dims long); returns its share of Z = Σ q. */
  repulse(y: Float64Array, i: number, theta2: number, out: Float64Array, stack: Int32Array): number {
    const d = this.dims;
    const fan = 1 << d;
    const mass = this.mass, count = this.count, child = this.child, point = this.point, half = this.half;
    const yi = i * d;
    const y0 = y[yi], y1 = y[yi + 1], y2 = d === 3 ? y[yi + 2] : 0;
    let f0 = 0, f1 = 0, f2 = 0, z = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp];
      const cnt = count[node];
      const first = child[node];
      const leaf = first < 0;
      if (leaf && point[node] === i) continue;
      const inv = 1 / cnt;
      const o = node * d;
      const c0 = y0 - mass[o] * inv, c1 = y1 - mass[o + 1] * inv, c2 = d === 3 ? y2 - mass[o + 2] * inv : 0;
      const dist2 = c0 * c0 + c1 * c1 + c2 * c2;
      const w = 2 * half[node];
      if (leaf || w * w < theta2 * dist2) {
        const q = 1 / (1 + dist2);
        const m = leaf && point[node] < 0 && dist2 < 1e-24 ? cnt - 1 : cnt;
        z += m * q;
        const f = m * q * q;
        f0 += f * c0;
        f1 += f * c1;
        f2 += f * c2;
      } else {
        for (let q = 0; q < fan; q++) if (count[first + q] > 0) stack[sp++] = first + q;
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
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) grad[i * d + a] *= zinv;
      const yi = i * d;
      for (let t = P.ptr[i]; t < P.ptr[i + 1]; t++) {
        const j = P.col[t];
        const yj = j * d;
        let dist2 = 0;
        for (let a = 0; a < d; a++) {
          const v = y[yi + a] - y[yj + a];
          dist2 += v * v;
        }
        const f = (exag * P.val[t]) / (1 + dist2);
        for (let a = 0; a < d; a++) grad[yi + a] += f * (y[yi + a] - y[yj + a]);
      }
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
