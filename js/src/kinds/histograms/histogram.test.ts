import { describe, expect, it } from "vitest";
import { buckets, compressHistogram, distXs, extentOf, NORMAL_BPS, overlay, rebin, ridgeline, sampleIndices, timeValues } from "./histogram";

const uniform = { min: 0, max: 10, limits: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], counts: new Array(10).fill(1) };

describe("histogram geometry", () => {
  it("derives bucket edges as TensorBoard does (min first, max last)", () => {
    const b = buckets({ min: -1, max: 3, limits: [0, 1, 1.7976931348623157e308], counts: [1, 2, 3] });
    expect(b).toEqual([[-1, 0, 1], [0, 1, 2], [1, 3, 3]]);
  });
  it("compresses to TensorBoard's basis points", () => {
    expect(NORMAL_BPS).toEqual([0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]);
    const c = compressHistogram(uniform);
    expect(c[0]).toBe(0);
    expect(c[1]).toBeCloseTo(0.668);
    expect(c[4]).toBeCloseTo(5);
    expect(c[7]).toBeCloseTo(9.332);
    expect(c[8]).toBe(10);
    for (let i = 1; i < c.length; i++) expect(c[i]).toBeGreaterThanOrEqual(c[i - 1]);
  });
  it("compresses an empty histogram to zeros and a spike to its value", () => {
    expect(compressHistogram({ min: 0, max: 0, limits: [], counts: [] })).toEqual(new Array(9).fill(0));
    const spike = compressHistogram({ min: 2, max: 2, limits: [2], counts: [5] });
    expect(spike.every((v) => v === 2)).toBe(true);
  });
  it("rebinning keeps the total count", () => {
    const r = rebin(uniform, 0, 10, 7);
    expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(10);
    const spike = rebin({ min: 3, max: 3, limits: [3], counts: [4] }, 0, 10, 10);
    expect(spike[3]).toBe(4);
    expect(extentOf([uniform, { min: -5, max: 2, limits: [2], counts: [1] }])).toEqual([-5, 10]);
  });
  it("lays ridgelines out newest at the bottom, peaks above their baselines", () => {
    const hs = Array.from({ length: 5 }, () => uniform);
    const rows = ridgeline(hs, [0, 1, 2, 3, 4], 200, 100, { nbins: 10 });
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    for (let i = 1; i < rows.length; i++) expect(rows[i].base).toBeGreaterThan(rows[i - 1].base);
    expect(rows[4].base).toBeLessThanOrEqual(100.01);
    for (const r of rows) for (let j = 1; j < r.points.length; j += 2) {
      expect(r.points[j]).toBeLessThanOrEqual(r.base + 1e-9);
      expect(r.points[j]).toBeGreaterThanOrEqual(-1e-6);
    }
    expect(overlay(hs, 100, 50, 10)).toHaveLength(5);
  });
  it("spaces ridgelines by the offset axis when given one", () => {
    const hs = Array.from({ length: 4 }, () => uniform);
    // steps 0, 1, 2, 10: by step the last gap is 8x the others; times out of step order
    const byStep = ridgeline(hs, [0, 1, 2, 10], 200, 100, { nbins: 10, at: [0, 1, 2, 10] });
    const gaps = byStep.slice(1).map((r, k) => r.base - byStep[k].base);
    expect(gaps[2] / gaps[0]).toBeCloseTo(8);
    expect(byStep[3].base).toBeCloseTo(100);
    const byTime = ridgeline(hs, [0, 1, 2, 10], 200, 100, { nbins: 10, at: [0, 30, 20, 40] });
    expect(byTime.map((r) => r.step)).toEqual([0, 2, 1, 10]); // ordered by time, back to front
    expect(byTime.map((r) => r.index)).toEqual([0, 2, 1, 3]);
    expect(byTime.map((r) => r.at)).toEqual([0, 20, 30, 40]);
    const same = ridgeline(hs.slice(0, 2), [0, 1], 200, 100, { at: [5, 5] });
    expect(same.every((r) => r.base === 100)).toBe(true);
  });
  it("samples long series evenly, keeping both ends", () => {
    const s = sampleIndices(1000, 60);
    expect(s).toHaveLength(60);
    expect(s[0]).toBe(0);
    expect(s[59]).toBe(999);
    expect(sampleIndices(3, 60)).toEqual([0, 1, 2]);
  });
});

describe("distributions x-axis", () => {
  const recs = [
    { step: 0, wall: 100 },
    { step: 10, wall: 130 },
    { step: 20, wall: 110 }, // written late but stamped early: wall order differs from step order
  ];
  it("uses steps in record order", () => {
    expect(distXs(recs, "step")).toEqual({ xs: [0, 10, 20], order: [0, 1, 2] });
  });
  it("sorts by time for relative and wall axes", () => {
    expect(distXs(recs, "relative")).toEqual({ xs: [0, 10, 30], order: [0, 2, 1] });
    expect(distXs(recs, "wall")).toEqual({ xs: [100, 110, 130], order: [0, 2, 1] });
    expect(distXs([], "relative")).toEqual({ xs: [], order: [] });
  });
  it("gives each record's time in record order, for the offset histograms too", () => {
    expect(timeValues(recs, "step")).toEqual([0, 10, 20]);
    expect(timeValues(recs, "wall")).toEqual([100, 130, 110]);
    expect(timeValues(recs, "relative")).toEqual([0, 30, 10]);
    expect(timeValues([], "relative")).toEqual([]);
  });
});
