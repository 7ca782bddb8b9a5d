/**
 * UMAP (McInnes, Healy & Melville 2018) in 2-D or 3-D, stepped one epoch at a time for the
 * projector's worker: exact k nearest neighbours, the fuzzy simplicial set (per-point ρ and σ,
 * fuzzy union), then SGD on the graph's edges with negative sampling, as umap-learn does it
 * (its curve parameters a, b fitted from min_dist; PCA initialisation instead of spectral).
 * Pure: runs in the worker and in vitest.
 */
import { gauss, knn, reduce, rng, symmetrize } from "./knn";

export interface UmapParams {
  dims: 2 | 3;
  neighbors: number;
  minDist: number;
  /** 0: automatic (500 below 10,000 points, else 200) */
  epochs: number;
  seed: number;
  spread?: number;
  negativeRate?: number;
}

export const UMAP_DEFAULTS = { neighbors: 15, minDist: 0.1, epochs: 0, seed: 1 } as const;

/**
 * a, b of the layout's similarity 1 / (1 + a·d^(2b)), least-squares fitted to umap-learn's target
 * curve (1 below min_dist, exp(−(d − min_dist) / spread) above) — e.g. min_dist 0.1 → a ≈ 1.58, b ≈ 0.90.
 */
export function fitAB(minDist: number, spread = 1): { a: number; b: number } {
  const xs: number[] = [], ys: number[] = [];
  for (let t = 1; t < 300; t++) {
    const x = (t * 3 * spread) / 299;
    xs.push(x);
    ys.push(x < minDist ? 1 : Math.exp(-(x - minDist) / spread));
  }
  const err = (a: number, b: number) => {
    let e = 0;
    for (let t = 0; t < xs.length; t++) {
      const r = 1 / (1 + a * Math.pow(xs[t], 2 * b)) - ys[t];
      e += r * r;
    }
    return e;
  };
  // coarse grid in (log a, b), then a shrinking pattern search around the best
  let best = { a: 1, b: 1, e: Infinity };
  for (let la = -3; la <= 3; la += 0.25) {
    for (let b = 0.2; b <= 2.5; b += 0.1) {
      const e = err(Math.exp(la), b);
      if (e < best.e) best = { a: Math.exp(la), b, e };
    }
  }
  let sa = 0.25, sb = 0.1;
  while (sa > 1e-7 || sb > 1e-7) {
    let moved = false;
    for (const [da, db] of [[sa, 0], [-sa, 0], [0, sb], [0, -sb]]) {
      const a = best.a * Math.exp(da), b = best.b + db;
      if (b <= 0) continue;
      const e = err(a, b);
      if (e < best.e) {
        best = { a, b, e };
        moved = true;
      }
    }
    if (!moved) {
      sa /= 2;
      sb /= 2;
    }
  }
  return { a: best.a, b: best.b };
}

/** The fuzzy simplicial set's membership of each point's neighbours (n×k), from euclidean distances. */
export function memberships(dist2: Float32Array, n: number, k: number): Float64Array {
  const w = new Float64Array(n * k);
  const target = Math.log2(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let rho = 0;
    for (let t = 0; t < k; t++) {
      const d = Math.sqrt(dist2[o + t]);
      if (d > 0) {
        rho = d;
        break;
      }
    }
    let lo = 0, hi = Infinity, sigma = 1;
    for (let it = 0; it < 64; it++) {
      let s = 0;
      for (let t = 0; t < k; t++) {
        const d = Math.sqrt(dist2[o + t]) - rho;
        s += d > 0 ? Math.exp(-d / sigma) : 1;
      }
      if (Math.abs(s - target) < 1e-5) break;
      if (s > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
      }
    }
    for (let t = 0; t < k; t++) {
      const d = Math.sqrt(dist2[o + t]) - rho;
      w[o + t] = d > 0 ? Math.exp(-d / sigma) : 1;
    }
  }
  return w;
}

const clip = (v: number) => (v > 4 ? 4 : v < -4 ? -4 : v);

/** A UMAP run: construct (neighbours, graph, initial layout), then `step()` epoch by epoch until `done`. */
export class Umap {
  readonly n: number;
  readonly dims: 2 | 3;
  readonly total: number;
  iter = 0;
  /** the layout, n×dims */
  readonly y: Float64Array;
  private head: Int32Array;
  private tail: Int32Array;
  private every: Float64Array;
  private nextSample: Float64Array;
  private everyNeg: Float64Array;
  private nextNeg: Float64Array;
  private a: number;
  private b: number;
  private rand: () => number;

