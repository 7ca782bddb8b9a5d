/**
 * The building blocks every record view shares: DOM helpers, the toolbar (run/tag filters,
 * live indicator), step sliders, and `CardGrid` — cards per series grouped into sections by
 * tag prefix, drawn only while visible and at most once per animation frame.
 * Logged strings only ever reach the page through textContent / attributes, never as HTML.
 */
import { compileFilter, tagGroup } from "./format";
import type { Rec, RecordData, RecordSeries } from "./records";
import type { ViewContext } from "./registry";
import { schedule, unschedule, type Frameable } from "../scheduler";
import { onThemeChange } from "../theme";
import css from "./viewkit.css";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(label: string, title: string, fn: () => void, cls = "nbb-btn"): HTMLButtonElement {
  const b = el("button", cls, label);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    fn();
  });
  return b;
}

export function injectViewStyles(): void {
  const id = "nbboard-view-styles-1";
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = css;
  document.head.appendChild(style);
}

/** A segmented control; calls `fn` with the chosen value. Returns the element and a setter. */
export function segmented<T extends string>(label: string, choices: [T, string][], value: T, fn: (v: T) => void, cls = ""): HTMLElement {
  const wrap = el("div", `nbb-field nbb-seg ${cls}`);
  wrap.appendChild(el("span", "nbb-label", label));
  const btns: HTMLButtonElement[] = [];
  for (const [v, text] of choices) {
    const b = button(text, text, () => {
      btns.forEach((x) => x.classList.toggle("nbb-on", x === b));
      fn(v);
    });
    b.dataset.mode = v;
    b.classList.toggle("nbb-on", v === value);
    btns.push(b);
    wrap.appendChild(b);
  }
  return wrap;
}

export function slider(label: string, min: number, max: number, step: number, value: number, fn: (v: number) => void, fmt = (v: number) => v.toFixed(2), cls = ""): HTMLElement {
  const l = el("label", `nbb-field ${cls}`);
  l.appendChild(el("span", "nbb-label", label));
  const s = el("input", "nbb-slider");
  s.type = "range";
  s.min = String(min);
  s.max = String(max);
  s.step = String(step);
  s.value = String(value);
  const out = el("span", "nbb-value", fmt(value));
  s.addEventListener("input", () => {
    const v = Number(s.value);
    out.textContent = fmt(v);
    fn(v);
  });
  l.append(s, out);
  return l;
}

