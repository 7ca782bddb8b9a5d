/**
 * One pass over newly arrived points that updates, together, the raw block min/max index, the
 * smoothed (debiased EMA) column and its block index: a 1M-point series is read once, not three times.
 * `derive` keeps these per series, shared by every chart on the page (scalars, custom scalars).
 */
import { BLOCK, MinMaxIndex } from "./min_max";
import type { ScalarData } from "./series";
import { Smoother } from "./smoothing";

/** Per-series caches: block min/max of the values, the smoothed column and its block min/max. */
class Derived {
  epoch = -1;
  raw = new MinMaxIndex();
  smoother = new Smoother();
  sm = new MinMaxIndex();

  /** Bring the caches up to `s` (smoothed at weight w; w = 0: raw index only). */
  sync(s: ScalarData, w: number): void {
    if (s.epoch !== this.epoch) {
      this.epoch = s.epoch;
      this.raw.reset();
      this.smoother.weight = -1;
      this.smoother.reset();
      this.sm.reset();
    }
    if (w > 0) deriveTogether(s.values, s.n, w, this.raw, this.smoother, this.sm);
    else this.raw.update(s.values, s.n);
  }
}

const derived = new WeakMap<ScalarData, Derived>();

/** The shared caches of `s`, brought up to date (O(new points)). */
export function derive(s: ScalarData, w: number): Derived {
  let d = derived.get(s);
  if (!d) derived.set(s, (d = new Derived()));
  d.sync(s, w);
  return d;
}

/** Bring raw/smoothed/smoothed-index up to values[0:n] at weight w (0 < w < 1); all three must be in step. */
export function deriveTogether(values: Float64Array, n: number, w: number, raw: MinMaxIndex, sm: Smoother, smi: MinMaxIndex): void {
  const from = raw.covered;
  if (from === 0 && sm.n === 0 && sm.weight !== w) {
    sm.weight = w; // starting from nothing: adopt the weight, then one pass does it all
    sm.reset();
    smi.reset();
  }
  if (sm.weight !== w || sm.n !== from || smi.covered !== from || n - from < 4 * BLOCK) {
    raw.update(values, n);
    const before = sm.weight;
    sm.update(values, n, w);
    if (before !== w) smi.reset();
    smi.update(sm.out, n);
    return;
  }
  raw.reserve(n);
  smi.reserve(n);
  if (sm.out.length < n) {
    const grown = new Float64Array(Math.max(n, sm.out.length * 2, 64));
    grown.set(sm.out.subarray(0, sm.n));
    sm.out = grown;
  }
  const out = sm.out;
  let last = sm.last, wk = sm.wk;
  const w1 = 1 - w;
  const { bmin, bmax, bimin, bimax, bnf } = raw;
  const sbmin = smi.bmin, sbmax = smi.bmax, sbimin = smi.bimin, sbimax = smi.bimax, sbnf = smi.bnf;
  const nb = Math.ceil(n / BLOCK);
  for (let b = Math.floor(from / BLOCK); b < nb; b++) {
    const a = b * BLOCK;
    const e = Math.min(n, a + BLOCK);
    let mn = Infinity, mx = -Infinity, imn = -1, imx = -1, nf = 0;
    let smn = Infinity, smx = -Infinity, simn = -1, simx = -1;
    for (let i = a; i < e; i++) {
      const v = values[i];
      let s: number;
      if (i >= from) {
        if (v !== v || v === Infinity || v === -Infinity) {
          out[i] = v;
          nf++;
          continue;
        }
        last = last * w + w1 * v;
        if (wk > 1e-17) {
          wk *= w;
          s = last / (1 - wk);
        } else s = last;
        out[i] = s;
      } else {
        if (v !== v || v === Infinity || v === -Infinity) {
          nf++;
          continue;
        }
        s = out[i];
      }
      if (v < mn) { mn = v; imn = i; }
      if (v > mx) { mx = v; imx = i; }
      if (s < smn) { smn = s; simn = i; }
      if (s > smx) { smx = s; simx = i; }
    }
    bmin[b] = mn; bmax[b] = mx; bimin[b] = imn; bimax[b] = imx; bnf[b] = nf;
    sbmin[b] = smn; sbmax[b] = smx; sbimin[b] = simn; sbimax[b] = simx; sbnf[b] = nf;
  }
  sm.last = last;
  sm.wk = wk;
  sm.n = n;
  raw.covered = n;
  smi.covered = n;
}
