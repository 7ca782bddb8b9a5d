/**
 * The scalar dashboard: one uPlot chart per tag, runs overlaid, tags grouped by prefix.
 * All interaction (filters, smoothing, zoom, pan, tooltips, downloads) runs in the page.
 */
import uPlot from "uplot";
import { drawNonFinite, fmtTick, strokeDownsampled, uplotAxes } from "../lib/charts";
import { derive } from "../lib/derive";
import { download, safeStem } from "../lib/download";
import { fmtDuration, fmtDurationTicks, fmtStep, fmtValue, fmtWall, compileFilter, tagGroup } from "../lib/format";
import { DrawCache, fullExtent, nearestIndex, xColumn, type XAxis } from "../lib/scalardraw";
import type { ScalarData } from "../lib/series";
import { button, el } from "../lib/viewkit";
import { yRange, type DrawnLines } from "../lib/yrange";
import type { AnyModel, ModelData } from "../model";
import { overBudget, schedule, unschedule, type Frameable } from "../scheduler";
import { onThemeChange, readTheme, type Theme } from "../theme";

export interface ScalarOptions {
  smoothing: number;
  x_axis: XAxis;
  log_y: boolean;
  ignore_outliers: boolean;
  run_filter: string;
  tag_filter: string;
  hidden_runs: string[];
  collapsed: string[];
}

export const DEFAULTS: ScalarOptions = {
  smoothing: 0.6,
  x_axis: "step",
  log_y: false,
  ignore_outliers: false,
  run_filter: "",
  tag_filter: "",
  hidden_runs: [],
  collapsed: [],
};

