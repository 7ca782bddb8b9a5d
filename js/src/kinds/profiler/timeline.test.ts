import { describe, expect, it } from "vitest";
import { ancestors, decodeTimeline, flowGeometry, flowLines, flowLinks, focusWindow, hit, layoutLanes, nameColor, nextMatch, pan, rowIndex, rowRuns, searchMask, zoom, type Timeline } from "./timeline";

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

// a CUDA step: lane 0 the host (step > aten::mm > cudaLaunchKernel), lane 1 the GPU stream (a kernel);
// an ac2g flow launch → kernel, and a fwdbwd flow aten::mm → MmBackward0
function withFlows(): Timeline {
  const names = ["ProfilerStep#1", "aten::mm", "cudaLaunchKernel", "sgemm", "MmBackward0"];
  // start, dur, name, lane, depth, cat
  const ev = [[0, 100, 0, 0, 0, 2], [10, 30, 1, 0, 1, 1], [12, 5, 2, 0, 2, 7], [20, 10, 3, 1, 0, 4], [60, 20, 4, 0, 1, 1]];
  const col = (k: number) => ev.map((e) => e[k]);
  const part = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const r = {
    step: 1, wall: 0,
    meta: { timeline: { n: ev.length, names, lanes: ["9 / 9", "0 / 7"], cats: ["other", "cpu_op", "user_annotation", "python_function", "kernel", "gpu_memcpy", "gpu_memset", "cuda_runtime"], flow_kinds: ["ac2g", "fwdbwd", "other"] } },
    parts: [part(Float64Array.from(col(0))), part(Float32Array.from(col(1))), ...[2, 3, 4, 5].map((k) => part(Int32Array.from(col(k)))),
      part(Int32Array.from([2, 1])), part(Int32Array.from([3, 4])), part(Int32Array.from([0, 1]))],
  };
  return decodeTimeline(r)!;
}

describe("flows", () => {
  const f = withFlows();
  const rowOf = new Map(layoutLanes(f).map((l) => [l.lane, l.row0]));
  const geo = { left: 100, width: 100, top: 20, rowH: 10 };
  it("decodes them, and a record without them has none", () => {
    expect(Array.from(f.flowSrc)).toEqual([2, 1]);
    expect(f.flowKinds[f.flowKind[1]]).toBe("fwdbwd");
    expect(t.flowSrc.length).toBe(0);
  });
  it("places arrows from the start of one event to the start of the other, at their rows", () => {
    // rows: lane 0 has depths 0..2 (rows 0-2), lane 1 row 3; 1 µs = 1 px
    const all = flowLines(f, rowOf, 0, 100, geo);
    expect(all.count).toBe(2);
    expect(Array.from(all.lines)).toEqual([112, 45, 120, 55, 110, 35, 160, 35]);
    expect(Array.from(all.kinds)).toEqual([0, 1]);
    // zoomed to [50, 100]: the launch and kernel are out of view; the backward op is in view
    const late = flowLines(f, rowOf, 50, 100, geo);
    expect(late.inView).toBe(1);
    expect(Array.from(late.lines)).toEqual([100 + (10 - 50) * 2, 35, 100 + (60 - 50) * 2, 35]);
    expect(flowLines(f, rowOf, 85, 95, geo).inView).toBe(0); // neither end of either flow in view
    expect(flowLines(f, rowOf, 0, 100, geo, 1).count).toBe(1);
  });
  it("keeps each flow's ends in flow order, once per layout of the lanes", () => {
    const g = flowGeometry(f, rowOf);
    expect([Array.from(g.s0), Array.from(g.e0), Array.from(g.r0)]).toEqual([[12, 10], [17, 40], [2, 1]]);
    expect([Array.from(g.s1), Array.from(g.r1)]).toEqual([[20, 60], [3, 1]]);
    expect(flowGeometry(f, rowOf)).toBe(g);
    expect(flowGeometry(f, new Map(rowOf))).not.toBe(g);
  });
  it("skips arrows landing on the pixels of one already drawn", () => {
    const g = { ...f, flowSrc: Int32Array.from([2, 2]), flowDst: Int32Array.from([3, 3]), flowKind: Int32Array.from([0, 0]) };
    const r = flowLines(g, rowOf, 0, 100, geo);
    expect([r.count, r.inView]).toEqual([1, 2]);
    // events 1 and 4 on one row, both flowing to event 3: starting 1 px apart (one 4-px column) they
    // are one arrow; 6 px apart, two
    const near = { ...f, start: Float64Array.from([0, 10, 12, 20, 11]), flowSrc: Int32Array.from([1, 4]), flowDst: Int32Array.from([3, 3]), flowKind: Int32Array.from([0, 0]) };
    expect(flowLines(near, rowOf, 0, 100, geo)).toMatchObject({ count: 1, inView: 2 });
    const far = { ...near, start: Float64Array.from([0, 10, 12, 20, 16]) };
    expect(flowLines(far, rowOf, 0, 100, geo).count).toBe(2);
  });
  it("says what an event's flows link it to", () => {
    expect(ancestors(f, 2)).toEqual([1, 0]);
    expect(flowLinks(f, 3)).toEqual([{ rel: "launched by", other: 2, via: 1 }]);
    expect(flowLinks(f, 2)).toEqual([{ rel: "launched", other: 3, via: -1 }]);
    // the op holding the launch launched the kernel too, and its backward op is linked
    expect(flowLinks(f, 1)).toEqual([{ rel: "launched", other: 3, via: 2 }, { rel: "backward", other: 4, via: -1 }]);
    expect(flowLinks(f, 4)).toEqual([{ rel: "backward of", other: 1, via: -1 }]);
    expect(flowLinks(f, 0)).toEqual([{ rel: "launched", other: 3, via: 2 }]);
  });
  it("steps through search matches by start time, wrapping round", () => {
    const m = searchMask(f, "m")!; // aten::mm (10 µs), sgemm (20), MmBackward0 (60)
    expect(nextMatch(f, m, -1)).toBe(1);
    expect(nextMatch(f, m, 1)).toBe(3);
    expect(nextMatch(f, m, 3)).toBe(4);
    expect(nextMatch(f, m, 4)).toBe(1);
    expect(nextMatch(f, m, 0)).toBe(1);
    expect(nextMatch(f, new Uint8Array(f.n), -1)).toBe(-1);
  });
  it("jumps to an event: centred in the window, zoomed out when wider than it", () => {
    expect(focusWindow(0, 10, 60, 62, 100)).toEqual([56, 66]);
    expect(focusWindow(0, 10, 95, 99, 100)).toEqual([90, 100]);
    expect(focusWindow(0, 10, 20, 40, 100)).toEqual([10, 50]);
  });
});

