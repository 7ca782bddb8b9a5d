import { describe, expect, it } from "vitest";
import { FULL_PR, nearestPoint, prPoints, zoomDomain } from "./pr_curve";

describe("PR curves", () => {
  // 3 thresholds: TP, FP, TN, FN, precision, recall rows
  const data = [10, 6, 0, /* FP */ 10, 2, 0, /* TN */ 0, 8, 10, /* FN */ 0, 4, 10, /* P */ 0.5, 0.75, 0, /* R */ 1, 0.6, 0];
  it("drops thresholds with nothing predicted positive and orders by recall", () => {
    const p = prPoints(data, 3);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatchObject({ recall: 0.6, precision: 0.75, threshold: 0.5, tp: 6, fp: 2, tn: 8, fn: 4 });
    expect(p[1].threshold).toBe(0);
  });
  it("finds the nearest point for the tooltip", () => {
    const p = prPoints(data, 3);
    expect(nearestPoint(p, 0.62, 0.7)?.p.threshold).toBe(0.5);
    expect(nearestPoint([], 0, 0)).toBeNull();
  });
});

describe("PR chart zoom", () => {
  it("maps a drag box in plot pixels to recall/precision (y grows downwards)", () => {
    const d = zoomDomain(FULL_PR, 50, 0, 100, 50, 100, 100)!;
    expect(d).toEqual({ x0: 0.5, x1: 1, y0: 0.5, y1: 1 });
    const d2 = zoomDomain(d, 100, 100, 0, 0, 100, 100)!; // dragged the other way: the same box
    expect(d2).toEqual(d);
    const d3 = zoomDomain(d, 0, 50, 50, 100, 100, 100)!;
    expect(d3.x0).toBeCloseTo(0.5);
    expect(d3.x1).toBeCloseTo(0.75);
    expect(d3.y0).toBeCloseTo(0.5);
    expect(d3.y1).toBeCloseTo(0.75);
  });
  it("treats clicks and slivers as no zoom and clamps to the plot", () => {
    expect(zoomDomain(FULL_PR, 10, 10, 12, 60, 100, 100)).toBeNull();
    expect(zoomDomain(FULL_PR, 10, 10, 10, 10, 100, 100)).toBeNull();
    expect(zoomDomain(FULL_PR, -50, -50, 200, 200, 100, 100)).toEqual(FULL_PR);
  });
  it("finds the nearest point on screen when zoomed", () => {
    const pts = [
      { threshold: 0, precision: 0.5, recall: 0.9, tp: 0, fp: 0, tn: 0, fn: 0 },
      { threshold: 1, precision: 0.6, recall: 0.5, tp: 0, fp: 0, tn: 0, fn: 0 },
    ];
    // unzoomed, (recall 0.75, precision 0.59) is nearer the first point: 0.15 away in recall, 0.09 in precision
    const full = nearestPoint(pts, 0.75, 0.59)!;
    expect(full.p.threshold).toBe(0);
    expect(full.dist).toBeCloseTo(Math.hypot(0.15, 0.09));
    // zoomed to precision 0.49..0.61 (a span of 0.12) the precision gap counts 8x more: the second is nearer on screen
    const tall = { x0: 0, x1: 1, y0: 0.49, y1: 0.61 };
    const zoomed = nearestPoint(pts, 0.75, 0.59, tall)!;
    expect(zoomed.p.threshold).toBe(1);
    expect(zoomed.dist).toBeCloseTo(Math.hypot(0.25, 0.01 / 0.12));
  });
  it("ignores points outside the zoomed domain", () => {
    const pts = [
      { threshold: 0, precision: 0.5, recall: 0.9, tp: 0, fp: 0, tn: 0, fn: 0 },
      { threshold: 1, precision: 0.6, recall: 0.5, tp: 0, fp: 0, tn: 0, fn: 0 },
    ];
    expect(nearestPoint(pts, 0.75, 0.5)!.p.threshold).toBe(0);
    expect(nearestPoint(pts, 0.75, 0.5, { x0: 0, x1: 0.7, y0: 0, y1: 1 })!.p.threshold).toBe(1); // recall 0.9 is off the chart
    expect(nearestPoint(pts, 0.75, 0.5, { x0: 0, x1: 0.1, y0: 0, y1: 0.1 })).toBeNull();
  });
});
