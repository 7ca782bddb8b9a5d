/** The hparams sessions table: columns, sorting (numbers before strings, missing last) and filtering. */
import { escapeRegex } from "../../lib/format";
import { distinctLabels, linearTicks, logLabel, logTicks, quantilePos, quantileValue, resolveMode, tickLabel, type ScaleMode } from "./scales";

export type Cell = number | string | boolean | null;

export interface Session {
  run: string;
  hparams: Record<string, Cell>;
  metrics: Record<string, Cell>;
}

export interface Column {
  key: string;
  group: "hparam" | "metric";
  name: string;
  numeric: boolean;
}

export function columns(sessions: readonly Session[]): Column[] {
  const hp = new Map<string, boolean>(), mt = new Map<string, boolean>();
  for (const s of sessions) {
    for (const [k, v] of Object.entries(s.hparams)) hp.set(k, (hp.get(k) ?? true) && (v === null || typeof v === "number"));
    for (const [k, v] of Object.entries(s.metrics)) mt.set(k, (mt.get(k) ?? true) && (v === null || typeof v === "number"));
  }
  const cols: Column[] = [];
  for (const [k, numeric] of [...hp].sort()) cols.push({ key: "h:" + k, group: "hparam", name: k, numeric });
  for (const [k, numeric] of [...mt].sort()) cols.push({ key: "m:" + k, group: "metric", name: k, numeric });
  return cols;
}

export function cell(s: Session, key: string): Cell {
  if (key === "run") return s.run;
  const v = key.startsWith("h:") ? s.hparams[key.slice(2)] : s.metrics[key.slice(2)];
  return v === undefined ? null : v;
}

function rank(v: Cell): number {
  if (v === null || (typeof v === "number" && Number.isNaN(v))) return 3;
  if (typeof v === "number" || typeof v === "boolean") return 0;
  return 1;
}

/** Sorted copy: ascending or descending by `key`; missing/NaN always last; ties by run name. */
export function sortSessions(rows: readonly Session[], key: string, dir: 1 | -1): Session[] {
  return [...rows].sort((a, b) => {
    const x = cell(a, key), y = cell(b, key);
    const rx = rank(x), ry = rank(y);
    if (rx !== ry) return rx - ry;
    let c = 0;
    if (rx === 0) c = Number(x) - Number(y);
    else if (rx === 1) c = String(x).localeCompare(String(y));
    if (c !== 0) return dir * c;
    return a.run.localeCompare(b.run);
  });
}

interface Filter {
  /** case-insensitive substring (or /regex/) over every shown value and the run name */
  text?: string;
  /** numeric column key → [min, max] (either may be NaN for unbounded) */
  ranges?: Record<string, [number, number]>;
}

export function filterSessions(rows: readonly Session[], f: Filter): Session[] {
  let re: RegExp | null = null;
  const t = (f.text ?? "").trim();
  if (t) {
    try {
      re = t.length > 2 && t.startsWith("/") && t.endsWith("/") ? new RegExp(t.slice(1, -1), "i") : new RegExp(escapeRegex(t), "i");
    } catch {
      re = new RegExp(escapeRegex(t), "i");
    }
  }
  return rows.filter((s) => {
    if (re) {
      const hay = [s.run, ...Object.entries(s.hparams).map(([k, v]) => `${k}=${v}`), ...Object.entries(s.metrics).map(([k, v]) => `${k}=${v}`)];
      if (!hay.some((h) => re!.test(h))) return false;
    }
    for (const [key, [lo, hi]] of Object.entries(f.ranges ?? {})) {
      const v = cell(s, key);
      if (typeof v !== "number") return false;
      if (!Number.isNaN(lo) && v < lo) return false;
      if (!Number.isNaN(hi) && v > hi) return false;
    }
    return true;
  });
}

