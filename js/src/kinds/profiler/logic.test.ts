import { describe, expect, it } from "vitest";
import { RecordSeries } from "../../lib/records";
import {
  baseRun, collectProfiles, compareChoices, distributedReport, compareOps, defaultSides, fmtBytes, fmtShare, fmtUs, hasChildren, opRows, opTable, shares, tabsFor, visibleModules,
  type ModuleRow, type OpRow, type ProfileInfo, type ProfileMeta, type StepOperators,
} from "./logic";

const op = (name: string, host_total: number, extra: Partial<OpRow> = {}): OpRow => ({
  name, calls: 1, host_self: host_total / 2, host_total, device_self: 0, device_total: 0, self_memory: 0, stack: [], module: "", ...extra,
});

const meta = (over: Partial<ProfileMeta> = {}): ProfileMeta => ({
  worker: "w", file: "w.1.pt.trace.json", steps: [], average: {}, operators: [], operators_by_shape: [], kernels: [], memory: {},
  top_allocators: [], modules: [], recommendations: [], device: {}, span: { start: 0, end: 0, events: 0, memory_events: 0, kernels: 0 }, ...over,
});

describe("profiles", () => {
  it("collects the records of the profiler kind, ordered by run, worker and step", () => {
    const a = new RecordSeries(1, "pytorch_profiler", "run", "w1");
    a.recs.push({ step: 7, wall: 0, meta: meta(), parts: [] }, { step: 3, wall: 0, meta: meta(), parts: [] });
    const other = new RecordSeries(2, "text", "run", "t");
    other.recs.push({ step: 1, wall: 0, meta: { text: "x" }, parts: [] });
    const bad = new RecordSeries(3, "pytorch_profiler", "a", "w0");
    bad.recs.push({ step: 1, wall: 0, meta: {}, parts: [] });
    const got = collectProfiles([a, other, bad]);
    expect(got.map((p) => [p.run, p.worker, p.step])).toEqual([["run", "w1", 3], ["run", "w1", 7]]);
  });

  it("shows only the tabs a profile has data for", () => {
    expect(tabsFor(meta())).toEqual(["overview", "operators", "advice"]);
    const full = meta({
      kernels: [{ name: "k", calls: 1, total: 1, mean: 1, min: 1, max: 1, blocks_per_sm: null, occupancy: null, registers: null, shared_memory: null, grid: null, block: null, tensor_cores: false, op: "" }],
      memory: { CPU: { t: [0], allocated: [1], reserved: [null], peak: 1, peak_t: 0, events: 1 } },
      modules: [{ path: "Net_0", name: "Net_0", depth: 0, calls: 1, host_total: 1, device_total: 0 }],
      timeline: { n: 3 },
      step_operators: { names: [], steps: [{ name: "1", op: [], calls: [], host_self: [], host_total: [], device_self: [], device_total: [] }] },
    });
    expect(tabsFor(full)).toEqual(["overview", "operators", "kernels", "trace", "memory", "modules", "compare", "advice"]);
  });
});

describe("operator table", () => {
  const rows = [op("aten::mm", 30), op("aten::conv2d", 50, { shape: "[[32, 1, 8, 8]]" }), op("aten::relu", 10, { module: "Net_0 › ReLU_0" })];
  it("sorts by a column, both ways, names breaking ties", () => {
    expect(opRows(rows, "", "host_total", true).map((r) => r.name)).toEqual(["aten::conv2d", "aten::mm", "aten::relu"]);
    expect(opRows(rows, "", "host_total", false).map((r) => r.name)).toEqual(["aten::relu", "aten::mm", "aten::conv2d"]);
    expect(opRows(rows, "", "name", false).map((r) => r.name)).toEqual(["aten::conv2d", "aten::mm", "aten::relu"]);
  });
  it("searches names, shapes and modules, ignoring case", () => {
    expect(opRows(rows, "CONV", "name", false).map((r) => r.name)).toEqual(["aten::conv2d"]);
    expect(opRows(rows, "32, 1", "name", false).map((r) => r.name)).toEqual(["aten::conv2d"]);
    expect(opRows(rows, "relu_0", "name", false).map((r) => r.name)).toEqual(["aten::relu"]);
    expect(rows.map((r) => r.name)).toEqual(["aten::mm", "aten::conv2d", "aten::relu"]); // not sorted in place
  });
});

