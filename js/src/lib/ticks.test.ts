import { describe, expect, it } from "vitest";
import { decimalsFor, fmtTicks, groupThousands, INTEGER_INCRS } from "./ticks";

const unique = (a: string[]) => new Set(a).size === a.length;

describe("tick labels", () => {
  it("tell neighbours apart at small ranges (issue 14: 2.305, 2.305, 2.304)", () => {
    const splits = [2.3042, 2.3044, 2.3046, 2.3048, 2.305];
    const out = fmtTicks(splits, 0.0002);
    expect(out).toEqual(["2.3042", "2.3044", "2.3046", "2.3048", "2.3050"]);
    expect(unique(out)).toBe(true);
  });

  it("use no more digits than the increment needs", () => {
    expect(fmtTicks([0, 0.5, 1, 1.5], 0.5)).toEqual(["0.0", "0.5", "1.0", "1.5"]);
    expect(fmtTicks([0, 20, 40], 20)).toEqual(["0", "20", "40"]);
    expect(fmtTicks([-0.25, 0, 0.25], 0.25)).toEqual(["-0.25", "0.00", "0.25"]);
    expect(fmtTicks([null, 1, 2], 1)).toEqual(["", "1", "2"]);
  });

  it("add digits when rounding would still merge two labels", () => {
    // an increment that is not a round number (float error in the splits)
    const out = fmtTicks([0.1 + 0.2, 0.30000001, 0.30000002], 0.00000001);
    expect(unique(out)).toBe(true);
  });

  it("go to exponent form for huge and tiny values, still distinct", () => {
    expect(fmtTicks([1e-5, 2e-5, 3e-5], 1e-5)).toEqual(["1e-5", "2e-5", "3e-5"]);
    expect(fmtTicks([0, 1.5e6, 3e6], 1.5e6)).toEqual(["0", "1.5e+6", "3.0e+6"]);
    const close = fmtTicks([1.2341e7, 1.2342e7, 1.2343e7], 1e3);
    expect(unique(close)).toBe(true);
    expect(close[0]).toBe("1.2341e+7");
  });

  it("write integer steps as integers, never 5.0e+5 (issue 14: zoomed x ticks)", () => {
    const zoomed = fmtTicks([500100, 500120, 500140, 500160], 20, true);
    expect(zoomed).toEqual(["500,100", "500,120", "500,140", "500,160"]);
    expect(fmtTicks([0, 200000, 400000, 1000000, 1200000], 200000, true)).toEqual(["0", "200k", "400k", "1M", "1.2M"]);
    expect(fmtTicks([500000, 500500, 501000], 500, true)).toEqual(["500k", "500.5k", "501k"]);
    expect(fmtTicks([0, 10, 20], 10, true)).toEqual(["0", "10", "20"]);
    expect(fmtTicks([2000, 4000, 6000], 2000, true)).toEqual(["2000", "4000", "6000"]);
    // fractional ticks on an integer axis are not rounded into duplicates
    expect(unique(fmtTicks([1, 1.5, 2], 0.5, true))).toBe(true);
  });

  it("decimals and grouping helpers", () => {
    expect(decimalsFor(0.25)).toBe(2);
    expect(decimalsFor(5)).toBe(0);
    expect(decimalsFor(0.0005)).toBe(4);
    expect(decimalsFor(0.1 + 0.2)).toBe(1);
    expect(groupThousands(-1234567)).toBe("-1,234,567");
    expect(INTEGER_INCRS.slice(0, 4)).toEqual([1, 2, 5, 10]);
    expect(INTEGER_INCRS.every(Number.isInteger)).toBe(true);
  });
});
