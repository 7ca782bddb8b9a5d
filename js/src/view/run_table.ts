/**
 * The Board's run table at sweep scale (1,000+ runs): sort by name or by a scalar tag's last /
 * min / max value, the best k by that sort, rows grouped by an hparam's value, the default
 * selection of a big sweep, and the virtual window of rows the DOM holds. Pure logic; the DOM is
 * in run_sidebar.ts, the colour scales in lib/colors.ts.
 */

export type Stat = "last" | "min" | "max";
export const STATS: readonly Stat[] = ["last", "min", "max"];

/** How the table is sorted: by run name (`tag` ""), or by a scalar tag's statistic. */
export interface RunSort {
  tag: string;
  stat: Stat;
  dir: 1 | -1;
}

export const NAME_SORT: RunSort = { tag: "", stat: "last", dir: 1 };

/** A Board with more runs than this draws only the first DEFAULT_SHOWN in the table's order until the user picks. */
export const DEFAULT_SHOWN = 20;

/** The sort kept in `ui` state, checked (a saved state may be anything). */
export function loadSort(raw: unknown): RunSort {
  if (!raw || typeof raw !== "object") return NAME_SORT;
  const r = raw as Record<string, unknown>;
  const tag = typeof r.tag === "string" ? r.tag : "";
  const stat = STATS.includes(r.stat as Stat) ? (r.stat as Stat) : "last";
  return { tag, stat, dir: r.dir === -1 ? -1 : 1 };
}

/** The direction a tag sorts in first: higher is better for accuracies and rewards, lower for the rest (losses, errors). */
export function defaultDir(tag: string): 1 | -1 {
  return /acc|auc|f1|precision|recall|score|reward|return|iou|map\b|bleu|rouge/i.test(tag) ? -1 : 1;
}

/** Last, min and max of a series' finite values (NaN when it has none), kept up to date incrementally. */
export interface SeriesStats {
  n: number;
  last: number;
  min: number;
  max: number;
}

/** `prev` brought up to the first `n` values (recomputed from scratch when the series shrank). */
export function updateStats(prev: SeriesStats | undefined, values: ArrayLike<number>, n: number): SeriesStats {
  let st: SeriesStats = prev && prev.n <= n ? { ...prev } : { n: 0, last: NaN, min: NaN, max: NaN };
  for (let i = st.n; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    st.last = v;
    if (!(v >= st.min)) st.min = v;
    if (!(v <= st.max)) st.max = v;
  }
  st = { ...st, n };
  return st;
}

/** Natural order: "run2" before "run10". */
export const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * The runs in table order: by name (natural order), or by `value(run)` in `dir` with runs that
 * have no value (NaN, undefined) last whatever the direction; ties by name.
 */
export function sortRuns(runs: readonly string[], sort: RunSort, value: (run: string) => number | undefined): string[] {
  if (!sort.tag) {
    const out = [...runs].sort(collator.compare);
    return sort.dir === 1 ? out : out.reverse();
  }
  const keyed = runs.map((run) => {
    const v = value(run);
    return { run, v: v === undefined || Number.isNaN(v) ? null : v };
  });
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? collator.compare(a.run, b.run) : a.v === null ? 1 : -1;
    return a.v === b.v ? collator.compare(a.run, b.run) : (a.v - b.v) * sort.dir;
  });
  return keyed.map((k) => k.run);
}

/** The hidden runs when the first `k` of `ordered` (the listed runs, in table order) are shown: every other run of `all`. */
export function topK(all: Iterable<string>, ordered: readonly string[], k: number): string[] {
  const keep = new Set(ordered.slice(0, Math.max(0, Math.floor(k))));
  return [...new Set(all)].filter((r) => !keep.has(r)).sort();
}

/** The hidden runs after ticking (`on`) or unticking every run of `runs`. */
export function tickRuns(runs: Iterable<string>, hidden: Iterable<string>, on: boolean): string[] {
  const next = new Set(hidden);
  for (const r of runs) {
    if (on) next.delete(r);
    else next.add(r);
  }
  return [...next].sort();
}

