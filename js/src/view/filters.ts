/**
 * The run and tag filters of a page's views: one `SharedFilters` per lone view or per Board (its
 * tabs share it), kept in the model's `ui` state, and the toolbar that edits them.
 */
import { compileFilter } from "../lib/format";
import { el } from "./dom";

/** Filters shared by the tabs of one Board (or private to a lone view), kept in the model's `ui` state. */
export class SharedFilters {
  private listeners = new Set<() => void>();
  private runRe: RegExp | null | undefined;
  private tagRe: RegExp | null | undefined;
  /** Runs unticked in a run list (the Board's sidebar, the scalar chips): hidden in every view. */
  private hidden: Set<string>;
  constructor(
    private values: { run_filter: string; tag_filter: string },
    private save: (v: { run_filter: string; tag_filter: string; hidden_runs: string[] }) => void,
    hidden: Iterable<string> = [],
  ) {
    this.hidden = new Set(hidden);
    this.compile();
  }
  get(key: "run_filter" | "tag_filter"): string {
    return this.values[key];
  }
  set(key: "run_filter" | "tag_filter", v: string): void {
    this.values = { ...this.values, [key]: v };
    this.compile();
    this.changed();
  }
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Something every view draws changed without the filters changing (the run colours): views redraw. */
  touch(): void {
    for (const fn of this.listeners) fn();
  }
  private changed(): void {
    this.save({ ...this.values, hidden_runs: this.hiddenRuns() });
    for (const fn of this.listeners) fn();
  }
  private compile(): void {
    this.runRe = compileFilter(this.values.run_filter);
    this.tagRe = compileFilter(this.values.tag_filter);
  }
  /** Whether `run` passes the run regex (ticked or not). */
  runMatches(run: string): boolean {
    return !this.runRe || this.runRe.test(run);
  }
  /** Whether views draw `run`: it passes the regex and is ticked. */
  runShown(run: string): boolean {
    return !this.hidden.has(run) && this.runMatches(run);
  }
  isHidden(run: string): boolean {
    return this.hidden.has(run);
  }
  hiddenRuns(): string[] {
    return [...this.hidden].sort();
  }
  setHidden(runs: Iterable<string>): void {
    const next = new Set(runs);
    if (next.size === this.hidden.size && [...next].every((r) => this.hidden.has(r))) return;
    this.hidden = next;
    this.changed();
  }
  toggle(run: string): void {
    const next = new Set(this.hidden);
    if (next.has(run)) next.delete(run);
    else next.add(run);
    this.setHidden(next);
  }
  tagShown(tag: string): boolean {
    return !this.tagRe || this.tagRe.test(tag);
  }
}

/** A view's toolbar: the run and tag regex filters, `extra` controls, and a dot lit while data arrives (`live`: when it last did). */
export function toolbar(filters: SharedFilters, extra: HTMLElement[], live: () => number): { bar: HTMLElement; dispose(): void } {
  const bar = el("div", "nbb-toolbar");
  const filter = (label: string, key: "run_filter" | "tag_filter", ph: string) => {
    const l = el("label", `nbb-field nbb-filter nbb-${key.replace("_", "-")}`);
    l.appendChild(el("span", "nbb-label", label));
    const inp = el("input", "nbb-input");
    inp.type = "text";
    inp.placeholder = ph;
    inp.spellcheck = false;
    inp.value = filters.get(key);
    inp.addEventListener("input", () => {
      const ok = compileFilter(inp.value) !== null;
      inp.classList.toggle("nbb-invalid", !ok);
      filters.set(key, inp.value);
    });
    const off = filters.subscribe(() => {
      if (document.activeElement !== inp) inp.value = filters.get(key);
    });
    l.appendChild(inp);
    return { l, off };
  };
  const runs = filter("Runs", "run_filter", "regex");
  const tags = filter("Tags", "tag_filter", "regex");
  const right = el("div", "nbb-status");
  const dot = el("span", "nbb-live", "●");
  dot.title = "Lights up while new data arrives";
  right.appendChild(dot);
  bar.append(runs.l, tags.l, ...extra, right);
  const timer = window.setInterval(() => {
    const t = live();
    dot.classList.toggle("nbb-on", t > 0 && performance.now() - t < 2000);
  }, 500);
  return {
    bar,
    dispose() {
      runs.off();
      tags.off();
      window.clearInterval(timer);
    },
  };
}

