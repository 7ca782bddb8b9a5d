/**
 * Fired alerts on the page: gathered from the model's `alerts` records (one series per run, tag
 * `.alerts`; format: nbboard/kinds/alerts/feed.py), deduplicated, and what the views draw of them.
 * Every string here came from the kernel's logs: callers put them in the page as text only.
 */
import type { RecordSeries } from "../../lib/records";
import type { XAxis } from "../../lib/scalar_draw";

export interface AlertInfo {
  /** unique per firing: run, rule, tag, step */
  id: string;
  run: string;
  tag: string;
  step: number;
  wall: number;
  /** the value that fired the rule (null: not finite, see valueText) */
  value: number | null;
  valueText: string;
  reference: number | null;
  rule: string;
  text: string;
  /** the rule's name, with its description when the name is not the description */
  label: string;
  condition: string;
  message: string;
  firedAt: number;
}

const str = (x: unknown): string => (typeof x === "string" ? x : x === undefined || x === null ? "" : String(x));
const numOrNull = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The tag of a run's fired alerts (its `.alert-rules` series holds the rules, not alerts). */
export const ALERTS_TAG = ".alerts";

/** Every alert of the given `alerts` record series, once each, oldest firing first. */
export function collectAlerts(series: readonly RecordSeries[]): AlertInfo[] {
  const byId = new Map<string, AlertInfo>();
  for (const s of series) {
    if (s.tag !== ALERTS_TAG) continue;
    for (const r of s.recs) {
      const m = (r.meta ?? {}) as Record<string, unknown>;
      const rule = str(m.rule);
      const tag = str(m.tag);
      const step = typeof m.step === "number" ? m.step : r.step;
      const id = JSON.stringify([s.run, rule, tag, step]);
      if (byId.has(id)) continue;
      const value = numOrNull(m.value);
      const text = str(m.text) || rule;
      byId.set(id, {
        id,
        run: s.run,
        tag,
        step,
        wall: typeof m.wall_time === "number" ? m.wall_time : r.wall,
        value,
        valueText: value === null ? str(m.value_text) || "NaN" : fmtValue(value),
        reference: numOrNull(m.reference),
        rule,
        text,
        label: rule && rule !== text ? `${rule} (${text})` : text,
        condition: str(m.condition),
        message: str(m.message),
        firedAt: typeof m.fired_at === "number" ? m.fired_at : r.wall,
      });
    }
  }
  return [...byId.values()].sort((a, b) => a.firedAt - b.firedAt || a.step - b.step);
}

/** A value as the alert texts show it (6 significant digits). */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number(v.toPrecision(6)).toString();
}

/** Alerts by the tag they fired on (what a scalar chart marks). */
export function alertsByTag(alerts: readonly AlertInfo[]): Map<string, AlertInfo[]> {
  const m = new Map<string, AlertInfo[]>();
  for (const a of alerts) {
    let l = m.get(a.tag);
    if (!l) m.set(a.tag, (l = []));
    l.push(a);
  }
  return m;
}

/** Where an alert sits on a chart's x axis (`firstWall`: the run's first wall time, for "relative"). */
export function alertX(a: AlertInfo, mode: XAxis, firstWall: number): number {
  if (mode === "step") return a.step;
  return mode === "relative" ? a.wall - firstWall : a.wall;
}

/** The page title while `n` alerts wait to be seen: the base title with a warning count before it. */
export function alertTitle(base: string, n: number): string {
  const plain = stripAlertTitle(base);
  return n > 0 ? `⚠ (${n}) ${plain}` : plain;
}

/** A title without the prefix `alertTitle` adds. */
export function stripAlertTitle(title: string): string {
  return title.replace(/^⚠ \(\d+\) /, "");
}

/** One line for a banner or a notification. */
export function alertLine(a: AlertInfo): string {
  return `${a.label} — ${a.tag} = ${a.valueText} at step ${a.step} (run ${a.run})`;
}

/** The alerts not in `seen`, oldest first (what a banner or notification has not told yet). */
export function unseen(alerts: readonly AlertInfo[], seen: ReadonlySet<string>): AlertInfo[] {
  return alerts.filter((a) => !seen.has(a.id));
}
