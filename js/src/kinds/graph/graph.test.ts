import { describe, expect, it } from "vitest";
import { GraphLayouter } from "./layout";
import { category, fmtCount, fmtShape, GraphModel, headerText, runOrder, sharedCalls, type GraphJSON, type GNode } from "./graph_model";

function node(id: string, parent: string, kind: GNode["kind"] = "module", op = "Conv2d"): GNode {
  return { id, parent, label: id.split(".").pop()!, kind, op, module: id, shapes: [[1, 4]], dtypes: ["float32"],
    attrs: {}, params: 10, param_shapes: {} };
}

/** x → a(block: a.c1 → a.c2) → pool → b(block: b.c1 → b.c2) → pool:1 → out, plus a skip x → b.c2 */
function sample(): GraphJSON {
  const group = (id: string) => ({ id, parent: "", label: id, module: id, type: "Block", params: 20,
    param_shapes: {}, sig: "s1", repeat: 2 });
  return {
    model: "Net", method: "fx", params: 40,
    groups: [group("a"), group("b")],
    nodes: [node("x", "", "input", "Input"), node("a.c1", "a"), node("a.c2", "a"), node("pool", "", "module", "MaxPool2d"),
      node("b.c1", "b"), node("b.c2", "b"), node("pool:1", "", "module", "MaxPool2d"), node("out", "", "output", "Output")],
    edges: [["x", "a.c1"], ["a.c1", "a.c2"], ["a.c2", "pool"], ["pool", "b.c1"], ["b.c1", "b.c2"], ["x", "b.c2"],
      ["b.c2", "pool:1"], ["pool:1", "out"]].map(([src, dst]) => ({ src, dst, shape: [1, 4], dtype: "float32" })),
  };
}

describe("GraphModel", () => {
  it("merges edges onto closed groups and drops the edges inside them", () => {
    const m = new GraphModel(sample());
    const closed = m.unitEdges(new Set());
    expect(closed.map((e) => `${e.src}>${e.dst}`).sort()).toEqual(
      ["a>pool", "b>pool:1", "pool:1>out", "pool>b", "x>a", "x>b"].sort());
    const open = m.unitEdges(new Set(["b"]));
    expect(open.map((e) => `${e.src}>${e.dst}`)).toContain("x>b.c2");
    expect(m.visible(new Set(["b"]))).toEqual({ units: ["a", "b.c1", "b.c2", "x", "pool", "pool:1", "out"], clusters: ["b"] });
  });

  it("starts with top-level modules closed, opens a lone wrapper, and searches ids and types", () => {
    const m = new GraphModel(sample());
    expect([...m.initialOpen()]).toEqual([]);
    expect([...m.initialOpen("all")].sort()).toEqual(["a", "b"]);
    expect(m.search("POOL")).toEqual(["pool", "pool:1"]);
    expect(m.search("block")).toEqual(["a", "b"]);
    expect([...m.highlighted(m.search("c2"), new Set())].sort()).toEqual(["a", "b"]);
    const wrapped = sample();
    wrapped.groups = [{ ...wrapped.groups[0], id: "net" }, ...wrapped.groups.map((g) => ({ ...g, parent: "net" }))];
    for (const n of wrapped.nodes) if (n.kind !== "input" && n.kind !== "output" && !n.parent) n.parent = "net";
    expect([...new GraphModel(wrapped).initialOpen()]).toEqual(["net"]);
  });

  it("formats shapes, counts and categories", () => {
    expect(fmtShape([1, 64, null, 7])).toBe("1×64×?×7");
    expect(fmtShape([])).toBe("scalar");
    expect(fmtCount(25557032)).toBe("25.6M");
    expect(fmtCount(1234)).toBe("1.23k");
    expect(category(node("c", "", "module", "Conv2d"))).toBe("conv");
    expect(category(node("r", "", "op", "relu"))).toBe("act");
    expect(category(node("i", "", "input", "Input"))).toBe("input");
  });
});

describe("GraphLayouter", () => {
  const size = () => ({ w: 80, h: 30 });

  it("lays out a DAG top to bottom, boxes stay inside their open module", () => {
    const m = new GraphModel(sample());
    const lay = new GraphLayouter(m, size);
    const l = lay.layout(new Set(["a", "b"]));
    expect([...l.clusters.keys()].sort()).toEqual(["a", "b"]);
    const a = l.clusters.get("a")!;
    for (const id of ["a.c1", "a.c2"]) {
      const u = l.units.get(id)!;
      expect(u.x).toBeGreaterThanOrEqual(a.x);
      expect(u.x + u.w).toBeLessThanOrEqual(a.x + a.w + 0.01);
      expect(u.y).toBeGreaterThanOrEqual(a.y);
      expect(u.y + u.h).toBeLessThanOrEqual(a.y + a.h + 0.01);
    }
    expect(l.units.get("x")!.y).toBeLessThan(l.units.get("pool")!.y);
    expect(l.units.get("pool")!.y).toBeLessThan(l.units.get("out")!.y);
    // the skip edge x → b.c2 is routed from x into b and down to b.c2
    const skip = l.edges.find((e) => e.src === "x" && e.dst === "b.c2")!;
    const first = skip.points[0];
    const last = skip.points[skip.points.length - 1];
    expect(Math.abs(first.y - (l.units.get("x")!.y + 30))).toBeLessThan(1);
    expect(Math.abs(last.y - l.units.get("b.c2")!.y)).toBeLessThan(1);
  });

  it("re-lays out only the module toggled and its ancestors", () => {
    const m = new GraphModel(sample());
    const lay = new GraphLayouter(m, size);
    expect(lay.layout(new Set(["a", "b"])).computed).toBe(3);
    lay.invalidate("b");
    expect(lay.layout(new Set(["a"])).computed).toBe(1); // the root only: a is cached
    lay.invalidate("b");
    expect(lay.layout(new Set(["a", "b"])).computed).toBe(2);
  });
});

