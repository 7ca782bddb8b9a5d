import { describe, expect, it } from "vitest";
import { f64, num, RecordData } from "./records";

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
  it("keeps the latest list of unreadable files, as text, and says the structure changed", () => {
    const d = new RecordData();
    const seen: boolean[] = [];
    d.subscribe((_c, structural) => seen.push(structural));
    d.apply({ type: "records", series: [], problems: [{ run: "r", kind: "pytorch_profiler", file: "a.json", message: "a.json: truncated" }, { run: 7 }] }, []);
    expect(d.problems).toEqual([{ run: "r", kind: "pytorch_profiler", file: "a.json", message: "a.json: truncated" },
      { run: "7", kind: "", file: "", message: "" }]);
    d.apply({ type: "records", series: [] }, []); // no list: the one held stays
    expect(d.problems).toHaveLength(2);
    d.apply({ type: "records", series: [], problems: [] }, []); // all readable again
    expect(d.problems).toEqual([]);
    expect(seen).toEqual([true, false, true]);
  });
});
