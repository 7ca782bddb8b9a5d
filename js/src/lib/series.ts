/** One scalar series kept in the page: growable columns that deltas from the kernel append to. */

export class ScalarData {
  n = 0;
  steps = new Float64Array(16);
  values = new Float64Array(16);
  walls = new Float64Array(16);
  stepsSorted = true;
  wallsSorted = true;
  /** Bumped on every change; `epoch` only when points were removed (caches restart). */
  version = 0;
  epoch = 0;
  /** the rank of a distributed run this series is of (-1: a run of one process), and the run
   * name of that rank's own folder (`exp/rank1`) */
  rank = -1;
  folder = "";
  constructor(
    readonly id: number,
    readonly run: string,
    readonly tag: string,
  ) {}

  private reserve(cap: number): void {
    if (cap <= this.steps.length) return;
    const next = Math.max(cap, Math.ceil(this.steps.length * 1.5));
    for (const k of ["steps", "values", "walls"] as const) {
      const a = new Float64Array(next);
      a.set(this[k].subarray(0, this.n));
      this[k] = a;
    }
  }

  append(steps: ArrayLike<number>, values: ArrayLike<number>, walls: ArrayLike<number>): void {
    const k = steps.length;
    if (k === 0) return;
    this.reserve(this.n + k);
    const n = this.n;
    this.steps.set(steps, n);
    this.values.set(values, n);
    this.walls.set(walls, n);
    // keep the "sorted" flags (binary search needs ascending x)
    let sSorted = this.stepsSorted, wSorted = this.wallsSorted;
    let ps = n > 0 ? this.steps[n - 1] : -Infinity, pw = n > 0 ? this.walls[n - 1] : -Infinity;
    for (let i = 0; i < k && (sSorted || wSorted); i++) {
      const s = steps[i], w = walls[i];
      if (s < ps) sSorted = false;
      if (w < pw) wSorted = false;
      ps = s; pw = w;
    }
    this.stepsSorted = sSorted;
    this.wallsSorted = wSorted;
    this.n = n + k;
    this.version++;
  }

  truncate(k: number): void {
    if (k >= this.n) return;
    this.n = Math.max(0, k);
    this.epoch++;
    this.version++;
    // re-derive sortedness of what is left
    this.stepsSorted = isSorted(this.steps, this.n);
    this.wallsSorted = isSorted(this.walls, this.n);
  }
}

function isSorted(a: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

type DeltaResult = "ok" | "gap";

/**
 * Merge a delta holding points [start, start + k) of the kernel's series into `s`.
 * `reset` means the kernel dropped points (purge): start over from these points.
 * A delta that starts past what the page holds is a gap (messages were missed): nothing is applied.
 * A delta that overlaps what the page holds replaces the overlapped points.
 */
export function applyDelta(
  s: ScalarData,
  start: number,
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  walls: ArrayLike<number>,
  reset: boolean,
): DeltaResult {
  if (reset) s.truncate(0);
  if (start > s.n) return "gap";
  if (start < s.n) s.truncate(start);
  s.append(steps, values, walls);
  return "ok";
}
