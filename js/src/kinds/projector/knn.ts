/**
 * What the page-side t-SNE and UMAP share: a seeded random generator, a PCA reduction of wide
 * vectors, exact k nearest neighbours of every point, and symmetrising a kNN graph into sparse rows.
 * Pure (no DOM): it runs in the projector's Web Worker, and its spec runs in vitest.
 */

/** A seeded generator of uniform numbers in [0, 1) (mulberry32): the same seed, the same layout. */
export function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample from a uniform generator (Box–Muller). */
export function gauss(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * The rows of `x` (n×m) projected on their top `k` principal components (n×k), by subspace
 * iteration on the centred matrix; `x` itself when m ≤ k.
 * t-SNE and UMAP guides reduce wide inputs to ~50 dimensions first: neighbours barely change and
 * the O(n²·m) neighbour search gets m/k times faster.
 */
export function reduce(x: Float32Array, n: number, m: number, k: number, seed = 1, iters = 4): { data: Float32Array; m: number } {
  if (m <= k || n <= k) return { data: x, m };
  const mean = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let a = 0; a < m; a++) mean[a] += x[i * m + a];
  for (let a = 0; a < m; a++) mean[a] /= n;
  const rand = rng(seed);
  let q = new Float64Array(m * k); // m×k basis, column-major by component: q[c*m + a]
  for (let i = 0; i < q.length; i++) q[i] = gauss(rand);
  orthonormalise(q, m, k);
  const y = new Float64Array(n * k);
  const project = () => {
    // y = (x - mean) q
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let c = 0; c < k; c++) {
        const qc = c * m;
        let s = 0;
        for (let a = 0; a < m; a++) s += (x[o + a] - mean[a]) * q[qc + a];
        y[i * k + c] = s;
      }
    }
  };
  for (let it = 0; it < iters; it++) {
    project();
    // q = (x - mean)ᵀ y, then orthonormalised
    const nq = new Float64Array(m * k);
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let c = 0; c < k; c++) {
        const v = y[i * k + c];
        if (v === 0) continue;
        const qc = c * m;
        for (let a = 0; a < m; a++) nq[qc + a] += (x[o + a] - mean[a]) * v;
      }
    }
    orthonormalise(nq, m, k);
    q = nq;
  }
  project();
  return { data: Float32Array.from(y), m: k };
}

/** Gram–Schmidt on the k columns (each m long, stored one after another) of `q`, in place. */
function orthonormalise(q: Float64Array, m: number, k: number): void {
  for (let c = 0; c < k; c++) {
    const oc = c * m;
    for (let p = 0; p < c; p++) {
      const op = p * m;
      let dot = 0;
      for (let a = 0; a < m; a++) dot += q[oc + a] * q[op + a];
      for (let a = 0; a < m; a++) q[oc + a] -= dot * q[op + a];
    }
    let nn = 0;
    for (let a = 0; a < m; a++) nn += q[oc + a] * q[oc + a];
    const s = nn > 1e-30 ? 1 / Math.sqrt(nn) : 0;
    for (let a = 0; a < m; a++) q[oc + a] *= s;
  }
}

export interface Knn {
  k: number;
  /** n×k neighbour indices, nearest first */
  index: Int32Array;
  /** n×k squared euclidean distances, ascending */
  dist2: Float32Array;
}

/**
 * The exact k nearest neighbours (self excluded) of every row of `x` (n×m), by squared euclidean
 * distance: each pair's distance is computed once (O(n²·m / 2)) and offered to both rows' bounded
 * max-heaps. 5,000 × 50 takes about a second.
 */
