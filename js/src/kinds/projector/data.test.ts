import { describe, expect, it } from "vitest";
import {
  CATEGORICAL,
  colorize,
  compileSearch,
  fitUnit,
  hexRgb,
  isContinuous,
  nearest,
  OTHER,
  fmtNum,
  PickGrid,
  pointStates,
  PointState,
  searchMask,
  viridis,
  type ColumnSpec,
} from "./data";

const col = (categories: string[], counts: number[], numeric = false): ColumnSpec => ({ name: "c", categories, counts, numeric });

describe("fitUnit", () => {
  it("centres and scales 2-D by the larger half-extent, zeroing z", () => {
    const src = new Float32Array([0, 0, 5, 10, 2, 7, 4, 1, NaN]);
    const out = fitUnit(src, 3, 3, 2);
    [-1, -0.2, 0, 1, 0.2, 0].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    expect(out[8]).toBe(0);
  });
  it("keeps every 3-D point inside the unit sphere, one on it", () => {
    const src = new Float32Array(300).map((_, i) => Math.sin(i * 1.7) * (i % 7));
    const out = fitUnit(src, 100, 3, 3);
    let max = 0;
    for (let i = 0; i < 100; i++) max = Math.max(max, Math.hypot(out[i * 3], out[i * 3 + 1], out[i * 3 + 2]));
    expect(max).toBeCloseTo(1, 5);
  });
});

describe("colorize", () => {
  it("gives numeric categories palette colours in value order", () => {
    const codes = new Int32Array([0, 1, 2, 1]);
    const { rgb, coloring } = colorize(col(["0", "1", "2"], [1, 2, 1], true), codes, 4);
    expect(coloring.kind).toBe("categorical");
    expect([...rgb.slice(3, 6)]).toEqual(hexRgb(CATEGORICAL[1]));
    if (coloring.kind === "categorical") expect(coloring.entries.map((e) => e.label)).toEqual(["0", "1", "2"]);
  });
  it("ranks text categories by frequency and folds the tail into 'other'", () => {
    const cats = Array.from({ length: 30 }, (_, i) => `w${i}`);
    const counts = cats.map((_, i) => i + 1); // w29 most frequent
    const codes = new Int32Array([29, 0]);
    const { rgb, coloring } = colorize(col(cats, counts), codes, 2);
    expect([...rgb.slice(0, 3)]).toEqual(hexRgb(CATEGORICAL[0]));
    expect([...rgb.slice(3, 6)]).toEqual(hexRgb(OTHER));
    if (coloring.kind !== "categorical") throw new Error("expected categorical");
    expect(coloring.entries).toHaveLength(20);
    expect(coloring.entries[19].other).toBe(true);
    expect(coloring.entries[19].count).toBe(counts.slice(0, 11).reduce((a, b) => a + b, 0));
  });
  it("uses a continuous colormap for many numeric values", () => {
    const cats = Array.from({ length: 50 }, (_, i) => String(i / 10));
    const spec = col(cats, cats.map(() => 1), true);
    expect(isContinuous(spec)).toBe(true);
    const { rgb, coloring } = colorize(spec, new Int32Array([0, 49]), 2);
    expect(coloring).toMatchObject({ kind: "continuous", min: 0, max: 4.9 });
    expect([...rgb.slice(0, 3)]).toEqual(viridis(0));
    expect([...rgb.slice(3, 6)]).toEqual(viridis(1));
  });
});

describe("search", () => {
  it("compiles case-insensitive regexes and reports bad ones", () => {
    expect(compileSearch("  ")).toBeNull();
    expect((compileSearch("CAT") as RegExp).test("cat")).toBe(true);
    expect(compileSearch("(")).toHaveProperty("error");
  });
  it("matches per distinct value, in one or all columns", () => {
    const cols = [col(["cat", "dog"], [2, 1]), col(["x", "cat"], [1, 2])];
    const codes = new Int32Array([0, 1, 0, /* col 2 */ 0, 1, 1]);
    expect([...searchMask(/cat/, cols, codes, 3).mask]).toEqual([1, 1, 1]);
    expect([...searchMask(/cat/, cols, codes, 3, 0).mask]).toEqual([1, 0, 1]);
    expect(searchMask(/^dog$/, cols, codes, 3).count).toBe(1);
  });
});

describe("nearest", () => {
  it("finds the k nearest rows by euclidean and cosine distance, excluding the query", () => {
    const v = new Float32Array([0, 0, 1, 0, 0, 2, 5, 5, 10, 0]);
    const e = nearest(v, 5, 2, 0, 3);
    expect(e.index).toEqual([1, 2, 3]);
    expect(e.dist[0]).toBeCloseTo(1);
    const c = nearest(v, 5, 2, 1, 2, "cosine");
    expect(c.index).toEqual([4, 3]); // (10,0) is parallel to (1,0), then (5,5) at 45°
    expect(c.dist[0]).toBeCloseTo(0);
  });
  it("copes with k larger than the data", () => {
    expect(nearest(new Float32Array([1, 2]), 2, 1, 0, 10).index).toEqual([1]);
  });
});

describe("PickGrid", () => {
  it("picks the point under the cursor through a view-projection matrix", () => {
    const pos = new Float32Array([0, 0, 0, 0.5, 0.5, 0, -0.5, 0, 0]);
    const g = new PickGrid(3);
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    g.build(pos, identity, 200, 100, null);
    expect(g.pick(100, 50, 5)).toBe(0);
    expect(g.pick(152, 26, 5)).toBe(1);
    expect(g.pick(10, 10, 5)).toBe(-1);
    g.build(pos, identity, 200, 100, new Uint8Array([0, 1, 1]));
    expect(g.pick(100, 50, 5)).toBe(-1);
  });
});

describe("pointStates", () => {
  it("dims the rest when something is in focus, hides outside the isolated set", () => {
    const s = pointStates(5, new Uint8Array([1, 0, 0, 0, 0]), 2, [3], new Uint8Array([1, 1, 1, 1, 0]));
    expect([...s]).toEqual([PointState.Match, PointState.Dim, PointState.Selected, PointState.Neighbour, PointState.Hidden]);
    expect([...pointStates(2, null, -1, [], null)]).toEqual([0, 0]);
  });
});

describe("fmtNum", () => {
  it("groups integers and shortens the rest", () => {
    expect(fmtNum(1_000_000)).toBe("1,000,000");
    expect(fmtNum(12.04)).toBe("12.04");
    expect(fmtNum(0.00012)).toBe("1.20e-4");
  });
  it("keeps the integer digits of non-integers in the thousands", () => {
    expect(fmtNum(1230.4)).toBe("1,230");
    expect(fmtNum(1500.2)).toBe("1,500");
    expect(fmtNum(2000.3)).toBe("2,000");
    expect(fmtNum(99999.5)).toBe("100,000");
    expect(fmtNum(12.5)).toBe("12.5");
    expect(fmtNum(0.000123)).toBe("1.23e-4");
    expect(fmtNum(1e7)).toBe("10,000,000");
    expect(fmtNum(1e7 + 0.5)).toBe("1.00e+7");
  });
});
