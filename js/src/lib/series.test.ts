import { describe, expect, it } from "vitest";
import { applyDelta, ScalarData } from "./series";

const f = (...v: number[]) => new Float64Array(v);

describe("delta merging", () => {
  it("appends contiguous deltas", () => {
    const s = new ScalarData(0, "r", "t");
    expect(applyDelta(s, 0, f(0, 1), f(5, 6), f(10, 11), false)).toBe("ok");
    expect(applyDelta(s, 2, f(2), f(7), f(12), false)).toBe("ok");
    expect(Array.from(s.steps.subarray(0, s.n))).toEqual([0, 1, 2]);
    expect(Array.from(s.values.subarray(0, s.n))).toEqual([5, 6, 7]);
    expect(s.stepsSorted).toBe(true);
  });
  it("detects a gap (missed messages) and applies nothing", () => {
    const s = new ScalarData(0, "r", "t");
    applyDelta(s, 0, f(0), f(1), f(2), false);
    expect(applyDelta(s, 5, f(5), f(1), f(2), false)).toBe("gap");
    expect(s.n).toBe(1);
  });
  it("replaces overlapping points (resent data)", () => {
    const s = new ScalarData(0, "r", "t");
    applyDelta(s, 0, f(0, 1, 2), f(0, 0, 0), f(0, 0, 0), false);
    applyDelta(s, 1, f(1, 2, 3), f(9, 9, 9), f(0, 0, 0), false);
    expect(Array.from(s.values.subarray(0, s.n))).toEqual([0, 9, 9, 9]);
  });
  it("reset drops everything first and bumps the epoch", () => {
    const s = new ScalarData(0, "r", "t");
    applyDelta(s, 0, f(0, 1, 2), f(0, 0, 0), f(0, 0, 0), false);
    const e = s.epoch;
    applyDelta(s, 0, f(0), f(4), f(0), true);
    expect(s.n).toBe(1);
    expect(s.values[0]).toBe(4);
    expect(s.epoch).toBeGreaterThan(e);
  });
  it("tracks whether steps are sorted", () => {
    const s = new ScalarData(0, "r", "t");
    applyDelta(s, 0, f(0, 5), f(0, 0), f(0, 1), false);
    applyDelta(s, 2, f(3), f(0), f(2), false);
    expect(s.stepsSorted).toBe(false);
    expect(s.wallsSorted).toBe(true);
  });
  it("grows past its initial capacity", () => {
    const s = new ScalarData(0, "r", "t");
    for (let i = 0; i < 1000; i++) applyDelta(s, i, f(i), f(i * 2), f(i), false);
    expect(s.n).toBe(1000);
    expect(s.values[999]).toBe(1998);
  });
});
