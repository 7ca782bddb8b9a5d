import { describe, expect, it } from "vitest";
import { decodeTimeline, hit, layoutLanes, nameColor, pan, searchMask, zoom, type Timeline } from "./timeline";

function rec(events: [number, number, number, number, number][]) {
  const n = events.length;
  const part = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return {
    step: 1, wall: 0,
    meta: { timeline: { n, names: ["ProfilerStep#1", "aten::conv2d", "aten::relu", "cudaLaunchKernel"], lanes: ["1 / 1", "0 / 7"], cats: ["other"] } },
    parts: [
      part(Float64Array.from(events.map((e) => e[0]))), part(Float32Array.from(events.map((e) => e[1]))),
      part(Int32Array.from(events.map((e) => e[2]))), part(Int32Array.from(events.map((e) => e[3]))),
      part(Int32Array.from(events.map((e) => e[4]))), part(new Int32Array(n)),
    ],
  };
}

// start, dur, name, lane, depth
const t = decodeTimeline(rec([[0, 100, 0, 0, 0], [10, 30, 1, 0, 1], [12, 5, 3, 0, 2], [50, 20, 2, 0, 1], [20, 40, 1, 1, 0]]))!;

describe("timeline", () => {
  it("decodes the record's columns", () => {
    expect(t.n).toBe(5);
    expect(t.end).toBe(100);
    expect(Array.from(t.depth)).toEqual([0, 1, 2, 1, 0]);
    expect(decodeTimeline({ step: 1, wall: 0, meta: {}, parts: [] })).toBeNull();
  });
  it("lays lanes out as rows, one per nesting depth", () => {
    expect(layoutLanes(t)).toEqual([{ lane: 0, row0: 0, rows: 3 }, { lane: 1, row0: 3, rows: 1 }]);
  });
  it("hits the event under the pointer on its row", () => {
    const lanes = layoutLanes(t);
    expect(hit(t, lanes, 1, 15, 0)).toBe(1);
    expect(hit(t, lanes, 1, 45, 0)).toBe(-1);
    expect(hit(t, lanes, 1, 43, 6)).toBe(1);
    expect(hit(t, lanes, 2, 14, 0)).toBe(2);
    expect(hit(t, lanes, 3, 30, 0)).toBe(4);
    expect(hit(t, lanes, 9, 30, 0)).toBe(-1);
  });
  it("zooms around the pointer and pans, inside the trace", () => {
    expect(zoom(0, 100, 50, 0.5, 100)).toEqual([25, 75]);
    expect(zoom(0, 100, 0, 0.5, 100)).toEqual([0, 50]);
    expect(zoom(25, 75, 50, 4, 100)).toEqual([0, 100]);
    expect(pan(0, 50, 30, 100)).toEqual([30, 80]);
    expect(pan(0, 50, 80, 100)).toEqual([50, 100]);
    expect(pan(10, 60, -30, 100)).toEqual([0, 50]);
  });
  it("searches names and colours them stably", () => {
    expect(Array.from(searchMask(t, "CONV")!)).toEqual([0, 1, 0, 0, 1]);
    expect(searchMask(t, " ")).toBeNull();
    expect(nameColor("aten::mm")).toBe(nameColor("aten::mm"));
    expect(nameColor("aten::mm")).not.toBe(nameColor("aten::add"));
  });
});