describe("module tree", () => {
  const m = (path: string): ModuleRow => ({ path, name: path.split("/").pop()!, depth: path.split("/").length - 1, calls: 1, host_total: 1, device_total: 0 });
  const rows = [m("Net_0"), m("Net_0/Seq_0"), m("Net_0/Seq_0/Conv_0"), m("Net_0/Head_0"), m("Loss_0")];
  it("hides the rows under a collapsed module", () => {
    expect(visibleModules(rows, new Set()).length).toBe(5);
    expect(visibleModules(rows, new Set(["Net_0/Seq_0"])).map((r) => r.path)).toEqual(["Net_0", "Net_0/Seq_0", "Net_0/Head_0", "Loss_0"]);
    expect(visibleModules(rows, new Set(["Net_0"])).map((r) => r.path)).toEqual(["Net_0", "Loss_0"]);
    expect(hasChildren(rows, "Net_0/Seq_0")).toBe(true);
    expect(hasChildren(rows, "Net_0/Head_0")).toBe(false);
  });
});

describe("figures", () => {
  it("formats microseconds and bytes", () => {
    expect(fmtUs(3.456)).toBe("3.46 µs");
    expect(fmtUs(850)).toBe("850 µs");
    expect(fmtUs(12345)).toBe("12.3 ms");
    expect(fmtUs(2.5e6)).toBe("2.50 s");
    expect(fmtBytes(512)).toBe("512 B");
    expect(fmtBytes(1536)).toBe("1.50 KiB");
    expect(fmtBytes(-3 * 1024 * 1024)).toBe("-3.00 MiB");
    expect(fmtShare(0.41429)).toBe("41.4%");
    expect([fmtShare(null), fmtShare(undefined), fmtShare(NaN)]).toEqual(["", "", ""]);
  });
  it("gives the average step's shares, largest first", () => {
    const s = shares({ duration: 100, cpu_exec: 60, dataloader: 15, other: 25, kernel: 0 });
    expect(s.map((x) => [x.role, x.share])).toEqual([["cpu_exec", 0.6], ["other", 0.25], ["dataloader", 0.15]]);
    expect(shares({})).toEqual([]);
  });
});

describe("comparing profiles", () => {
  // the hand case of tests/test_profiler.py: step 1 mm 10 µs holding t 4 µs; step 2 mm 30 µs holding t 4 µs, relu 5 µs
  const per: StepOperators = {
    names: ["aten::mm", "aten::relu", "aten::t"],
    steps: [
      { name: "1", op: [0, 2], calls: [1, 1], host_self: [6, 4], host_total: [10, 4], device_self: [0, 0], device_total: [0, 0] },
      { name: "2", op: [0, 1, 2], calls: [1, 1, 1], host_self: [26, 5, 4], host_total: [30, 5, 4], device_self: [0, 0, 0], device_total: [0, 0, 0] },
    ],
  };
  it("tables a step, or a cycle as its mean per step", () => {
    expect(opTable(per, "1").get("aten::mm")).toEqual({ calls: 1, host_self: 6, host_total: 10, device_self: 0, device_total: 0 });
    const all = opTable(per, "");
    expect(all.get("aten::mm")!.host_self).toBe(16);
    expect(all.get("aten::relu")!.calls).toBe(0.5);
  });
  it("sorts operators by the size of the difference, new ops counting 0 on the baseline", () => {
    const rows = compareOps(opTable(per, "1"), opTable(per, "2"), "host_self");
    expect(rows.map((r) => r.name)).toEqual(["aten::mm", "aten::relu", "aten::t"]);
    expect([rows[0].base.host_self, rows[0].other.host_self, rows[0].delta.host_self]).toEqual([6, 26, 20]);
    expect([rows[1].base.calls, rows[1].delta.calls]).toEqual([0, 1]);
    expect(compareOps(opTable(per, "2"), opTable(per, "1"), "calls")[0].name).toBe("aten::relu");
    expect(compareOps(opTable(per, "1"), opTable(per, "2"), "host_self", "RE").map((r) => r.name)).toEqual(["aten::relu"]);
  });
  it("offers each cycle and each step, the two newest cycles by default", () => {
    const prof = (run: string, step: number): ProfileInfo => ({ id: `${run}/${step}`, run, worker: "w", step, meta: meta({ step_operators: per }) });
    const choices = compareChoices([prof("a", 3), prof("b", 7), { ...prof("c", 9), meta: meta() }]);
    expect(choices.map((c) => c.label)).toEqual([
      "a · w · cycle to step 3 (mean of 2 steps)", "a · w · step 1", "a · w · step 2",
      "b · w · cycle to step 7 (mean of 2 steps)", "b · w · step 1", "b · w · step 2",
    ]);
    expect(defaultSides(choices)).toEqual([choices[0].value, choices[3].value]);
    expect(defaultSides(choices.slice(0, 3))).toEqual([choices[1].value, choices[2].value]);
  });
});

