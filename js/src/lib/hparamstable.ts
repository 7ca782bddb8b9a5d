/** The hparams sessions table: columns, sorting (numbers before strings, missing last) and filtering. */

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

export interface Filter {
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
      re = t.length > 2 && t.startsWith("/") && t.endsWith("/") ? new RegExp(t.slice(1, -1), "i") : new RegExp(escape(t), "i");
    } catch {
      re = new RegExp(escape(t), "i");
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

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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

/** A brush on a parallel-coordinates axis: the interval [lo, hi] of axis positions (0 bottom, 1 top). */
export type Brush = [number, number];

/**
 * Whether a session passes every brush: `pos(key)` is its position on that axis (null when it
 * has no value there, which fails the brush). No brushes: everything passes.
 */
export function inBrushes(pos: (key: string) => number | null, brushes: Readonly<Record<string, Brush>>): boolean {
  for (const [key, [lo, hi]] of Object.entries(brushes)) {
    const p = pos(key);
    if (p === null || p < Math.min(lo, hi) - 1e-9 || p > Math.max(lo, hi) + 1e-9) return false;
  }
  return true;
}
