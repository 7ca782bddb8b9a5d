/**
 * One pass over newly arrived points that updates, together, the raw block min/max index, the
 * smoothed (debiased EMA) column and its block index: a 1M-point series is read once, not three times.
 */
import { BLOCK, MinMaxIndex } from "./minmax";
import { Smoother } from "./smoothing";

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
  let last = sm.last, k = sm.numAccum, wk = sm.wk;
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
          k++;
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
  sm.numAccum = k;
  sm.wk = wk;
  sm.n = n;
  raw.covered = n;
  smi.covered = n;
}
