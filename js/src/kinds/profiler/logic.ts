/**
 * The profiler view's pure logic: the profiles of a model's `pytorch_profiler` records (format:
 * nbboard/kinds/profiler/feed.py), sorting and searching the operator table, the module tree's
 * visible rows and the figures' formatting. Every string here came from the logs: callers put
 * them in the page as text only.
 */
import type { Rec, RecordSeries } from "../../lib/records";

export const KIND = "pytorch_profiler";

export const ROLES = ["kernel", "memcpy", "memset", "communication", "runtime", "dataloader", "cpu_exec", "other"] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  kernel: "Kernel",
  memcpy: "Memcpy",
  memset: "Memset",
  communication: "Communication",
  runtime: "Runtime",
  dataloader: "DataLoader",
  cpu_exec: "CPU Exec",
  other: "Other",
};
/** torch-tb-profiler's overview colours, one per role. */
export const ROLE_COLORS: Record<Role, string> = {
  kernel: "#3366cc",
  memcpy: "#dc3912",
  memset: "#ff9900",
  communication: "#109618",
  runtime: "#990099",
  dataloader: "#0099c6",
  cpu_exec: "#dd4477",
  other: "#66aa00",
};

export type StepRow = { name: string; start: number; duration: number } & Record<Role, number>;

export interface OpRow {
  name: string;
  calls: number;
  host_self: number;
  host_total: number;
  device_self: number;
  device_total: number;
  self_memory: number;
  stack: string[];
  module: string;
  shape?: string;
  types?: string;
}

export interface KernelRow {
  name: string;
  calls: number;
  total: number;
  mean: number;
  min: number;
  max: number;
  blocks_per_sm: number | null;
  occupancy: number | null;
  registers: number | null;
  shared_memory: number | null;
  grid: number[] | null;
  block: number[] | null;
  tensor_cores: boolean;
  op: string;
}

export interface MemoryCurve {
  t: number[];
  allocated: (number | null)[];
  reserved: (number | null)[];
  peak: number;
  peak_t: number;
  events: number;
}

export interface ModuleRow {
  path: string;
  name: string;
  depth: number;
  calls: number;
  host_total: number;
  device_total: number;
}

export interface Advice {
  id: string;
  figure: string;
  text: string;
}

export interface ProfileMeta {
  worker: string;
  file: string;
  steps: StepRow[];
  average: Partial<Record<Role | "duration", number>>;
  operators: OpRow[];
  operators_by_shape: OpRow[];
  kernels: KernelRow[];
  memory: Record<string, MemoryCurve>;
  top_allocators: { name: string; allocations: number; bytes: number }[];
  modules: ModuleRow[];
  recommendations: Advice[];
  device: { gpus?: GpuRow[] };
  span: { start: number; end: number; events: number; memory_events: number; kernels: number; recorded?: Record<string, boolean> };
  /** the timeline's names and lanes (its events are the record's parts) */
  timeline?: { n: number };
  /** operators per profiled step (nbboard/kinds/profiler/compare.py `step_operators`) */
  step_operators?: StepOperators;
  /** this rank's computation / communication per step (nbboard/kinds/profiler/distributed.py) */
  distributed?: Partial<DistInfo>;
}

/** One profiled step of one rank (µs): computing only, communicating only, both, neither. */
export interface DistStep {
  name: string;
  duration: number;
  computation: number;
  communication: number;
  overlap: number;
  other: number;
}

export interface DistInfo {
  rank: number | null;
  world_size: number | null;
  backend: string;
  steps: DistStep[];
  comm_ops: { name: string; calls: number; total: number }[];
}

/** One rank's row of the Distributed tab: means per step over the steps compared (µs). */
export interface RankRow {
  /** the rank (the trace's distributedInfo), or the worker when the trace does not say */
  label: string;
  rank: number | null;
  profile: ProfileInfo;
  duration: number;
  computation: number;
  overlap: number;
  communication: number;
  /** of its communication (with overlap), the time beyond the fastest rank's: waiting for others */
  waiting: number;
  other: number;
}