/**
 * Whether the Board applies its default selection now: the user never picked (no saved top-k
 * mode, no runs unticked) and there are more runs than DEFAULT_SHOWN.
 */
export function wantsDefault(savedTop: unknown, hidden: readonly string[], runs: number): boolean {
  return savedTop === undefined && hidden.length === 0 && runs > DEFAULT_SHOWN;
}

/** A value of an hparam, as the hparams record carries it. */
export type HValue = number | string | boolean | null;

/** One row of the table: a group heading, or a run. */
export type TableRow =
  | { type: "group"; label: string; key: string; runs: string[]; on: number }
  | { type: "run"; run: string; on: boolean };

/** The label of an hparam value in a group heading and a legend. */
export function valueLabel(v: HValue | undefined): string {
  if (v === undefined || v === null) return "(none)";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return String(v);
}

/**
 * The rows to show: `ordered` runs as they are, or, grouped by `groupOf(run)`, a heading per
 * distinct value (numbers ascending, then strings in natural order, runs with no value last)
 * followed by its runs in table order; `on` counts the ticked runs of a group.
 */
export function tableRows(ordered: readonly string[], shown: (run: string) => boolean, groupOf?: (run: string) => HValue | undefined): TableRow[] {
  if (!groupOf) return ordered.map((run) => ({ type: "run", run, on: shown(run) }));
  const groups = new Map<string, { value: HValue | undefined; runs: string[] }>();
  for (const run of ordered) {
    const v = groupOf(run);
    const key = v === undefined || v === null ? "\u0000none" : typeof v + ":" + String(v);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { value: v, runs: [] }));
    g.runs.push(run);
  }
  const rank = (v: HValue | undefined) => (v === undefined || v === null ? 2 : typeof v === "number" ? 0 : 1);
  const keys = [...groups.keys()].sort((a, b) => {
    const va = groups.get(a)!.value, vb = groups.get(b)!.value;
    const ra = rank(va), rb = rank(vb);
    if (ra !== rb) return ra - rb;
    if (ra === 0) return (va as number) - (vb as number);
    return collator.compare(String(va), String(vb));
  });
  const out: TableRow[] = [];
  for (const key of keys) {
    const g = groups.get(key)!;
    const on = g.runs.filter(shown).length;
    out.push({ type: "group", label: valueLabel(g.value), key, runs: g.runs, on });
    for (const run of g.runs) out.push({ type: "run", run, on: shown(run) });
  }
  return out;
}

/** The rows [start, end) a scrolled list of `n` rows of `rowH` px draws in `viewH` px, `overscan` rows either side, and the spacer heights around them. */
export function virtualWindow(scrollTop: number, viewH: number, rowH: number, n: number, overscan = 8): { start: number; end: number; padTop: number; padBottom: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowH);
  const start = Math.max(0, Math.min(n, first - overscan));
  const end = Math.min(n, first + Math.ceil(Math.max(0, viewH) / rowH) + overscan);
  return { start, end: Math.max(start, end), padTop: start * rowH, padBottom: Math.max(0, n - Math.max(start, end)) * rowH };
}

/** The table header's line: how many runs are drawn, and why (the default for a sweep, a top k). */
export function tableCaption(shown: number, total: number, top: number, auto: boolean, sortLabel: string): string {
  const runs = `${total.toLocaleString("en-US")} run${total === 1 ? "" : "s"}`;
  if (top > 0 && auto) return `${shown} of ${runs} drawn: the first ${top} by ${sortLabel} (tick or All for more)`;
  if (top > 0) return `${shown} of ${runs} drawn: top ${top} by ${sortLabel}`;
  return `${shown.toLocaleString("en-US")} of ${runs} shown`;
}

/** "val/loss (last)" or "name": what the table is sorted by, for its caption. */
export function sortLabel(sort: RunSort): string {
  return sort.tag ? `${sort.tag} (${sort.stat}${sort.dir === 1 ? " ↑" : " ↓"})` : "name";
}