export function knn(x: Float32Array, n: number, m: number, k: number): Knn {
  k = Math.max(0, Math.min(k, n - 1));
  const hi = new Int32Array(n * k).fill(-1);
  const hd = new Float64Array(n * k).fill(Infinity);
  const size = new Int32Array(n);
  // max-heap per row: hd[i*k] is the largest kept distance
  const push = (i: number, j: number, d: number) => {
    const o = i * k;
    let s = size[i];
    if (s < k) {
      let c = s++;
      size[i] = s;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (hd[o + p] >= d) break;
        hd[o + c] = hd[o + p];
        hi[o + c] = hi[o + p];
        c = p;
      }
      hd[o + c] = d;
      hi[o + c] = j;
      return;
    }
    if (d >= hd[o]) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const big = r < k && hd[o + r] > hd[o + l] ? r : l;
      if (hd[o + big] <= d) break;
      hd[o + c] = hd[o + big];
      hi[o + c] = hi[o + big];
      c = big;
    }
    hd[o + c] = d;
    hi[o + c] = j;
  };
  if (k > 0) {
    for (let i = 0; i < n; i++) {
      const oi = i * m;
      for (let j = i + 1; j < n; j++) {
        const oj = j * m;
        let d = 0, a = 0;
        for (; a + 3 < m; a += 4) {
          const t0 = x[oi + a] - x[oj + a], t1 = x[oi + a + 1] - x[oj + a + 1];
          const t2 = x[oi + a + 2] - x[oj + a + 2], t3 = x[oi + a + 3] - x[oj + a + 3];
          d += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
        }
        for (; a < m; a++) {
          const t = x[oi + a] - x[oj + a];
          d += t * t;
        }
        if (size[i] < k || d < hd[i * k]) push(i, j, d);
        if (size[j] < k || d < hd[j * k]) push(j, i, d);
      }
    }
  }
  // sort each heap ascending
  const index = new Int32Array(n * k);
  const dist2 = new Float32Array(n * k);
  const ord = new Array<number>(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let t = 0; t < k; t++) ord[t] = t;
    ord.sort((a, b) => hd[o + a] - hd[o + b] || hi[o + a] - hi[o + b]);
    for (let t = 0; t < k; t++) {
      index[o + t] = hi[o + ord[t]];
      dist2[o + t] = hd[o + ord[t]];
    }
  }
  return { k, index, dist2 };
}

/** A sparse symmetric matrix by rows (CSR). */
export interface Sparse {
  n: number;
  ptr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/**
 * The kNN graph's weights `w` (n×k, row i's weight of its t-th neighbour) made symmetric:
 * entry (i, j) = combine(w_ij, w_ji), a missing direction counting 0 — (a + b) for t-SNE's joint
 * probabilities, a + b − ab (fuzzy union) for UMAP.
 */
export function symmetrize(index: Int32Array, w: Float64Array, n: number, k: number, combine: (a: number, b: number) => number): Sparse {
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = index[i * k + t];
      if (j < 0) continue;
      deg[i + 1]++;
      deg[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const fill = deg.slice(0, n);
  const cols = new Int32Array(deg[n]);
  const vals = new Float64Array(deg[n]);
  const forward = new Uint8Array(deg[n]);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = index[i * k + t];
      if (j < 0) continue;
      const v = w[i * k + t];
      let p = fill[i]++;
      cols[p] = j;
      vals[p] = v;
      forward[p] = 1;
      p = fill[j]++;
      cols[p] = i;
      vals[p] = v;
    }
  }
  const ptr = new Int32Array(n + 1);
  const outC: number[] = [];
  const outV: number[] = [];
  const ord: number[] = [];
  for (let i = 0; i < n; i++) {
    ord.length = 0;
    for (let p = deg[i]; p < deg[i + 1]; p++) ord.push(p);
    ord.sort((a, b) => cols[a] - cols[b] || forward[b] - forward[a]);
    let r = 0;
    while (r < ord.length) {
      const p = ord[r];
      const c = cols[p];
      let a = 0, b = 0;
      for (; r < ord.length && cols[ord[r]] === c; r++) {
        if (forward[ord[r]]) a = vals[ord[r]];
        else b = vals[ord[r]];
      }
      const v = combine(a, b);
      if (v > 0) {
        outC.push(c);
        outV.push(v);
      }
    }
    ptr[i + 1] = outC.length;
  }
  return { n, ptr, col: Int32Array.from(outC), val: Float64Array.from(outV) };
}