  constructor(x: Float32Array, n: number, m: number, p: UmapParams) {
    this.n = n;
    this.dims = p.dims;
    this.total = Math.max(1, Math.floor(p.epochs > 0 ? p.epochs : n <= 10_000 ? 500 : 200));
    const k = Math.max(1, Math.min(n - 1, Math.floor(p.neighbors)));
    const nn = knn(x, n, m, k);
    const graph = symmetrize(nn.index, memberships(nn.dist2, n, nn.k), n, nn.k, (a, b) => a + b - a * b);
    let wmax = 0;
    for (const v of graph.val) wmax = Math.max(wmax, v);
    const head: number[] = [], tail: number[] = [], every: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let t = graph.ptr[i]; t < graph.ptr[i + 1]; t++) {
        const v = graph.val[t];
        if (v < wmax / this.total) continue; // sampled less than once in the whole run
        head.push(i);
        tail.push(graph.col[t]);
        every.push(wmax / v);
      }
    }
    this.head = Int32Array.from(head);
    this.tail = Int32Array.from(tail);
    this.every = Float64Array.from(every);
    this.nextSample = Float64Array.from(every);
    const rate = p.negativeRate ?? 5;
    this.everyNeg = this.every.map((e) => e / rate);
    this.nextNeg = Float64Array.from(this.everyNeg);
    const ab = fitAB(p.minDist, p.spread ?? 1);
    this.a = ab.a;
    this.b = ab.b;
    this.rand = rng(p.seed);
    // initial layout: the top principal components, scaled into [-10, 10], with a little noise
    const d = p.dims;
    const init = reduce(x, n, m, d, p.seed);
    this.y = new Float64Array(n * d);
    for (let a = 0; a < d; a++) {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = a < init.m ? init.data[i * init.m + a] : 0;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const s = hi > lo ? 20 / (hi - lo) : 0;
      for (let i = 0; i < n; i++) {
        const v = a < init.m ? init.data[i * init.m + a] : 0;
        this.y[i * d + a] = (v - lo) * s - 10 + gauss(this.rand) * 1e-4 * 20;
      }
    }
  }

  get done(): boolean {
    return this.iter >= this.total;
  }

  /** One epoch of SGD over the edges due this epoch, each with its negative samples. */
  step(): void {
    if (this.done) return;
    const { n, dims: d, y, head, tail, every, nextSample, everyNeg, nextNeg, a, b, rand } = this;
    const epoch = this.iter;
    const alpha = 1 - epoch / this.total;
    const diff = new Float64Array(d);
    for (let e = 0; e < head.length; e++) {
      if (nextSample[e] > epoch) continue;
      const i = head[e] * d, j = tail[e] * d;
      let dist2 = 0;
      for (let c = 0; c < d; c++) {
        diff[c] = y[i + c] - y[j + c];
        dist2 += diff[c] * diff[c];
      }
      const g = dist2 > 0 ? (-2 * a * b * Math.pow(dist2, b - 1)) / (a * Math.pow(dist2, b) + 1) : 0;
      for (let c = 0; c < d; c++) {
        const v = clip(g * diff[c]) * alpha;
        y[i + c] += v;
        y[j + c] -= v;
      }
      nextSample[e] += every[e];
      const negs = Math.floor((epoch - nextNeg[e]) / everyNeg[e]);
      for (let s = 0; s < negs; s++) {
        const kk = Math.floor(rand() * n);
        if (kk === head[e]) continue;
        const o = kk * d;
        let dd = 0;
        for (let c = 0; c < d; c++) {
          diff[c] = y[i + c] - y[o + c];
          dd += diff[c] * diff[c];
        }
        const gr = dd > 0 ? (2 * b) / ((0.001 + dd) * (a * Math.pow(dd, b) + 1)) : 0;
        for (let c = 0; c < d; c++) y[i + c] += (gr > 0 ? clip(gr * diff[c]) : 4) * alpha;
      }
      nextNeg[e] += negs * everyNeg[e];
    }
    this.iter++;
  }

  /** The layout as float32 (n×3; z is 0 in 2-D), the projector's coordinate format. */
  coords(out = new Float32Array(this.n * 3)): Float32Array {
    const d = this.dims;
    for (let i = 0; i < this.n; i++) for (let c = 0; c < d; c++) out[i * 3 + c] = this.y[i * d + c];
    return out;
  }
}
