/**
 * Axis tick labels that tell neighbours apart: as many digits as the tick increment needs (and more
 * if two labels would still read the same), integers for integer axes (steps), "500k" only when
 * every label stays distinct, and tick increments for integer axes (no half steps).
 */

/** Steps are integers: tick increments 1, 2, 5, 10, 20, 50, ... up to 5e15. */
export const INTEGER_INCRS: number[] = Array.from({ length: 16 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/** Decimals needed to write `incr` exactly (0.25 → 2, 5 → 0, 0.0005 → 4), at most 15. */
export function decimalsFor(incr: number): number {
  const a = Math.abs(incr);
  if (!(a > 0) || !Number.isFinite(a)) return 0;
  let d = Math.max(0, -Math.floor(Math.log10(a)));
  while (d < 15) {
    const s = a * 10 ** d;
    if (Math.abs(Math.round(s) - s) <= 1e-6 * Math.max(1, s)) break;
    d++;
  }
  return d;
}

function distinct(labels: readonly string[], splits: readonly (number | null)[]): boolean {
  const seen = new Map<string, number>();
  for (let i = 0; i < labels.length; i++) {
    const v = splits[i];
    if (v == null) continue;
    const prev = seen.get(labels[i]);
    if (prev !== undefined && prev !== v) return false;
    seen.set(labels[i], v);
  }
  return true;
}

function fixed(v: number, d: number): string {
  const s = v.toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s; // no "-0.00"
}

function exponential(v: number, d: number): string {
  return v === 0 ? "0" : v.toExponential(d);
}

/** 500120 → "500,120". */
export function groupThousands(v: number): string {
  const s = String(Math.abs(Math.round(v)));
  return (v < 0 && Math.round(v) !== 0 ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

const COMPACT: [number, string][] = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];

/**
 * Labels for integer ticks (steps): below 10,000 plain; above, "200k" / "1.5M" when every label is
 * exact with at most one decimal in its own unit, else grouped digits "500,120".
 */
function integerLabels(splits: readonly (number | null)[], max: number): string[] {
  if (max >= 1e4) {
    let compact = true;
    const out = splits.map((v) => {
      if (v == null) return "";
      const a = Math.abs(v);
      const unit = COMPACT.find(([u]) => a >= u);
      if (!unit) return String(v);
      const d = decimalsFor(a / unit[0]);
      if (d > 1) compact = false;
      return `${fixed(v / unit[0], d)}${unit[1]}`;
    });
    if (compact && distinct(out, splits)) return out;
    return splits.map((v) => (v == null ? "" : groupThousands(v)));
  }
  return splits.map((v) => (v == null ? "" : String(v)));
}

/**
 * Tick labels for `splits` spaced `incr` apart: each label distinct from the others, with as few
 * digits as that takes. `integer`: the axis counts whole things (steps), labels are integers when
 * the ticks are. Null splits (uPlot may pass them) get "".
 */
export function fmtTicks(splits: readonly (number | null)[], incr: number, integer = false): string[] {
  let max = 0;
  let allInt = true;
  for (const v of splits) {
    if (v == null || !Number.isFinite(v)) continue;
    max = Math.max(max, Math.abs(v));
    if (!Number.isInteger(v)) allInt = false;
  }
  if (integer && allInt) return integerLabels(splits, max);
  const finite = (f: (v: number) => string) => splits.map((v) => (v == null ? "" : Number.isFinite(v) ? f(v) : String(v)));
  if (max >= 1e6 || (max > 0 && max < 1e-3)) {
    // exponent form: mantissa digits enough for the increment, then more until distinct
    const mag = Math.floor(Math.log10(max));
    const step = Math.abs(incr) || max;
    const e = Math.floor(Math.log10(step));
    let d = Math.max(0, Math.min(15, mag - e + decimalsFor(step / 10 ** e)));
    for (; d <= 16; d++) {
      const out = finite((v) => exponential(v, d));
      if (distinct(out, splits) || d === 16) return out;
    }
  }
  for (let d = decimalsFor(incr); ; d++) {
    const out = finite((v) => fixed(v, d));
    if (distinct(out, splits) || d >= 20) return out;
  }
}
