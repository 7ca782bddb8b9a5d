import { describe, expect, it } from "vitest";
import {
  DEFAULT_SHOWN, defaultDir, loadSort, NAME_SORT, sortLabel, sortRuns, tableCaption, tableRows, tickRuns, topK, updateStats,
  virtualWindow, wantsDefault,
} from "./run_table";

const vals: Record<string, number> = { "run10": 0.5, "run2": 0.1, "run1": 0.9, "run3": NaN };

describe("run table sort", () => {
  it("sorts by name in natural order, either way", () => {
    expect(sortRuns(["run10", "run2", "run1"], NAME_SORT, () => undefined)).toEqual(["run1", "run2", "run10"]);
    expect(sortRuns(["run10", "run2", "run1"], { ...NAME_SORT, dir: -1 }, () => undefined)).toEqual(["run10", "run2", "run1"]);
  });

  it("sorts by a value, runs without one last in both directions, ties by name", () => {
    const runs = ["run10", "run2", "run1", "run3", "run4"];
    const up = sortRuns(runs, { tag: "loss", stat: "last", dir: 1 }, (r) => vals[r]);
    expect(up).toEqual(["run2", "run10", "run1", "run3", "run4"]);
    const down = sortRuns(runs, { tag: "loss", stat: "last", dir: -1 }, (r) => vals[r]);
    expect(down).toEqual(["run1", "run10", "run2", "run3", "run4"]);
    expect(sortRuns(["b", "a"], { tag: "t", stat: "min", dir: 1 }, () => 1)).toEqual(["a", "b"]);
  });

  it("loads a saved sort defensively and labels it", () => {
    expect(loadSort(null)).toEqual(NAME_SORT);
    expect(loadSort({ tag: "val/acc", stat: "max", dir: -1 })).toEqual({ tag: "val/acc", stat: "max", dir: -1 });
    expect(loadSort({ tag: 3, stat: "median", dir: 7 })).toEqual(NAME_SORT);
    expect(sortLabel(NAME_SORT)).toBe("name");
    expect(sortLabel({ tag: "val/loss", stat: "min", dir: 1 })).toBe("val/loss (min ↑)");
  });

  it("sorts accuracies high first and losses low first by default", () => {
    expect(defaultDir("val/accuracy")).toBe(-1);
    expect(defaultDir("eval/reward")).toBe(-1);
    expect(defaultDir("train/loss")).toBe(1);
  });
});

describe("series statistics", () => {
  it("keeps last/min/max of finite values incrementally", () => {
    const v = [3, NaN, 1, 5, Infinity, 2];
    const a = updateStats(undefined, v, 3);
    expect(a).toEqual({ n: 3, last: 1, min: 1, max: 3 });
    const b = updateStats(a, v, 6);
    expect(b).toEqual({ n: 6, last: 2, min: 1, max: 5 });
    expect(a.n).toBe(3); // not mutated
    expect(updateStats(b, [7], 1)).toEqual({ n: 1, last: 7, min: 7, max: 7 }); // a restarted series
    expect(updateStats(undefined, [NaN], 1).last).toBeNaN();
  });
});

describe("top k and ticking", () => {
  it("hides every run but the first k in table order", () => {
    expect(topK(["a", "b", "c", "d"], ["c", "a", "d"], 2)).toEqual(["b", "d"]);
    expect(topK(["a", "b"], ["a", "b"], 0)).toEqual(["a", "b"]);
    expect(topK(["a", "b"], ["b", "a"], 5)).toEqual([]);
  });

  it("ticks or unticks a set of runs, leaving the others", () => {
    expect(tickRuns(["a", "b"], ["a", "c"], true)).toEqual(["c"]);
    expect(tickRuns(["a", "b"], ["c"], false)).toEqual(["a", "b", "c"]);
  });

  it("applies the default selection only to a big sweep nobody picked in", () => {
    expect(wantsDefault(undefined, [], DEFAULT_SHOWN + 1)).toBe(true);
    expect(wantsDefault(undefined, [], DEFAULT_SHOWN)).toBe(false);
    expect(wantsDefault(0, [], 1000)).toBe(false);
    expect(wantsDefault(undefined, ["r1"], 1000)).toBe(false);
  });

  it("says what is drawn and why", () => {
    expect(tableCaption(20, 1000, 20, true, "name")).toBe("20 of 1,000 runs drawn: the first 20 by name (tick or All for more)");
    expect(tableCaption(5, 1000, 5, false, "loss (last ↑)")).toBe("5 of 1,000 runs drawn: top 5 by loss (last ↑)");
    expect(tableCaption(3, 3, 0, false, "name")).toBe("3 of 3 runs shown");
  });
});

describe("grouping", () => {
  const hp: Record<string, string | number | null> = { a: "adam", b: "sgd", c: "adam", d: null };
  it("lists runs under a heading per value, in table order, with the ticked count", () => {
    const rows = tableRows(["d", "c", "b", "a"], (r) => r !== "c", (r) => hp[r]);
    expect(rows.map((r) => (r.type === "group" ? `[${r.label} ${r.on}/${r.runs.length}]` : r.run))).toEqual([
      "[adam 1/2]", "c", "a", "[sgd 1/1]", "b", "[(none) 1/1]", "d",
    ]);
  });

  it("orders numeric values ascending, and lists plain rows without grouping", () => {
    const lr: Record<string, number> = { x: 0.1, y: 0.01, z: 0.1 };
    const rows = tableRows(["x", "y", "z"], () => true, (r) => lr[r]);
    expect(rows.filter((r) => r.type === "group").map((r) => (r.type === "group" ? r.label : ""))).toEqual(["0.01", "0.1"]);
    expect(tableRows(["x"], () => false)).toEqual([{ type: "run", run: "x", on: false }]);
  });
});

describe("virtual window", () => {
  it("draws the rows in view plus overscan, spacers for the rest", () => {
    expect(virtualWindow(0, 100, 20, 1000, 2)).toEqual({ start: 0, end: 7, padTop: 0, padBottom: 993 * 20 });
    expect(virtualWindow(2000, 100, 20, 1000, 2)).toEqual({ start: 98, end: 107, padTop: 98 * 20, padBottom: 893 * 20 });
    expect(virtualWindow(1e9, 100, 20, 10, 2)).toEqual({ start: 10, end: 10, padTop: 200, padBottom: 0 });
    expect(virtualWindow(0, 100, 20, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});
