/**
 * The ranks of a distributed run (a torchrun job whose processes each wrote their own folder):
 * each rank's series of a tag folded, step by step, into the one line a chart draws (the mean
 * across ranks) and its band (min and max across ranks), and the run's rank report (the slowest
 * rank, ranks that stopped). Pure logic, no DOM.
 */
import { lowerBound } from "./downsample";
import { ScalarData } from "./series";

/** Published points wait for every rank; past this many ms after a step's first point, it is drawn with those that came. */
export const SETTLE_MS = 1500;

let nextId = -1;

const groupOf = new WeakMap<ScalarData, RankGroup>();

/** The rank group whose mean line `s` is (undefined for a run of one process). */
export function rankGroupOf(s: ScalarData): RankGroup | undefined {
  return groupOf.get(s);
}

/**
 * One tag of a distributed run: the ranks' series, and three derived series with the same steps
 * (`mean`, `lo`, `hi`) that only grow (a chart's caches stay incremental). A step is published
 * once every rank has reached it, or `SETTLE_MS` after its first point (`settle`); a point that
 * comes later, or out of step order, refolds everything (rare).
 */
export class RankGroup {
  readonly ranks = new Map<number, ScalarData>();
  readonly mean: ScalarData;
  readonly lo: ScalarData;
  readonly hi: ScalarData;
  /** per published point: the rank holding the min, the max, and how many ranks reported it */
  loRank = new Int32Array(16);
  hiRank = new Int32Array(16);
  count = new Int32Array(16);
  /** the rank series' points folded so far, and the epoch they were folded at */
  private folded = new Map<ScalarData, { n: number; epoch: number }>();
  /** steps seen but not yet published: step -> accumulator */
  private pending = new Map<number, Acc>();
  /** the steps published (drawn) */
  private published = new Set<number>();

  constructor(
    readonly run: string,
    readonly tag: string,
  ) {
    this.mean = new ScalarData(nextId--, run, tag);
    this.lo = new ScalarData(nextId--, run, tag);
    this.hi = new ScalarData(nextId--, run, tag);
    groupOf.set(this.mean, this);
  }

  add(rank: number, s: ScalarData): void {
    this.ranks.set(rank, s);
  }

  /** Steps waiting for ranks (not drawn yet). */
  get waiting(): number {
    return this.pending.size;
  }

  /** Fold the ranks' new points; true when the published series changed. `now`: page time in ms. */
  update(now: number): boolean {
    const before = this.mean.version;
    for (const [rank, s] of this.ranks) {
      let f = this.folded.get(s);
      if (f && f.epoch !== s.epoch) return this.refold(now);
      if (!f) this.folded.set(s, (f = { n: 0, epoch: s.epoch }));
      for (let i = f.n; i < s.n; i++) {
        if (this.published.has(s.steps[i])) return this.refold(now); // a late point: redo it all
        this.fold(rank, s.steps[i], s.values[i], s.walls[i], now);
      }
      f.n = s.n;
    }
    this.publish(this.frontier(), now);
    return this.mean.version !== before;
  }

  /** Publish steps whose first point is older than SETTLE_MS (ranks that stopped or lag far). */
  settle(now: number): boolean {
    const before = this.mean.version;
    this.publish(-Infinity, now);
    return this.mean.version !== before;
  }

  /** Fold every rank's points again (a rank's series was reset, or a point came late or out of
   * order). Steps drawn before are drawn again at once; the others wait as new ones do. */
  private refold(now: number): boolean {
    const drawnUpTo = this.mean.n ? this.mean.steps[this.mean.n - 1] : -Infinity;
    this.folded.clear();
    this.pending.clear();
    this.published.clear();
    for (const s of [this.mean, this.lo, this.hi]) s.truncate(0);
    for (const [rank, s] of this.ranks) {
      this.folded.set(s, { n: s.n, epoch: s.epoch });
      for (let i = 0; i < s.n; i++) this.fold(rank, s.steps[i], s.values[i], s.walls[i], s.steps[i] <= drawnUpTo ? -Infinity : now);
    }
    this.publish(this.frontier(), now);
    return true;
  }

