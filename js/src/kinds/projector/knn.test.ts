import { describe, expect, it } from "vitest";
import { knn, reduce, rng, symmetrize } from "./knn";
import { clusters, knnAccuracy } from "./testdata";

describe("rng", () => {
  it("is deterministic per seed and uniform-ish", () => {
    const a = rng(3), b = rng(3), c = rng(4);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe("knn", () => {
  it("matches a brute-force sort, nearest first, self excluded", () => {
    const n = 120, m = 7, k = 6;
    const r = rng(1);
    const x = Float32Array.from({ length: n * m }, () => r());
    const got = knn(x, n, m, k);
    for (let i = 0; i < n; i++) {
      const d = [...Array(n).keys()].filter((j) => j !== i).map((j) => {
        let s = 0;
        for (let a = 0; a < m; a++) s += (x[i * m + a] - x[j * m + a]) ** 2;
        return [s, j] as const;
      }).sort((p, q) => p[0] - q[0]);
      expect([...got.index.subarray(i * k, i * k + k)]).toEqual(d.slice(0, k).map((p) => p[1]));
      expect(got.dist2[i * k]).toBeCloseTo(d[0][0], 5);
    }
  });

  it("clamps k to n - 1", () => {
    const got = knn(new Float32Array([0, 1, 3]), 3, 1, 10);
    expect(got.k).toBe(2);
    expect([...got.index]).toEqual([1, 2, 0, 2, 1, 0]);
  });
});

describe("symmetrize", () => {
  it("combines both directions of each edge, a missing one as 0", () => {
    // 0 → 1 (0.5), 1 → 0 (0.25), 2 → 0 (1)
    const idx = new Int32Array([1, 0, 0]);
    const w = new Float64Array([0.5, 0.25, 1]);
    const s = symmetrize(idx, w, 3, 1, (a, b) => a + b - a * b);
    const row = (i: number) => Object.fromEntries([...s.col.subarray(s.ptr[i], s.ptr[i + 1])].map((c, t) => [c, s.val[s.ptr[i] + t]]));
    expect(row(0)).toEqual({ 1: 0.5 + 0.25 - 0.125, 2: 1 });
    expect(row(1)).toEqual({ 0: 0.5 + 0.25 - 0.125 });
    expect(row(2)).toEqual({ 0: 1 });
  });
});

describe("reduce", () => {
  it("keeps the cluster structure of wide data in fewer dimensions", () => {
    const { x, labels } = clusters(300, 80, 4);
    const r = reduce(x, 300, 80, 10);
    expect(r.m).toBe(10);
    expect(r.data.length).toBe(3000);
    expect(knnAccuracy(r.data, 300, 10, labels)).toBeGreaterThan(0.98);
  });

  it("passes narrow data through", () => {
    const x = new Float32Array(30);
    expect(reduce(x, 10, 3, 50).data).toBe(x);
  });
});