const CHART_H = 220;
/** Steps are integers: tick increments 1, 2, 5, 10, 20, 50, ... */
const STEP_INCRS = Array.from({ length: 16 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();
const CHART_H_EXPANDED = 440;

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One chart: a tag's series from every shown run. */
class Card {
  readonly root: HTMLDivElement;
  readonly chartEl: HTMLDivElement;
  readonly tipEl: HTMLDivElement;
  u: uPlot | null = null;
  visible = false;
  dirty = true;
  zoom: [number, number] | null = null;
  expanded = false;
  draws = 0;
  drawnPoints = 0;
  private expectX: [number, number] = [0, 1];
  private drawn = new DrawCache();
  /** the drawn series, as yRange reads them (reused between draws) */
  private lines: DrawnLines[] = [];
  /** the shown series of this tag, sorted by run; null after a data-structure or filter change */
  private shown: ScalarData[] | null = null;
  private logY = false;
  private xMode: XAxis = "step";
  private dots: HTMLDivElement[] = [];

  constructor(
    readonly view: ScalarsView,
    readonly tag: string,
  ) {
    this.root = el("div", "nbb-card");
    this.root.dataset.tag = tag;
    const head = el("div", "nbb-card-head");
    const title = el("div", "nbb-card-title", tag);
    title.title = tag;
    const tools = el("div", "nbb-card-tools");
    const btn = (label: string, tip: string, fn: () => void) => tools.appendChild(button(label, tip, fn, "nbb-btn nbb-icon"));
    btn("CSV", "Download this chart's data as CSV", () => this.downloadCSV());
    btn("JSON", "Download this chart's data as JSON", () => this.downloadJSON());
    btn("PNG", "Download this chart as a PNG image", () => this.downloadPNG());
    btn("⟲", "Reset zoom (or double-click the chart)", () => this.resetZoom());
    btn("⤢", "Expand this chart to full width", () => this.toggleExpand());
    head.append(title, tools);
    this.chartEl = el("div", "nbb-chart");
    this.chartEl.style.height = `${CHART_H}px`;
    this.tipEl = el("div", "nbb-tooltip");
    this.tipEl.style.display = "none";
    this.root.append(head, this.chartEl);
  }

  /** The shown series of this tag (cached until `invalidate`). */
  series(): ScalarData[] {
    return (this.shown ??= this.view.seriesFor(this.tag));
  }

  /** Series were added or the run filter / hidden runs changed: recompute `series()` on next use. */
  invalidate(): void {
    this.shown = null;
  }

  destroy(): void {
    this.u?.destroy();
    this.u = null;
  }

  toggleExpand(): void {
    this.expanded = !this.expanded;
    this.root.classList.toggle("nbb-expanded", this.expanded);
    this.chartEl.style.height = `${this.expanded ? CHART_H_EXPANDED : CHART_H}px`;
    this.resize();
  }

  resize(): void {
    if (!this.u) return;
    const w = Math.max(120, Math.floor(this.chartEl.clientWidth));
    const h = this.expanded ? CHART_H_EXPANDED : CHART_H;
    if (w !== Math.round(this.u.width) || h !== Math.round(this.u.height)) {
      this.u.setSize({ width: w, height: h });
      this.markDirty();
    }
  }

  markDirty(): void {
    this.dirty = true;
    this.view.request();
  }

  resetZoom(): void {
    this.zoom = null;
    this.root.dataset.zoom = "";
    this.markDirty();
  }

  setZoom(r: [number, number]): void {
    if (!(r[1] > r[0])) return;
    this.zoom = r;
    this.root.dataset.zoom = `${r[0]},${r[1]}`;
    this.markDirty(); // the next frame sets both scales and paints once
  }

  /** (Re)create the uPlot instance when the axis kind or log scale changed. */
  private ensureChart(): uPlot {
    const o = this.view.opts;
    if (this.u && this.logY === o.log_y && this.xMode === o.x_axis) return this.u;
    this.u?.destroy();
    this.u = null;
    this.dots = [];
    this.logY = o.log_y;
    this.xMode = o.x_axis;
    const th = () => this.view.theme;
    const axes = uplotAxes(th);
    axes[0] = {
      ...axes[0],
      space: o.x_axis === "step" ? 50 : 72,
      ...(o.x_axis === "step" ? { incrs: STEP_INCRS } : {}),
      ...(o.x_axis === "relative"
        ? { values: (_u: uPlot, splits: number[], _ax: number, _space: number, incr: number) => fmtDurationTicks(splits, incr) }
        : o.x_axis === "step"
          ? { values: (_u: uPlot, splits: number[]) => splits.map(fmtTick) }
          : {}),
    };
    const opts: uPlot.Options = {
      width: Math.max(120, Math.floor(this.chartEl.clientWidth) || 400),
      height: this.expanded ? CHART_H_EXPANDED : CHART_H,
      legend: { show: false },
      scales: {
        x: { time: o.x_axis === "wall", auto: false, range: (_u, mn, mx) => [mn, mx] },
        y: {
          auto: false,
          distr: o.log_y ? 3 : 1,
          log: 10,
          range: (_u, mn, mx) => [mn, mx],
        },
      },
      axes,
      series: [{}, { stroke: "transparent", width: 0, points: { show: false } }],
      cursor: {
        drag: { x: true, y: false, setScale: true },
        points: { show: false },
        bind: {
          dblclick: () => null,
          mousedown: (_u, _t, handler) => (e: MouseEvent) => {
            if (e.shiftKey || e.button === 1) {
              this.startPan(e);
              return null;
            }
            handler(e);
            return null;
          },
        },
      },
      hooks: {
        draw: [(u) => this.paint(u)],
        setScale: [(u, key) => this.onScale(u, key)],
        setCursor: [(u) => this.onCursor(u)],
      },
    };
    const u = new uPlot(opts, [[0, 1], [0, 1]], this.chartEl);
    this.u = u;
    u.over.appendChild(this.tipEl);
    u.over.addEventListener("dblclick", () => this.resetZoom());
    u.over.addEventListener("mouseleave", () => this.hideTip());
    u.over.addEventListener(
      "wheel",
      (e) => {
        if (!(e.ctrlKey || e.altKey)) return;
        e.preventDefault();
        const [mn, mx] = [u.scales.x.min ?? 0, u.scales.x.max ?? 1];
        const at = u.posToVal(e.offsetX, "x");
        const f = e.deltaY > 0 ? 1.25 : 0.8;
        this.setZoom([at - (at - mn) * f, at + (mx - at) * f]);
      },
      { passive: false },
    );
    return u;
  }

  private startPan(e: MouseEvent): void {
    const u = this.u;
    if (!u) return;
    e.preventDefault();
    const x0 = e.clientX;
    const mn = u.scales.x.min ?? 0, mx = u.scales.x.max ?? 1;
    const perPx = (mx - mn) / Math.max(1, u.over.clientWidth);
    const move = (ev: MouseEvent) => {
      const d = (ev.clientX - x0) * perPx;
      this.setZoom([mn - d, mx - d]);
    };
    const up = () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  }

  private onScale(u: uPlot, key: string): void {
    if (key !== "x") return;
    const mn = u.scales.x.min ?? 0, mx = u.scales.x.max ?? 1;
    const [a, b] = this.expectX;
    const eps = (Math.abs(b - a) || 1) * 1e-9;
    if (Math.abs(mn - a) > eps || Math.abs(mx - b) > eps) {
      // a drag-box zoom by uPlot
      this.zoom = [mn, mx];
      this.expectX = [mn, mx];
      this.root.dataset.zoom = `${mn},${mx}`;
      this.markDirty();
    }
  }

  /** Downsample a series for the current x range and width (cached while nothing changed). */
  private downsampled(s: ScalarData, x0: number, x1: number, cols: number) {
    const o = this.view.opts;
    return this.drawn.get(s, x0, x1, cols, o.x_axis, o.smoothing);
  }

  /** Called once per animation frame when dirty and on screen. */
  draw(): void {
    this.dirty = false;
    const u = this.ensureChart();
    const o = this.view.opts;
    const series = this.series();
    const full = fullExtent(series, o.x_axis);
    const xr = this.zoom ?? full;
    const cols = Math.max(16, Math.round(u.bbox.width / uPlot.pxRatio) || 400);
    // y range from what is visible
    this.drawn.keepOnly(series);
    const lines = this.lines;
    lines.length = series.length;
    series.forEach((s, k) => {
      const d = this.downsampled(s, xr[0], xr[1], cols);
      const l = (lines[k] ??= { raw: d.raw, sm: null });
      l.raw = d.raw;
      l.sm = o.smoothing > 0 ? d.sm : null;
    });
    const yr = yRange(lines, xr[0], xr[1], o.log_y, o.ignore_outliers);
    this.expectX = xr;
    const sx = u.scales.x, sy = u.scales.y;
    if (sx.min !== xr[0] || sx.max !== xr[1] || sy.min !== yr[0] || sy.max !== yr[1]) {
      u.batch(() => {
        u.setScale("x", { min: xr[0], max: xr[1] });
        u.setScale("y", { min: yr[0], max: yr[1] });
      });
    } else {
      u.batch(() => u.redraw(false, false)); // batch: paint now, inside this frame
    }
  }

  /** uPlot's draw hook: the lines themselves, drawn from the downsampled columns. */
  private paint(u: uPlot): void {
    const o = this.view.opts;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const x0 = u.scales.x.min ?? 0, x1 = u.scales.x.max ?? 1;
    const cols = Math.max(16, Math.round(width / uPlot.pxRatio));
    const pr = uPlot.pxRatio;
    const smoothing = o.smoothing > 0;
    let points = 0;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    const markers: [number, number, string][] = [];
    for (const s of this.series()) {
      const color = this.view.data.colors.get(s.run);
      const d = this.downsampled(s, x0, x1, cols);
      points += d.raw.points;
      const dots = (ds: typeof d.raw) => ds.points > 0 && ds.points * 10 < cols;
      if (smoothing) {
        strokeDownsampled(u, d.raw, color, 0.28, 1, o.log_y, false, pr);
        strokeDownsampled(u, d.sm, color, 1, 1.6, o.log_y, dots(d.sm), pr);
      } else {
        strokeDownsampled(u, d.raw, color, 1, 1.6, o.log_y, dots(d.raw), pr);
      }
      for (let i = 0; i < d.raw.markers.length; i += 2) markers.push([d.raw.markers[i], d.raw.markers[i + 1], color]);
    }
    drawNonFinite(u, markers, this.view.theme.background, pr);
    ctx.restore();
    this.draws++;
    this.drawnPoints = points;
    this.view.afterPaint(this);
    const hook = (globalThis as { __nbboard__?: { onPaint?: (tag: string, s: ScalarData[]) => void } }).__nbboard__?.onPaint;
    if (hook) hook(this.tag, this.series()); // benchmarks measure logging → pixels latency here
  }

  private hideTip(): void {
    this.tipEl.style.display = "none";
    for (const d of this.dots) d.style.display = "none";
  }

  private onCursor(u: uPlot): void {
    const left = u.cursor.left ?? -1;
    if (left < 0 || u.cursor.top === undefined || u.cursor.top < 0) return this.hideTip();
    const o = this.view.opts;
    const x = u.posToVal(left, "x");
    const rows: { s: ScalarData; i: number; sm: number }[] = [];
    const pxTol = 40;
    for (const s of this.series()) {
      const i = nearestIndex(s, o.x_axis, x);
      if (i < 0) continue;
      const { xs, xoff } = xColumn(s, o.x_axis);
      if (Math.abs(u.valToPos(xs[i] - xoff, "x") - left) > pxTol) continue;
      const dv = derive(s, o.smoothing);
      rows.push({ s, i, sm: o.smoothing > 0 ? dv.smoother.out[i] : s.values[i] });
    }
    if (rows.length === 0) return this.hideTip();
    rows.sort((a, b) => (b.sm === b.sm ? b.sm : -Infinity) - (a.sm === a.sm ? a.sm : -Infinity));
    const tip = this.tipEl;
    tip.replaceChildren();
    const table = el("table");
    const head = el("tr");
    const cols = o.smoothing > 0 ? ["", "Run", "Smoothed", "Value", "Step", "Time"] : ["", "Run", "Value", "Step", "Time"];
    for (const c of cols) head.appendChild(el("th", undefined, c));
    table.appendChild(head);
    while (this.dots.length < rows.length) {
      const dot = el("div", "nbb-dot");
      u.over.appendChild(dot);
      this.dots.push(dot);
    }
    this.dots.forEach((d) => (d.style.display = "none"));
    rows.forEach((r, k) => {
      const tr = el("tr");
      const sw = el("td");
      const chip = el("span", "nbb-swatch");
      chip.style.background = this.view.data.colors.get(r.s.run);
      sw.appendChild(chip);
      tr.appendChild(sw);
      tr.appendChild(el("td", "nbb-run", r.s.run));
      if (o.smoothing > 0) tr.appendChild(el("td", "nbb-num", fmtValue(r.sm)));
      tr.appendChild(el("td", "nbb-num", fmtValue(r.s.values[r.i])));
      tr.appendChild(el("td", "nbb-num", fmtStep(r.s.steps[r.i])));
      const rel = r.s.walls[r.i] - r.s.walls[0];
      tr.appendChild(el("td", "nbb-num", o.x_axis === "wall" ? fmtWall(r.s.walls[r.i]) : fmtDuration(rel)));
      table.appendChild(tr);
      const { xs, xoff } = xColumn(r.s, o.x_axis);
      const yv = r.sm;
      const dot = this.dots[k];
      if (Number.isFinite(yv) && !(o.log_y && yv <= 0)) {
        dot.style.display = "block";
        dot.style.left = `${u.valToPos(xs[r.i] - xoff, "x")}px`;
        dot.style.top = `${u.valToPos(yv, "y")}px`;
        dot.style.borderColor = this.view.data.colors.get(r.s.run);
      }
    });
    tip.appendChild(table);
    tip.style.display = "block";
    const ow = u.over.clientWidth;
    const tw = tip.offsetWidth;
    const tl = left + 14 + tw > ow ? Math.max(0, left - 14 - tw) : left + 14;
    tip.style.left = `${tl}px`;
    tip.style.top = `4px`;
  }

  private rowsForExport(): { run: string; s: ScalarData }[] {
    return this.series().map((s) => ({ run: s.run, s }));
  }

  downloadCSV(): void {
    const lines = ["run,tag,step,wall_time,value"];
    for (const { run, s } of this.rowsForExport())
      for (let i = 0; i < s.n; i++) lines.push(`${csvField(run)},${csvField(this.tag)},${s.steps[i]},${s.walls[i]},${s.values[i]}`);
    download(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }), `${safeStem(this.tag, "chart")}.csv`);
  }

  downloadJSON(): void {
    const out: Record<string, [number, number, number | string][]> = {};
    for (const { run, s } of this.rowsForExport()) {
      const rows: [number, number, number | string][] = [];
      for (let i = 0; i < s.n; i++) {
        const v = s.values[i];
        rows.push([s.walls[i], s.steps[i], Number.isFinite(v) ? v : String(v)]);
      }
      out[run] = rows;
    }
    const body = JSON.stringify({ tag: this.tag, columns: ["wall_time", "step", "value"], runs: out });
    download(new Blob([body], { type: "application/json" }), `${safeStem(this.tag, "chart")}.json`);
  }

  downloadPNG(): void {
    const u = this.u;
    if (!u) return;
    const src = u.ctx.canvas;
    const pr = uPlot.pxRatio;
    const band = Math.round(24 * pr);
    const c = document.createElement("canvas");
    c.width = src.width;
    c.height = src.height + band;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const th = this.view.theme;
    ctx.fillStyle = th.background;
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.fillStyle = th.text;
    ctx.font = `${Math.round(13 * pr)}px ${th.font}`;
    ctx.textBaseline = "middle";
    ctx.fillText(this.tag, 8 * pr, band / 2);
    ctx.drawImage(src, 0, band);
    c.toBlob((b) => b && download(b, `${safeStem(this.tag, "chart")}.png`), "image/png");
  }
}

