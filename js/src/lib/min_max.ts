/** Per-block min/max summaries of a growing column, so range min/max costs O(blocks), not O(points). */

export const BLOCK = 64;

interface RangeStats {
  min: number;
  max: number;
  imin: number; // -1 when the range holds no finite value
  imax: number;
  nonfinite: number; // how many NaN/±inf values the range holds
  inf: number; // index of the first non-finite value, -1 if none
}

export function emptyStats(): RangeStats {
  return { min: Infinity, max: -Infinity, imin: -1, imax: -1, nonfinite: 0, inf: -1 };
}

export class MinMaxIndex {
  bmin = new Float64Array(16);
  bmax = new Float64Array(16);
  bimin = new Int32Array(16);
  bimax = new Int32Array(16);
  bnf = new Int32Array(16);
  covered = 0; // points summarised

  reset(): void {
    this.covered = 0;
  }

  /** Extend the summaries to cover values[0:n] (n must be ≥ covered, else call reset first). */
  update(values: ArrayLike<number>, n: number): void {
    if (n < this.covered) this.reset();
    const nb = Math.ceil(n / BLOCK);
    this.reserve(n);
    for (let b = Math.floor(this.covered / BLOCK); b < nb; b++) {
      const a = b * BLOCK;
      const e = Math.min(n, a + BLOCK);
      let mn = Infinity, mx = -Infinity, imn = -1, imx = -1, nf = 0;
      for (let i = a; i < e; i++) {
        const v = values[i];
        if (v !== v || v === Infinity || v === -Infinity) {
          nf++;
          continue;
        }
        if (v < mn) { mn = v; imn = i; }
        if (v > mx) { mx = v; imx = i; }
      }
      this.bmin[b] = mn; this.bmax[b] = mx; this.bimin[b] = imn; this.bimax[b] = imx; this.bnf[b] = nf;
    }
    this.covered = n;
  }

  /** Make room for the blocks of n points. */
  reserve(n: number): void {
    const nb = Math.ceil(n / BLOCK);
    if (this.bmin.length < nb) this.grow(Math.max(nb, this.bmin.length * 2));
  }

  private grow(cap: number): void {
    const f = (a: Float64Array) => { const r = new Float64Array(cap); r.set(a); return r; };
    const g = (a: Int32Array) => { const r = new Int32Array(cap); r.set(a); return r; };
    this.bmin = f(this.bmin); this.bmax = f(this.bmax);
    this.bimin = g(this.bimin); this.bimax = g(this.bimax); this.bnf = g(this.bnf);
  }

  /** Min/max (and non-finite count) of values[a:b], using the block summaries for whole blocks. */
  range(values: ArrayLike<number>, a: number, b: number, st: RangeStats = emptyStats()): RangeStats {
    st.min = Infinity; st.max = -Infinity; st.imin = -1; st.imax = -1; st.nonfinite = 0; st.inf = -1;
    if (b <= a) return st;
    const firstFull = Math.ceil(a / BLOCK);
    const lastFull = Math.floor(b / BLOCK); // exclusive block bound
    if (firstFull >= lastFull || b > this.covered) {
      scan(values, a, b, st);
      return st;
    }
    scan(values, a, firstFull * BLOCK, st);
    for (let k = firstFull; k < lastFull; k++) {
      if (this.bnf[k] > 0) {
        if (st.inf < 0) {
          for (let i = k * BLOCK; i < (k + 1) * BLOCK; i++) {
            const v = values[i];
            if (!Number.isFinite(v)) { st.inf = i; break; }
          }
        }
        st.nonfinite += this.bnf[k];
      }
      if (this.bimin[k] >= 0) {
        if (this.bmin[k] < st.min) { st.min = this.bmin[k]; st.imin = this.bimin[k]; }
        if (this.bmax[k] > st.max) { st.max = this.bmax[k]; st.imax = this.bimax[k]; }
      }
    }
    scan(values, lastFull * BLOCK, b, st);
    return st;
  }
}

function scan(values: ArrayLike<number>, a: number, b: number, st: RangeStats): void {
  for (let i = a; i < b; i++) {
    const v = values[i];
    if (v !== v || v === Infinity || v === -Infinity) {
      st.nonfinite++;
      if (st.inf < 0) st.inf = i;
      continue;
    }
    if (v < st.min) { st.min = v; st.imin = i; }
    if (v > st.max) { st.max = v; st.imax = i; }
  }
}
