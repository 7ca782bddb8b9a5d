/**
 * One chart of the scalar view: a tag's series from every shown run, drawn with uPlot from the
 * min/max-per-pixel downsampled (and smoothed) series, with zoom, pan, tooltips and downloads.
 */
import uPlot from "uplot";
import type { ColorMap } from "../../lib/colors";
import { derive } from "../../lib/derive";
import { fmtDuration, fmtDurationTicks, fmtStep, fmtValue, fmtWall } from "../../lib/format";
import { DrawCache, fullExtent, nearestIndex, xColumn, type XAxis } from "../../lib/scalar_draw";
import type { ScalarData } from "../../lib/series";
import { yRange, type DrawnLines } from "../../lib/y_range";
import type { Theme } from "../../theme";
import { INTEGER_INCRS } from "../../lib/ticks";
import { drawAlertMarks, drawNonFinite, fillBetween, fitPadding, withAlpha, recordTicks, strokeDownsampled, tickValues, uplotAxes } from "../../view/charts";
import { rankGroupOf, type RankGroup } from "../../lib/ranks";
import { alertX, type AlertInfo } from "../alerts/logic";
import { download, safeStem } from "../../view/download";
import { button, el } from "../../view/dom";
import type { ScalarOptions } from "./options";

/** What a chart reads from the view that shows it. */
export interface ChartHost {
  readonly opts: ScalarOptions;
  readonly theme: Theme;
  readonly colors: ColorMap;
  /** the shown series of `tag`, sorted by run */
  seriesFor(tag: string): ScalarData[];
  /** the alerts fired on `tag` (every run; the chart marks those of its shown runs) */
  alertsFor(tag: string): readonly AlertInfo[];
  /** redraw the dirty charts on the next frame */
  request(): void;
  /** a chart painted (its stats are written at the end of the frame) */
  afterPaint(card: ChartCard): void;
}

const CHART_H = 220;
/** Past this many lines in one chart (a sweep with All ticked) the faded raw line under each
 * smoothed one is left out and joins are bevelled: the raw haze of hundreds of runs hides nothing
 * the smoothed lines do not show, and stroking it doubles the draw. */
export const MANY_LINES = 100;
const CHART_H_EXPANDED = 440;

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One chart: a tag's series from every shown run. */
export class ChartCard {
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
  /** what the last paint drew of distributed runs: min–max bands, and ranks' own lines */
  rankBands = 0;
  rankLines = 0;
  private expectX: [number, number] = [0, 1];
  private drawn = new DrawCache();
  /** the drawn series, as yRange reads them (reused between draws) */
  private lines: DrawnLines[] = [];
  /** the shown series of this tag, sorted by run; null after a data-structure or filter change */
  private shown: ScalarData[] | null = null;
  private logY = false;
  private xMode: XAxis = "step";
  private dots: HTMLDivElement[] = [];
  private alertEl: HTMLSpanElement;

