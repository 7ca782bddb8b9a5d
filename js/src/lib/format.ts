/** Number and time formatting for axes and tooltips. */

export function fmtValue(v: number): string {
  if (v !== v) return "NaN";
  if (v === Infinity) return "+inf";
  if (v === -Infinity) return "-inf";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return Number(v.toPrecision(5)).toString();
}

export function fmtStep(s: number): string {
  return Math.abs(s) >= 1e4 ? s.toLocaleString("en-US") : String(s);
}

/** Seconds → "850ms", "12.5s", "3.2m", "1.75h", "2.1d". */
export function fmtDuration(sec: number): string {
  const a = Math.abs(sec);
  if (a < 1) return `${+(sec * 1000).toFixed(0)}ms`;
  if (a < 60) return `${+sec.toFixed(a < 10 ? 2 : 1)}s`;
  if (a < 3600) return `${+(sec / 60).toFixed(2)}m`;
  if (a < 86400) return `${+(sec / 3600).toFixed(2)}h`;
  return `${+(sec / 86400).toFixed(2)}d`;
}

export function fmtWall(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Compile a user regex; invalid → null (the caller shows it as invalid and filters nothing). */
export function compileFilter(src: string): RegExp | null | undefined {
  if (!src) return undefined;
  try {
    return new RegExp(src, "i");
  } catch {
    return null;
  }
}

/** `s` as a regex source matching it literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Tag section: TensorBoard groups tags by the part before the first "/". */
export function tagGroup(tag: string): string {
  const i = tag.indexOf("/");
  return i > 0 ? tag.slice(0, i) : tag;
}

/** Axis labels for durations: one unit chosen from the tick increment, with just enough decimals. */
export function fmtDurationTicks(splits: readonly (number | null)[], incr: number): string[] {
  const units: [number, string][] = [[1e-3, "ms"], [1, "s"], [60, "m"], [3600, "h"], [86400, "d"]];
  const step = Math.abs(incr) || 1e-3;
  let unit = units[0];
  for (const u of units) if (step >= u[0]) unit = u;
  const scaled = step / unit[0];
  let dec = 0; // enough decimals to write the increment itself exactly
  while (dec < 6 && Math.abs(Math.round(scaled * 10 ** dec) - scaled * 10 ** dec) > 1e-6 * 10 ** dec) dec++;
  return splits.map((v) => (v == null ? "" : `${(v / unit[0]).toFixed(dec)}${unit[1]}`));
}
