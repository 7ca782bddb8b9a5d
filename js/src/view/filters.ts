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
  constructor(private values: { run_filter: string; tag_filter: string }, private save: (v: { run_filter: string; tag_filter: string }) => void) {
    this.compile();
  }
  get(key: "run_filter" | "tag_filter"): string {
    return this.values[key];
  }
  set(key: "run_filter" | "tag_filter", v: string): void {
    this.values = { ...this.values, [key]: v };
    this.compile();
    this.save(this.values);
    for (const fn of this.listeners) fn();
  }
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private compile(): void {
    this.runRe = compileFilter(this.values.run_filter);
    this.tagRe = compileFilter(this.values.tag_filter);
  }
  runShown(run: string): boolean {
    return !this.runRe || this.runRe.test(run);
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

