/** Stable run colours: a run keeps its colour for the life of the page, preferring one derived from its name. */

/** Saturated, tell-apart hues only: a grey run would read as a disabled one (issue 14). */
export const PALETTE: readonly string[] = [
  "#ff7043", "#0077bb", "#009988", "#ee3377", "#33bbee", "#cc3311",
  "#9c27b0", "#43a047", "#f9a825", "#5c6bc0", "#a0522d", "#7e57c2",
];

/** HSL saturation and lightness (0..1) of "#rrggbb". */
export function saturationLightness(hex: string): [number, number] {
  const n = parseInt(hex.slice(1), 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => v / 255);
  const mx = Math.max(...c), mn = Math.min(...c);
  const l = (mx + mn) / 2;
  const s = mx === mn ? 0 : (mx - mn) / (1 - Math.abs(2 * l - 1));
  return [s, l];
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export class ColorMap {
  private byRun = new Map<string, string>();
  private used = new Map<string, number>();
  private override: ((run: string) => string | undefined) | null = null;
  /** Bumped whenever colours change (an override set or cleared): views compare it to redraw. */
  version = 0;

  /** Colour runs by `fn` (a Board's colour-by-hparam) where it gives a colour; null: by run again. */
  setOverride(fn: ((run: string) => string | undefined) | null): void {
    this.override = fn;
    this.version++;
  }

  get(run: string): string {
    if (this.override) {
      const o = this.override(run);
      if (o !== undefined) return o;
    }
    return this.own(run);
  }

  /** The run's own colour (by name), whatever the override. */
  own(run: string): string {
    let c = this.byRun.get(run);
    if (c !== undefined) return c;
    const start = hashString(run) % PALETTE.length;
    // least-used colour, searching from the name's own slot
    let best = start, bestUse = Infinity;
    for (let k = 0; k < PALETTE.length; k++) {
      const i = (start + k) % PALETTE.length;
      const use = this.used.get(PALETTE[i]) ?? 0;
      if (use < bestUse) { best = i; bestUse = use; }
    }
    c = PALETTE[best];
    this.used.set(c, bestUse + 1);
    this.byRun.set(run, c);
    return c;
  }
}

/** A sequential colour scale (viridis-like, dark to bright) for t in [0, 1]; grey for NaN. */
const STOPS: [number, number, number][] = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];
export const MISSING = "#b0b0b0";
export function sequentialColor(t: number): string {
  if (!Number.isFinite(t)) return MISSING;
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  const c = STOPS[i].map((a, k) => Math.round(a + f * (STOPS[i + 1][k] - a)));
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

export type ScaleValue = number | string | boolean | null | undefined;

/** How runs are coloured by one hparam, and the legend that says so. */
export interface ValueColoring {
  color(v: ScaleValue): string;
  legend:
    | { kind: "categorical"; entries: [string, string][]; more: number }
    | { kind: "numeric"; lo: number; hi: number; log: boolean; stops: string[] };
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * Colours for the values of an hparam: numbers (every present value a number) on the sequential
 * scale, log-spaced when all are positive and span more than 100× (learning rates); anything else
 * categorical, one palette colour per distinct value in natural order (repeating past the palette's
 * 12). A run without the hparam is grey.
 */
export function valueColoring(values: Iterable<ScaleValue>): ValueColoring {
  const present: (number | string | boolean)[] = [];
  for (const v of values) if (v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v))) present.push(v);
  const nums = present.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (present.length > 0 && nums.length === present.length && new Set(nums).size > 1) {
    let lo = Infinity, hi = -Infinity;
    for (const v of nums) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const log = lo > 0 && hi / lo > 100;
    const pos = (v: number) => (log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo));
    return {
      color: (v) => (typeof v === "number" && Number.isFinite(v) ? sequentialColor(pos(v)) : MISSING),
      legend: { kind: "numeric", lo, hi, log, stops: [0, 0.25, 0.5, 0.75, 1].map(sequentialColor) },
    };
  }
  const distinct = [...new Set(present.map(String))].sort(natural.compare);
  const byValue = new Map(distinct.map((v, i) => [v, PALETTE[i % PALETTE.length]]));
  const shown = distinct.slice(0, PALETTE.length);
  return {
    color: (v) => (v === null || v === undefined ? MISSING : (byValue.get(String(v)) ?? MISSING)),
    legend: { kind: "categorical", entries: shown.map((v) => [v, byValue.get(v)!]), more: distinct.length - shown.length },
  };
}
