/**
 * Axis scales, ticks, metric colours and table pages of the hparams view: pure functions.
 * A numeric axis is linear, logarithmic or by quantile (TensorBoard's three); "auto" picks log
 * for positive values spanning 100× or more (a learning rate), linear otherwise.
 */

export type ScaleMode = "auto" | "linear" | "log" | "quantile";
export const SCALE_MODES: readonly ScaleMode[] = ["auto", "linear", "log", "quantile"];

/** The scale an axis uses for `mode` and its finite values (log needs them all positive). */
export function resolveMode(mode: ScaleMode, values: readonly number[]): "linear" | "log" | "quantile" {
  const lo = Math.min(...values), hi = Math.max(...values);
  const positive = values.length > 0 && lo > 0;
  if (mode === "quantile") return values.length > 1 ? "quantile" : "linear";
  if (mode === "log") return positive ? "log" : "linear";
  if (mode === "linear") return "linear";
  return positive && values.length > 1 && hi / lo >= 100 ? "log" : "linear";
}

/** Value → position in [0, 1] by rank among `sorted` (distinct, ascending) values, interpolated between them. */
export function quantilePos(sorted: readonly number[], v: number): number {
  const n = sorted.length;
  if (n < 2) return 0.5;
  if (v <= sorted[0]) return 0;
  if (v >= sorted[n - 1]) return 1;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= v) lo = mid;
    else hi = mid;
  }
  const f = sorted[hi] === sorted[lo] ? 0 : (v - sorted[lo]) / (sorted[hi] - sorted[lo]);
  return (lo + f) / (n - 1);
}

/** The inverse of `quantilePos`. */
export function quantileValue(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0];
  const x = Math.min(1, Math.max(0, p)) * (n - 1);
  const i = Math.min(n - 2, Math.floor(x));
  return sorted[i] + (x - i) * (sorted[i + 1] - sorted[i]);
}

/** Decimals that tell ticks `step` apart. */
function decimalsFor(step: number): number {
  return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
}

/** A tick label: plain digits for ordinary magnitudes, exponent form for very large or small ones. */
export function tickLabel(v: number, step: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const digits = Math.max(0, Math.min(6, Math.floor(Math.log10(a)) - Math.floor(Math.log10(step))));
    return v.toExponential(digits).replace(/\.?0+e/, "e");
  }
  return v.toFixed(decimalsFor(step));
}

/** "Nice" linear ticks (1, 2 or 5 × 10^k apart) inside [lo, hi], at most about `n`. */
export function linearTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const mag = 10 ** Math.floor(Math.log10((hi - lo) / Math.max(1, n)));
  const count = (st: number) => Math.floor(hi / st + 1e-9) - Math.ceil(lo / st - 1e-9) + 1;
  // the 1-2-5 step whose tick count comes closest to n
  let step = mag;
  for (const st of [0.5, 1, 2, 5, 10].map((m) => m * mag)) {
    if (Math.abs(count(st) - n) < Math.abs(count(step) - n) || count(step) > n + 2) step = st;
  }
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = 0; i < count(step); i++) out.push(Number(((first + i) * step).toPrecision(12)));
  return out;
}

/** Log ticks: powers of ten in [lo, hi], with 2× and 5× between them when there are few decades. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [lo] : [];
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((b - a) / 6));
  const out: number[] = [];
  for (let e = a; e <= b; e += every) {
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Tick labels for a log axis: 1e-4 style, or plain digits between 0.001 and 1e5. */
export function logLabel(v: number): string {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = Math.round(v / 10 ** e);
  if (v >= 1e-3 && v < 1e5) return String(Number(v.toPrecision(3)));
  return m === 1 ? `1e${e}` : `${m}e${e}`;
}

/** Distinct labels: a label equal to its neighbour's is dropped (the tick stays unlabelled). */
export function distinctLabels(ticks: readonly [number, string][]): [number, string][] {
  const out: [number, string][] = [];
  for (const t of ticks) if (!out.length || out[out.length - 1][1] !== t[1]) out.push(t);
  return out;
}

/** A sequential colour (viridis-like) for t in [0, 1]; grey for NaN (no value). */
const STOPS: [number, number, number][] = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];
export function metricColor(t: number): string {
  if (!Number.isFinite(t)) return "#b0b0b0";
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  const c = STOPS[i].map((a, k) => Math.round(a + f * (STOPS[i + 1][k] - a)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** The rows of page `page` (0-based, clamped) of `size` rows each, out of `n`. */
export function pageBounds(n: number, page: number, size: number): { start: number; end: number; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(n / Math.max(1, size)));
  const p = Math.min(pages - 1, Math.max(0, Math.floor(page)));
  const start = p * size;
  return { start, end: Math.min(n, start + size), page: p, pages };
}
