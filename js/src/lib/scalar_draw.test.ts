import { describe, expect, it } from "vitest";
import { derive } from "./derive";
import { DrawCache, fullExtent, nearestIndex, xExtent } from "./scalar_draw";
import { ScalarData } from "./series";
import { smooth } from "./smoothing";

function series(run: string, tag: string, n: number, f: (i: number) => number, step = (i: number) => i): ScalarData {
  const s = new ScalarData(0, run, tag);
  const steps = new Float64Array(n), values = new Float64Array(n), walls = new Float64Array(n);
  for (let i = 0; i < n; i++) { steps[i] = step(i); values[i] = f(i); walls[i] = 1000 + i; }
  s.append(steps, values, walls);
  return s;
}

describe("scalar charts' drawing (scalars and custom scalars)", () => {
  it("draw a lone spike in 1M points, and its real neighbours when zoomed", () => {
    const n = 1_000_000;
    const s = series("r", "loss", n, (i) => (i === 123_457 ? 1000 : Math.sin(i / 5000)));
    const d = new DrawCache().get(s, 0, n - 1, 800, "step", 0).raw;
    expect(d.n).toBeLessThanOrEqual(4 * 800 + 2);
    const k = Array.from(d.y.subarray(0, d.n)).indexOf(1000);
    expect(k).toBeGreaterThanOrEqual(0); // a stride of ceil(n / 4000) = 250 would skip index 123457
    expect(d.x[k]).toBe(123_457);
    const z = new DrawCache().get(s, 123_450, 123_460, 800, "step", 0).raw;
    expect(Array.from(z.x.subarray(0, z.n))).toEqual(Array.from({ length: 13 }, (_, j) => 123_449 + j));
  });

  it("keep NaN / inf markers of a long series", () => {
    const n = 200_000;
    const s = series("r", "loss", n, (i) => (i === 150_001 ? NaN : i === 7 ? Infinity : 1));
    const d = new DrawCache().get(s, 0, n - 1, 500, "step", 0).raw;
    expect(d.markers).toEqual([7, Infinity, 150_001, NaN]);
  });

  it("recompute only when the series or range changed", () => {
    const s = series("r", "loss", 100, (i) => i);
    const cache = new DrawCache();
    const a = cache.get(s, 0, 99, 50, "step", 0);
    const n0 = a.raw.n;
    expect(cache.get(s, 0, 99, 50, "step", 0).key).toBe(a.key);
    s.append([100], [100], [1100]);
    expect(cache.get(s, 0, 100, 50, "step", 0).raw.n).toBe(n0 + 1);
  });

  it("smooth through the shared derived caches like smooth()", () => {
    const s = series("r", "loss", 5000, (i) => Math.sin(i) + (i % 97 === 0 ? NaN : 0));
    const sm = new DrawCache().get(s, 0, 4999, 10_000, "step", 0.9).sm;
    const ref = smooth(s.values.subarray(0, s.n), 0.9);
    expect(Array.from(sm.y.subarray(0, sm.n)).filter((v) => v === v)).toEqual(Array.from(ref).filter((v) => v === v));
    expect(derive(s, 0.9).smoother.n).toBe(5000);
  });

  it("find extents and nearest points, sorted or not", () => {
    const s = series("r", "t", 4, (i) => i, (i) => [0, 10, 20, 30][i]);
    expect(nearestIndex(s, "step", 14)).toBe(1);
    expect(nearestIndex(s, "step", 99)).toBe(3);
    expect(nearestIndex(s, "relative", 2.4)).toBe(2);
    const u = series("r", "t", 4, (i) => i, (i) => [5, 1, 9, 3][i]);
    expect(u.stepsSorted).toBe(false);
    expect(xExtent(u, "step")).toEqual([1, 9]);
    expect(nearestIndex(u, "step", 8)).toBe(2);
    expect(fullExtent([s, u], "step")).toEqual([0, 30]);
    expect(fullExtent([], "step")).toEqual([0, 1]);
  });
});
