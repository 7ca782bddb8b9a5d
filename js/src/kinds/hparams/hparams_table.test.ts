import { describe, expect, it } from "vitest";
import { escapeRegex } from "../../lib/format";
import { axisScale, brushFromPositions, brushSpan, columns, filterSessions, inBrushes, loadBrushes, parseRange, sortSessions, type Session } from "./hparams_table";

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