describe("shared layouts and export helpers", () => {
  it("lays out identical blocks once and counts a tensor used twice as one", () => {
    const alike = sample();
    alike.edges = alike.edges.filter((e) => !(e.src === "x" && e.dst === "b.c2"));
    const lay = new GraphLayouter(new GraphModel(alike), () => ({ w: 80, h: 30 }));
    lay.layout(new Set(["a", "b"]));
    expect(lay.dagreRuns).toBe(2); // root + one shape for both blocks (a and b are alike)
    const m = new GraphModel(sample());
    const into = m.unitEdges(new Set()).find((e) => e.src === "x" && e.dst === "b")!;
    expect(into.tensors).toBe(1);
    const twice = new GraphModel({ ...sample(), edges: [...sample().edges, { src: "x", dst: "b.c1", shape: [1, 4], dtype: "float32" }] });
    const e = twice.unitEdges(new Set()).find((u) => u.src === "x" && u.dst === "b")!;
    expect([e.count, e.tensors]).toEqual([2, 1]);
  });

  it("words an open module's header once, for measuring and drawing", () => {
    const g = sample().groups[0];
    expect(headerText({ ...g, label: "layer1", type: "Sequential", params: 1_234_567 }))
      .toEqual(["layer1  ", "Sequential · 1.23M params"]);
    expect(headerText({ ...g, params: 0 })).toEqual(["a  ", "Block"]);
  });

  it("resolves theme variables for a standalone SVG and makes safe file names", async () => {
    const { resolveCss, safeFileName } = await import("./svg_export");
    expect(resolveCss(".a { fill: var(--nbg-bg); stroke: var(--nbg-x) }", { "--nbg-bg": "#111" }))
      .toBe(".a { fill: #111; stroke: var(--nbg-x) }");
    expect(safeFileName("../<script>Net", "svg")).toBe("script_Net-graph.svg");
  });
});

describe("shared modules (one module called more than once)", () => {
  /** sample() with `pool` called twice (fx's ids pool, pool:1 for one module "pool") and block `a` called twice. */
  function shared(): GraphJSON {
    const d = sample();
    for (const n of d.nodes) if (n.id === "pool:1") n.module = "pool";
    d.groups.push({ id: "a:1", parent: "", label: "a", module: "a", type: "Block", params: 20, param_shapes: {}, sig: "s1", repeat: 3 });
    d.nodes.push({ ...node("a:1.c1", "a:1"), module: "a.c1" });
    return d;
  }

  it("groups call sites by module path, in call order; unshared modules have none", () => {
    const calls = sharedCalls(shared());
    expect(calls.get("pool")).toEqual(["pool", "pool:1"]);
    expect(calls.get("pool:1")).toEqual(["pool", "pool:1"]);
    expect(calls.get("a")).toEqual(["a", "a:1"]);
    expect(calls.get("a.c1")).toEqual(["a.c1", "a:1.c1"]);
    expect(calls.has("b")).toBe(false);
    expect(calls.has("x")).toBe(false); // inputs and ops are never call sites
    expect(sharedCalls(sample()).size).toBe(0);
  });

  it("numbers the calls and finds the other calls' visible units", () => {
    const m = new GraphModel(shared());
    expect(m.callOf("pool:1")).toEqual([2, 2]);
    expect(m.callOf("b")).toBeNull();
    expect([...m.otherUses("pool", new Set())]).toEqual(["pool:1"]);
    // a closed module stands for the calls inside it; an open one is its own
    expect([...m.otherUses("a.c1", new Set(["a"]))]).toEqual(["a:1"]);
    expect([...m.otherUses("a", new Set(["a:1"]))]).toEqual(["a:1"]);
    expect([...m.otherUses("b", new Set())]).toEqual([]);
  });
});

describe("runOrder", () => {
  it("puts the logdir's own run first, then the runs by name", () => {
    expect(runOrder(["lr_0.1", ".", "lr_0.01"])).toEqual([".", "lr_0.01", "lr_0.1"]);
    expect(runOrder([])).toEqual([]);
  });
});

describe("headerText of a shared module's call", () => {
  it("says which call it is", () => {
    const g = sample().groups[0];
    expect(headerText(g, [2, 3])).toEqual(["a  ", "Block · 20 params · shared, call 2 of 3"]);
  });
});
