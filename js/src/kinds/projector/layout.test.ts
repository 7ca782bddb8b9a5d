import { describe, expect, it } from "vitest";
import { cleanParams, LAYOUT_DEFAULTS, runLayout, type LayoutJob, type LayoutReply } from "./layout";
import { clusters, knnAccuracy } from "./testdata";

function job(over: Partial<LayoutJob> = {}): LayoutJob {
  const { x } = clusters(200, 60, 4);
  return { type: "run", method: "tsne", dims: 2, n: 200, m: 60, data: x, params: cleanParams({ iterations: 120 }), interval: 0, ...over };
}

describe("cleanParams", () => {
  it("takes defaults for blanks and clamps the rest", () => {
    expect(cleanParams({})).toEqual(LAYOUT_DEFAULTS);
    const p = cleanParams({ perplexity: "500", iterations: "12.6", neighbors: "", minDist: -1, learningRate: "abc", epochs: 1e9 });
    expect(p.perplexity).toBe(100);
    expect(p.iterations).toBe(13);
    expect(p.neighbors).toBe(LAYOUT_DEFAULTS.neighbors);
    expect(p.minDist).toBe(0);
    expect(p.learningRate).toBe(LAYOUT_DEFAULTS.learningRate);
    expect(p.epochs).toBe(5000);
  });
});

describe("runLayout", () => {
  it("posts phases, then layouts at every step (interval 0) ending done, PCA-reducing wide input", () => {
    const got: LayoutReply[] = [];
    runLayout(job(), (m) => got.push(m));
    expect(got[0]).toEqual({ type: "phase", phase: "neighbours" });
    expect(got[1]).toEqual({ type: "phase", phase: "layout" });
    const prog = got.filter((m) => m.type === "progress");
    expect(prog.length).toBe(121); // the initial layout and one per iteration
    expect(prog.map((m) => m.iter)).toEqual([...Array(121).keys()]);
    const last = prog[prog.length - 1];
    expect(last.done && last.total === 120).toBe(true);
    expect(last.coords.length).toBe(600);
    const { labels } = clusters(200, 60, 4);
    expect(knnAccuracy(last.coords, 200, 3, labels)).toBeGreaterThan(0.95);
  });

  it("throttles posts by time", () => {
    let t = 0;
    const got: LayoutReply[] = [];
    runLayout(job({ method: "umap", params: cleanParams({ epochs: 100 }), interval: 10 }), (m) => got.push(m), () => (t += 1));
    const prog = got.filter((m) => m.type === "progress");
    expect(prog.length).toBeGreaterThan(3);
    expect(prog.length).toBeLessThan(30);
    expect(prog[prog.length - 1].done).toBe(true);
  });

  it("reports bad input as an error message", () => {
    const got: LayoutReply[] = [];
    runLayout(job({ n: 300 }), (m) => got.push(m));
    expect(got[got.length - 1]).toEqual({ type: "error", message: "expected 300×60 vectors, got 12000 numbers" });
  });
});