describe("level of detail", () => {
  // one lane, one row: a wide event, then 20 events of 0.1 µs every 0.2 µs, then a wide one
  const ev: [number, number, number, number, number][] = [[0, 10, 0, 0, 0]];
  for (let k = 0; k < 20; k++) ev.push([10 + 0.2 * k, k === 7 ? 0.15 : 0.1, 1, 0, 0]);
  ev.push([20, 10, 2, 0, 0]);
  const d = decodeTimeline(rec(ev.slice().reverse()))!; // trace order need not be time order
  const idx = rowIndex(d, new Map([[0, 0]]), 1);
  it("orders each row's events by start", () => {
    expect(Array.from(idx.starts)).toEqual(ev.map((e) => e[0]));
    expect(idx.maxDur[0]).toBe(10);
  });
  it("merges sub-pixel neighbours into one run shown as their longest event", () => {
    const out: number[] = [];
    rowRuns(d, idx, 0, 0, 30, 0, 1, null, out); // 1 px per µs
    expect(out.length / 5).toBe(3);
    expect([out[0], out[1], out[3]]).toEqual([0, 10, 1]);
    expect(out[5]).toBeCloseTo(10);
    expect(out[8]).toBe(20); // 20 merged, shown as the 0.15 µs one (index 21 - 1 - 7 after the reversal)
    expect(d.dur[out[7]]).toBeCloseTo(0.15);
    expect([out[10], out[13]]).toEqual([20, 1]);
  });
  it("zoomed in, draws each event alone and only those in the window", () => {
    const out: number[] = [];
    rowRuns(d, idx, 0, 9, 12, 0, 100, null, out); // 100 px per µs: every small event ≥ 1 px
    expect(out.length / 5).toBe(1 + 11); // the first wide one (ends at 10) and the eleven starting from 10 to 12
    expect(out[0]).toBe(0);
  });
  it("merges whole blocks of sub-pixel events into the same runs as event by event", () => {
    // 3 rows of 3000 events each: bursts of tiny events between longer ones, one negative duration
    let seed = 5;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const big: [number, number, number, number, number][] = [];
    for (let r = 0; r < 3; r++) {
      let t = 0;
      for (let k = 0; k < 3000; k++) {
        const tiny = rnd() < 0.9;
        const dur = k === 1234 ? -1 : tiny ? Math.floor(rnd() * 5) / 10 : 5 + rnd() * 50; // ties among the tiny
        big.push([t, dur, k % 4, 0, r]);
        t += tiny ? rnd() * 0.3 : dur + rnd() * 3;
      }
    }
    const bd = decodeTimeline(rec(big))!;
    const fast = rowIndex(bd, new Map([[0, 0]]), 3);
    const plain = { ...fast, blocks: undefined };
    const sparse = new Uint8Array(bd.n).map(() => (rnd() < 0.004 ? 1 : 0)); // most blocks hold no match
    const masks = [null, searchMask(bd, "conv2d"), sparse];
    let merged = 0;
    for (const [t0, t1, scale] of [[0, 30000, 0.04], [0, 30000, 0.3], [1000, 1500, 2], [1200, 1210, 50], [-5, 40000, 0.001]]) {
      for (const mask of masks) {
        for (let r = 0; r < 3; r++) {
          const a: number[] = [], b: number[] = [];
          rowRuns(bd, fast, r, t0, t1, 150, scale, mask, a);
          rowRuns(bd, plain, r, t0, t1, 150, scale, mask, b);
          expect(a).toEqual(b);
          for (let k = 3; k < a.length; k += 5) merged = Math.max(merged, a[k]);
        }
      }
    }
    expect(merged).toBeGreaterThan(100); // blocks were merged
  });
  it("keeps the search: a merged run matches when any of its events does", () => {
    const mask = new Uint8Array(d.n);
    mask[d.n - 1 - 8] = 1; // one of the small ones
    const out: number[] = [];
    rowRuns(d, idx, 0, 0, 30, 0, 1, mask, out);
    expect([out[4], out[9], out[14]]).toEqual([0, 1, 0]);
  });
});
