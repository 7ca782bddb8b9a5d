/**
 * The trace timeline's pure logic: the events' columns decoded from a profile record's parts
 * (format: nbboard/kinds/profiler/feed.py `timeline`), lanes laid out as rows (one per nesting
 * depth), the visible window's zoom and pan, hit testing and search; the flow arrows between
 * events (a host launch → the device work it launched, a forward op → its backward op): the ones
 * to draw in a window, and what an event's flows say about it.
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
  /** flow arrows: source and destination event, kind (an index into `flowKinds`) */
  flowSrc: Int32Array;
  flowDst: Int32Array;
  flowKind: Int32Array;
  flowKinds: string[];
}

export interface LaneRow {
  lane: number;
  /** first row (y index) of the lane and its row count (its deepest nesting + 1) */
  row0: number;
  rows: number;
}

/** The timeline of a profile record (null when it has none). */
export function decodeTimeline(rec: Rec): Timeline | null {
  const info = rec.meta?.timeline as { n: number; names: string[]; lanes: string[]; cats: string[]; flow_kinds?: string[] } | undefined;
  if (!info || rec.parts.length < 6) return null;
  const start = f64(rec.parts[0]);
  const dur = f32(rec.parts[1]);
  let end = 0;
  for (let i = 0; i < info.n; i++) end = Math.max(end, start[i] + dur[i]);
  const flows = rec.parts.length >= 9; // older records have no flows
  return {
    n: info.n, start, dur, name: i32(rec.parts[2]), lane: i32(rec.parts[3]), depth: i32(rec.parts[4]), cat: i32(rec.parts[5]),
    names: info.names, lanes: info.lanes, cats: info.cats, end,
    flowSrc: flows ? i32(rec.parts[6]) : new Int32Array(0), flowDst: flows ? i32(rec.parts[7]) : new Int32Array(0),
    flowKind: flows ? i32(rec.parts[8]) : new Int32Array(0), flowKinds: info.flow_kinds ?? [],
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

/** The first match of `mask` starting after event `from` (-1: from the beginning), wrapping round; -1 when none. */
export function nextMatch(t: Timeline, mask: Uint8Array, from: number): number {
  const after = from >= 0 ? t.start[from] : -Infinity;
  let best = -1, first = -1;
  for (let i = 0; i < t.n; i++) {
    if (!mask[i]) continue;
    const s = t.start[i];
    if (first < 0 || s < t.start[first] || (s === t.start[first] && i < first)) first = i;
    const later = s > after || (s === after && i > from);
    if (later && (best < 0 || s < t.start[best] || (s === t.start[best] && i < best))) best = i;
  }
  return best >= 0 ? best : first;
}

/** A stable colour per name (hue from a string hash). */
export function nameColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return `hsl(${(h >>> 0) % 360}, 55%, 62%)`;
}

// ---- flows ------------------------------------------------------------------------------------

/** Where the timeline is drawn: the plot's left edge and width in px, the first row's top, a row's height. */
export interface Geometry {
  left: number;
  width: number;
  top: number;
  rowH: number;
}

/** Arrows whose ends fall in the same columns this wide (px) and the same rows are drawn once. */
export const ARROW_PX = 4;

/** The arrows to draw in window [t0, t1]: per arrow x0, y0, x1, y1 (px, from the start of each
 * event, at its row's middle) and kind; a flow is drawn when either of its events is in the window;
 * arrows landing within ARROW_PX of one already drawn (both ends, same rows) are skipped, at most
 * `max` drawn. `inView` counts the flows in the window. */
export function flowLines(t: Timeline, rowOf: ReadonlyMap<number, number>, t0: number, t1: number, geo: Geometry,
  max = 4000): { lines: Float64Array; kinds: Int32Array; count: number; inView: number } {
  const scale = geo.width / (t1 - t0 || 1);
  const fg = flowGeometry(t, rowOf);
  const lines: number[] = [];
  const kinds: number[] = [];
  const seen = new Set<number>();
  let inView = 0;
  let last = -1;
  // the column of x (clamped to the canvas: 13 bits)
  const col = (x: number) => Math.min(Math.max(Math.round(x / ARROW_PX) + 2, 0), 8191);
  for (let f = 0; f < fg.n; f++) {
    const s0 = fg.s0[f], s1 = fg.s1[f];
    if (!(s0 <= t1 && fg.e0[f] >= t0) && !(s1 <= t1 && fg.e1[f] >= t0)) continue;
    inView++;
    if (kinds.length >= max) continue;
    const x0 = geo.left + (s0 - t0) * scale, x1 = geo.left + (s1 - t0) * scale;
    const r0 = fg.r0[f], r1 = fg.r1[f];
    // the rows and the 4-px columns of both ends as one number (rows 12 bits each): arrows closer
    // than an arrowhead's width are drawn once (the one before is the usual repeat: checked first)
    const key = ((Math.min(r0, 4095) * 8192 + col(x0)) * 4096 + Math.min(r1, 4095)) * 8192 + col(x1);
    if (key === last || seen.has(key)) continue;
    last = key;
    seen.add(key);
    lines.push(x0, geo.top + (r0 + 0.5) * geo.rowH, x1, geo.top + (r1 + 0.5) * geo.rowH);
    kinds.push(t.flowKind[f]);
  }
  return { lines: Float64Array.from(lines), kinds: Int32Array.from(kinds), count: kinds.length, inView };
}

/** Per flow, what drawing it needs, in flow order (read once per frame without reaching into the
 * events' columns at random): each end's event start and end, and row. */
interface FlowGeometry {
  n: number;
  s0: Float64Array;
  e0: Float64Array;
  s1: Float64Array;
  e1: Float64Array;
  r0: Int32Array;
  r1: Int32Array;
}

const flowGeometries = new WeakMap<Timeline, { rowOf: ReadonlyMap<number, number>; geo: FlowGeometry }>();

/** The flows' geometry for this layout of the lanes (kept per timeline while the layout stays). */
export function flowGeometry(t: Timeline, rowOf: ReadonlyMap<number, number>): FlowGeometry {
  const hit = flowGeometries.get(t);
  if (hit && hit.rowOf === rowOf) return hit.geo;
  const n = t.flowSrc.length;
  const geo: FlowGeometry = { n, s0: new Float64Array(n), e0: new Float64Array(n), s1: new Float64Array(n), e1: new Float64Array(n),
    r0: new Int32Array(n), r1: new Int32Array(n) };
  for (let f = 0; f < n; f++) {
    const a = t.flowSrc[f], b = t.flowDst[f];
    geo.s0[f] = t.start[a];
    geo.e0[f] = t.start[a] + t.dur[a];
    geo.s1[f] = t.start[b];
    geo.e1[f] = t.start[b] + t.dur[b];
    geo.r0[f] = (rowOf.get(t.lane[a]) ?? 0) + t.depth[a];
    geo.r1[f] = (rowOf.get(t.lane[b]) ?? 0) + t.depth[b];
  }
  flowGeometries.set(t, { rowOf, geo });
  return geo;
}

/** What an event's flows say, for its details: each linked event and how it is linked. */
export interface FlowLink {
  /** "launched" (this event, or a call inside it, launched `other`), "launched by", "backward" (`other` is this op's backward), "backward of" */
  rel: "launched" | "launched by" | "backward" | "backward of" | "flow to" | "flow from";
  other: number;
  /** the host op holding the launching call (for a device event: the op that launched it), -1: none */
  via: number;
}

/** The events enclosing event `i` on its lane, innermost first. */
export function ancestors(t: Timeline, i: number): number[] {
  const out: number[] = [];
  const a = t.start[i], b = a + t.dur[i], lane = t.lane[i], d = t.depth[i];
  const byDepth = new Map<number, number>();
  for (let j = 0; j < t.n; j++) {
    if (t.lane[j] !== lane || t.depth[j] >= d || t.start[j] > a || t.start[j] + t.dur[j] < b) continue;
    const k = byDepth.get(t.depth[j]);
    if (k === undefined || t.dur[j] < t.dur[k]) byDepth.set(t.depth[j], j);
  }
  for (let k = d - 1; k >= 0; k--) {
    const j = byDepth.get(k);
    if (j !== undefined) out.push(j);
  }
  return out;
}

/** Whether event `j` lies inside event `i` (same lane, deeper, within its time range). */
function inside(t: Timeline, j: number, i: number): boolean {
  return t.lane[j] === t.lane[i] && t.depth[j] > t.depth[i] && t.start[j] >= t.start[i] && t.start[j] + t.dur[j] <= t.start[i] + t.dur[i];
}

/** The flows of event `i` as links (at most `max`): its own flows, and the launches of the calls
 * inside it (an op whose cudaLaunchKernel launched a kernel "launched" that kernel). */
export function flowLinks(t: Timeline, i: number, max = 50): FlowLink[] {
  const out: FlowLink[] = [];
  const kindOf = (f: number) => t.flowKinds[t.flowKind[f]] ?? "other";
  for (let f = 0; f < t.flowSrc.length && out.length < max; f++) {
    const a = t.flowSrc[f], b = t.flowDst[f], kind = kindOf(f);
    if (a === i || (kind === "ac2g" && inside(t, a, i))) {
      out.push({ rel: kind === "ac2g" ? "launched" : kind === "fwdbwd" ? "backward" : "flow to", other: b, via: a === i ? -1 : a });
    } else if (b === i) {
      let via = -1;
      if (kind === "ac2g") via = ancestors(t, a).find((k) => !/^cuda|^cu[A-Z]|^hip/.test(t.names[t.name[k]] ?? "")) ?? -1;
      out.push({ rel: kind === "ac2g" ? "launched by" : kind === "fwdbwd" ? "backward of" : "flow from", other: a, via });
    }
  }
  return out;
}

/** The window showing event `i`: the current span centred on it, or zoomed out so that it takes
 * half the window when it is wider than the window; kept inside [0, end]. */
export function focusWindow(t0: number, t1: number, a: number, b: number, end: number): [number, number] {
  let span = t1 - t0;
  if (b - a > 0.8 * span) span = Math.min(2 * (b - a), Math.max(end, b - a));
  const mid = (a + b) / 2;
  const lo = Math.min(Math.max(mid - span / 2, 0), Math.max(end - span, 0));
  return [lo, lo + span];
}

// ---- level of detail ----------------------------------------------------------------------------

/** The events by row (a lane's row per nesting depth), each row's events by start time. */
export interface RowIndex {
  /** row r's events are order[offsets[r] .. offsets[r + 1]) */
  offsets: Int32Array;
  order: Int32Array;
  /** the start of order[k], for binary searches */
  starts: Float64Array;
  /** each row's longest event (µs): a window's search starts that much earlier */
  maxDur: Float64Array;
  /** per block of BLOCK positions of `order` (blocks wholly inside one row are used): its events'
   * latest end, longest duration and first longest event, to merge a block of sub-pixel events at
   * once when zoomed out (absent: event by event) */
  blocks?: { maxEnd: Float64Array; maxDur: Float64Array; longest: Int32Array; match: WeakMap<Uint8Array, Uint8Array> };
}

/** Events per block of the row index (a power of two). */
export const BLOCK = 32;
const BLOCK_SHIFT = Math.log2(BLOCK);

/** The row index of `t` for rows laid out by `rowOf` (a lane's first row; + depth). */
export function rowIndex(t: Timeline, rowOf: ReadonlyMap<number, number>, rows: number): RowIndex {
  const row = new Int32Array(t.n);
  const counts = new Int32Array(rows + 1);
  for (let i = 0; i < t.n; i++) {
    row[i] = Math.min((rowOf.get(t.lane[i]) ?? 0) + t.depth[i], rows - 1);
    counts[row[i] + 1]++;
  }
  const offsets = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) offsets[r + 1] = offsets[r] + counts[r + 1];
  const fill = offsets.slice(0, rows);
  const order = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) order[fill[row[i]]++] = i;
  const maxDur = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const part = order.subarray(offsets[r], offsets[r + 1]);
    part.sort((a, b) => t.start[a] - t.start[b] || a - b);
    for (const i of part) maxDur[r] = Math.max(maxDur[r], t.dur[i]);
  }
  const starts = new Float64Array(t.n);
  for (let k = 0; k < t.n; k++) starts[k] = t.start[order[k]];
  const nb = t.n >>> BLOCK_SHIFT;
  const blocks = { maxEnd: new Float64Array(nb), maxDur: new Float64Array(nb), longest: new Int32Array(nb), match: new WeakMap() };
  for (let b = 0; b < nb; b++) {
    let end = -Infinity, longest = order[b << BLOCK_SHIFT], odd = false;
    for (let k = b << BLOCK_SHIFT; k < (b + 1) << BLOCK_SHIFT; k++) {
      const i = order[k];
      end = Math.max(end, t.start[i] + t.dur[i]);
      if (t.dur[i] > t.dur[longest]) longest = i;
      odd ||= !(t.dur[i] >= 0); // a negative or NaN duration: this block goes event by event
    }
    blocks.maxEnd[b] = end;
    blocks.maxDur[b] = odd ? Infinity : t.dur[longest];
    blocks.longest[b] = longest;
  }
  return { offsets, order, starts, maxDur, blocks };
}

