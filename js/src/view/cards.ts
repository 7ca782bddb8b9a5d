/**
 * Cards of records: `CardGrid` shows a card per series (or group) in collapsible sections by tag
 * prefix, drawn only while visible and at most once per animation frame; `StepCard` shows one
 * record of a series picked with a step slider.
 * Logged strings only ever reach the page through textContent / attributes, never as HTML.
 */
import { tagGroup } from "../lib/format";
import type { Rec, RecordData, RecordSeries } from "../lib/records";
import { schedule, unschedule, type Frameable } from "../scheduler";
import { onThemeChange } from "../theme";
import type { ViewContext } from "./context";
import { el } from "./dom";
import { toolbar } from "./filters";

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

interface CardMaker {
  /** The series (or groups) to show, each a key, a section tag and a title. */
  items(): GridItem[];
  make(body: HTMLElement, item: GridItem, card: HTMLElement): CardImpl;
  /** CSS class for the grid (e.g. wider cards) */
  gridClass?: string;
  /** the section of a tag (default: its prefix before the first "/") */
  section?(tag: string): string;
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
      const g = this.maker.section ? this.maker.section(it.tag) : tagGroup(it.tag);
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

/** A view of one record kind as the toolbar over a card per run and tag, made by `make`. */
export function renderSeriesCards(
  root: HTMLElement,
  ctx: ViewContext,
  kind: string,
  make: (body: HTMLElement, series: RecordSeries) => CardImpl,
  emptyText: string,
  gridClass?: string,
): () => void {
  const bar = toolbar(ctx.filters, [], () => ctx.records.lastData);
  const grid = new CardGrid(ctx, { items: () => seriesItems(ctx.records, [kind]), make: (body, it) => make(body, it.series[0]), gridClass }, emptyText);
  return mountGrid(root, bar, grid);
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
