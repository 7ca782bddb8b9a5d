// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { RecordSeries, type Rec } from "../lib/records";
import { mountGrid, StepCard } from "./cards";

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
