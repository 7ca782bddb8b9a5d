import { describe, expect, it } from "vitest";
import { reduce } from "./knn";
import { fitAB, memberships, Umap } from "./umap";
import { clusters, knnAccuracy } from "./testdata";

function run(x: Float32Array, n: number, m: number, dims: 2 | 3, epochs: number, seed = 1, neighbors = 15): Umap {
  const u = new Umap(x, n, m, { dims, neighbors, minDist: 0.1, epochs, seed });
  while (!u.done) u.step();
  return u;
}

describe("fitAB", () => {
  it("matches umap-learn's curve parameters", () => {
    const r = fitAB(0.1);
    expect(r.a).toBeCloseTo(1.577, 1);
    expect(r.b).toBeCloseTo(0.895, 1);
    const r2 = fitAB(0.5);
    expect(r2.a).toBeCloseTo(0.583, 1);
    expect(r2.b).toBeCloseTo(1.334, 1);
  });
});

describe("memberships", () => {
  it("gives the nearest neighbour weight 1 and each row total log2(k)", () => {
    const k = 8;
    const d = Float32Array.from({ length: 2 * k }, (_, i) => ((i % k) + 1) ** 2 * (i < k ? 1 : 3));
    const w = memberships(d, 2, k);
    for (let i = 0; i < 2; i++) {
      const row = [...w.subarray(i * k, i * k + k)];
      expect(row[0]).toBe(1);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(Math.log2(k), 4);
    }
  });
});

describe("UMAP", () => {
  it("keeps well-separated Gaussian clusters apart in 2-D", () => {
    const n = 400;
    const { x, labels } = clusters(n, 30, 5);
    const u = run(x, n, 30, 2, 200);
    expect(u.iter).toBe(200);
    const c = u.coords();
    expect(c.every(Number.isFinite)).toBe(true);
    expect(knnAccuracy(c, n, 3, labels)).toBeGreaterThan(0.97);
  });

  it("keeps them apart in 3-D, clusters that PCA mixes", () => {
    // 10 clusters in 40-D: their first 2 principal components cannot separate them all
    const n = 500;
    const { x, labels } = clusters(n, 40, 10, 2, 3);
    const pca = reduce(x, n, 40, 2);
    expect(knnAccuracy(pca.data, n, 2, labels)).toBeLessThan(0.9);
    const u = run(x, n, 40, 3, 200);
    expect(knnAccuracy(u.coords(), n, 3, labels)).toBeGreaterThan(0.97);
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const n = 150;
    const { x } = clusters(n, 10, 3);
    const a = run(x, n, 10, 2, 50, 5).coords();
    expect(run(x, n, 10, 2, 50, 5).coords()).toEqual(a);
    expect(run(x, n, 10, 2, 50, 6).coords()).not.toEqual(a);
  });

  it("survives duplicates and tiny inputs", () => {
    const u = run(new Float32Array(20 * 4).fill(1), 20, 4, 2, 30);
    expect(u.coords().every(Number.isFinite)).toBe(true);
    expect(run(new Float32Array([1, 2, 3, 4]), 2, 2, 2, 5).coords().every(Number.isFinite)).toBe(true);
  });
});