/** Parse "0.1..0.5", ">=3", "<2", "5" into a range; null when the text is not a range. */
export function parseRange(text: string): [number, number] | null {
  const t = text.trim();
  if (!t) return null;
  let m = /^(-?[\d.eE+-]*)\s*\.\.\s*(-?[\d.eE+-]*)$/.exec(t);
  if (m) {
    const lo = m[1] === "" ? NaN : Number(m[1]), hi = m[2] === "" ? NaN : Number(m[2]);
    return (m[1] === "" || Number.isFinite(lo)) && (m[2] === "" || Number.isFinite(hi)) ? [lo, hi] : null;
  }
  m = /^(>=|<=|>|<)\s*(-?[\d.eE+-]+)$/.exec(t);
  if (m) {
    const v = Number(m[2]);
    if (!Number.isFinite(v)) return null;
    return m[1].startsWith(">") ? [v, NaN] : [NaN, v];
  }
  const v = Number(t);
  return Number.isFinite(v) ? [v, v] : null;
}

/**
 * Where a column's values sit along a parallel-coordinates axis drawn for some rows: numbers by
 * the axis' scale (linear, log10, or quantile: by rank), categories evenly in sorted order.
 */
export interface AxisScale {
  numeric: boolean;
  /** the numeric domain at the axis ends (widened by ±0.5 around a single value); NaN without numbers */
  lo: number;
  hi: number;
  log: boolean;
  /** the scale in use (numeric axes) */
  mode: "linear" | "log" | "quantile";
  /** the distinct finite values, ascending (numeric axes) */
  sorted: number[];
  /** the categories in axis order (categorical columns) */
  cats: string[];
  /** a value's position in [0, 1] (0 at the bottom); null when missing, non-finite or not on this axis */
  pos(v: Cell): number | null;
}

export function axisScale(rows: readonly Session[], col: Column, mode: ScaleMode = "auto"): AxisScale {
  const vals = rows.map((r) => cell(r, col.key));
  if (col.numeric) {
    const f = vals.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (!f.length) return { numeric: true, lo: NaN, hi: NaN, log: false, mode: "linear", sorted: [], cats: [], pos: () => null };
    const sorted = [...new Set(f)].sort((a, b) => a - b);
    let lo = sorted[0], hi = sorted[sorted.length - 1];
    const m = resolveMode(mode, sorted);
    if (m === "quantile") {
      const pos = (v: Cell) => (typeof v === "number" && Number.isFinite(v) ? quantilePos(sorted, v) : null);
      return { numeric: true, lo, hi, log: false, mode: m, sorted, cats: [], pos };
    }
    const log = m === "log";
    if (!(lo < hi)) {
      if (log) {
        lo /= 2;
        hi *= 2;
      } else {
        lo -= 0.5;
        hi += 0.5;
      }
    }
    const t = (v: number) => (log ? Math.log10(v) : v);
    const a = t(lo), b = t(hi);
    const pos = (v: Cell) => {
      if (typeof v !== "number") return null;
      const p = (t(v) - a) / (b - a || 1);
      return Number.isFinite(p) ? p : null;
    };
    return { numeric: true, lo, hi, log, mode: m, sorted, cats: [], pos };
  }
  const cats = [...new Set(vals.filter((v) => v !== null).map(String))].sort();
  const pos = (v: Cell) => {
    const i = v === null ? -1 : cats.indexOf(String(v));
    return i < 0 ? null : cats.length < 2 ? 0.5 : i / (cats.length - 1);
  };
  return { numeric: false, lo: NaN, hi: NaN, log: false, mode: "linear", sorted: [], cats, pos };
}

/** An axis' ticks as (position, label): nice linear steps, powers of ten, or quantiles of the data; categories by name. */
export function axisTicks(s: AxisScale, n = 5): [number, string][] {
  if (!s.numeric) return s.cats.slice(0, 12).map((c) => [s.pos(c)!, c]);
  if (!Number.isFinite(s.lo)) return [];
  if (s.mode === "log") return distinctLabels(logTicks(s.lo, s.hi).map((v) => [s.pos(v)!, logLabel(v)]));
  if (s.mode === "quantile") {
    const k = Math.min(n, s.sorted.length);
    const vs = [...new Set(Array.from({ length: k }, (_, i) => quantileValue(s.sorted, k < 2 ? 0 : i / (k - 1))))];
    const step = Math.min(...vs.slice(1).map((v, i) => v - vs[i]).filter((d) => d > 0), Math.abs(s.hi - s.lo) || 1);
    // data values, not round numbers: no trailing zeros
    return distinctLabels(vs.map((v) => [s.pos(v)!, tickLabel(v, step / 10).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "")]));
  }
  const ticks = linearTicks(s.lo, s.hi, n);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(s.hi - s.lo) || 1;
  return distinctLabels(ticks.map((v) => [s.pos(v)!, tickLabel(v, step)]));
}