export interface DistReport {
  rows: RankRow[];
  /** the steps every rank's profile holds (compared step by step), else each one's own */
  steps: string[];
  backend: string;
  /** the rank the others wait for (the least waiting), when the spread in waiting is ≥ 5 % of a step */
  straggler: RankRow | null;
}

/** A run name without its rank folder (`exp/rank1/sub` → `exp/sub`). */
export function baseRun(run: string): string {
  const parts = run.split("/").filter((x) => !/^rank\d+$/.test(x));
  return parts.length ? parts.join("/") : ".";
}

/**
 * The ranks of the job `current` belongs to, side by side: the profiles of its run (or of the
 * run's rank folders) with distributed figures, one per rank (the one sharing most profiled steps
 * with `current`), compared over the steps they all hold. A rank's waiting is its communication
 * time beyond the least any rank spent communicating in the same step. Null for fewer than 2 ranks.
 */
export function distributedReport(profiles: readonly ProfileInfo[], current: ProfileInfo): DistReport | null {
  const dist = (p: ProfileInfo) => (p.meta.distributed?.steps?.length ? (p.meta.distributed as DistInfo) : null);
  const mine = dist(current);
  if (!mine) return null;
  const base = baseRun(current.run);
  const want = new Set(mine.steps.map((s) => s.name));
  const byRank = new Map<string, { p: ProfileInfo; shared: number }>();
  for (const p of profiles) {
    const d = dist(p);
    if (!d || baseRun(p.run) !== base) continue;
    const label = d.rank !== null && d.rank !== undefined ? String(d.rank) : p.worker;
    const shared = d.steps.filter((s) => want.has(s.name)).length + (p === current ? 0.5 : 0);
    const had = byRank.get(label);
    if (!had || shared > had.shared) byRank.set(label, { p, shared });
  }
  if (byRank.size < 2) return null;
  const chosen = [...byRank.entries()].sort((a, b) => {
    const x = Number(a[0]), y = Number(b[0]);
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  });
  let common = [...want];
  for (const [, { p }] of chosen) {
    const names = new Set(dist(p)!.steps.map((s) => s.name));
    common = common.filter((n) => names.has(n));
  }
  const stepsOf = (p: ProfileInfo): DistStep[] => {
    const all = dist(p)!.steps;
    return common.length ? common.map((n) => all.find((s) => s.name === n)!) : all;
  };
  // per step: the least communication (with overlap) of any rank, the transfer itself
  const least = new Map<string, number>();
  if (common.length)
    for (const n of common) least.set(n, Math.min(...chosen.map(([, { p }]) => { const s = stepsOf(p).find((x) => x.name === n)!; return s.communication + s.overlap; })));
  const leastMean = common.length ? 0 : Math.min(...chosen.map(([, { p }]) => mean(stepsOf(p).map((s) => s.communication + s.overlap))));
  const rows: RankRow[] = chosen.map(([label, { p }]) => {
    const st = stepsOf(p);
    const waits = st.map((s) => s.communication + s.overlap - (common.length ? least.get(s.name)! : leastMean));
    return {
      label, rank: dist(p)!.rank ?? null, profile: p,
      duration: mean(st.map((s) => s.duration)), computation: mean(st.map((s) => s.computation)),
      overlap: mean(st.map((s) => s.overlap)), communication: mean(st.map((s) => s.communication)),
      waiting: Math.max(0, mean(waits)), other: mean(st.map((s) => s.other)),
    };
  });
  let straggler: RankRow | null = null;
  const spread = Math.max(...rows.map((r) => r.waiting)) - Math.min(...rows.map((r) => r.waiting));
  if (spread >= 0.05 * mean(rows.map((r) => r.duration))) straggler = rows.reduce((a, b) => (b.waiting < a.waiting ? b : a));
  return { rows, steps: common, backend: mine.backend ?? "", straggler };
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Compared figures per operator (µs but calls). */
export const CMP_FIELDS = ["calls", "host_self", "host_total", "device_self", "device_total"] as const;
export type CmpField = (typeof CMP_FIELDS)[number];
export type OpFigures = Record<CmpField, number>;

export interface StepOperators {
  names: string[];
  steps: ({ name: string; op: number[] } & Record<CmpField, number[]>)[];
}

export interface ProfileInfo {
  /** run, worker and step: one profiler cycle */
  id: string;
  run: string;
  worker: string;
  step: number;
  meta: ProfileMeta;
  /** the record (its parts hold the timeline's events) */
  rec?: Rec;
}

/** Every profile of the given record series, by run, worker, then step. */
export function collectProfiles(series: readonly RecordSeries[]): ProfileInfo[] {
  const out: ProfileInfo[] = [];
  for (const s of series) {
    if (s.kind !== KIND) continue;
    for (const r of s.recs) {
      const meta = r.meta as ProfileMeta;
      if (!meta || !Array.isArray(meta.steps)) continue;
      out.push({ id: `${s.run}\u0000${s.tag}\u0000${r.step}`, run: s.run, worker: s.tag, step: r.step, meta, rec: r });
    }
  }
  out.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : a.worker < b.worker ? -1 : a.worker > b.worker ? 1 : a.step - b.step));
  return out;
}

