/**
 * The trace timeline's pure logic: the events' columns decoded from a profile record's parts
 * (format: nbboard/kinds/profiler/feed.py `timeline`), lanes laid out as rows (one per nesting
 * depth), the visible window's zoom and pan, hit testing and search.
 */
import { f32, f64, i32, type Rec } from "../../lib/records";

export interface Timeline {
  n: number;
  start: Float64Array;
  dur: Float32Array;
  name: Int32Array;
  lane: Int32Array;
  depth: Int32Array;
  cat: Int32Array;
  names: string[];
  lanes: string[];
  cats: string[];
  /** the trace's span in µs from its first event */
  end: number;
}

export interface LaneRow {
  lane: number;
  /** first row (y index) of the lane and its row count (its deepest nesting + 1) */
  row0: number;
  rows: number;
}

/** The timeline of a profile record (null when it has none). */
export function decodeTimeline(rec: Rec): Timeline | null {
  const info = rec.meta?.timeline as { n: number; names: string[]; lanes: string[]; cats: string[] } | undefined;
  if (!info || rec.parts.length < 6) return null;
  const start = f64(rec.parts[0]);
  const dur = f32(rec.parts[1]);
  let end = 0;
  for (let i = 0; i < info.n; i++) end = Math.max(end, start[i] + dur[i]);
  return {
    n: info.n, start, dur, name: i32(rec.parts[2]), lane: i32(rec.parts[3]), depth: i32(rec.parts[4]), cat: i32(rec.parts[5]),
    names: info.names, lanes: info.lanes, cats: info.cats, end,
  };
}

/** Lanes with events, in lane order, each as many rows as its deepest nesting. */
export function layoutLanes(t: Timeline): LaneRow[] {
  const deepest = new Map<number, number>();
  for (let i = 0; i < t.n; i++) deepest.set(t.lane[i], Math.max(deepest.get(t.lane[i]) ?? 0, t.depth[i]));
  let row = 0;
  return [...deepest.keys()].sort((a, b) => a - b).map((lane) => {
    const rows = (deepest.get(lane) ?? 0) + 1;
    const out = { lane, row0: row, rows };
    row += rows;
    return out;
  });
}

/** The window [t0, t1] zoomed by `factor` (< 1 zooms in) around time `at`, kept inside [0, end]. */
export function zoom(t0: number, t1: number, at: number, factor: number, end: number, minSpan = 0.01): [number, number] {
  const span = Math.min(Math.max((t1 - t0) * factor, minSpan), Math.max(end, minSpan));
  const f = (at - t0) / (t1 - t0 || 1);
  let a = at - f * span;
  a = Math.min(Math.max(a, 0), Math.max(end - span, 0));
  return [a, a + span];
}

/** The window moved by `dt` µs, kept inside [0, end]. */
export function pan(t0: number, t1: number, dt: number, end: number): [number, number] {
  const span = t1 - t0;
  const a = Math.min(Math.max(t0 + dt, 0), Math.max(end - span, 0));
  return [a, a + span];
}

/** The event drawn at time `time` on row `row` (the innermost there; -1: none). `slack` µs widens tiny events. */
export function hit(t: Timeline, lanes: readonly LaneRow[], row: number, time: number, slack: number): number {
  const lr = lanes.find((l) => row >= l.row0 && row < l.row0 + l.rows);
  if (!lr) return -1;
  const depth = row - lr.row0;
  let best = -1;
  for (let i = 0; i < t.n; i++) {
    if (t.lane[i] !== lr.lane || t.depth[i] !== depth) continue;
    const a = t.start[i] - slack, b = t.start[i] + t.dur[i] + slack;
    if (time >= a && time <= b && (best < 0 || t.dur[i] < t.dur[best])) best = i;
  }
  return best;
}

/** Per event whether its name contains `query` (case-insensitive); null for an empty query. */
export function searchMask(t: Timeline, query: string): Uint8Array | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const byName = t.names.map((n) => (n.toLowerCase().includes(q) ? 1 : 0));
  const out = new Uint8Array(t.n);
  for (let i = 0; i < t.n; i++) out[i] = byName[t.name[i]];
  return out;
}

/** A stable colour per name (hue from a string hash). */
export function nameColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return `hsl(${(h >>> 0) % 360}, 55%, 62%)`;
}
