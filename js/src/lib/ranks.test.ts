import { describe, expect, it } from "vitest";
import { rankReport, RankGroup, SETTLE_MS, STOPPED_S } from "./ranks";
import { ScalarData } from "./series";

function series(rank: number, points: [number, number, number][]): ScalarData {
  const s = new ScalarData(rank, "exp", "loss");
  s.append(points.map((p) => p[0]), points.map((p) => p[1]), points.map((p) => p[2]));
  return s;
}

function more(s: ScalarData, points: [number, number, number][]): void {
  s.append(points.map((p) => p[0]), points.map((p) => p[1]), points.map((p) => p[2]));
}

const arr = (a: Float64Array | Int32Array, n: number) => [...a.subarray(0, n)];

describe("RankGroup", () => {
  it("folds ranks into mean, min and max per step, with the ranks holding them", () => {
    const g = new RankGroup("exp", "loss");
    g.add(0, series(0, [[0, 1, 10], [1, 2, 11]]));
    g.add(1, series(1, [[0, 3, 10.5], [1, 0, 11.2]]));
    g.add(2, series(2, [[0, 2, 10.1], [1, 1, 11.1]]));
    expect(g.update(0)).toBe(true);
    expect(arr(g.mean.steps, g.mean.n)).toEqual([0, 1]);
    expect(arr(g.mean.values, g.mean.n)).toEqual([2, 1]);
    expect(arr(g.lo.values, g.lo.n)).toEqual([1, 0]);
    expect(arr(g.hi.values, g.hi.n)).toEqual([3, 2]);
    expect(arr(g.loRank, 2)).toEqual([0, 1]);
    expect(arr(g.hiRank, 2)).toEqual([1, 0]);
    expect(arr(g.count, 2)).toEqual([3, 3]);
    // the time of a step is when its last rank logged it
    expect(arr(g.mean.walls, 2)).toEqual([10.5, 11.2]);
  });

  it("waits for every rank before drawing a step, then settles steps a rank never sends", () => {
    const g = new RankGroup("exp", "loss");
    const a = series(0, [[0, 1, 0]]);
    const b = series(1, []);
    g.add(0, a);
    g.add(1, b);
    expect(g.update(0)).toBe(false);
    expect(g.mean.n).toBe(0);
    expect(g.waiting).toBe(1);
    more(b, [[0, 3, 0]]);
    expect(g.update(10)).toBe(true);
    expect(arr(g.mean.values, 1)).toEqual([2]);
    more(a, [[1, 5, 1]]); // rank 1 never logs step 1 (it stopped)
    g.update(20);
    expect(g.mean.n).toBe(1);
    expect(g.settle(20 + SETTLE_MS - 1)).toBe(false);
    expect(g.settle(20 + SETTLE_MS)).toBe(true);
    expect(arr(g.mean.values, 2)).toEqual([2, 5]);
    expect(g.count[1]).toBe(1);
  });

  it("only appends while ranks keep step (a chart's caches stay incremental)", () => {
    const g = new RankGroup("exp", "loss");
    const a = series(0, []), b = series(1, []);
    g.add(0, a);
    g.add(1, b);
    const epoch = g.mean.epoch;
    for (let step = 0; step < 50; step++) {
      more(a, [[step, step, step]]);
      g.update(step);
      more(b, [[step, -step, step + 0.1]]);
      g.update(step + 0.5);
    }
    expect(g.mean.n).toBe(50);
    expect(g.mean.epoch).toBe(epoch);
    expect(g.mean.values[49]).toBe(0);
    expect(g.hi.values[49]).toBe(49);
  });

  it("refolds when a point arrives for a step already drawn, or a rank's series is reset", () => {
    const g = new RankGroup("exp", "loss");
    const a = series(0, [[0, 1, 0], [1, 1, 1]]), b = series(1, [[0, 3, 0]]);
    g.add(0, a);
    g.add(1, b);
    g.update(0);
    g.settle(SETTLE_MS); // step 1 drawn with rank 0 only
    expect(arr(g.mean.values, 2)).toEqual([2, 1]);
    more(b, [[1, 5, 1]]); // rank 1's step 1 arrives late
    expect(g.update(SETTLE_MS + 1)).toBe(true);
    expect(arr(g.mean.values, g.mean.n)).toEqual([2, 3]);
    b.truncate(0); // purge: rank 1 starts over
    more(b, [[0, 7, 2]]);
    g.update(SETTLE_MS + 2);
    expect(arr(g.hi.values, g.hi.n)).toEqual([7, 1]);
  });

  it("a non-finite value on any rank marks the step non-finite, the band keeps the finite ranks", () => {
    const g = new RankGroup("exp", "loss");
    g.add(0, series(0, [[0, NaN, 0]]));
    g.add(1, series(1, [[0, 4, 0]]));
    g.update(0);
    expect(Number.isNaN(g.mean.values[0])).toBe(true);
    expect(g.lo.values[0]).toBe(4);
    expect(g.hi.values[0]).toBe(4);
  });
});

describe("rankReport", () => {
  function job(lagOf2: number, stop3At: number | null): RankGroup[] {
    const g = new RankGroup("exp", "loss"), t = new RankGroup("exp", "time/step");
    for (let r = 0; r < 4; r++) {
      const pts: [number, number, number][] = [], tp: [number, number, number][] = [];
      for (let step = 0; step < 30; step++) {
        if (stop3At !== null && r === 3 && step > stop3At) break;
        const wall = 100 + step + (r === 2 ? lagOf2 : r * 0.001);
        pts.push([step, 1 / (step + 1), wall]);
        tp.push([step, 0.1, wall + 0.01]);
      }
      g.add(r, series(r, pts));
      t.add(r, series(r, tp));
    }
    g.update(0);
    t.update(0);
    g.settle(SETTLE_MS);
    t.settle(SETTLE_MS);
    return [g, t];
  }

  it("names the rank that logs each step last, by its median lag", () => {
    const rep = rankReport("exp", job(0.25, null), new Map(), 0);
    expect(rep.ranks.map((r) => r.rank)).toEqual([0, 1, 2, 3]);
    expect(rep.slowest?.rank).toBe(2);
    expect(rep.slowest?.lag).toBeCloseTo(0.25, 6);
    expect(rep.steps).toBe(20);
    expect(rep.ranks.every((r) => !r.stopped)).toBe(true);
    expect(rep.maxStep).toBe(29);
  });

  it("has no slowest rank when ranks log within 5 ms", () => {
    const rep = rankReport("exp", job(0.002, null), new Map(), 0);
    expect(rep.slowest).toBeNull();
  });

  it("calls a rank stopped once it is behind and silent for STOPPED_S of page time", () => {
    const groups = job(0, 17);
    const arrived = new Map([[0, 0], [1, 0], [2, 0], [3, 0]]);
    const early = rankReport("exp", groups, arrived, STOPPED_S * 1000 - 1);
    expect(early.ranks.some((r) => r.stopped)).toBe(false);
    const rep = rankReport("exp", groups, arrived, STOPPED_S * 1000);
    expect(rep.ranks.filter((r) => r.stopped).map((r) => [r.rank, r.lastStep, r.lastWall])).toEqual([[3, 17, 117.003 + 0.01]]);
  });
});
