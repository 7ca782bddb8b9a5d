/** TensorBoard's debiased exponential moving average, computed incrementally as points arrive. */

/** Smooth `values` with weight `w` in [0, 1): non-finite values pass through and do not advance the EMA. */
export function smooth(values: ArrayLike<number>, w: number): Float64Array {
  const s = new Smoother();
  s.update(values, values.length, w);
  return s.out.slice(0, values.length);
}

/** Keeps the EMA state so appending points costs O(new points). */
export class Smoother {
  weight = -1;
  out: Float64Array = new Float64Array(0);
  n = 0;
  last = 0;
  wk = 1;

  reset(): void {
    this.n = 0;
    this.last = 0;
    this.wk = 1;
  }

  /** Bring `out[0:n]` up to date with `values[0:n]` at weight `w`; returns out. */
  update(values: ArrayLike<number>, n: number, w: number): Float64Array {
    if (w !== this.weight || n < this.n) {
      this.weight = w;
      this.reset();
    }
    if (this.out.length < n) {
      const grown = new Float64Array(Math.max(n, this.out.length * 2, 64));
      grown.set(this.out.subarray(0, this.n));
      this.out = grown;
    }
    let last = this.last;
    let wk = this.wk; // w^k, kept by multiplication (no pow per point)
    const out = this.out;
    const w1 = 1 - w;
    let i = this.n;
    // while w^k still matters, divide by the debias weight 1 - w^k ...
    for (; i < n && wk > 1e-17; i++) {
      const v = values[i];
      if (v !== v || v === Infinity || v === -Infinity) {
        out[i] = v;
        continue;
      }
      last = last * w + w1 * v;
      wk *= w;
      out[i] = w === 1 ? last : last / (1 - wk);
    }
    // ... after that 1 - w^k == 1 in float64: the plain EMA
    for (; i < n; i++) {
      const v = values[i];
      if (v !== v || v === Infinity || v === -Infinity) {
        out[i] = v;
        continue;
      }
      last = last * w + w1 * v;
      out[i] = last;
    }
    this.last = last;
    this.wk = wk;
    this.n = n;
    return out;
  }
}
