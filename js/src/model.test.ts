import { describe, expect, it } from "vitest";
import { ModelData } from "./model";

function msg(seq: number, start: number, steps: number[], full = false) {
  const f = new Float64Array([...steps, ...steps.map((s) => s * 2), ...steps.map((s) => 1000 + s)]);
  return [{ type: "scalars", seq, full, series: [[0, "run", "loss", start, steps.length, false]] }, [new DataView(f.buffer)]] as const;
}

function setup() {
  const sent: unknown[] = [];
  const d = new ModelData("u");
  d.model = { get: () => undefined, set() {}, save_changes() {}, on() {}, off() {}, send: (m: unknown) => sent.push(m) };
  return { d, sent };
}

describe("page-side model data", () => {
  it("merges numbered deltas and notifies listeners", () => {
    const { d, sent } = setup();
    const seen: number[] = [];
    d.subscribe((changed) => seen.push(changed.size));
    d.apply(...msg(0, 0, [0, 1], true));
    d.apply(...msg(1, 2, [2]));
    expect(d.byTag.get("loss")!.get("run")!.n).toBe(3);
    expect(d.totalPoints()).toBe(3);
    expect(seen).toEqual([1, 1]);
    expect(sent).toEqual([]);
  });

  it("asks for everything once when it missed messages, and recovers from the full resend", () => {
    const { d, sent } = setup();
    d.apply(...msg(5, 40, [40, 41])); // a reloaded page joins mid-run
    d.apply(...msg(6, 42, [42]));
    expect(sent).toEqual([{ type: "resync" }]);
    expect(d.totalPoints()).toBe(0); // nothing applied over the gap
    const all = Array.from({ length: 43 }, (_, i) => i);
    d.apply(...msg(7, 0, all, true));
    expect(d.totalPoints()).toBe(43);
    d.apply(...msg(8, 43, [43]));
    expect(d.totalPoints()).toBe(44);
    expect(sent.length).toBe(1);
  });

  it("compares the kernel's message count on sync", () => {
    const { d, sent } = setup();
    d.apply(...msg(0, 0, [0], true));
    d.apply({ type: "sync", next: 1 }, []);
    expect(sent).toEqual([]);
    d.apply({ type: "sync", next: 3 }, []);
    expect(sent).toEqual([{ type: "resync" }]);
    d.hello();
    expect(sent[1]).toEqual({ type: "hello", protocol: 1 });
  });

  it("flags a kernel that answers in another wire protocol, and then asks it for nothing", () => {
    const { d, sent } = setup();
    d.apply({ type: "sync", next: 0, protocol: 1 }, []);
    expect(d.protocolProblem).toBeNull();
    d.apply({ type: "sync", next: 5, protocol: 2 }, []);
    expect(d.protocolProblem).toMatch(/wire protocol 2; this page speaks wire protocol 1/);
    expect(sent).toEqual([]); // no resync asked of a kernel it cannot read
  });
});
