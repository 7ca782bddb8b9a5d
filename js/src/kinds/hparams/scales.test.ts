import { describe, expect, it } from "vitest";
import { axisScale, axisTicks, brushFromPositions, type Column, type Session } from "./hparams_table";
import { linearTicks, logTicks, metricColor, pageBounds, quantilePos, quantileValue, resolveMode, tickLabel } from "./scales";

const col: Column = { key: "h:lr", name: "lr", group: "hparam", numeric: true };
const rows = (vals: number[]): Session[] => vals.map((v, i) => ({ run: `r${i}`, hparams: { lr: v }, metrics: {} }));

describe("axis scales", () => {
  it("picks log for a positive column spanning 100× (a learning rate), linear otherwise", () => {
    expect(resolveMode("auto", [1e-4, 1e-3, 1e-1])).toBe("log");
    expect(resolveMode("auto", [0.1, 0.5])).toBe("linear");
    expect(resolveMode("log", [-1, 2])).toBe("linear"); // log of a non-positive value: not possible
    expect(resolveMode("quantile", [3])).toBe("linear");
  });

  it("places values by rank on a quantile axis, and inverts it", () => {
    const s = [1, 2, 100, 1000];
    expect(quantilePos(s, 2)).toBeCloseTo(1 / 3);
    expect(quantilePos(s, 51)).toBeCloseTo(0.5);
    expect(quantileValue(s, quantilePos(s, 51))).toBeCloseTo(51);
    const sc = axisScale(rows([1, 2, 100, 1000]), col, "quantile");
    expect([1, 2, 100, 1000].map((v) => sc.pos(v))).toEqual([0, 1 / 3, 2 / 3, 1]);
    const b = brushFromPositions(sc, 0.3, 0.7)!;
    expect("lo" in b && b.lo > 1 && b.lo < 2 && b.hi > 100 && b.hi < 1000).toBe(true);
  });
});

describe("ticks", () => {
  it("gives nice, distinct linear ticks, even over a tiny range", () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    const sc = axisScale(rows([2.3041, 2.3049, 2.3052]), col, "linear");
    const labels = axisTicks(sc).map((t) => t[1]);
    expect(labels.length).toBeGreaterThan(2);
    expect(new Set(labels).size).toBe(labels.length); // no 2.305, 2.305, 2.304
    for (const [p] of axisTicks(sc)) expect(p >= -1e-9 && p <= 1 + 1e-9).toBe(true);
  });

  it("puts log ticks at powers of ten", () => {
    expect(logTicks(1e-5, 1e-1)).toEqual([1e-5, 1e-4, 1e-3, 0.01, 0.1]);
    const sc = axisScale(rows([1e-5, 1e-3, 1e-1]), col);
    expect(sc.mode).toBe("log");
    expect(axisTicks(sc).map((t) => t[1])).toEqual(["1e-5", "1e-4", "0.001", "0.01", "0.1"]);
    expect(axisTicks(sc)[2][0]).toBeCloseTo(0.5);
  });

  it("labels ticks with the digits their spacing needs", () => {
    expect(tickLabel(2.3045, 0.0005)).toBe("2.3045");
    expect(tickLabel(500120, 10)).toBe("5.0012e+5");
    expect(tickLabel(0.5, 0.1)).toBe("0.5");
  });

  it("quantile ticks sit at the data's quantiles", () => {
    const sc = axisScale(rows([1, 2, 3, 4, 1000]), col, "quantile");
    const t = axisTicks(sc, 5);
    expect(t.map((x) => x[1])).toEqual(["1", "2", "3", "4", "1000"]);
    expect(t.map((x) => x[0])).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe("metric colours and pages", () => {
  it("runs from dark purple to yellow, grey without a value", () => {
    expect(metricColor(0)).toBe("rgb(68, 1, 84)");
    expect(metricColor(1)).toBe("rgb(253, 231, 37)");
    expect(metricColor(NaN)).toBe("#b0b0b0");
  });

  it("cuts rows into pages, clamping the page", () => {
    expect(pageBounds(120, 0, 50)).toEqual({ start: 0, end: 50, page: 0, pages: 3 });
    expect(pageBounds(120, 2, 50)).toEqual({ start: 100, end: 120, page: 2, pages: 3 });
    expect(pageBounds(120, 9, 50).page).toBe(2);
    expect(pageBounds(0, 0, 50)).toEqual({ start: 0, end: 0, page: 0, pages: 1 });
  });
});
