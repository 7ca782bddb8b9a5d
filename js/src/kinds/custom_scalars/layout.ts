/**
 * Custom scalar layouts (add_custom_scalars): the charts of every run's layout merged, and which
 * scalar series each chart draws — multiline charts: every tag matching one of its regexes, per
 * run; margin charts: a value series with its lower and upper bound series.
 */
import type { ScalarData } from "../../lib/series";

export interface Chart {
  title: string;
  kind: "Multiline" | "Margin";
  tags: string[];
}

/** Categories merged over every run's layout (same category and chart title → one chart). */
export function mergedLayout(plugins: Map<string, Record<string, unknown>>): { title: string; charts: Chart[] }[] {
  const cats = new Map<string, Map<string, Chart>>();
  for (const p of plugins.values()) {
    const layout = p.custom_scalars as { categories?: { title: string; charts: Chart[] }[] } | undefined;
    for (const c of layout?.categories ?? []) {
      let m = cats.get(String(c.title));
      if (!m) cats.set(String(c.title), (m = new Map()));
      for (const ch of c.charts ?? []) if (!m.has(String(ch.title))) m.set(String(ch.title), { title: String(ch.title), kind: ch.kind === "Margin" ? "Margin" : "Multiline", tags: (ch.tags ?? []).map(String) });
    }
  }
  return [...cats].map(([title, m]) => ({ title, charts: [...m.values()] }));
}

/** One series of a chart; a margin chart's "upper" line directly follows its "lower" line. */
export interface ChartLine {
  label: string;
  run: string;
  s: ScalarData;
  role: "line" | "value" | "lower" | "upper";
}

function regex(src: string): RegExp | null {
  try {
    return new RegExp(src);
  } catch {
    return null;
  }
}

/** The series `chart` draws from `byTag` (tag → run → series), runs filtered by `runShown`, sorted by tag then run. */
export function chartLines(chart: Chart, byTag: ReadonlyMap<string, ReadonlyMap<string, ScalarData>>, runShown: (run: string) => boolean): ChartLine[] {
  const lines: ChartLine[] = [];
  if (chart.kind === "Multiline") {
    const res = chart.tags.map(regex).filter((r): r is RegExp => r !== null);
    for (const [tag, byRun] of [...byTag].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (!res.some((r) => r.test(tag))) continue;
      for (const [run, s] of [...byRun].sort((a, b) => a[0].localeCompare(b[0]))) if (runShown(run)) lines.push({ label: `${run}: ${tag}`, run, s, role: "line" });
    }
    return lines;
  }
  const [v, lo, hi] = chart.tags;
  const values = byTag.get(v);
  for (const run of [...(values?.keys() ?? [])].sort()) {
    if (!runShown(run)) continue;
    const a = values!.get(run)!, b = byTag.get(lo)?.get(run), c = byTag.get(hi)?.get(run);
    lines.push({ label: `${run}: ${v}`, run, s: a, role: "value" });
    if (b && c) {
      lines.push({ label: `${run}: ${lo}`, run, s: b, role: "lower" });
      lines.push({ label: `${run}: ${hi}`, run, s: c, role: "upper" });
    }
  }
  return lines;
}

/** Whether any of `lines` is among the `changed` series (else a scalar update leaves the chart as drawn). */
export function linesChanged(lines: readonly ChartLine[], changed: ReadonlySet<unknown>): boolean {
  for (const l of lines) if (changed.has(l.s)) return true;
  return false;
}
