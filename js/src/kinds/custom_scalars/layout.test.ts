import { describe, expect, it } from "vitest";
import { ScalarData } from "../../lib/series";
import { chartLines, linesChanged, mergedLayout } from "./layout";

function series(run: string, tag: string, n: number, f: (i: number) => number, step = (i: number) => i): ScalarData {
  const s = new ScalarData(0, run, tag);
  const steps = new Float64Array(n), values = new Float64Array(n), walls = new Float64Array(n);
  for (let i = 0; i < n; i++) { steps[i] = step(i); values[i] = f(i); walls[i] = 1000 + i; }
  s.append(steps, values, walls);
  return s;
}

function byTag(list: ScalarData[]) {
  const m = new Map<string, Map<string, ScalarData>>();
  for (const s of list) {
    if (!m.has(s.tag)) m.set(s.tag, new Map());
    m.get(s.tag)!.set(s.run, s);
  }
  return m;
}

describe("custom scalar charts", () => {
  it("merge layouts and pick their series", () => {
    const layout = { custom_scalars: { categories: [{ title: "T", charts: [{ title: "losses", kind: "Multiline", tags: ["loss/.*"] }, { title: "band", kind: "Margin", tags: ["acc", "lo", "hi"] }] }] } };
    const [cat] = mergedLayout(new Map([["a", layout], ["b", layout]]));
    expect(cat.charts.map((c) => c.kind)).toEqual(["Multiline", "Margin"]);
    const all = ["a", "b"].flatMap((r) => ["loss/train", "loss/eval", "acc", "lo", "hi", "other"].map((t) => series(r, t, 3, (i) => i)));
    const data = byTag(all);
    const multi = chartLines(cat.charts[0], data, () => true);
    expect(multi.map((l) => l.label)).toEqual(["a: loss/eval", "b: loss/eval", "a: loss/train", "b: loss/train"]);
    const margin = chartLines(cat.charts[1], data, (r) => r === "b");
    expect(margin.map((l) => [l.label, l.role])).toEqual([["b: acc", "value"], ["b: lo", "lower"], ["b: hi", "upper"]]);
    expect(linesChanged(margin, new Set([data.get("hi")!.get("b")]))).toBe(true);
    expect(linesChanged(margin, new Set([data.get("hi")!.get("a"), data.get("other")!.get("b")]))).toBe(false);
  });
});
