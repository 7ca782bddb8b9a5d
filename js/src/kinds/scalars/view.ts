/**
 * The scalar dashboard: one uPlot chart per tag, runs overlaid, tags grouped by prefix.
 * All interaction (filters, smoothing, zoom, pan, tooltips, downloads) runs in the page.
 */
import type { ColorMap } from "../../lib/colors";
import { compileFilter, tagGroup } from "../../lib/format";
import type { XAxis } from "../../lib/scalar_draw";
import type { ScalarData } from "../../lib/series";
import type { AnyModel, ModelData } from "../../model";
import { overBudget, schedule, unschedule, type Frameable } from "../../scheduler";
import { onThemeChange, readTheme, type Theme } from "../../theme";
import type { ViewContext, ViewSpec } from "../../view/context";
import { el } from "../../view/dom";
import type { SharedFilters } from "../../view/filters";
import type { RecordData } from "../../lib/records";
import { rankReport, type RankGroup, type RankReport } from "../../lib/ranks";
import { alertsByTag, collectAlerts, type AlertInfo } from "../alerts/logic";
import { ChartCard, type ChartHost } from "./chart_card";
import { DEFAULTS, type ScalarOptions } from "./options";

const FILTER_KEYS = ["run_filter", "tag_filter"] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

interface Section {
  details: HTMLDetailsElement;
  summary: HTMLElement;
  count: HTMLSpanElement;
  grid: HTMLDivElement;
}

/**
 * The scalar dashboard for one widget model (one per rendered view). Its run/tag filters are the
 * context's shared ones (a Board's tabs filter together); its other options live in the model's `options`.
 */
/** Card sizes: each card's minimum width (cards grow to fill the row, as TensorBoard's do). */
const CARD_MIN = { S: 280, M: 400, L: 600 } as const;
type CardSize = keyof typeof CARD_MIN;

class ScalarsView implements Frameable, ChartHost {
  readonly model: AnyModel;
  readonly data: ModelData;
  readonly colors: ColorMap;
  opts: ScalarOptions;
  theme: Theme;
  private filters: SharedFilters;
  private filterInputs = new Map<FilterKey, HTMLInputElement>();
  private cards = new Map<string, ChartCard>();
  private sections = new Map<string, Section>();
  private sectionsEl: HTMLDivElement;
  private runsEl: HTMLDivElement;
  private emptyEl: HTMLDivElement;
  private statusEl: HTMLSpanElement;
  private liveEl: HTMLSpanElement;
  /** a distributed run's ranks: the band/lines switch, and a line per run naming its slowest and stopped ranks */
  private rankSeg: HTMLDivElement;
  private ranksEl: HTMLDivElement;
  private smoothingOut: HTMLSpanElement;
  private structureDirty = true;
  private io: IntersectionObserver;
  private ro: ResizeObserver;
  private disposers: (() => void)[] = [];
  private saveTimer = 0;
  private paints = 0;
  private alerts = new Map<string, AlertInfo[]>();
  private records: RecordData;
  /** In a Board the run table is the run list: no chips of our own (1,000 of them would cost every selection change). */
  private inBoard: boolean;
  /** the colour map's version last drawn (a Board's colour-by-hparam bumps it) */
  private colorVersion: number;

