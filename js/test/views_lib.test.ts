// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { buckets, compressHistogram, distXs, extentOf, NORMAL_BPS, overlay, rebin, ridgeline, sampleIndices, timeValues } from "../src/lib/histogram";
import { FULL_PR, prPoints, nearestPoint, zoomDomain } from "../src/lib/prcurve";
import { boxRects, cssFilter } from "../src/lib/imageadjust";
import { renderMarkdown } from "../src/lib/markdown";
import { axisScale, brushFromPositions, brushSpan, columns, escapeRegex, filterSessions, inBrushes, loadBrushes, parseRange, sortSessions, type Session } from "../src/lib/hparamstable";
import { RecordData, RecordSeries, f64, num, type Rec } from "../src/lib/records";
import { mountGrid, StepCard } from "../src/lib/viewkit";
import { meshParts, meshSamples } from "../src/lib/mesh";

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

describe("image adjustments", () => {
  it("maps brightness/contrast to a CSS filter", () => {
    expect(cssFilter(1, 1)).toBe("");
    expect(cssFilter(1.5, 0.5)).toBe("brightness(1.5) contrast(0.5)");
  });
  it("places xyxy boxes in percent of the image", () => {
    const [r] = boxRects([[10, 20, 30, 60]], ["cat"], 100, 200);
    expect(r).toEqual({ left: 10, top: 10, width: 20, height: 20, label: "cat" });
    expect(boxRects([[30, 60, 10, 20]], null, 100, 200)[0].left).toBe(10);
  });
});

describe("markdown", () => {
  it("renders tables and sanitises scripts, handlers and javascript: links", () => {
    const html = renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))");
    expect(html).toContain("<table>");
    expect(html).toContain("<td>1</td>");
    expect(html).not.toMatch(/onerror|<script|javascript:/i);
  });
  it("opens links in a new tab without an opener", () => {
    const html = renderMarkdown("[site](https://example.com)");
    expect(html).toContain('target="_blank"');
    expect(html).toContain("noopener");
  });
});

describe("hparams table", () => {
  const s: Session[] = [
    { run: "a", hparams: { lr: 0.1, opt: "adam" }, metrics: { acc: 0.9 } },
    { run: "b", hparams: { lr: 0.01, opt: "sgd" }, metrics: { acc: 0.7 } },
    { run: "c", hparams: { lr: 1, opt: "adam" }, metrics: { acc: NaN } },
  ];
  it("lists hparam then metric columns, numeric where all numbers", () => {
    expect(columns(s).map((c) => [c.key, c.numeric])).toEqual([["h:lr", true], ["h:opt", false], ["m:acc", true]]);
  });
  it("sorts both ways with NaN last", () => {
    expect(sortSessions(s, "m:acc", 1).map((x) => x.run)).toEqual(["b", "a", "c"]);
    expect(sortSessions(s, "m:acc", -1).map((x) => x.run)).toEqual(["a", "b", "c"]);
    expect(sortSessions(s, "h:opt", 1).map((x) => x.run)).toEqual(["a", "c", "b"]);
  });
  it("filters by text and numeric ranges", () => {
    expect(filterSessions(s, { text: "sgd" }).map((x) => x.run)).toEqual(["b"]);
    expect(filterSessions(s, { ranges: { "h:lr": [0.05, NaN] } }).map((x) => x.run)).toEqual(["a", "c"]);
    expect(parseRange("0.1..0.5")).toEqual([0.1, 0.5]);
    expect(parseRange(">=3")).toEqual([3, NaN]);
    expect(parseRange("abc")).toBeNull();
    expect(filterSessions(s, { text: "d.m" }).map((x) => x.run)).toEqual([]); // the "." is literal: no "adam"
    expect(filterSessions(s, { text: "/d.m/" }).map((x) => x.run)).toEqual(["a", "c"]);
    expect(new RegExp(`^${escapeRegex("a.b (c)*")}$`).test("a.b (c)*")).toBe(true);
  });
});

