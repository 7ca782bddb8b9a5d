import { describe, expect, it } from "vitest";
import { runGraphs } from "./board";

describe("runGraphs", () => {
  it("takes each run's graph from the Board's plugin records, keeping the objects", () => {
    const g1 = { model: "Net" }, g2 = { model: "Other" };
    const plugins = new Map<string, Record<string, unknown>>([
      ["lr_0.1", { graphs: g1, hparams: {} }],
      ["lr_0.01", { hparams: {} }],
      ["lr_1", { graphs: g2 }],
    ]);
    const out = runGraphs(plugins);
    expect([...out.keys()]).toEqual(["lr_0.1", "lr_1"]);
    expect(out.get("lr_0.1")).toBe(g1);
    expect(runGraphs(new Map()).size).toBe(0);
  });
});