interface Section {
  details: HTMLDetailsElement;
  summary: HTMLElement;
  count: HTMLSpanElement;
  grid: HTMLDivElement;
}

/** The scalar dashboard for one widget model (one per rendered view). */
export class ScalarsView implements Frameable {
  readonly root: HTMLDivElement;
  opts: ScalarOptions;
  theme: Theme;
  private cards = new Map<string, Card>();
  private sections = new Map<string, Section>();
  private sectionsEl: HTMLDivElement;
  private runsEl: HTMLDivElement;
  private emptyEl: HTMLDivElement;
  private statusEl: HTMLSpanElement;
  private liveEl: HTMLSpanElement;
  private smoothingOut: HTMLSpanElement;
  private structureDirty = true;
  private io: IntersectionObserver;
  private ro: ResizeObserver;
  private disposers: (() => void)[] = [];
  private runRe: RegExp | null | undefined;
  private tagRe: RegExp | null | undefined;
  private saveTimer = 0;
  private paints = 0;

  constructor(
    readonly model: AnyModel,
    host: HTMLElement,
    readonly data: ModelData,
  ) {
    const given = (model.get("options") ?? {}) as Partial<ScalarOptions>;
    this.opts = { ...DEFAULTS, ...given };
    this.runRe = compileFilter(this.opts.run_filter);
    this.tagRe = compileFilter(this.opts.tag_filter);
    this.root = el("div", "nbb-root nbb-scalars");
    this.theme = readTheme(host);
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
    const right = el("div", "nbb-status");
    this.liveEl = el("span", "nbb-live", "●");
    this.liveEl.title = "Lights up while new points arrive";
    this.statusEl = el("span", "nbb-status-text", "");
    right.append(this.liveEl, this.statusEl);
    bar.append(runIn, tagIn, sm, xa, toggle("Log y", "log_y", "nbb-logy"), toggle("Ignore outliers", "ignore_outliers", "nbb-outliers"), right);
    this.runsEl = el("div", "nbb-runs");
    this.sectionsEl = el("div", "nbb-sections");
    this.emptyEl = el("div", "nbb-empty", "No scalars yet — they appear here as soon as a writer logs them.");
    this.root.append(bar, this.runsEl, this.emptyEl, this.sectionsEl);
    this.root.dataset.smoothing = String(this.opts.smoothing);
    this.root.dataset.points = "0";
    this.root.dataset.draws = "0";
    host.appendChild(this.root);

    this.io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const card = (e.target as HTMLElement & { _nbbCard?: Card })._nbbCard;
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
    );
    // options set from Python (view.options = {...}) apply to the page too
    const onOptions = () => {
      const next = { ...DEFAULTS, ...((model.get("options") ?? {}) as Partial<ScalarOptions>) };
      const canon = (o: ScalarOptions) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k as keyof ScalarOptions]]));
      if (canon(next) === canon(this.opts)) return; // our own save echoing back
      this.opts = next;
      this.runRe = compileFilter(next.run_filter);
      this.tagRe = compileFilter(next.tag_filter);
      slider.value = String(next.smoothing);
      this.smoothingOut.textContent = next.smoothing.toFixed(3);
      this.root.dataset.smoothing = String(next.smoothing);
      xButtons.forEach((b) => b.classList.toggle("nbb-on", b.dataset.mode === next.x_axis));
      const q = <T extends Element>(sel: string) => this.root.querySelector<T>(sel);
      const runInput = q<HTMLInputElement>(".nbb-run-filter input"), tagInput = q<HTMLInputElement>(".nbb-tag-filter input");
      if (runInput) runInput.value = next.run_filter;
      if (tagInput) tagInput.value = next.tag_filter;
      const logy = q<HTMLInputElement>(".nbb-logy input"), outl = q<HTMLInputElement>(".nbb-outliers input");
      if (logy) logy.checked = next.log_y;
      if (outl) outl.checked = next.ignore_outliers;
      for (const sec of this.sections.values()) sec.details.open = !next.collapsed.includes(sec.details.dataset.group ?? "");
      this.structureDirty = true;
      this.allDirty();
    };
    model.on("change:options", onOptions);
    this.disposers.push(() => model.off("change:options", onOptions));
    const timer = window.setInterval(() => this.updateStatus(), 500);
    this.disposers.push(() => window.clearInterval(timer));
    this.request();
  }

  private textFilter(label: string, key: "run_filter" | "tag_filter", placeholder: string): HTMLElement {
    const l = el("label", `nbb-field nbb-filter nbb-${key.replace("_", "-")}`);
    l.appendChild(el("span", "nbb-label", label));
    const inp = el("input", "nbb-input");
    inp.type = "text";
    inp.placeholder = placeholder;
    inp.value = this.opts[key];
    inp.spellcheck = false;
    inp.addEventListener("input", () => {
      this.opts[key] = inp.value;
      const re = compileFilter(inp.value);
      inp.classList.toggle("nbb-invalid", re === null);
      if (key === "run_filter") this.runRe = re;
      else this.tagRe = re;
      this.structureDirty = true;
      this.allDirty();
      this.saveOptions();
    });
    l.appendChild(inp);
    return l;
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
    if (this.opts.hidden_runs.includes(run)) return false;
    return this.runMatches(run);
  }

  private runMatches(run: string): boolean {
    return !this.runRe || this.runRe.test(run);
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

  private painted = new Set<Card>();
  private inFrame = false;

  /** A card painted: its data-* attributes (read by tests) are written once, at the end of the frame. */
  afterPaint(card: Card): void {
    this.paints++;
    this.painted.add(card);
    if (!this.inFrame) this.request(); // painted by uPlot itself (drag zoom, resize)
  }

  private writeStats(): void {
    if (this.painted.size === 0) return;
    for (const c of this.painted) {
      c.root.dataset.draws = String(c.draws);
      c.root.dataset.points = String(c.drawnPoints);
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
      if (this.tagRe && !this.tagRe.test(tag)) continue;
      for (const [run, s] of m) if (this.runShown(run)) pts += s.n;
    }
    this.root.dataset.points = String(pts);
    const tags = this.cards.size;
    this.statusEl.textContent = `${runs} run${runs === 1 ? "" : "s"} · ${tags} tag${tags === 1 ? "" : "s"} · ${pts.toLocaleString("en-US")} points`;
  }

  /** Rebuild the run chips and the sections/cards (keyed, so charts survive). */
  private rebuild(): void {
    this.structureDirty = false;
    for (const c of this.cards.values()) c.invalidate(); // new series, or the run filter changed
    // runs legend
    this.runsEl.replaceChildren();
    const runs = [...this.data.runs].filter((r) => this.runMatches(r)).sort();
    for (const run of runs) {
      const chip = el("button", "nbb-chip");
      chip.type = "button";
      chip.title = `${run} — click to hide or show`;
      const sw = el("span", "nbb-swatch");
      sw.style.background = this.data.colors.get(run);
      chip.append(sw, el("span", "nbb-chip-name", run));
      chip.classList.toggle("nbb-off", this.opts.hidden_runs.includes(run));
      chip.addEventListener("click", () => {
        const hidden = new Set(this.opts.hidden_runs);
        if (hidden.has(run)) hidden.delete(run);
        else hidden.add(run);
        this.opts.hidden_runs = [...hidden];
        chip.classList.toggle("nbb-off", hidden.has(run));
        for (const c of this.cards.values()) c.invalidate();
        this.allDirty();
        this.saveOptions();
      });
      this.runsEl.appendChild(chip);
    }
    // tags → sections
    const tags = [...this.data.byTag.keys()]
      .filter((t) => (!this.tagRe || this.tagRe.test(t)) && [...this.data.byTag.get(t)!.keys()].some((r) => this.runMatches(r)))
      .sort();
    const wanted = new Set(tags);
    for (const [t, c] of this.cards) {
      if (!wanted.has(t)) {
        this.io.unobserve(c.root);
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
        const grid = el("div", "nbb-grid");
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
          c = new Card(this, t);
          (c.root as HTMLElement & { _nbbCard?: Card })._nbbCard = c;
          this.cards.set(t, c);
          this.io.observe(c.root);
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
    this.root.remove();
  }
}
