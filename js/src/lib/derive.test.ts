import { describe, expect, it } from "vitest";
import { deriveTogether } from "./derive";
import { MinMaxIndex } from "./min_max";
import { smooth, Smoother } from "./smoothing";

describe("one-pass derive", () => {
  it("equals the separate passes, incrementally, with non-finite values", () => {
    const n = 20_000;
    const ys = Float64Array.from({ length: n }, (_, i) => (i % 997 === 0 ? NaN : Math.sin(i / 50) * (1 + (i % 13))));
    const raw = new MinMaxIndex(), sm = new Smoother(), smi = new MinMaxIndex();
    deriveTogether(ys, 333, 0.9, raw, sm, smi); // small: falls back to separate passes
    deriveTogether(ys, 12_345, 0.9, raw, sm, smi); // large: the fused pass
    deriveTogether(ys, n, 0.9, raw, sm, smi);
    const ref = smooth(ys, 0.9);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(ref[i])) expect(sm.out[i]).toBeNaN();
      else expect(sm.out[i]).toBeCloseTo(ref[i], 9);
    }
    const r2 = new MinMaxIndex(); r2.update(ys, n);
    const s2 = new MinMaxIndex(); s2.update(ref, n);
    for (const [a, b, c, d] of [[0, n], [5, 19_999], [64, 128], [100, 10_000]]) {
      expect(raw.range(ys, a, b)).toEqual(r2.range(ys, a, b));
      const x = smi.range(sm.out, c, d), y = s2.range(ref, c, d);
      expect(x.imin).toBe(y.imin); expect(x.imax).toBe(y.imax); expect(x.nonfinite).toBe(y.nonfinite);
    }
  });
});