/** The view's toolbar: run and tag regex filters (shared through the context), extra controls, live dot. */
export function toolbar(ctx: ViewContext, extra: HTMLElement[], live: () => number): { bar: HTMLElement; dispose(): void } {
  const bar = el("div", "nbb-toolbar");
  const filter = (label: string, key: "run_filter" | "tag_filter", ph: string) => {
    const l = el("label", `nbb-field nbb-filter nbb-${key.replace("_", "-")}`);
    l.appendChild(el("span", "nbb-label", label));
    const inp = el("input", "nbb-input");
    inp.type = "text";
    inp.placeholder = ph;
    inp.spellcheck = false;
    inp.value = ctx.filters.get(key);
    inp.addEventListener("input", () => {
      const ok = compileFilter(inp.value) !== null;
      inp.classList.toggle("nbb-invalid", !ok);
      ctx.filters.set(key, inp.value);
    });
    const off = ctx.filters.subscribe(() => {
      if (document.activeElement !== inp) inp.value = ctx.filters.get(key);
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

/** A step slider over a series' records; follows the newest record until the user moves it. */
export class StepSlider {
  readonly root: HTMLElement;
  readonly input: HTMLInputElement;
  private label: HTMLSpanElement;
  index = -1;
  follow = true;
  constructor(private onChange: (i: number) => void) {
    this.root = el("div", "nbb-v-step");
    this.input = el("input", "nbb-slider nbb-v-step-slider");
    this.input.type = "range";
    this.input.min = "0";
    this.input.step = "1";
    this.label = el("span", "nbb-value nbb-v-step-label", "");
    this.input.addEventListener("input", () => {
      this.index = Number(this.input.value);
      this.follow = this.index >= Number(this.input.max);
      this.onChange(this.index);
    });
    this.root.append(this.label, this.input);
  }

  /** Sync with `n` records (labels from `stepOf`); returns the index to show. */
  sync(n: number, stepOf: (i: number) => number, wallOf?: (i: number) => number): number {
    this.input.max = String(Math.max(0, n - 1));
    if (this.follow || this.index >= n || this.index < 0) this.index = n - 1;
    this.input.value = String(this.index);
    this.root.style.visibility = n > 1 ? "visible" : "hidden";
    if (n > 0) {
      const w = wallOf?.(this.index);
      this.label.textContent = `step ${stepOf(this.index)}`;
      if (w) this.label.title = new Date(w * 1000).toLocaleString();
    }
    return this.index;
  }
}

/**
 * A card showing one record of a series, picked with a step slider (newest by default);
 * `show` draws a record once, when it becomes the picked one.
 */
export abstract class StepCard implements CardImpl {
  protected readonly step: StepSlider;
  private shown: Rec | null = null;
  constructor(protected readonly series: RecordSeries) {
    this.step = new StepSlider(() => this.update());
  }
  update(): void {
    const s = this.series;
    const i = this.step.sync(s.recs.length, (k) => s.recs[k].step, (k) => s.recs[k].wall);
    const rec = s.recs[i];
    if (!rec || rec === this.shown) return;
    this.shown = rec;
    this.show(rec);
  }
  protected abstract show(rec: Rec): void;
}

export interface CardImpl {
  /** Redraw from the series' current records (called only while visible). */
  update(): void;
  /** The card left the screen (e.g. give back a WebGL context). */
  hide?(): void;
  dispose?(): void;
}

export interface GridItem {
  key: string;
  /** the section is the tag's prefix before the first "/" */
  tag: string;
  run: string | null;
  series: RecordSeries[];
  /** card title (default: the tag) */
  title?: string;
}

export interface CardMaker {
  /** The series (or groups) to show, each a key, a section tag and a title. */
  items(): GridItem[];
  make(body: HTMLElement, item: GridItem, card: HTMLElement): CardImpl;
  /** CSS class for the grid (e.g. wider cards) */
  gridClass?: string;
}

interface CardEntry {
  root: HTMLElement;
  impl: CardImpl;
  visible: boolean;
  dirty: boolean;
  series: RecordSeries[];
}

/** Cards per item, grouped into collapsible sections by tag prefix; only visible, changed cards redraw. */
export class CardGrid implements Frameable {
  readonly root: HTMLElement;
  private sections = new Map<string, { details: HTMLDetailsElement; grid: HTMLElement; count: HTMLElement }>();
  private cards = new Map<string, CardEntry>();
  private io: IntersectionObserver;
  private empty: HTMLElement;
  private structureDirty = true;
  private disposers: (() => void)[] = [];
  private disposed = false;

  constructor(
    readonly ctx: ViewContext,
    readonly maker: CardMaker,
    emptyText: string,
  ) {
    this.root = el("div", "nbb-v-grid-root");
    this.empty = el("div", "nbb-empty", emptyText);
    this.root.appendChild(this.empty);
    this.io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const c = (e.target as HTMLElement & { _nbbEntry?: CardEntry })._nbbEntry;
          if (!c) continue;
          c.visible = e.isIntersecting;
          if (c.visible && c.dirty) this.request();
          if (!c.visible && c.impl.hide) {
            c.impl.hide();
            c.dirty = true; // redrawn when it comes back
          }
        }
      },
      { rootMargin: "300px" },
    );
    this.disposers.push(
      ctx.records.subscribe((changed, structural) => {
        if (structural) this.structureDirty = true;
        for (const c of this.cards.values()) if (c.series.some((s) => changed.has(s))) c.dirty = true;
        this.request();
      }),
      ctx.filters.subscribe(() => {
        this.structureDirty = true;
        this.request();
      }),
    );
    this.request();
  }

  request(): void {
    if (!this.disposed) schedule(this);
  }

  /** Mark every card for redraw (theme change, a global mode switch). */
  allDirty(): void {
    for (const c of this.cards.values()) c.dirty = true;
    this.request();
  }

  /** Mark for redraw the cards whose `impl` passes `pred` (e.g. those showing a changed series). */
  dirtyWhere(pred: (impl: CardImpl) => boolean): void {
    let any = false;
    for (const c of this.cards.values())
      if (pred(c.impl)) {
        c.dirty = true;
        any = true;
      }
    if (any) this.request();
  }

  frame(): void {
    const t0 = performance.now();
    this.frameWork();
    this.root.dataset.frameMs = (performance.now() - t0).toFixed(2);
  }

  private frameWork(): void {
    if (this.structureDirty) this.rebuild();
    for (const c of this.cards.values()) {
      if (!c.dirty || !c.visible) continue;
      c.dirty = false;
      try {
        c.impl.update();
      } catch (err) {
        console.error("nbboard: card update failed", err);
      }
    }
  }

  private rebuild(): void {
    this.structureDirty = false;
    const items = this.maker
      .items()
      .filter((it) => this.ctx.filters.tagShown(it.tag) && (it.run === null || this.ctx.filters.runShown(it.run)))
      .sort((a, b) => a.tag.localeCompare(b.tag) || (a.run ?? "").localeCompare(b.run ?? ""));
    const keep = new Set(items.map((i) => i.key));
    for (const [k, c] of this.cards) {
      if (!keep.has(k)) {
        this.io.unobserve(c.root);
        c.impl.dispose?.();
        c.root.remove();
        this.cards.delete(k);
      }
    }
    const groups = new Map<string, number>();
    for (const it of items) {
      const g = tagGroup(it.tag);
      groups.set(g, (groups.get(g) ?? 0) + 1);
      let sec = this.sections.get(g);
      if (!sec) {
        const details = el("details", "nbb-section");
        details.open = true;
        details.dataset.group = g;
        const summary = el("summary", "nbb-section-head");
        const count = el("span", "nbb-count", "");
        summary.append(el("span", "nbb-section-name", g), count);
        const grid = el("div", `nbb-grid ${this.maker.gridClass ?? ""}`);
        details.append(summary, grid);
        details.addEventListener("toggle", () => {
          if (details.open) this.allDirty();
        });
        sec = { details, grid, count };
        this.sections.set(g, sec);
      }
      let c = this.cards.get(it.key);
      if (!c) {
        const root = el("div", "nbb-card nbb-v-card");
        root.dataset.tag = it.tag;
        if (it.run !== null) root.dataset.run = it.run;
        const head = el("div", "nbb-card-head");
        const title = el("div", "nbb-card-title", it.title ?? it.tag);
        title.title = it.title ?? it.tag;
        head.appendChild(title);
        if (it.run !== null) {
          const chip = el("span", "nbb-v-runchip");
          const sw = el("span", "nbb-swatch");
          sw.style.background = this.ctx.colors.get(it.run);
          const name = el("span", "nbb-chip-name", it.run);
          name.title = it.run;
          chip.append(sw, name);
          head.appendChild(chip);
        }
        const body = el("div", "nbb-v-card-body");
        root.append(head, body);
        const impl = this.maker.make(body, it, root);
        c = { root, impl, visible: false, dirty: true, series: it.series };
        (root as HTMLElement & { _nbbEntry?: CardEntry })._nbbEntry = c;
        this.cards.set(it.key, c);
        this.io.observe(root);
      }
      c.series = it.series;
      c.dirty = true;
      sec.grid.appendChild(c.root); // keeps sorted order
    }
    for (const [g, sec] of [...this.sections].sort((a, b) => a[0].localeCompare(b[0]))) {
      const n = groups.get(g) ?? 0;
      sec.count.textContent = String(n);
      if (n === 0) sec.details.remove();
      else this.root.appendChild(sec.details);
    }
    this.empty.style.display = items.length ? "none" : "";
    this.root.dataset.cards = String(items.length);
  }

  dispose(): void {
    this.disposed = true;
    unschedule(this);
    this.io.disconnect();
    for (const c of this.cards.values()) c.impl.dispose?.();
    for (const d of this.disposers) d();
  }
}

/**
 * Puts a view's toolbar and card grid into `host` and returns the view's dispose.
 * `onTheme` (when given) runs on a JupyterLab theme switch, before every card is redrawn;
 * `resize` redraws every card when the host changes size; `dispose` is extra teardown.
 */
export function mountGrid(
  host: HTMLElement,
  bar: { bar: HTMLElement; dispose(): void },
  grid: CardGrid,
  opts: { onTheme?: () => void; resize?: boolean; dispose?: () => void } = {},
): () => void {
  const { onTheme, dispose } = opts;
  const offTheme = onTheme
    ? onThemeChange(() => {
        onTheme();
        grid.allDirty();
      })
    : null;
  const ro = opts.resize ? new ResizeObserver(() => grid.allDirty()) : null;
  ro?.observe(host);
  host.append(bar.bar, grid.root);
  return () => {
    ro?.disconnect();
    dispose?.();
    offTheme?.();
    grid.dispose();
    bar.dispose();
  };
}

/** Items for a per-series card grid (one card per run and tag) of the given kinds. */
export function seriesItems(records: RecordData, kinds: readonly string[]): GridItem[] {
  const out: GridItem[] = [];
  for (const k of kinds) for (const s of records.ofKind(k)) if (s.recs.length) out.push({ key: `${s.id}`, tag: s.tag, run: s.run, series: [s] });
  return out;
}

/** Items for one card per tag overlaying every run (PR curves). */
export function tagItems(records: RecordData, kind: string, runShown: (r: string) => boolean): GridItem[] {
  const by = new Map<string, RecordSeries[]>();
  for (const s of records.ofKind(kind)) {
    if (!s.recs.length || !runShown(s.run)) continue;
    let a = by.get(s.tag);
    if (!a) by.set(s.tag, (a = []));
    a.push(s);
  }
  return [...by].map(([tag, series]) => ({ key: `tag:${tag}:${series.map((s) => s.id).join(",")}`, tag, run: null, series }));
}

/** Object URLs for binary parts, made once per part and revoked with the owner. */
export class BlobUrls {
  private urls = new Map<Uint8Array, string>();
  constructor(private cap = 16) {}
  get(part: Uint8Array, type: string): string {
    let u = this.urls.get(part);
    if (!u) {
      u = URL.createObjectURL(new Blob([part as BlobPart], { type }));
      this.urls.set(part, u);
      if (this.urls.size > this.cap) {
        const [k, v] = this.urls.entries().next().value as [Uint8Array, string];
        this.urls.delete(k);
        URL.revokeObjectURL(v);
      }
    }
    return u;
  }
  dispose(): void {
    for (const u of this.urls.values()) URL.revokeObjectURL(u);
    this.urls.clear();
  }
}
