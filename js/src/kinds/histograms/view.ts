/**
 * Histograms (a card per run and tag: offset mode draws steps in depth as a ridgeline, overlay
 * mode draws them on one axis) and Distributions (TensorBoard's percentile bands over steps).
 */
import uPlot from "uplot";
import { fitPadding, fmtTick, niceLabels, niceTicks, recordTicks, sizeCanvas, tickValues, uplotAxes, withAlpha } from "../../view/charts";
import { INTEGER_INCRS } from "../../lib/ticks";
import { fmtDuration, fmtDurationTicks, fmtWall } from "../../lib/format";
import { compressHistogram, distXs, extentOf, histOf, overlay, rebin, ridgeline, timeValues, type TimeAxis } from "./histogram";
import type { Rec, RecordSeries } from "../../lib/records";
import { hasRecords, type ViewContext, type ViewSpec } from "../../view/context";
import { CardGrid, mountGrid, seriesItems, type CardImpl } from "../../view/cards";
import { el, segmented } from "../../view/dom";
import { toolbar } from "../../view/filters";
import { readTheme, type Theme } from "../../theme";

type HistMode = "offset" | "overlay";

const H = 230;
const PAD = { l: 8, r: 52, t: 8, b: 22 };
const NBINS = 60;
const ROWS = 50;

class HistogramCard implements CardImpl {
  private canvas: HTMLCanvasElement;
  private wrap: HTMLDivElement;
  private tip: HTMLDivElement;
  private geom: { lo: number; hi: number; rows: { step: number; base: number; idx: number }[]; rowH: number } | null = null;

  constructor(
    body: HTMLElement,
    private series: RecordSeries,
    private view: { mode(): HistMode; theme(): Theme; color(run: string): string; xAxis(): TimeAxis },
  ) {
    this.wrap = el("div", "nbb-v-canvas-wrap");
    this.canvas = el("canvas");
    this.tip = el("div", "nbb-v-tip");
    this.tip.style.display = "none";
    this.wrap.append(this.canvas, this.tip);
    body.appendChild(this.wrap);
    this.canvas.addEventListener("mousemove", (e) => this.hover(e));
    this.canvas.addEventListener("mouseleave", () => (this.tip.style.display = "none"));
  }

