import { describe, expect, it } from "vitest";
import { customProjection } from "./custom";

// four points in 3-D: two "cats" on +x, two "dogs" on −x; big on +y, small on −y
const vec = new Float32Array([
  4, 1, 0, // cat big
  4, -1, 0, // cat small
  -4, 1, 0, // dog big
  -4, -1, 0, // dog small
]);
const mask = (...on: number[]) => Uint8Array.from([0, 1, 2, 3], (i) => (on.includes(i) ? 1 : 0));

describe("customProjection", () => {
  it("puts points along left→right and down→up centroid directions", () => {
    const r = customProjection(vec, 4, 3, mask(2, 3), mask(0, 1), mask(1, 3), mask(0, 2));
    expect(r.error).toBe("");
    expect(r.counts).toEqual({ left: 2, right: 2, down: 2, up: 2 });
    expect([...r.coords!]).toEqual([4, 1, 0, 4, -1, 0, -4, 1, 0, -4, -1, 0]);
  });

  it("flips with the sides, measures from the mean, and a blank side means all points", () => {
    const shifted = vec.map((v, i) => (i % 3 === 2 ? 10 : v + 5));
    const r = customProjection(shifted, 4, 3, mask(0, 1), null, mask(1, 3), mask(0, 2));
    // x runs from the cats' centroid towards the mean: dogs are on the positive side
    expect(r.counts.right).toBe(-1);
    expect(r.coords![0]).toBeCloseTo(-4);
    expect(r.coords![6]).toBeCloseTo(4);
    expect(r.coords![1]).toBeCloseTo(1);
  });

  it("explains an empty match or an undefined axis", () => {
    expect(customProjection(vec, 4, 3, mask(), mask(0), null, mask(0)).error).toBe("no point matches the left search");
    expect(customProjection(vec, 4, 3, mask(0, 2), mask(0, 2), mask(1), mask(0)).error).toMatch(/left and right searches have the same centroid/);
    expect(customProjection(vec, 4, 3, mask(0, 2), mask(1, 3), null, null).coords).toBeNull();
  });
});