  constructor(
    readonly view: ChartHost,
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
    this.alertEl = el("span", "nbb-card-alert");
    this.alertEl.style.display = "none";
    head.append(title, this.alertEl, tools);
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
      ...(o.x_axis === "step" ? { incrs: INTEGER_INCRS } : {}),
      ...(o.x_axis === "relative"
        ? { values: (_u: uPlot, splits: number[], _ax: number, _space: number, incr: number) => fmtDurationTicks(splits, incr) }
        : o.x_axis === "step"
          ? { values: tickValues(true) }
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
      padding: fitPadding(th),
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
    const shown = this.withExtras(series); // a distributed run: its band or its ranks' lines are in sight too
    this.drawn.keepOnly(shown);
    const lines = this.lines;
    lines.length = shown.length;
    shown.forEach((s, k) => {
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
    const many = this.series().length > MANY_LINES;
    // sparse series get a dot per point, unless so many lines overlap that dots would be a blur
    const crowded = this.series().length > 20;
    ctx.lineJoin = many ? "bevel" : "round";
    ctx.lineCap = many ? "butt" : "round";
    const markers: [number, number, string][] = [];
    this.rankBands = this.rankLines = 0;
    for (const s of this.series()) {
      const color = this.view.colors.get(s.run);
      const g = rankGroupOf(s);
      if (g) points += this.paintRanks(u, g, color, x0, x1, cols, pr);
      const d = this.downsampled(s, x0, x1, cols);
      points += d.raw.points;
      const dots = (ds: typeof d.raw) => !crowded && ds.points > 0 && ds.points * 10 < cols;
      if (smoothing) {
        if (!many) strokeDownsampled(u, d.raw, color, 0.28, 1, o.log_y, false, pr);
        strokeDownsampled(u, d.sm, color, 1, 1.6, o.log_y, dots(d.sm), pr);
      } else {
        strokeDownsampled(u, d.raw, color, 1, 1.6, o.log_y, dots(d.raw), pr);
      }
      for (let i = 0; i < d.raw.markers.length; i += 2) markers.push([d.raw.markers[i], d.raw.markers[i + 1], color]);
    }
    drawNonFinite(u, markers, this.view.theme.background, pr);
    this.paintAlerts(u, pr);
    ctx.restore();
    recordTicks(u, this.chartEl, this.view.theme);
    this.draws++;
    this.drawnPoints = points;
    this.view.afterPaint(this);
    const hook = (globalThis as { __nbboard__?: { onPaint?: (tag: string, s: ScalarData[]) => void } }).__nbboard__?.onPaint;
    if (hook) hook(this.tag, this.series()); // benchmarks measure logging → pixels latency here
  }

  /** The series drawn beside a distributed run's mean line: its band's edges, or its ranks. */
  private extras(g: RankGroup): ScalarData[] {
    return this.view.opts.rank_lines ? [...g.ranks.values()] : [g.lo, g.hi];
  }

  private withExtras(series: ScalarData[]): ScalarData[] {
    const out = [...series];
    for (const s of series) {
      const g = rankGroupOf(s);
      if (g) out.push(...this.extras(g));
    }
    return out;
  }

  /** A distributed run under its mean line: the min–max band across ranks, or each rank's own
   * thin line (the option "rank_lines"); returns the source points drawn. */
  private paintRanks(u: uPlot, g: RankGroup, color: string, x0: number, x1: number, cols: number, pr: number): number {
    const o = this.view.opts;
    const sm = o.smoothing > 0;
    if (o.rank_lines) {
      let points = 0;
      for (const r of g.ranks.values()) {
        const d = this.downsampled(r, x0, x1, cols);
        points += d.raw.points;
        strokeDownsampled(u, sm ? d.sm : d.raw, color, 0.45, 1, o.log_y, false, pr);
        this.rankLines++;
      }
      return points;
    }
    this.rankBands++;
    const lo = this.downsampled(g.lo, x0, x1, cols), hi = this.downsampled(g.hi, x0, x1, cols);
    u.ctx.save();
    fillBetween(u, sm ? hi.sm : hi.raw, sm ? lo.sm : lo.raw, withAlpha(color, 0.2));
    u.ctx.restore();
    return 0;
  }

  /** Alert markers: a dashed line at each alert's x and a ring at its value, in its run's colour
   * outlined red; the card's badge counts them and lists their messages. */
  private paintAlerts(u: uPlot, pr: number): void {
    const all = this.view.alertsFor(this.tag);
    const marks: [number, number | null, string][] = [];
    const texts: string[] = [];
    if (all.length) {
      const byRun = new Map(this.series().map((s) => [s.run, s]));
      const mode = this.view.opts.x_axis;
      for (const a of all) {
        const s = byRun.get(a.run);
        if (!s) continue;
        marks.push([alertX(a, mode, s.n ? s.walls[0] : 0), a.value, this.view.colors.get(a.run)]);
        texts.push(a.message || `${a.text} at step ${a.step} (${a.run})`);
      }
    }
    if (marks.length) drawAlertMarks(u, marks, this.view.opts.log_y, pr);
    this.root.dataset.alerts = String(marks.length);
    this.alertEl.style.display = marks.length ? "" : "none";
    this.alertEl.textContent = `⚠ ${marks.length}`;
    this.alertEl.title = texts.slice(-10).join("\n");
  }

  /** Bring `step` of the chart into sight: zoom around it (a tenth of the series' extent each side). */
  focusStep(step: number): void {
    const full = fullExtent(this.series(), "step");
    const half = Math.max(1, (full[1] - full[0]) / 10);
    if (this.view.opts.x_axis === "step") this.setZoom([step - half, step + half]);
    this.root.scrollIntoView({ block: "center", behavior: "smooth" });
    this.root.classList.add("nbb-flash");
    window.setTimeout(() => this.root.classList.remove("nbb-flash"), 1600);
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
      chip.style.background = this.view.colors.get(r.s.run);
      sw.appendChild(chip);
      tr.appendChild(sw);
      const g = rankGroupOf(r.s);
      tr.appendChild(el("td", "nbb-run", g ? `${r.s.run} (mean of ${g.count[r.i]} rank${g.count[r.i] === 1 ? "" : "s"})` : r.s.run));
      if (o.smoothing > 0) tr.appendChild(el("td", "nbb-num", fmtValue(r.sm)));
      tr.appendChild(el("td", "nbb-num", fmtValue(r.s.values[r.i])));
      tr.appendChild(el("td", "nbb-num", fmtStep(r.s.steps[r.i])));
      const rel = r.s.walls[r.i] - r.s.walls[0];
      tr.appendChild(el("td", "nbb-num", o.x_axis === "wall" ? fmtWall(r.s.walls[r.i]) : fmtDuration(rel)));
      table.appendChild(tr);
      if (g && r.i < g.lo.n) {
        // the spread across ranks at this step, and which ranks hold its ends
        const spread = el("tr", "nbb-rank-spread");
        const td = el("td", undefined, `min ${fmtValue(g.lo.values[r.i])} (rank ${g.loRank[r.i]}) · max ${fmtValue(g.hi.values[r.i])} (rank ${g.hiRank[r.i]})`);
        td.colSpan = cols.length - 1;
        spread.append(el("td"), td);
        table.appendChild(spread);
      }
      const { xs, xoff } = xColumn(r.s, o.x_axis);
      const yv = r.sm;
      const dot = this.dots[k];
      if (Number.isFinite(yv) && !(o.log_y && yv <= 0)) {
        dot.style.display = "block";
        dot.style.left = `${u.valToPos(xs[r.i] - xoff, "x")}px`;
        dot.style.top = `${u.valToPos(yv, "y")}px`;
        dot.style.borderColor = this.view.colors.get(r.s.run);
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

  /** Every point the chart shows: a distributed run's by rank, named as TensorBoard names their folders. */
  private rowsForExport(): { run: string; s: ScalarData }[] {
    return this.series().flatMap((s) => {
      const g = rankGroupOf(s);
      if (!g) return [{ run: s.run, s }];
      return [...g.ranks].sort((a, b) => a[0] - b[0]).map(([, r]) => ({ run: r.folder, s: r }));
    });
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
