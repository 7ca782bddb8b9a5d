import { describe, expect, it } from "vitest";
import { downsample, lowerBound, upperBound } from "./downsample";
import { MinMaxIndex } from "./min_max";

function series(n: number, f: (i: number) => number) {
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { xs[i] = i; ys[i] = f(i); }
  return { xs, ys };
}

function colMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, x0: number, x1: number, cols: number) {
  const mins = new Array(cols).fill(Infinity), maxs = new Array(cols).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    if (xs[i] < x0 || xs[i] > x1 || !Number.isFinite(ys[i])) continue;
    const c = Math.min(cols - 1, Math.floor(((xs[i] - x0) / (x1 - x0)) * cols));
    mins[c] = Math.min(mins[c], ys[i]);
    maxs[c] = Math.max(maxs[c], ys[i]);
  }
  return { mins, maxs };
}

describe("binary search", () => {
  it("finds bounds", () => {
    const a = [1, 2, 2, 2, 5];
    expect(lowerBound(a, 5, 2)).toBe(1);
    expect(upperBound(a, 5, 2)).toBe(4);
    expect(lowerBound(a, 5, 0)).toBe(0);
    expect(upperBound(a, 5, 9)).toBe(5);
  });
});

describe("M4 downsampling", () => {
  it("keeps every point when there are few", () => {
    const { xs, ys } = series(50, (i) => i * 2);
    const d = downsample(xs, ys, 50, 0, 49, 100, true);
    expect(d.n).toBe(50);
    expect(d.points).toBe(50);
  });

  it("reduces 1M points to ≤ 4 per column and preserves each column's min and max", () => {
    const n = 1_000_000;
    const { xs, ys } = series(n, (i) => Math.sin(i / 1000) + ((i * 7919) % 101) / 50);
    const idx = new MinMaxIndex();
    idx.update(ys, n);
    const cols = 800;
    const d = downsample(xs, ys, n, 0, n - 1, cols, true, idx);
    expect(d.n).toBeLessThanOrEqual(4 * cols + 2);
    expect(d.n).toBeGreaterThan(2 * cols);
    const ref = colMinMax(xs, ys, n, 0, n - 1, cols);
    const got = colMinMax(d.x, d.y, d.n, 0, n - 1, cols);
    for (let c = 0; c < cols; c++) {
      expect(got.mins[c]).toBe(ref.mins[c]);
      expect(got.maxs[c]).toBe(ref.maxs[c]);
    }
    for (let i = 1; i < d.n; i++) expect(d.x[i]).toBeGreaterThanOrEqual(d.x[i - 1]); // still in x order
  });

  it("gives the same result with or without the block index", () => {
    const n = 100_003;
    const { xs, ys } = series(n, (i) => ((i * 2654435761) % 1000) - 500);
    const idx = new MinMaxIndex();
    idx.update(ys, n);
    const a = downsample(xs, ys, n, 1234, 98765, 333, true, idx);
    const b = downsample(xs, ys, n, 1234, 98765, 333, true, null);
    expect(Array.from(a.x.subarray(0, a.n))).toEqual(Array.from(b.x.subarray(0, b.n)));
    expect(Array.from(a.y.subarray(0, a.n))).toEqual(Array.from(b.y.subarray(0, b.n)));
  });

  it("zooming in reveals the real points plus one neighbour each side", () => {
    const n = 1_000_000;
    const { xs, ys } = series(n, (i) => i % 3);
    const d = downsample(xs, ys, n, 500_000, 500_010, 800, true);
    expect(Array.from(d.x.subarray(0, d.n))).toEqual(Array.from({ length: 13 }, (_, k) => 499_999 + k));
    expect(d.y[1]).toBe(500_000 % 3);
  });

  it("turns NaN and ±inf into gaps with markers", () => {
    const ys = new Float64Array([1, 2, NaN, 4, Infinity, 6, -Infinity, 8]);
    const xs = new Float64Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const d = downsample(xs, ys, 8, 0, 7, 100, true);
    const y = Array.from(d.y.subarray(0, d.n));
    expect(y.filter((v) => Number.isNaN(v)).length).toBe(3);
    expect(y.filter((v) => Number.isFinite(v))).toEqual([1, 2, 4, 6, 8]);
    expect(d.markers).toEqual([2, NaN, 4, Infinity, 6, -Infinity]);
  });

  it("reports non-finite values inside dense columns", () => {
    const n = 100_000;
    const { xs, ys } = series(n, (i) => (i === 50_000 ? NaN : 1));
    const idx = new MinMaxIndex();
    idx.update(ys, n);
    const d = downsample(xs, ys, n, 0, n - 1, 100, true, idx);
    expect(d.markers.length).toBe(2);
    expect(d.markers[0]).toBe(50_000);
    expect(Array.from(d.y.subarray(0, d.n)).some((v) => Number.isNaN(v))).toBe(true);
  });

  it("draws unsorted x in logged order", () => {
    const xs = new Float64Array([0, 1, 2, 1, 2, 3]);
    const ys = new Float64Array([1, 2, 3, 4, 5, 6]);
    const d = downsample(xs, ys, 6, 0, 3, 10, false);
    expect(Array.from(d.x.subarray(0, d.n))).toEqual([0, 1, 2, 1, 2, 3]);
    expect(Array.from(d.y.subarray(0, d.n))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.points).toBe(6);
  });

  it("applies an x offset (relative time)", () => {
    const xs = new Float64Array([100, 101, 102]);
    const ys = new Float64Array([1, 2, 3]);
    const d = downsample(xs, ys, 3, 0, 2, 10, true, null, 100);
    expect(Array.from(d.x.subarray(0, d.n))).toEqual([0, 1, 2]);
  });
});
