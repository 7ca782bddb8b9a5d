import { describe, expect, it } from "vitest";
import { runCount, runRows, tickAll } from "./run_list";

describe("run list", () => {
  const runs = ["lr_b", "run10", "run2", "lr_a", "run2"];
  const hidden = new Set(["run2"]);

  it("lists the runs the regex passes, in natural order, ticked unless hidden", () => {
    const rows = runRows(runs, (r) => r.startsWith("run"), (r) => hidden.has(r));
    expect(rows).toEqual([{ run: "run2", on: false }, { run: "run10", on: true }]);
    expect(runRows(runs, () => true, () => false).map((r) => r.run)).toEqual(["lr_a", "lr_b", "run2", "run10"]);
  });

  it("ticks or unticks only the listed runs", () => {
    const rows = runRows(runs, (r) => r.startsWith("lr"), (r) => hidden.has(r));
    expect(tickAll(rows, ["run2"], false)).toEqual(["lr_a", "lr_b", "run2"]);
    expect(tickAll(rows, ["lr_b", "run2"], true)).toEqual(["run2"]);
  });

  it("counts what is shown", () => {
    const rows = runRows(runs, () => true, (r) => hidden.has(r));
    expect(runCount(rows, 4)).toBe("3 of 4 runs shown");
    expect(runCount([{ run: "a", on: true }], 1)).toBe("1 of 1 run shown");
  });
});
