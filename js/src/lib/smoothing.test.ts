import { describe, expect, it } from "vitest";
import { smooth, Smoother } from "./smoothing";

/** TensorBoard's reference implementation (vz_line_chart2), minus its constant-series shortcut. */
function tbSmooth(ys: number[], w: number): number[] {
  let last = 0, k = 0;
  return ys.map((y) => {
    if (!Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    k++;
    return last / (w === 1 ? 1 : 1 - Math.pow(w, k));
  });
}

describe("debiased EMA", () => {
  it("matches TensorBoard", () => {
    const ys = Array.from({ length: 200 }, (_, i) => Math.sin(i / 7) + (i % 5) * 0.1);
    for (const w of [0, 0.3, 0.6, 0.9, 0.999]) {
      const got = smooth(ys, w);
      tbSmooth(ys, w).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
    }
  });
  it("is the identity at weight 0 and unbiased at the start", () => {
    expect(Array.from(smooth([3, 5, 7], 0))).toEqual([3, 5, 7]);
    expect(smooth([10, 10, 10], 0.99)[0]).toBeCloseTo(10, 12);
  });
  it("passes non-finite values through without poisoning later points", () => {
    const out = smooth([1, NaN, Infinity, 1, -Infinity, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(Infinity);
    expect(out[4]).toBe(-Infinity);
    expect(out[3]).toBeCloseTo(1, 12);
    expect(out[5]).toBeCloseTo(1, 12);
  });
  it("incremental updates equal a full recompute; weight change restarts", () => {
    const ys = Array.from({ length: 1000 }, (_, i) => Math.cos(i) * i);
    const s = new Smoother();
    s.update(ys, 10, 0.8);
    s.update(ys, 500, 0.8);
    s.update(ys, 1000, 0.8);
    const full = smooth(ys, 0.8);
    for (let i = 0; i < 1000; i++) expect(s.out[i]).toBe(full[i]);
    s.update(ys, 1000, 0.5);
    expect(s.out[999]).toBeCloseTo(smooth(ys, 0.5)[999], 9);
  });
});