describe("records wire", () => {
  it("decodes a snapshot then appends a delta; detects gaps", () => {
    const d = new RecordData();
    const buf = new Float64Array([1, 2, 3, 4]).buffer;
    d.apply({ type: "records", series: [[0, "histograms", "r", "t", 0, false, [5], [1.5], [{ min: 0, p: [[0, 16], [16, 16]] }]]] }, [buf]);
    const s = d.series.get(0)!;
    expect(s.recs).toHaveLength(1);
    expect(Array.from(f64(s.recs[0].parts[1]))).toEqual([3, 4]);
    d.apply({ type: "records", series: [[0, "histograms", "r", "t", 1, false, [6], [2], [{ p: [] }]]] }, [new ArrayBuffer(0)]);
    expect(s.recs.map((r) => r.step)).toEqual([5, 6]);
    let asked = 0;
    d.model = { send: () => asked++ };
    d.apply({ type: "records", series: [[0, "histograms", "r", "t", 9, false, [9], [2], [{ p: [] }]]] }, [new ArrayBuffer(0)]);
    expect(s.recs).toHaveLength(2);
    expect(asked).toBe(1);
    expect(d.kindsPresent().has("histograms")).toBe(true);
    expect(d.apply({ type: "scalars" }, [])).toBe(false);
    expect(num("nan")).toBeNaN();
    expect(num("-inf")).toBe(-Infinity);
  });
});

describe("step cards", () => {
  it("show the newest record once, then follow new records", () => {
    const shown: number[] = [];
    class Probe extends StepCard {
      protected show(rec: Rec): void {
        shown.push(rec.step);
      }
    }
    const s = new RecordSeries(0, "text", "r", "t");
    const card = new Probe(s);
    card.update();
    expect(shown).toEqual([]);
    s.recs.push({ step: 1, wall: 0, meta: {}, parts: [] }, { step: 2, wall: 0, meta: {}, parts: [] });
    card.update();
    card.update();
    expect(shown).toEqual([2]);
    s.recs.push({ step: 3, wall: 0, meta: {}, parts: [] });
    card.update();
    expect(shown).toEqual([2, 3]);
    // mounting puts toolbar then grid into the host; dispose tears both down
    const host = document.createElement("div");
    const calls: string[] = [];
    const bar = { bar: document.createElement("nav"), dispose: () => calls.push("bar") };
    const grid = { root: document.createElement("section"), allDirty: () => {}, dispose: () => calls.push("grid") };
    const dispose = mountGrid(host, bar, grid as never, { dispose: () => calls.push("extra") });
    expect([...host.children].map((c) => c.tagName)).toEqual(["NAV", "SECTION"]);
    dispose();
    expect(calls).toEqual(["extra", "grid", "bar"]);
  });
});

