import { describe, expect, it } from "vitest";
import { newDownsampled, type Downsampled } from "./downsample";
import { sortedQuantile, yRange } from "./y_range";

function ds(ys: number[], xs = ys.map((_, i) => i)): Downsampled {
  const d = newDownsampled();
  d.x = Float64Array.from(xs);
  d.y = Float64Array.from(ys);
  d.n = ys.length;
  d.points = ys.length;
  return d;
}

/** 100 points 0..1 plus one spike of 1000. */
const spiky = () => [...Array.from({ length: 100 }, (_, i) => i / 99), 1000];

describe("yRange", () => {
  it("pads the min/max of the visible points", () => {
    expect(yRange([{ raw: ds([0, 10]), sm: null }], 0, 1, false, false)).toEqual([-0.6, 10.6]);
    expect(yRange([{ raw: ds([0, 10, 99]), sm: null }], 0, 1, false, false)).toEqual([-0.6, 10.6]); // x=2 is outside
  });

  it("with ignore_outliers off keeps a spike, on clips it to the 5–95% quantiles", () => {
    const lines = [{ raw: ds(spiky()), sm: null }];
    const [, hiAll] = yRange(lines, 0, 200, false, false);
    expect(hiAll).toBeGreaterThan(1000);
    const [lo, hi] = yRange(lines, 0, 200, false, true);
    expect(hi).toBeLessThan(2);
    expect(lo).toBeLessThan(0.06);
    expect(lo).toBeGreaterThan(-0.2);
  });

  it("ignore_outliers widens to keep the smoothed line in view", () => {
    const raw = ds(spiky());
    const sm = ds([0.5, 5]);
    const [, hi] = yRange([{ raw, sm }], 0, 200, false, true);
    expect(hi).toBeGreaterThan(5);
    expect(hi).toBeLessThan(6);
  });

  it("log y counts only positive values", () => {
    const [lo, hi] = yRange([{ raw: ds([-5, 0, 1, 100]), sm: null }], 0, 10, true, false);
    expect(Math.log10(lo)).toBeCloseTo(-0.1);
    expect(Math.log10(hi)).toBeCloseTo(2.1);
    expect(yRange([{ raw: ds([-5, 0]), sm: null }], 0, 10, true, false)).toEqual([0.1, 10]);
  });

  it("skips NaN and ±inf", () => {
    const r = yRange([{ raw: ds([NaN, 1, Infinity, 3, -Infinity]), sm: ds([NaN, 2]) }], 0, 10, false, false);
    expect(r[0]).toBeCloseTo(1 - 0.12);
    expect(r[1]).toBeCloseTo(3 + 0.12);
    const many = [...spiky(), NaN, Infinity, -Infinity];
    const [lo, hi] = yRange([{ raw: ds(many), sm: null }], 0, 200, false, true);
    expect(Number.isFinite(lo) && Number.isFinite(hi)).toBe(true);
    expect(hi).toBeLessThan(2);
    expect(yRange([{ raw: ds([NaN]), sm: null }], 0, 10, false, true)).toEqual([0, 1]);
  });

  it("sortedQuantile interpolates", () => {
    const s = Float64Array.from([0, 1, 2, 3, 4]);
    expect(sortedQuantile(s, 0.5)).toBe(2);
    expect(sortedQuantile(s, 0.05)).toBeCloseTo(0.2);
    expect(sortedQuantile(new Float64Array(0), 0.5)).toBeNaN();
  });
});