  /** The highest step every rank has reached (-Infinity while a rank has no point). */
  private frontier(): number {
    let f = Infinity;
    for (const s of this.ranks.values()) {
      if (s.n === 0) return -Infinity;
      const last = s.stepsSorted ? s.steps[s.n - 1] : maxOf(s.steps, s.n);
      if (last < f) f = last;
    }
    return f;
  }

  private fold(rank: number, step: number, value: number, wall: number, now: number): void {
    let a = this.pending.get(step);
    if (!a) this.pending.set(step, (a = newAcc(now)));
    if (value === value && value !== Infinity && value !== -Infinity) {
      a.sum += value;
      a.finite++;
      if (value < a.min) { a.min = value; a.minRank = rank; }
      if (value > a.max) { a.max = value; a.maxRank = rank; }
    } else if (a.nonFinite === 0) {
      a.nonFinite = value !== value ? 3 : value > 0 ? 1 : 2; // shown as the run's non-finite marker
    }
    a.count++;
    if (wall > a.wall) a.wall = wall;
  }

  /** Append, in step order, the pending steps ≤ `upTo`, and those first seen SETTLE_MS before `now`. */
  private publish(upTo: number, now: number): void {
    if (this.pending.size === 0) return;
    const ready: number[] = [];
    for (const [step, a] of this.pending) if (step <= upTo || now - a.seen >= SETTLE_MS) ready.push(step);
    if (ready.length === 0) return;
    ready.sort((x, y) => x - y);
    const last = this.mean.n ? this.mean.steps[this.mean.n - 1] : -Infinity;
    if (ready[0] < last) {
      this.refold(now); // an earlier step than what is drawn: put everything back in order
      return;
    }
    const k = ready.length;
    const steps = new Float64Array(k), means = new Float64Array(k), los = new Float64Array(k), his = new Float64Array(k), walls = new Float64Array(k);
    this.reserve(this.mean.n + k);
    ready.forEach((step, j) => {
      const a = this.pending.get(step)!;
      this.pending.delete(step);
      const i = this.mean.n + j;
      this.published.add(step);
      steps[j] = step;
      walls[j] = a.wall;
      means[j] = a.nonFinite ? NON_FINITE[a.nonFinite] : a.finite ? a.sum / a.finite : NaN;
      los[j] = a.finite ? a.min : NaN;
      his[j] = a.finite ? a.max : NaN;
      this.loRank[i] = a.minRank;
      this.hiRank[i] = a.maxRank;
      this.count[i] = a.count;
    });
    this.mean.append(steps, means, walls);
    this.lo.append(steps, los, walls);
    this.hi.append(steps, his, walls);
  }

  private reserve(cap: number): void {
    if (cap <= this.count.length) return;
    const next = Math.max(cap, this.count.length * 2);
    for (const k of ["loRank", "hiRank", "count"] as const) {
      const a = new Int32Array(next);
      a.set(this[k]);
      this[k] = a;
    }
  }
}

const NON_FINITE = [0, Infinity, -Infinity, NaN];

interface Acc {
  sum: number;
  finite: number;
  count: number;
  min: number;
  max: number;
  minRank: number;
  maxRank: number;
  wall: number;
  /** 0: every value finite; else the first non-finite one's code in NON_FINITE */
  nonFinite: number;
  seen: number;
}

function newAcc(now: number): Acc {
  return { sum: 0, finite: 0, count: 0, min: Infinity, max: -Infinity, minRank: -1, maxRank: -1, wall: -Infinity, nonFinite: 0, seen: now };
}

