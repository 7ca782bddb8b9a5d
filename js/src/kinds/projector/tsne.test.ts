import { describe, expect, it } from "vitest";
import { conditionalP, Tsne } from "./tsne";
import { clusters, knnAccuracy } from "./testdata";

function run(x: Float32Array, n: number, m: number, dims: 2 | 3, iterations: number, seed = 1): Tsne {
  const t = new Tsne(x, n, m, { dims, perplexity: 20, learningRate: 0, iterations, seed });
  while (!t.done) t.step();
  return t;
}

describe("conditionalP", () => {
  it("gives each row the entropy log(perplexity), rows summing to 1", () => {
    const n = 3, k = 12;
    const d = Float32Array.from({ length: n * k }, (_, i) => (i % k) * (1 + Math.floor(i / k)));
    const p = conditionalP(d, n, k, 5);
    for (let i = 0; i < n; i++) {
      const row = [...p.subarray(i * k, i * k + k)];
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const h = -row.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);
      expect(h).toBeCloseTo(Math.log(5), 3);
      for (let t = 1; t < k; t++) expect(row[t]).toBeLessThanOrEqual(row[t - 1] + 1e-12);
    }
  });
});

describe("Barnes–Hut t-SNE", () => {
  it("keeps well-separated Gaussian clusters apart in 2-D", () => {
    const n = 400;
    const { x, labels } = clusters(n, 30, 5);
    const t = run(x, n, 30, 2, 400);
    expect(t.iter).toBe(400);
    const c = t.coords();
    expect(c.every(Number.isFinite)).toBe(true);
    expect(knnAccuracy(c, n, 3, labels)).toBeGreaterThan(0.97);
    // the layout grew from its tiny initialisation to a spread of many units
    let r = 0;
    for (let i = 0; i < n; i++) r = Math.max(r, Math.hypot(c[i * 3], c[i * 3 + 1]));
    expect(r).toBeGreaterThan(5);
    for (let i = 0; i < n; i++) expect(c[i * 3 + 2]).toBe(0);
  });

  it("keeps them apart in 3-D", () => {
    const n = 300;
    const { x, labels } = clusters(n, 20, 4, 8, 11);
    const t = run(x, n, 20, 3, 300);
    expect(knnAccuracy(t.coords(), n, 3, labels)).toBeGreaterThan(0.97);
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const n = 150;
    const { x } = clusters(n, 10, 3);
    const a = run(x, n, 10, 2, 60, 5).coords();
    const b = run(x, n, 10, 2, 60, 5).coords();
    const c = run(x, n, 10, 2, 60, 6).coords();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("survives duplicates and tiny inputs", () => {
    const x = new Float32Array(20 * 4).fill(1); // 20 identical points
    const t = run(x, 20, 4, 2, 50);
    expect(t.coords().every(Number.isFinite)).toBe(true);
    const one = run(new Float32Array([1, 2]), 1, 2, 2, 10);
    expect(one.coords().every(Number.isFinite)).toBe(true);
  });
});
