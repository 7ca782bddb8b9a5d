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

  get(run: string): string {
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