  update(): void {
    const s = this.series;
    const w = this.wrap.clientWidth || 360;
    const th = this.view.theme();
    const g = sizeCanvas(this.canvas, w, H);
    const hists = s.recs.map(histOf);
    const steps = s.recs.map((r) => r.step);
    const [lo, hi] = extentOf(hists);
    const pw = w - PAD.l - PAD.r, ph = H - PAD.t - PAD.b;
    const color = this.view.color(s.run);
    g.save();
    g.translate(PAD.l, PAD.t);
    g.font = `11px ${th.font}`;
    // x axis
    g.strokeStyle = th.grid;
    g.fillStyle = th.muted;
    g.textAlign = "center";
    g.textBaseline = "top";
    const ticks = niceTicks(lo, hi, Math.max(2, Math.floor(pw / 80)));
    const labels = niceLabels(ticks);
    ticks.forEach((t, k) => {
      const x = ((t - lo) / (hi - lo)) * pw;
      g.beginPath();
      g.moveTo(x + 0.5, 0);
      g.lineTo(x + 0.5, ph);
      g.stroke();
      g.fillText(labels[k], x, ph + 5);
    });
    const mode = this.view.mode();
    this.canvas.dataset.mode = mode;
    if (mode === "offset") {
      const axis = this.view.xAxis();
      const at = axis === "step" ? undefined : timeValues(s.recs, axis);
      const rows = ridgeline(hists, steps, pw, ph, { nbins: NBINS, maxRows: ROWS, lo, hi, at });
      this.canvas.dataset.axis = axis;
      const n = rows.length;
      g.lineWidth = 1.2;
      for (let k = 0; k < n; k++) {
        const r = rows[k];
        const age = n > 1 ? k / (n - 1) : 1; // 0 oldest .. 1 newest
        g.beginPath();
        g.moveTo(r.points[0], r.points[1]);
        for (let j = 2; j < r.points.length; j += 2) g.lineTo(r.points[j], r.points[j + 1]);
        g.closePath();
        g.fillStyle = th.background;
        g.fill();
        g.fillStyle = withAlpha(color, 0.12 + 0.5 * age);
        g.fill();
        g.strokeStyle = withAlpha(color, 0.35 + 0.65 * age);
        g.stroke();
      }
      // offset-axis labels on the right, newest first, at least 14 px apart
      g.textAlign = "left";
      g.textBaseline = "middle";
      g.fillStyle = th.muted;
      const label = (r: (typeof rows)[number]) =>
        axis === "step" ? String(r.step) : axis === "relative" ? fmtDuration(r.at) : new Date(r.at * 1000).toLocaleTimeString();
      let lastY = Infinity;
      for (let k = n - 1; k >= 0; k--) {
        if (lastY - rows[k].base < 14) continue;
        g.fillText(label(rows[k]), pw + 6, rows[k].base);
        lastY = rows[k].base;
      }
      this.geom = { lo, hi, rows: rows.map((r) => ({ step: r.step, base: r.base, idx: r.index })), rowH: n > 1 ? (rows[n - 1].base - rows[0].base) / (n - 1) : ph };
    } else {
      const lines = overlay(hists, pw, ph, NBINS, ROWS);
      const n = lines.length;
      lines.forEach((pts, k) => {
        const age = n > 1 ? k / (n - 1) : 1;
        g.beginPath();
        for (let j = 0; j < pts.length; j += 2) (j ? g.lineTo : g.moveTo).call(g, pts[j], pts[j + 1]);
        g.strokeStyle = withAlpha(color, 0.15 + 0.85 * age ** 2);
        g.lineWidth = k === n - 1 ? 2 : 1;
        g.stroke();
      });
      this.geom = { lo, hi, rows: [], rowH: 0 };
    }
    g.restore();
    this.canvas.dataset.steps = String(s.recs.length);
  }