  constructor(
    readonly root: HTMLElement,
    ctx: ViewContext,
  ) {
    const model = (this.model = ctx.model);
    const data = (this.data = ctx.scalars);
    this.records = ctx.records;
    this.colors = ctx.colors;
    this.filters = ctx.filters;
    this.inBoard = ctx.inBoard;
    this.colorVersion = ctx.colors.version;
    const given = (model.get("options") ?? {}) as Partial<ScalarOptions>;
    this.opts = { ...DEFAULTS, ...given };
    // The view's own saved filters seed the shared ones where those are empty; else they follow them.
    let followed = false;
    for (const key of FILTER_KEYS) {
      if (!this.filters.get(key) && this.opts[key]) this.filters.set(key, this.opts[key]);
      else if ((this.opts[key] || "") !== this.filters.get(key)) {
        this.opts[key] = this.filters.get(key);
        followed = true;
      }
    }
    // runs unticked: the shared list (a Board's sidebar) from now on, seeded by the view's own
    if (!this.filters.hiddenRuns().length && this.opts.hidden_runs.length) this.filters.setHidden(this.opts.hidden_runs);
    else if (this.filters.hiddenRuns().join("\n") !== [...this.opts.hidden_runs].sort().join("\n")) {
      this.opts.hidden_runs = this.filters.hiddenRuns();
      followed = true;
    }
    if (followed) this.saveOptions();
    this.theme = readTheme(root);
    const bar = el("div", "nbb-toolbar");
    const runIn = this.textFilter("Runs", "run_filter", "regex");
    const tagIn = this.textFilter("Tags", "tag_filter", "regex");
    // smoothing
    const sm = el("label", "nbb-field nbb-smoothing");
    sm.appendChild(el("span", "nbb-label", "Smoothing"));
    const slider = el("input", "nbb-slider");
    slider.type = "range";
    slider.min = "0";
    slider.max = "0.999";
    slider.step = "0.001";
    slider.value = String(this.opts.smoothing);
    this.smoothingOut = el("span", "nbb-value", this.opts.smoothing.toFixed(3));
    slider.addEventListener("input", () => {
      this.opts.smoothing = Math.min(0.999, Math.max(0, Number(slider.value)));
      this.smoothingOut.textContent = this.opts.smoothing.toFixed(3);
      this.root.dataset.smoothing = String(this.opts.smoothing);
      this.allDirty();
      this.saveOptions();
    });
    sm.append(slider, this.smoothingOut);
    // x axis
    const xa = el("div", "nbb-field nbb-seg");
    xa.appendChild(el("span", "nbb-label", "X"));
    const xButtons: HTMLButtonElement[] = [];
    for (const [mode, label] of [["step", "Step"], ["relative", "Relative"], ["wall", "Wall"]] as [XAxis, string][]) {
      const b = el("button", "nbb-btn", label);
      b.type = "button";
      b.dataset.mode = mode;
      b.classList.toggle("nbb-on", this.opts.x_axis === mode);
      b.addEventListener("click", () => {
        this.opts.x_axis = mode;
        xButtons.forEach((x) => x.classList.toggle("nbb-on", x === b));
        for (const c of this.cards.values()) c.zoom = null;
        this.allDirty();
        this.saveOptions();
      });
      xButtons.push(b);
      xa.appendChild(b);
    }
    const toggle = (label: string, key: "log_y" | "ignore_outliers", cls: string) => {
      const l = el("label", `nbb-field nbb-check ${cls}`);
      const c = el("input");
      c.type = "checkbox";
      c.checked = this.opts[key];
      c.addEventListener("change", () => {
        this.opts[key] = c.checked;
        this.allDirty();
        this.saveOptions();
      });
      l.append(c, el("span", undefined, label));
      return l;
    };
    // card size: the minimum card width; cards grow to fill each row
    const cs = el("div", "nbb-field nbb-seg nbb-cardsize");
    cs.appendChild(el("span", "nbb-label", "Cards"));
    const sizeButtons: HTMLButtonElement[] = [];
    const setSize = (size: CardSize) => {
      this.root.style.setProperty("--nbb-card-min", `${CARD_MIN[size]}px`);
      this.root.dataset.cardSize = size;
      sizeButtons.forEach((x) => x.classList.toggle("nbb-on", x.dataset.size === size));
    };
    for (const size of Object.keys(CARD_MIN) as CardSize[]) {
      const b = el("button", "nbb-btn", size);
      b.type = "button";
      b.dataset.size = size;
      b.title = `Cards at least ${CARD_MIN[size]}px wide, growing to fill the row`;
      b.addEventListener("click", () => {
        setSize(size);
        ctx.ui.set("card_size", size);
      });
      sizeButtons.push(b);
      cs.appendChild(b);
    }
    const saved = ctx.ui.get<string>("card_size", "M");
    setSize(saved in CARD_MIN ? (saved as CardSize) : "M");
    const right = el("div", "nbb-status");
    this.liveEl = el("span", "nbb-live", "●");
    this.liveEl.title = "Lights up while new points arrive";
    this.statusEl = el("span", "nbb-status-text", "");
    right.append(this.liveEl, this.statusEl);
    // a distributed run's ranks: one band around their mean, or a line each
    this.rankSeg = el("div", "nbb-field nbb-seg nbb-rankmode");
    this.rankSeg.appendChild(el("span", "nbb-label", "Ranks"));
    const rankButtons: HTMLButtonElement[] = [];
    for (const [lines, label, title] of [
      [false, "Band", "Each distributed run as the mean of its ranks with their min–max band"],
      [true, "Lines", "Each rank of a distributed run as its own line"],
    ] as [boolean, string, string][]) {
      const b = el("button", "nbb-btn", label);
      b.type = "button";
      b.title = title;
      b.dataset.lines = String(lines);
      b.classList.toggle("nbb-on", this.opts.rank_lines === lines);
      b.addEventListener("click", () => {
        this.opts.rank_lines = lines;
        rankButtons.forEach((x) => x.classList.toggle("nbb-on", x === b));
        this.allDirty();
        this.saveOptions();
      });
      rankButtons.push(b);
      this.rankSeg.appendChild(b);
    }
    this.rankSeg.style.display = "none";
    bar.append(runIn, tagIn, sm, xa, toggle("Log y", "log_y", "nbb-logy"), toggle("Ignore outliers", "ignore_outliers", "nbb-outliers"), this.rankSeg, cs, right);
    this.ranksEl = el("div", "nbb-ranks");
    this.runsEl = el("div", "nbb-runs");
    this.sectionsEl = el("div", "nbb-sections");
    this.emptyEl = el("div", "nbb-empty", "No scalars yet — they appear here as soon as a writer logs them.");
    this.root.append(bar, this.runsEl, this.ranksEl, this.emptyEl, this.sectionsEl);
    this.root.dataset.smoothing = String(this.opts.smoothing);
    this.root.dataset.points = "0";
    this.root.dataset.draws = "0";

    this.io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const card = (e.target as HTMLElement & { _nbbCard?: ChartCard })._nbbCard;
          if (!card) continue;
          card.visible = e.isIntersecting;
          if (card.visible && (card.dirty || !card.u)) card.markDirty();
        }
      },
      { rootMargin: "200px" },
    );
    this.ro = new ResizeObserver(() => {
      for (const c of this.cards.values()) c.resize();
    });
    this.ro.observe(this.root);
    this.disposers.push(
      data.subscribe((changed, structural) => {
        if (structural) this.structureDirty = true;
        const tags = new Set<string>();
        for (const s of changed) tags.add(s.tag);
        for (const t of tags) {
          const c = this.cards.get(t);
          if (c) c.dirty = true;
        }
        this.request();
      }),
      onThemeChange(() => {
        this.theme = readTheme(this.root);
        this.allDirty();
      }),
      ctx.records.subscribe((changed, structural) => {
        if (structural || [...changed].some((s) => s.kind === "alerts")) this.readAlerts();
      }),
    );
    this.readAlerts();
    const focus = (_run: string, tag: string, step: number) => {
      // the filters just changed: the card appears on the next frame
      window.setTimeout(() => this.cards.get(tag)?.focusStep(step), 50);
    };
    ctx.focus.add(focus);
    this.disposers.push(() => ctx.focus.delete(focus));
    // options set from Python (view.options = {...}) apply to the page too
    const onOptions = () => {
      const next = { ...DEFAULTS, ...((model.get("options") ?? {}) as Partial<ScalarOptions>) };
      const canon = (o: ScalarOptions) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k as keyof ScalarOptions]]));
      if (canon(next) === canon(this.opts)) return; // our own save echoing back
      this.opts = next;
      slider.value = String(next.smoothing);
      this.smoothingOut.textContent = next.smoothing.toFixed(3);
      this.root.dataset.smoothing = String(next.smoothing);
      xButtons.forEach((b) => b.classList.toggle("nbb-on", b.dataset.mode === next.x_axis));
      const q = <T extends Element>(sel: string) => this.root.querySelector<T>(sel);
      for (const key of FILTER_KEYS) {
        this.filterInputs.get(key)!.value = next[key];
        if (this.filters.get(key) !== next[key]) this.filters.set(key, next[key]);
      }
      const logy = q<HTMLInputElement>(".nbb-logy input"), outl = q<HTMLInputElement>(".nbb-outliers input");
      if (logy) logy.checked = next.log_y;
      if (outl) outl.checked = next.ignore_outliers;
      for (const b of this.rankSeg.querySelectorAll<HTMLButtonElement>("button")) b.classList.toggle("nbb-on", b.dataset.lines === String(next.rank_lines));
      for (const sec of this.sections.values()) sec.details.open = !next.collapsed.includes(sec.details.dataset.group ?? "");
      this.structureDirty = true;
      this.allDirty();
    };
    model.on("change:options", onOptions);
    this.disposers.push(() => model.off("change:options", onOptions), this.filters.subscribe(() => this.filtersChanged()));
    const timer = window.setInterval(() => this.updateStatus(), 500);
    this.disposers.push(() => window.clearInterval(timer));
    this.request();
  }

  private textFilter(label: string, key: FilterKey, placeholder: string): HTMLElement {
    const l = el("label", `nbb-field nbb-filter nbb-${key.replace("_", "-")}`);
    l.appendChild(el("span", "nbb-label", label));
    const inp = el("input", "nbb-input");
    inp.type = "text";
    inp.placeholder = placeholder;
    inp.value = this.opts[key];
    inp.spellcheck = false;
    inp.addEventListener("input", () => {
      inp.classList.toggle("nbb-invalid", compileFilter(inp.value) === null);
      this.filters.set(key, inp.value);
    });
    this.filterInputs.set(key, inp);
    l.appendChild(inp);
    return l;
  }

  /** The shared filters changed (here or in another view of the Board). */
  private filtersChanged(): void {
    let changed = false;
    for (const key of FILTER_KEYS) {
      const v = this.filters.get(key);
      if (this.opts[key] === v) continue;
      this.opts[key] = v;
      const inp = this.filterInputs.get(key)!;
      if (inp.value !== v) inp.value = v;
      inp.classList.toggle("nbb-invalid", compileFilter(v) === null);
      changed = true;
    }
    const hidden = this.filters.hiddenRuns();
    if (hidden.join("\n") !== [...this.opts.hidden_runs].sort().join("\n")) {
      this.opts.hidden_runs = hidden;
      changed = true;
    }
    if (this.colors.version !== this.colorVersion) {
      this.colorVersion = this.colors.version;
      if (!this.inBoard) this.structureDirty = true; // the chips' swatches
      this.allDirty();
    }
    if (!changed) return;
    this.structureDirty = true;
    this.allDirty();
    this.saveOptions();
  }

  private saveOptions(): void {
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      try {
        this.model.set("options", { ...this.opts });
        this.model.save_changes();
      } catch {
        /* no kernel (static page): the options live in the page only */
      }
    }, 400);
  }

  runShown(run: string): boolean {
    return this.filters.runShown(run);
  }

  private runMatches(run: string): boolean {
    return this.filters.runMatches(run);
  }

  alertsFor(tag: string): readonly AlertInfo[] {
    return this.alerts.get(tag) ?? [];
  }

  /** Re-read the fired alerts (the records changed): the charts of tags that gained one redraw. */
  private readAlerts(): void {
    const next = alertsByTag(collectAlerts(this.records.ofKind("alerts")));
    for (const tag of new Set([...next.keys(), ...this.alerts.keys()])) {
      if ((next.get(tag)?.length ?? 0) !== (this.alerts.get(tag)?.length ?? 0)) {
        const c = this.cards.get(tag);
        if (c) c.markDirty();
      }
    }
    this.alerts = next;
  }

  seriesFor(tag: string): ScalarData[] {
    const m = this.data.byTag.get(tag);
    if (!m) return [];
    const out: ScalarData[] = [];
    for (const [run, s] of m) if (this.runShown(run)) out.push(s);
    out.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
    return out;
  }

  request(): void {
    schedule(this);
  }

  allDirty(): void {
    for (const c of this.cards.values()) c.dirty = true;
    this.request();
  }

  private painted = new Set<ChartCard>();
  private inFrame = false;

  /** A card painted: its data-* attributes (read by tests) are written once, at the end of the frame. */
  afterPaint(card: ChartCard): void {
    this.paints++;
    this.painted.add(card);
    if (!this.inFrame) this.request(); // painted by uPlot itself (drag zoom, resize)
  }

  private writeStats(): void {
    if (this.painted.size === 0) return;
    for (const c of this.painted) {
      c.root.dataset.draws = String(c.draws);
      c.root.dataset.points = String(c.drawnPoints);
      if (c.rankBands || c.rankLines || c.root.dataset.rankBands) {
        c.root.dataset.rankBands = String(c.rankBands);
        c.root.dataset.rankLines = String(c.rankLines);
      }
    }
    this.painted.clear();
    this.root.dataset.draws = String(this.paints);
    let pts = 0;
    for (const c of this.cards.values()) pts += c.drawnPoints;
    this.root.dataset.drawnPoints = String(pts);
  }

  private updateStatus(): void {
    const live = performance.now() - this.data.lastData < 2500 && this.data.lastData > 0;
    this.liveEl.classList.toggle("nbb-on", live);
    let pts = 0;
    let runs = 0;
    for (const r of this.data.runs) if (this.runMatches(r)) runs++;
    for (const [tag, m] of this.data.byTag) {
      if (!this.filters.tagShown(tag)) continue;
      for (const [run, s] of m) if (this.runShown(run)) pts += s.n;
    }
    this.root.dataset.points = String(pts);
    const tags = this.cards.size;
    this.statusEl.textContent = `${runs} run${runs === 1 ? "" : "s"} · ${tags} tag${tags === 1 ? "" : "s"} · ${pts.toLocaleString("en-US")} points`;
    this.updateRanks();
  }

  /** The ranks strip: per shown distributed run, its ranks, the slowest and any that stopped. */
  private updateRanks(): void {
    const byRun = new Map<string, RankGroup[]>();
    for (const [tag, m] of this.data.rankGroups) {
      if (!this.filters.tagShown(tag)) continue;
      for (const [run, g] of m) {
        if (!this.runShown(run)) continue;
        let l = byRun.get(run);
        if (!l) byRun.set(run, (l = []));
        l.push(g);
      }
    }
    this.rankSeg.style.display = this.data.rankGroups.size ? "" : "none";
    const now = performance.now();
    const lines: HTMLElement[] = [];
    for (const run of [...byRun.keys()].sort()) {
      const rep = rankReport(run, byRun.get(run)!, this.data.rankArrived.get(run) ?? new Map(), now);
      lines.push(rankLine(rep, this.colors.get(run)));
    }
    const sig = lines.map((l) => l.textContent).join("\n");
    if (sig === this.ranksSig) return;
    this.ranksSig = sig;
    this.ranksEl.replaceChildren(...lines);
  }

  private ranksSig = "";

  /** Rebuild the run chips and the sections/cards (keyed, so charts survive). */
  private rebuild(): void {
    this.structureDirty = false;
    for (const c of this.cards.values()) c.invalidate(); // new series, or the run filter changed
    // runs legend
    this.runsEl.replaceChildren();
    const runs = this.inBoard ? [] : [...this.data.runs].filter((r) => this.runMatches(r)).sort();
    for (const run of runs) {
      const chip = el("button", "nbb-chip");
      chip.type = "button";
      chip.title = `${run} — click to hide or show`;
      const sw = el("span", "nbb-swatch");
      sw.style.background = this.colors.get(run);
      chip.append(sw, el("span", "nbb-chip-name", run));
      chip.classList.toggle("nbb-off", this.filters.isHidden(run));
      chip.addEventListener("click", () => this.filters.toggle(run)); // filtersChanged redraws
      this.runsEl.appendChild(chip);
    }
    // tags → sections
    const tags = [...this.data.byTag.keys()]
      .filter((t) => this.filters.tagShown(t) && [...this.data.byTag.get(t)!.keys()].some((r) => this.runMatches(r)))
      .sort();
    const wanted = new Set(tags);
    for (const [t, c] of this.cards) {
      if (!wanted.has(t)) {
        this.io.unobserve(c.root);
        this.ro.unobserve(c.chartEl);
        c.destroy();
        c.root.remove();
        this.cards.delete(t);
      }
    }
    const groups = new Map<string, string[]>();
    for (const t of tags) {
      const g = tagGroup(t);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(t);
    }
    for (const [g, sec] of this.sections) {
      if (!groups.has(g)) {
        sec.details.remove();
        this.sections.delete(g);
      }
    }
    const order = [...groups.keys()].sort();
    order.forEach((g) => {
      let sec = this.sections.get(g);
      if (!sec) {
        const details = el("details", "nbb-section");
        details.open = !this.opts.collapsed.includes(g);
        details.dataset.group = g;
        const summary = el("summary", "nbb-section-head");
        const count = el("span", "nbb-count");
        summary.append(el("span", "nbb-section-name", g), count);
        const grid = el("div", "nbb-grid nbb-fill");
        details.append(summary, grid);
        details.addEventListener("toggle", () => {
          const c = new Set(this.opts.collapsed);
          if (details.open) c.delete(g);
          else c.add(g);
          this.opts.collapsed = [...c];
          this.saveOptions();
          if (details.open) this.allDirty();
        });
        sec = { details, summary, count, grid };
        this.sections.set(g, sec);
      }
      this.sectionsEl.appendChild(sec.details); // keeps sorted order
      const list = groups.get(g)!;
      sec.count.textContent = String(list.length);
      for (const t of list) {
        let c = this.cards.get(t);
        if (!c) {
          c = new ChartCard(this, t);
          (c.root as HTMLElement & { _nbbCard?: ChartCard })._nbbCard = c;
          this.cards.set(t, c);
          this.io.observe(c.root);
          this.ro.observe(c.chartEl); // its width changes with the grid's columns (card size, cards shown)
        }
        sec.grid.appendChild(c.root);
        c.dirty = true;
      }
    });
    this.emptyEl.style.display = tags.length ? "none" : "block";
    this.root.dataset.charts = String(tags.length);
    // Cards on screen draw in this same frame, without waiting a frame for the IntersectionObserver.
    const vh = window.innerHeight || document.documentElement.clientHeight;
    for (const c of this.cards.values()) {
      if (c.visible || c.u) continue;
      const r = c.root.getBoundingClientRect();
      if (r.height > 0 && r.bottom > -200 && r.top < vh + 200) c.visible = true;
    }
    this.updateStatus();
  }

  frame(): void {
    this.inFrame = true;
    try {
      if (this.structureDirty) this.rebuild();
      let drew = false;
      for (const c of this.cards.values()) {
        if (!(c.dirty && c.visible)) continue;
        if (drew && overBudget()) {
          this.request(); // the rest draw next frame: no frame takes much more than the budget
          break;
        }
        c.draw();
        drew = true;
      }
    } finally {
      this.inFrame = false;
    }
    this.writeStats();
  }

  dispose(): void {
    unschedule(this);
    for (const d of this.disposers) d();
    this.io.disconnect();
    this.ro.disconnect();
    for (const c of this.cards.values()) c.destroy();
    this.cards.clear();
  }
}