/** Per block: whether any of its events matches `mask` (kept while the mask is). */
function blockMatch(idx: RowIndex, mask: Uint8Array): Uint8Array {
  const blocks = idx.blocks!;
  let m = blocks.match.get(mask);
  if (!m) {
    m = new Uint8Array(blocks.longest.length);
    for (let k = 0; k < m.length << BLOCK_SHIFT; k++) if (mask[idx.order[k]]) m[k >>> BLOCK_SHIFT] = 1;
    blocks.match.set(mask, m);
  }
  return m;
}

/** The first position in starts[lo, hi) whose value is ≥ v. */
function lowerBound(a: Float64Array, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** What to draw of row `r` in window [t0, t1] at `scale` px/µs from x = `left`: runs of
 * (x0, x1, the event shown, events merged, whether any matches `mask`), appended to `out` (5
 * numbers a run). An event at least 1 px wide is a run of its own; narrower ones within 1 px of
 * each other merge into one run, shown as its longest event, at least 1 px wide. */
export function rowRuns(t: Timeline, idx: RowIndex, r: number, t0: number, t1: number, left: number, scale: number,
  mask: Uint8Array | null, out: number[]): void {
  const hi = idx.offsets[r + 1];
  let k = lowerBound(idx.starts, idx.offsets[r], hi, t0 - idx.maxDur[r]);
  let px0 = 0, px1 = -Infinity, rep = -1, count = 0, match = 0;
  const flush = () => {
    if (rep >= 0) out.push(px0, Math.max(px1, px0 + 1), rep, count, match);
    rep = -1;
  };
  const blk = idx.blocks;
  const bm = blk && mask !== null ? blockMatch(idx, mask) : null;
  for (; k < hi; k++) {
    // merging sub-pixel events: a whole block of them that joins the run merges as one step (the
    // same run as event by event: its starts lie in the window within the run's reach, each is
    // narrower than a pixel, the run's end is its latest end, its shown event the first longest)
    if (blk && rep >= 0 && (k & (BLOCK - 1)) === 0 && k + BLOCK <= hi) {
      const b = k >>> BLOCK_SHIFT, last = idx.starts[k + BLOCK - 1];
      if (idx.starts[k] >= t0 && last <= t1 && blk.maxDur[b] * scale < 0.999 && left + (last - t0) * scale <= px1 + 1) {
        px1 = Math.max(px1, left + Math.min(blk.maxEnd[b] - t0, t1 - t0) * scale);
        count += BLOCK;
        match |= bm === null ? 1 : bm[b];
        if (t.dur[blk.longest[b]] > t.dur[rep]) rep = blk.longest[b];
        k += BLOCK - 1;
        continue;
      }
    }
    const a = idx.starts[k];
    if (a > t1) break;
    const i = idx.order[k];
    const b = a + t.dur[i];
    if (b < t0) continue;
    const x0 = left + Math.max(a - t0, 0) * scale;
    const x1 = left + Math.min(b - t0, t1 - t0) * scale;
    const m = mask === null || mask[i] ? 1 : 0;
    if (x1 - x0 >= 1) {
      flush();
      out.push(x0, x1, i, 1, m);
    } else if (rep >= 0 && x0 <= px1 + 1) {
      px1 = Math.max(px1, x1);
      count++;
      match |= m;
      if (t.dur[i] > t.dur[rep]) rep = i;
    } else {
      flush();
      px0 = x0;
      px1 = x1;
      rep = i;
      count = 1;
      match = m;
    }
  }
  flush();
}