describe("mesh batches", () => {
  // two samples of a 3-vertex triangle; faces logged once for the batch, colours per sample
  const verts = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5, 6, 5, 5, 5, 6, 5]);
  const faces = new Int32Array([0, 1, 2]);
  const cols = new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]);
  const rec: Rec = {
    step: 0,
    wall: 0,
    meta: { parts: ["vertices", "faces", "colors"], vertices: [2, 3, 3], faces: [1, 1, 3], colors: [2, 3, 3] },
    parts: [new Uint8Array(verts.buffer), new Uint8Array(faces.buffer), cols],
  };
  it("counts the samples and slices the picked one", () => {
    expect(meshSamples(rec)).toBe(2);
    const p = meshParts(rec, 1);
    expect(Array.from(p.vertices!)).toEqual([5, 5, 5, 6, 5, 5, 5, 6, 5]);
    expect(Array.from(p.colors!)).toEqual([4, 4, 4, 5, 5, 5, 6, 6, 6]);
    expect(Array.from(p.faces!)).toEqual([0, 1, 2]); // a batch of one face set is shared
    expect(p.n).toBe(3);
    expect(p.f).toBe(1);
  });
  it("defaults to the first sample and clamps out-of-range picks", () => {
    expect(Array.from(meshParts(rec).vertices!)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(meshParts(rec, 9).vertices!)).toEqual([5, 5, 5, 6, 5, 5, 5, 6, 5]);
    expect(Array.from(meshParts(rec, -3).colors!)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });
  it("handles a point cloud without faces or colours", () => {
    const pc: Rec = { step: 0, wall: 0, meta: { parts: ["vertices"], vertices: [1, 3, 3], faces: null, colors: null }, parts: [new Uint8Array(verts.buffer, 0, 36)] };
    const p = meshParts(pc);
    expect(p.faces).toBeNull();
    expect(p.colors).toBeNull();
    expect(p.vertices!.length).toBe(9);
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

describe("hparams brushes", () => {
  const ses = (run: string, lr: number | null, opt: string | null, acc: number): Session => ({ run, hparams: { lr, opt }, metrics: { acc } });
  const rows = [ses("a", 0.001, "adam", 0.6), ses("b", 0.01, "sgd", 0.7), ses("c", 0.1, "adam", 0.8), ses("d", 1, "rms", 0.9)];
  const [lrCol, optCol, accCol] = columns(rows);
  it("passes everything with no brushes and needs every brush to hold", () => {
    expect(inBrushes(rows[0], {})).toBe(true);
    expect(inBrushes(rows[0], { "m:acc": { lo: 0.5, hi: 0.6 } })).toBe(true); // edges count
    expect(inBrushes(rows[0], { "m:acc": { lo: 0.5, hi: 0.7 }, "h:opt": { cats: ["sgd"] } })).toBe(false);
    expect(inBrushes(rows[0], { "h:opt": { cats: ["adam", "sgd"] } })).toBe(true);
  });
  it("fails a session with no value on a brushed axis", () => {
    const s = ses("e", null, null, 0.5);
    expect(inBrushes(s, { "h:lr": { lo: 0, hi: 10 } })).toBe(false);
    expect(inBrushes(s, { "h:opt": { cats: ["adam"] } })).toBe(false);
  });
  it("converts a dragged interval to values, on linear, log and categorical axes", () => {
    const acc = axisScale(rows, accCol);
    const b = brushFromPositions(acc, 1, 0.5) as { lo: number; hi: number };
    expect(b.lo).toBeCloseTo(0.75);
    expect(b.hi).toBeCloseTo(0.9);
    const lr = axisScale(rows, lrCol);
    expect(lr.log).toBe(true);
    const lb = brushFromPositions(lr, 1 / 3, 2 / 3) as { lo: number; hi: number };
    expect(lb.lo).toBeCloseTo(0.01);
    expect(lb.hi).toBeCloseTo(0.1);
    expect(rows.filter((r) => inBrushes(r, { "h:lr": lb })).map((r) => r.run)).toEqual(["b", "c"]);
    const opt = axisScale(rows, optCol); // adam 0, rms 0.5, sgd 1
    expect(brushFromPositions(opt, 0.4, 1)).toEqual({ cats: ["rms", "sgd"] });
    expect(brushFromPositions(opt, 0.1, 0.4)).toBeNull(); // between categories
  });
  it("keeps a brush on the same values when the axis is rebuilt from other rows", () => {
    const before = axisScale(rows, accCol); // 0.6..0.9
    const brush = brushFromPositions(before, 0.5, 1)!; // 0.75..0.9: c and d
    const pick = (rs: Session[]) => rs.filter((r) => inBrushes(r, { "m:acc": brush })).map((r) => r.run);
    expect(pick(rows)).toEqual(["c", "d"]);
    // a filter drops "a" (and a new session arrives): the axis now spans 0.7..1.0
    const after = [...rows.slice(1), ses("e", 0.5, "sgd", 1.0)];
    const s2 = axisScale(after, accCol);
    expect(pick(after)).toEqual(["c", "d"]);
    const [p0, p1] = brushSpan(s2, brush)!;
    expect(p0).toBeCloseTo(1 / 6);
    expect(p1).toBeCloseTo(2 / 3);
    // a category brush follows its categories when a new one sorts in between
    const cb = { cats: ["rms", "sgd"] };
    const o2 = axisScale([...rows, ses("f", 1, "lbfgs", 0.5)], optCol); // adam, lbfgs, rms, sgd
    expect(brushSpan(o2, cb)).toEqual([2 / 3 - 1 / 6, 1]);
    expect(brushSpan(o2, { cats: ["gone"] })).toBeNull();
    expect(brushSpan(o2, brush)).toBeNull(); // a numeric brush on a categorical axis
  });
  it("clamps a brush beyond the axis to a sliver at its end", () => {
    expect(brushSpan(axisScale(rows, accCol), { lo: 2, hi: 3 })).toEqual([1, 1]);
    expect(brushSpan(axisScale(rows, lrCol), { lo: -1, hi: 0 })).toEqual([0, 0]); // log axis, values <= 0
  });
  it("reads saved brushes, dropping the old position format", () => {
    expect(loadBrushes({ "m:acc": { lo: 0.9, hi: 0.7 }, "h:opt": { cats: ["adam"] }, "h:lr": [0.2, 0.5], x: null })).toEqual({
      "m:acc": { lo: 0.7, hi: 0.9 },
      "h:opt": { cats: ["adam"] },
    });
    expect(loadBrushes([1, 2])).toEqual({});
    expect(loadBrushes(undefined)).toEqual({});
  });
});