function maxOf(a: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Index of `step` in `s` (its steps ascending), -1 when absent. */
function indexOfStep(s: ScalarData, step: number): number {
  const i = lowerBound(s.steps, s.n, step);
  return i < s.n && s.steps[i] === step ? i : -1;
}

/** One rank of a run, as its report says it. */
export interface RankState {
  rank: number;
  lastStep: number;
  lastWall: number;
  /** median seconds this rank logs a step after the first rank to log it (recent steps) */
  lag: number;
  /** no point for STOPPED_S of page time while behind the others */
  stopped: boolean;
}

export interface RankReport {
  run: string;
  ranks: RankState[];
  /** the rank that logs each step last, by its median lag; null when every lag is under 5 ms */
  slowest: RankState | null;
  /** steps the lag was measured over */
  steps: number;
  /** the highest step any rank reached */
  maxStep: number;
}

/** Seconds without a point from a rank that is behind the others before it is called stopped. */
export const STOPPED_S = 5;
/** Ranks whose lags are all under this many seconds are in step (timer and scheduling jitter). */
export const IN_STEP_S = 0.005;
/** Recent steps the lag is measured over. */
export const LAG_STEPS = 20;

/**
 * The report of one distributed run from its tag groups: per rank its last step and time, its
 * median lag behind the first rank over the last LAG_STEPS steps every rank logged (the time a
 * rank arrives at a step is its earliest point of that step over the run's tags), the slowest
 * rank, and which ranks stopped. `arrived`: page time (ms) a rank's points last grew; `now` the page time.
 */
export function rankReport(run: string, groups: readonly RankGroup[], arrived: ReadonlyMap<number, number>, now: number): RankReport {
  const ranks = new Map<number, RankState>();
  for (const g of groups)
    for (const [rank, s] of g.ranks) {
      let st = ranks.get(rank);
      if (!st) ranks.set(rank, (st = { rank, lastStep: -Infinity, lastWall: -Infinity, lag: NaN, stopped: false }));
      if (s.n === 0) continue;
      const last = s.stepsSorted ? s.steps[s.n - 1] : maxOf(s.steps, s.n);
      if (last > st.lastStep) st.lastStep = last;
      const w = s.wallsSorted ? s.walls[s.n - 1] : maxOf(s.walls, s.n);
      if (w > st.lastWall) st.lastWall = w;
    }
  const states = [...ranks.values()].sort((a, b) => a.rank - b.rank);
  let maxStep = -Infinity;
  for (const st of states) if (st.lastStep > maxStep) maxStep = st.lastStep;
  // the steps every rank reached, newest first, from the group with the most published points
  const steps: number[] = [];
  let ref: RankGroup | null = null;
  for (const g of groups) if (!ref || g.mean.n > ref.mean.n) ref = g;
  if (ref && states.length > 1) {
    for (let i = ref.mean.n - 1; i >= 0 && steps.length < LAG_STEPS; i--) if (ref.count[i] >= states.length) steps.push(ref.mean.steps[i]);
  }
  const lags = new Map<number, number[]>(states.map((s) => [s.rank, []]));
  for (const step of steps) {
    const at = new Map<number, number>();
    for (const g of groups)
      for (const [rank, s] of g.ranks) {
        if (!s.stepsSorted) continue;
        const i = indexOfStep(s, step);
        if (i < 0) continue;
        const w = s.walls[i];
        const prev = at.get(rank);
        if (prev === undefined || w < prev) at.set(rank, w);
      }
    if (at.size < states.length) continue;
    const first = Math.min(...at.values());
    for (const [rank, w] of at) lags.get(rank)!.push(w - first);
  }
  let slowest: RankState | null = null;
  for (const st of states) {
    st.lag = median(lags.get(st.rank)!);
    if (st.lag === st.lag && (!slowest || st.lag > slowest.lag)) slowest = st;
    const t = arrived.get(st.rank);
    st.stopped = st.lastStep < maxStep && t !== undefined && now - t >= STOPPED_S * 1000;
  }
  if (slowest && !(slowest.lag >= IN_STEP_S)) slowest = null;
  return { run, ranks: states, slowest, steps: steps.length, maxStep };
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