/** Seconds as the strip says them. */
function secs(s: number): string {
  if (s < 0.01) return `${(s * 1000).toPrecision(2)} ms`;
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** One run's line of the ranks strip (text nodes only: run names are logged strings). */
function rankLine(rep: RankReport, color: string): HTMLElement {
  const row = el("div", "nbb-rank-line");
  row.dataset.run = rep.run;
  if (Number.isFinite(rep.maxStep)) row.dataset.step = String(rep.maxStep);
  const sw = el("span", "nbb-swatch");
  sw.style.background = color;
  const fmt = (n: number) => (Number.isFinite(n) ? String(n) : "–");
  row.append(sw, el("span", "nbb-rank-run", rep.run), el("span", "nbb-rank-count", ` · ${rep.ranks.length} ranks · step ${fmt(rep.maxStep)}`));
  if (rep.slowest) {
    row.dataset.slowest = String(rep.slowest.rank);
    const s = el("span", "nbb-rank-slow", ` · slowest: rank ${rep.slowest.rank}`);
    s.title = `Median over the last ${rep.steps} steps every rank logged of how long after the first rank each rank logs a step`;
    row.append(s, el("span", undefined, `, logs ${secs(rep.slowest.lag)} after the first rank (median of ${rep.steps} step${rep.steps === 1 ? "" : "s"})`));
  } else if (rep.steps > 0) row.append(el("span", "nbb-rank-even", " · ranks in step"));
  const stopped = rep.ranks.filter((r) => r.stopped);
  if (stopped.length) {
    row.dataset.stopped = stopped.map((r) => r.rank).join(",");
    for (const r of stopped) {
      const when = Number.isFinite(r.lastWall) ? new Date(r.lastWall * 1000).toLocaleTimeString() : "?";
      row.append(el("span", "nbb-rank-stopped", ` · rank ${r.rank} stopped at step ${fmt(r.lastStep)} (${when})`));
    }
    row.append(el("span", undefined, `; the others reached step ${fmt(rep.maxStep)}`));
  }
  return row;
}

export const scalarsView: ViewSpec = {
  kind: "scalars",
  label: "Scalars",
  order: 0,
  home: true,
  rootClass: "nbb-root nbb-scalars",
  present: (ctx) => ctx.scalars.byTag.size > 0,
  render(root, ctx) {
    const v = new ScalarsView(root, ctx);
    return () => v.dispose();
  },
};