  private hover(e: MouseEvent): void {
    const geo = this.geom;
    const s = this.series;
    if (!geo || !s.recs.length) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left - PAD.l, y = e.clientY - rect.top - PAD.t;
    const pw = rect.width - PAD.l - PAD.r;
    const v = geo.lo + (x / pw) * (geo.hi - geo.lo);
    let idx = s.recs.length - 1;
    if (geo.rows.length) {
      let best = geo.rows[geo.rows.length - 1], bd = Infinity;
      for (const r of geo.rows) {
        const d = Math.abs(r.base - geo.rowH / 2 - y);
        if (d < bd) {
          bd = d;
          best = r;
        }
      }
      idx = best.idx;
    }
    const rec = s.recs[idx];
    const h = histOf(rec);
    const bins = rebin(h, geo.lo, geo.hi, NBINS);
    const b = Math.min(NBINS - 1, Math.max(0, Math.floor(((v - geo.lo) / (geo.hi - geo.lo)) * NBINS)));
    this.tip.replaceChildren();
    const line = (k: string, val: string) => {
      const d = el("div");
      d.append(el("b", undefined, k + " "), document.createTextNode(val));
      this.tip.appendChild(d);
    };
    line("step", String(rec.step));
    line("x", fmtTick(v));
    line("count", fmtTick(bins[b]));
    this.tip.style.display = "";
    this.tip.dataset.step = String(rec.step);
    const left = Math.min(e.clientX - rect.left + 12, rect.width - 120);
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${Math.max(0, e.clientY - rect.top - 10)}px`;
  }
}

/** A Step / Relative / Wall switch kept in the view's UI state under `key`. */
function timeAxisControl(ctx: ViewContext, key: string, label: string, cls: string, changed: (a: TimeAxis) => void): { ctl: HTMLElement; get(): TimeAxis } {
  const saved = ctx.ui.get<string>(key, "step");
  let axis: TimeAxis = saved === "relative" || saved === "wall" ? saved : "step";
  const ctl = segmented<TimeAxis>(label, [["step", "Step"], ["relative", "Relative"], ["wall", "Wall"]], axis, (m) => {
    axis = m;
    ctx.ui.set(key, m);
    changed(m);
  }, cls);
  return { ctl, get: () => axis };
}

function renderHistograms(host: HTMLElement, ctx: ViewContext): () => void {
  let mode: HistMode = ctx.ui.get<string>("histogram_mode", "offset") === "overlay" ? "overlay" : "offset";
  let theme = readTheme(host);
  const modeCtl = segmented<HistMode>("Mode", [["offset", "Offset"], ["overlay", "Overlay"]], mode, (m) => {
    mode = m;
    ctx.ui.set("histogram_mode", m);
    axis.ctl.style.display = m === "offset" ? "" : "none";
    grid.allDirty();
  }, "nbb-v-histmode");
  const axis = timeAxisControl(ctx, "histogram_x", "Offset axis", "nbb-v-histx", () => grid.allDirty());
  axis.ctl.style.display = mode === "offset" ? "" : "none";
  const bar = toolbar(ctx.filters, [modeCtl, axis.ctl], () => ctx.records.lastData);
  const view = { mode: () => mode, theme: () => theme, color: (r: string) => ctx.colors.get(r), xAxis: axis.get };
  const grid: CardGrid = new CardGrid(
    ctx,
    { items: () => seriesItems(ctx.records, ["histograms"]), make: (body, it) => new HistogramCard(body, it.series[0], view) },
    "No histograms yet — they appear here as soon as a writer logs them.",
  );
  return mountGrid(host, bar, grid, { onTheme: () => (theme = readTheme(host)), resize: true });
}

// ---- distributions ---------------------------------------------------------------------

class DistributionCard implements CardImpl {
  private chart: HTMLDivElement;
  private u: uPlot | null = null;
  private tip: HTMLDivElement;
  private done = new WeakMap<Rec, number[]>();
  private width = 0;
  private xMode: TimeAxis = "step";
  private order: number[] = [];

  constructor(
    body: HTMLElement,
    private series: RecordSeries,
    private view: { theme(): Theme; color(run: string): string; xAxis(): TimeAxis },
  ) {
    this.chart = el("div", "nbb-chart nbb-v-dist");
    this.tip = el("div", "nbb-v-tip");
    this.tip.style.display = "none";
    this.chart.appendChild(this.tip);
    body.appendChild(this.chart);
  }

  private data(): uPlot.AlignedData {
    const recs = this.series.recs;
    const { xs, order } = distXs(recs, this.xMode);
    this.order = order;
    const cols: number[][] = Array.from({ length: 10 }, () => new Array(recs.length));
    order.forEach((j, i) => {
      const r = recs[j];
      let c = this.done.get(r);
      if (!c) this.done.set(r, (c = compressHistogram(histOf(r))));
      cols[0][i] = xs[i];
      for (let k = 0; k < 9; k++) cols[k + 1][i] = c[k];
    });
    return cols as uPlot.AlignedData;
  }

  update(): void {
    const w = this.chart.clientWidth || 360;
    const color = this.view.color(this.series.run);
    const xMode = this.view.xAxis();
    if (!this.u || Math.abs(w - this.width) > 2 || xMode !== this.xMode) {
      this.u?.destroy();
      this.width = w;
      this.xMode = xMode;
      this.chart.dataset.x = xMode;
      const th = () => this.view.theme();
      const axes = uplotAxes(th);
      if (xMode === "relative") {
        axes[0].values = (_u: uPlot, splits: number[], _ax: number, _space: number, incr: number) => fmtDurationTicks(splits, incr);
        axes[0].space = 72;
      } else if (xMode === "wall") axes[0].space = 72;
      else Object.assign(axes[0], { incrs: INTEGER_INCRS, values: tickValues(true) }); // steps: no half-step ticks
      const series: uPlot.Series[] = [{}];
      for (let k = 0; k < 9; k++) series.push({ stroke: k === 4 ? color : withAlpha(color, 0.25), width: k === 4 ? 1.6 : k === 0 || k === 8 ? 0.6 : 0, points: { show: false } });
      const bands: uPlot.Band[] = [[9, 1], [8, 2], [7, 3], [6, 4]].map(([a, b]) => ({ series: [a, b] as [number, number], fill: withAlpha(color, 0.17) }));
      this.u = new uPlot(
        {
          width: w,
          height: 220,
          legend: { show: false },
          scales: { x: { time: xMode === "wall" } },
          axes,
          padding: fitPadding(th),
          series,
          bands,
          cursor: { points: { show: false }, drag: { x: true, y: false } },
          hooks: { setCursor: [(u) => this.hover(u)], draw: [(u) => recordTicks(u, this.chart, this.view.theme())] },
        },
        this.data(),
        this.chart,
      );
    } else this.u.setData(this.data());
    this.chart.dataset.steps = String(this.series.recs.length);
  }

  private hover(u: uPlot): void {
    const i = u.cursor.idx;
    if (i === null || i === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
      this.tip.style.display = "none";
      return;
    }
    const d = u.data;
    this.tip.replaceChildren();
    const row = (k: string, v: string) => {
      const e = el("div");
      e.append(el("b", undefined, k + " "), document.createTextNode(v));
      this.tip.appendChild(e);
    };
    const rec = this.series.recs[this.order[i] ?? i];
    if (!rec) return;
    row("step", String(rec.step));
    if (this.xMode === "relative") row("relative", fmtDuration(Number(d[0][i])));
    if (this.xMode === "wall") row("wall", fmtWall(rec.wall));
    for (const [k, name] of [[9, "max"], [7, "93%"], [5, "median"], [3, "7%"], [1, "min"]] as [number, string][]) row(name, fmtTick(Number(d[k][i])));
    this.tip.style.display = "";
    // beside the cursor (the plot starts after the y-axis), flipped to its left when it would overflow
    const cx = (u.cursor.left ?? 0) + u.bbox.left / (window.devicePixelRatio || 1);
    const tw = this.tip.offsetWidth, cw = this.chart.clientWidth || 300;
    const x = cx + 12 + tw <= cw ? cx + 12 : cx - 12 - tw;
    this.tip.style.left = `${Math.max(0, x)}px`;
    this.tip.style.top = "8px";
  }

  dispose(): void {
    this.u?.destroy();
  }
}

function renderDistributions(host: HTMLElement, ctx: ViewContext): () => void {
  let theme = readTheme(host);
  const axis = timeAxisControl(ctx, "distribution_x", "X", "nbb-v-distx", () => grid.allDirty());
  const bar = toolbar(ctx.filters, [axis.ctl], () => ctx.records.lastData);
  const view = { theme: () => theme, color: (r: string) => ctx.colors.get(r), xAxis: axis.get };
  const grid: CardGrid = new CardGrid(
    ctx,
    { items: () => seriesItems(ctx.records, ["histograms"]), make: (body, it) => new DistributionCard(body, it.series[0], view) },
    "No histograms yet — distributions appear here as soon as a writer logs a histogram.",
  );
  return mountGrid(host, bar, grid, { onTheme: () => (theme = readTheme(host)), resize: true });
}

export const distributionsView: ViewSpec = { kind: "distributions", label: "Distributions", order: 20, present: hasRecords("histograms"), render: renderDistributions };
export const histogramsView: ViewSpec = { kind: "histograms", label: "Histograms", order: 21, present: hasRecords("histograms"), render: renderHistograms };