export type SortKey = "name" | "calls" | "host_self" | "host_total" | "device_self" | "device_total" | "self_memory" | "shape";

/** Rows whose name (or shape, module) contains `query` (case-insensitive), sorted by `key`. */
export function opRows(rows: readonly OpRow[], query: string, key: SortKey, desc: boolean): OpRow[] {
  const q = query.trim().toLowerCase();
  const kept = q ? rows.filter((r) => r.name.toLowerCase().includes(q) || (r.shape ?? "").toLowerCase().includes(q) || r.module.toLowerCase().includes(q)) : rows.slice();
  const sign = desc ? -1 : 1;
  kept.sort((a, b) => {
    const x = key === "name" ? a.name : key === "shape" ? (a.shape ?? "") : a[key];
    const y = key === "name" ? b.name : key === "shape" ? (b.shape ?? "") : b[key];
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return kept;
}

/** The module rows to show: every row whose ancestors are all expanded. */
export function visibleModules(rows: readonly ModuleRow[], collapsed: ReadonlySet<string>): ModuleRow[] {
  return rows.filter((r) => {
    const parts = r.path.split("/");
    for (let i = 1; i < parts.length; i++) if (collapsed.has(parts.slice(0, i).join("/"))) return false;
    return true;
  });
}

/** Whether a module row has children among `rows`. */
export function hasChildren(rows: readonly ModuleRow[], path: string): boolean {
  return rows.some((r) => r.path.startsWith(path + "/"));
}

/** One GPU's figures over the profiled steps (nbboard/kinds/profiler/gpu.py). */
export interface GpuRow {
  device: number;
  name: string;
  memory: number | null;
  compute: string;
  utilisation: number;
  sm_efficiency: number | null;
  occupancy: number | null;
}

/** A share (0..1) as a percentage, "" when unknown. */
export function fmtShare(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "" : `${(100 * x).toFixed(1)}%`;
}

/** Microseconds as text: "850 µs", "12.3 ms", "1.20 s". */
export function fmtUs(us: number): string {
  if (!Number.isFinite(us)) return "";
  const a = Math.abs(us);
  if (a >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (a >= 1e3) return `${(us / 1e3).toFixed(a >= 1e5 ? 0 : a >= 1e4 ? 1 : 2)} ms`;
  if (a >= 100) return `${us.toFixed(0)} µs`;
  if (us === 0) return "0";
  return `${us.toFixed(a >= 10 ? 1 : 2)} µs`;
}

/** Bytes as text, binary units: "512 B", "1.5 KiB", "3.20 MiB". */
export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return "";
  const a = Math.abs(b);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = a;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = i === 0 ? String(Math.round(v)) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2);
  return `${b < 0 ? "-" : ""}${s} ${units[i]}`;
}

/** The average step's shares per role (fractions of the step), largest first, zero roles left out. */
export function shares(avg: ProfileMeta["average"]): { role: Role; us: number; share: number }[] {
  const total = avg.duration ?? 0;
  if (!(total > 0)) return [];
  return ROLES.map((role) => ({ role, us: avg[role] ?? 0, share: (avg[role] ?? 0) / total }))
    .filter((x) => x.us > 0)
    .sort((a, b) => b.share - a.share);
}

/** The tabs a profile has data for, in order (a tab without data is not shown). */
export function tabsFor(meta: ProfileMeta): string[] {
  const tabs = ["overview", "operators"];
  if (meta.kernels.length) tabs.push("kernels");
  if (meta.timeline && meta.timeline.n > 0) tabs.push("trace");
  if (Object.keys(meta.memory).length) tabs.push("memory");
  if (meta.modules.length) tabs.push("modules");
  if (meta.step_operators?.steps.length) tabs.push("compare");
  if (meta.distributed?.steps?.length) tabs.push("distributed");
  tabs.push("advice");
  return tabs;
}

// ---- comparing two profiles ------------------------------------------------------------------------

/** One side of a comparison: a profile's step, or (step "") its whole cycle. */
export interface CmpChoice {
  value: string;
  label: string;
  profile: ProfileInfo;
  step: string;
}

/** The sides one can compare: each profile's whole cycle (mean per step) and each of its steps. */
export function compareChoices(profiles: readonly ProfileInfo[]): CmpChoice[] {
  const out: CmpChoice[] = [];
  for (const p of profiles) {
    const steps = p.meta.step_operators?.steps ?? [];
    if (!steps.length) continue;
    const head = `${p.run} · ${p.worker} · `;
    out.push({ value: `${p.id}\u0001`, label: `${head}cycle to step ${p.step} (mean of ${steps.length} step${steps.length === 1 ? "" : "s"})`, profile: p, step: "" });
    for (const s of steps) out.push({ value: `${p.id}\u0001${s.name}`, label: `${head}step ${s.name}`, profile: p, step: s.name });
  }
  return out;
}

/** The default sides: the two newest cycles, or the first two steps of the only one. */
export function defaultSides(choices: readonly CmpChoice[]): [string, string] {
  const cycles = choices.filter((c) => c.step === "");
  if (cycles.length >= 2) return [cycles[cycles.length - 2].value, cycles[cycles.length - 1].value];
  const steps = choices.filter((c) => c.step !== "");
  if (steps.length >= 2) return [steps[0].value, steps[1].value];
  return [choices[0]?.value ?? "", choices[0]?.value ?? ""];
}

/** Per operator name its figures on one side: the step's, or (step "") the mean per step of the cycle. */
export function opTable(per: StepOperators, step: string): Map<string, OpFigures> {
  const chosen = per.steps.filter((s) => step === "" || s.name === step);
  const out = new Map<string, OpFigures>();
  for (const s of chosen) {
    s.op.forEach((op, j) => {
      const name = per.names[op];
      let row = out.get(name);
      if (!row) out.set(name, (row = { calls: 0, host_self: 0, host_total: 0, device_self: 0, device_total: 0 }));
      for (const f of CMP_FIELDS) row[f] += s[f][j];
    });
  }
  const n = Math.max(chosen.length, 1);
  for (const row of out.values()) for (const f of CMP_FIELDS) row[f] /= n;
  return out;
}

export interface CmpRow {
  name: string;
  base: OpFigures;
  other: OpFigures;
  delta: OpFigures;
}

/** Per operator on either side: baseline, other and other − baseline (a missing op counts 0),
 * names containing `query` only, sorted by the size of the difference in `key`, largest first,
 * names breaking ties (as compare.py `compare`). */
export function compareOps(base: ReadonlyMap<string, OpFigures>, other: ReadonlyMap<string, OpFigures>, key: CmpField, query = ""): CmpRow[] {
  const zero: OpFigures = { calls: 0, host_self: 0, host_total: 0, device_self: 0, device_total: 0 };
  const q = query.trim().toLowerCase();
  const rows: CmpRow[] = [];
  for (const name of new Set([...base.keys(), ...other.keys()])) {
    if (q && !name.toLowerCase().includes(q)) continue;
    const b = base.get(name) ?? zero, o = other.get(name) ?? zero;
    const delta = { ...zero };
    for (const f of CMP_FIELDS) delta[f] = o[f] - b[f];
    rows.push({ name, base: b, other: o, delta });
  }
  rows.sort((x, y) => Math.abs(y.delta[key]) - Math.abs(x.delta[key]) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return rows;
}
