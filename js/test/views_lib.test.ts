// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { buckets, compressHistogram, distXs, extentOf, NORMAL_BPS, overlay, rebin, ridgeline, sampleIndices } from "../src/lib/histogram";
import { FULL_PR, prPoints, nearestPoint, zoomDomain } from "../src/lib/prcurve";
import { adjustChannel, boxRects, cssFilter } from "../src/lib/imageadjust";
import { renderMarkdown } from "../src/lib/markdown";
import { columns, filterSessions, inBrushes, parseRange, sortSessions, type Session } from "../src/lib/hparamstable";
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
    expect(nearestPoint(p, 0.62, 0.7)?.threshold).toBe(0.5);
    expect(nearestPoint([], 0, 0)).toBeNull();
  });
});

describe("image adjustments", () => {
  it("maps brightness/contrast to a CSS filter and per-pixel values", () => {
    expect(cssFilter(1, 1)).toBe("");
    expect(cssFilter(1.5, 0.5)).toBe("brightness(1.5) contrast(0.5)");
    expect(adjustChannel(100, 1, 1)).toBe(100);
    expect(adjustChannel(200, 2, 1)).toBe(255);
    expect(adjustChannel(0, 1, 0)).toBe(128);
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
    // in data units (0.5, 0.5) is nearer the first point; on a chart 10x taller than wide it is the second
    expect(nearestPoint(pts, 0.55, 0.5)!.threshold).toBe(1);
    expect(nearestPoint(pts, 0.75, 0.55)!.threshold).toBe(0);
    expect(nearestPoint(pts, 0.75, 0.55, 1, 0.01)!.threshold).toBe(0);
    expect(nearestPoint(pts, 0.75, 0.59, 1, 0.01)!.threshold).toBe(1);
  });
});

describe("hparams brushes", () => {
  const pos: Record<string, number | null> = { lr: 0.2, acc: 0.9, opt: null };
  const at = (k: string) => pos[k] ?? null;
  it("passes everything with no brushes and needs every brush to hold", () => {
    expect(inBrushes(at, {})).toBe(true);
    expect(inBrushes(at, { lr: [0, 0.5] })).toBe(true);
    expect(inBrushes(at, { lr: [0, 0.5], acc: [0.95, 1] })).toBe(false);
    expect(inBrushes(at, { acc: [1, 0.8] })).toBe(true); // dragged downwards
    expect(inBrushes(at, { lr: [0.2, 0.2] })).toBe(true); // edges count
  });
  it("fails a session with no value on a brushed axis", () => {
    expect(inBrushes(at, { opt: [0, 1] })).toBe(false);
  });
});