/** The numeric value at axis position `p` (the inverse of `pos`; log and quantile aware). */
function valueAt(s: AxisScale, p: number): number {
  if (s.mode === "quantile") return quantileValue(s.sorted, p);
  if (s.log) return 10 ** (Math.log10(s.lo) + p * (Math.log10(s.hi) - Math.log10(s.lo)));
  return s.lo + p * (s.hi - s.lo);
}

/**
 * A brush on a parallel-coordinates axis, in the column's own values so that it stays on the
 * same sessions when the axis is rebuilt (filtering, new sessions): a numeric [lo, hi] or a
 * set of category names.
 */
export type Brush = { lo: number; hi: number } | { cats: string[] };

/** The brush for the axis interval between positions p0 and p1; null when it holds no category. */
export function brushFromPositions(s: AxisScale, p0: number, p1: number): Brush | null {
  const a = Math.min(p0, p1), b = Math.max(p0, p1);
  if (s.numeric) return Number.isFinite(s.lo) ? { lo: valueAt(s, a), hi: valueAt(s, b) } : null;
  const cats = s.cats.filter((c) => {
    const p = s.pos(c)!;
    return p >= a - 1e-9 && p <= b + 1e-9;
  });
  return cats.length ? { cats } : null;
}

/**
 * The interval of axis positions to shade for a brush under the current scale (clamped to the
 * axis, so a range beyond it shows as a sliver at its end); null when it has nothing on this axis.
 */
export function brushSpan(s: AxisScale, b: Brush): [number, number] | null {
  const clamp = (p: number) => Math.min(1, Math.max(0, p));
  if ("cats" in b) {
    if (s.numeric) return null;
    const ps = b.cats.map((c) => s.pos(c)).filter((p): p is number => p !== null);
    if (!ps.length) return null;
    const pad = s.cats.length < 2 ? 0.1 : 0.5 / (s.cats.length - 1);
    return [clamp(Math.min(...ps) - pad), clamp(Math.max(...ps) + pad)];
  }
  if (!s.numeric || !Number.isFinite(s.lo)) return null;
  const at = (v: number) => clamp(s.pos(v) ?? 0); // null: a value <= 0 on a log axis, below its bottom
  return [at(b.lo), at(b.hi)];
}

/** Whether a value passes a brush (missing values never do; edges count). */
function inBrush(v: Cell, b: Brush): boolean {
  if ("cats" in b) return v !== null && b.cats.includes(String(v));
  if (typeof v !== "number" || Number.isNaN(v)) return false;
  const tol = 1e-9 * Math.max(Math.abs(b.lo), Math.abs(b.hi));
  return v >= b.lo - tol && v <= b.hi + tol;
}

/** Whether a session passes every brush (column key → brush). No brushes: everything passes. */
export function inBrushes(s: Session, brushes: Readonly<Record<string, Brush>>): boolean {
  for (const [key, b] of Object.entries(brushes)) if (!inBrush(cell(s, key), b)) return false;
  return true;
}

/** Brushes read back from saved UI state, dropping anything not in the current format. */
export function loadBrushes(raw: unknown): Record<string, Brush> {
  const out: Record<string, Brush> = {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const b = v as { lo?: unknown; hi?: unknown; cats?: unknown } | null;
    if (!b || typeof b !== "object" || Array.isArray(b)) continue;
    if (typeof b.lo === "number" && typeof b.hi === "number") out[k] = { lo: Math.min(b.lo, b.hi), hi: Math.max(b.lo, b.hi) };
    else if (Array.isArray(b.cats) && b.cats.every((c) => typeof c === "string")) out[k] = { cats: [...(b.cats as string[])] };
  }
  return out;
}
