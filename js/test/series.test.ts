import { describe, expect, it } from "vitest";
import { applyDelta, ScalarData } from "../src/lib/series";
import { decodeScalars } from "../src/lib/wire";
import { ColorMap } from "../src/lib/colors";

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

describe("wire decoding", () => {
  it("splits one buffer into per-series columns", () => {
    const buf = new Float64Array([0, 1, 10, 11, 100, 101, 7, 70, 700]).buffer;
    const chunks = decodeScalars({ series: [[3, "a", "loss", 0, 2, false], [4, "b", "acc", 9, 1, true]] }, [new DataView(buf)]);
    expect(chunks.length).toBe(2);
    expect(Array.from(chunks[0].values)).toEqual([10, 11]);
    expect(Array.from(chunks[0].walls)).toEqual([100, 101]);
    expect(chunks[1]).toMatchObject({ id: 4, run: "b", tag: "acc", start: 9, reset: true });
    expect(Array.from(chunks[1].steps)).toEqual([7]);
  });
  it("copies misaligned buffers", () => {
    const raw = new Uint8Array(8 * 3 + 4);
    new Float64Array(raw.buffer, 0, 3).set([1, 2, 3]);
    raw.copyWithin(4, 0, 24);
    const chunks = decodeScalars({ series: [[0, "a", "t", 0, 1, 0]] }, [new DataView(raw.buffer, 4, 24)]);
    expect(Array.from(chunks[0].values)).toEqual([2]);
  });
});

describe("run colours", () => {
  it("are stable and distinct for the first runs", () => {
    const m = new ColorMap();
    const a = m.get("train"), b = m.get("eval");
    expect(m.get("train")).toBe(a);
    expect(a).not.toBe(b);
    const cs = new Set(Array.from({ length: 12 }, (_, i) => m.get(`r${i}`)));
    expect(cs.size).toBeGreaterThanOrEqual(10);
  });
});

import { fmtDurationTicks } from "../src/lib/format";
describe("duration ticks", () => {
  it("pick a unit from the increment and enough decimals", () => {
    expect(fmtDurationTicks([0, 0.0002, 0.0004], 0.0002)).toEqual(["0.0ms", "0.2ms", "0.4ms"]);
    expect(fmtDurationTicks([0, 30, 60], 30)).toEqual(["0s", "30s", "60s"]);
    expect(fmtDurationTicks([0, 120, 240], 120)).toEqual(["0m", "2m", "4m"]);
    expect(fmtDurationTicks([0, 1800, 3600, null], 1800)).toEqual(["0m", "30m", "60m", ""]);
    expect(fmtDurationTicks([0, 5400], 5400)).toEqual(["0.0h", "1.5h"]);
  });
});