describe("distributed", () => {
  const step = (name: string, computation: number, communication: number, overlap: number, other: number) =>
    ({ name, duration: computation + communication + overlap + other, computation, communication, overlap, other });
  const prof = (run: string, worker: string, rank: number | null, steps: ReturnType<typeof step>[], cycle = 1): ProfileInfo => ({
    id: `${run}|${worker}|${cycle}`, run, worker, step: cycle,
    meta: meta({ distributed: { rank, world_size: 3, backend: "gloo", steps, comm_ops: [] } }),
  });

  it("strips rank folders from run names", () => {
    expect(baseRun("exp/rank1")).toBe("exp");
    expect(baseRun("exp/rank12/sub")).toBe("exp/sub");
    expect(baseRun("rank0")).toBe(".");
    expect(baseRun("ranks/exp")).toBe("ranks/exp");
  });

  it("lays the ranks of a job side by side and names the one the others wait for", () => {
    // rank 2 computes 10 ms more per step; ranks 0 and 1 wait those 10 ms in the all-reduce
    const r0 = prof("job/rank0", "w", 0, [step("3", 5, 12, 0, 1), step("4", 5, 12, 0, 1)]);
    const r1 = prof("job/rank1", "w", 1, [step("3", 5, 11, 1, 1), step("4", 5, 12, 0, 1)]);
    const r2 = prof("job/rank2", "w", 2, [step("3", 15, 2, 0, 1), step("4", 15, 2, 0, 1)]);
    const older = prof("job/rank2", "w", 2, [step("1", 1, 1, 0, 1)], 0);
    const otherJob = prof("other", "w", 1, [step("3", 1, 1, 0, 1)]);
    const rep = distributedReport([r0, r1, r2, older, otherJob], r0)!;
    expect(rep.rows.map((r) => r.label)).toEqual(["0", "1", "2"]);
    expect(rep.rows[2].profile).toBe(r2); // the profile sharing the current one's steps
    expect(rep.steps).toEqual(["3", "4"]);
    expect(rep.rows.map((r) => r.waiting)).toEqual([10, 10, 0]);
    expect(rep.straggler?.label).toBe("2");
    expect(rep.rows[0].duration).toBe(18);
  });

  it("finds no straggler when the ranks wait alike, and none for a lone rank", () => {
    const a = prof("j", "w0", 0, [step("1", 5, 2, 0, 1)]);
    const b = prof("j", "w1", 1, [step("1", 5, 2.1, 0, 0.9)]);
    expect(distributedReport([a, b], a)!.straggler).toBeNull();
    expect(distributedReport([a], a)).toBeNull();
    // workers of one run folder without a rank in their traces are told apart by worker
    const c = prof("j", "host_1", null, [step("1", 5, 2, 0, 1)]);
    const d = prof("j", "host_2", null, [step("1", 9, 0, 0, 1)]);
    expect(distributedReport([c, d], c)!.rows.map((r) => r.label)).toEqual(["host_1", "host_2"]);
  });

  it("gets a Distributed tab only with distributed figures", () => {
    expect(tabsFor(meta({ distributed: { rank: 0, world_size: 2, backend: "gloo", steps: [step("1", 1, 1, 0, 0)], comm_ops: [] } }))).toContain("distributed");
    expect(tabsFor(meta({ distributed: {} }))).not.toContain("distributed");
  });
});
