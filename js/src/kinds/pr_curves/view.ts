/**
 * PR curves: one chart per tag with every run overlaid, in a grid of cards that fill the row; a
 * step slider per run (as TensorBoard has), and a tooltip giving the nearest point's threshold,
 * precision, recall and TP/FP/TN/FN. Drag a box to zoom in, double-click to see the whole unit
 * square again.
 */
import { niceLabels, niceTicks, sizeCanvas } from "../../view/charts";
import { FULL_PR, nearestPoint, prPoints, zoomDomain, type PRDomain, type PRPoint } from "./pr_curve";
import { f64, type Rec, type RecordSeries } from "../../lib/records";
import { hasRecords, type ViewContext, type ViewSpec } from "../../view/context";
import { CardGrid, mountGrid, StepSlider, tagItems, type CardImpl } from "../../view/cards";
import { el } from "../../view/dom";
import { toolbar } from "../../view/filters";
import { tagGroup } from "../../lib/format";
import { readTheme, type Theme } from "../../theme";

const H = 260;
const PAD = { l: 40, r: 12, t: 10, b: 30 };

const ptsCache = new WeakMap<Rec, PRPoint[]>();
function pointsOf(r: Rec): PRPoint[] {
  let p = ptsCache.get(r);
  if (!p) ptsCache.set(r, (p = prPoints(f64(r.parts[0]), Number(r.meta.n))));
  return p;
}

/** One run's row under the chart: its colour, name and its own step slider. */
interface RunRow {
  s: RecordSeries;
  root: HTMLElement;
  slider: StepSlider;
  /** the step, shown when the run has a single record (its slider is hidden) */
  only: HTMLElement;
}

class PRCard implements CardImpl {
  private wrap: HTMLDivElement;
  private canvas: HTMLCanvasElement;
  private tip: HTMLDivElement;
  private legend: HTMLDivElement;
  private rows: RunRow[];
  private shown: { s: RecordSeries; rec: Rec }[] = [];
  private dom: PRDomain = FULL_PR;
  private drag: { x: number; y: number } | null = null;
  private box: HTMLDivElement;

  constructor(
    body: HTMLElement,
    private series: RecordSeries[],
    private view: { theme(): Theme; color(run: string): string },
  ) {
    this.legend = el("div", "nbb-v-prruns");
    this.rows = series.map((s) => {
      const root = el("div", "nbb-v-prrun");
      root.dataset.run = s.run;
      const sw = el("span", "nbb-swatch");
      sw.style.background = this.view.color(s.run);
      const name = el("span", "nbb-v-prrun-name", s.run);
      name.title = s.run;
      const slider = new StepSlider(() => this.update());
      slider.input.setAttribute("aria-label", `step of ${s.run}`);
      const only = el("span", "nbb-value nbb-v-prrun-step");
      root.append(sw, name, slider.root, only);
      this.legend.appendChild(root);
      return { s, root, slider, only };
    });
    this.wrap = el("div", "nbb-v-canvas-wrap");
    this.canvas = el("canvas");
    this.tip = el("div", "nbb-v-tip");
    this.tip.style.display = "none";
    this.box = el("div", "nbb-v-zoombox");
    this.box.style.display = "none";
    this.wrap.append(this.canvas, this.tip, this.box);
    body.append(this.wrap, this.legend);
    this.canvas.addEventListener("mousemove", (e) => this.hover(e));
    this.canvas.addEventListener("mouseleave", () => (this.tip.style.display = "none"));
    this.canvas.addEventListener("mousedown", (e) => this.startDrag(e));
    this.canvas.addEventListener("dblclick", () => {
      this.dom = FULL_PR;
      this.update();
    });
  }

  /** Plot coordinates (pixels from the plot's top-left) of a mouse event. */
  private at(e: MouseEvent): { x: number; y: number; pw: number; ph: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left - PAD.l, y: e.clientY - rect.top - PAD.t, pw: rect.width - PAD.l - PAD.r, ph: H - PAD.t - PAD.b };
  }

  private startDrag(e: MouseEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const a = this.at(e);
    this.drag = { x: a.x, y: a.y };
    const move = (ev: MouseEvent) => {
      const b = this.at(ev);
      const x0 = Math.max(0, Math.min(a.x, b.x)), x1 = Math.min(b.pw, Math.max(a.x, b.x));
      const y0 = Math.max(0, Math.min(a.y, b.y)), y1 = Math.min(b.ph, Math.max(a.y, b.y));
      Object.assign(this.box.style, { display: "", left: `${PAD.l + x0}px`, top: `${PAD.t + y0}px`, width: `${x1 - x0}px`, height: `${y1 - y0}px` });
    };
    const up = (ev: MouseEvent) => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      this.box.style.display = "none";
      const b = this.at(ev);
      this.drag = null;
      const next = zoomDomain(this.dom, a.x, a.y, b.x, b.y, b.pw, b.ph);
      if (next) {
        this.dom = next;
        this.tip.style.display = "none";
        this.update();
      }
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  }

  update(): void {
    // each run at the step its own slider picks (its newest until moved)
    this.shown = [];
    for (const row of this.rows) {
      const recs = row.s.recs;
      const i = row.slider.sync(recs.length, (k) => recs[k].step, (k) => recs[k].wall);
      const rec = recs[i];
      row.only.textContent = recs.length === 1 && rec ? `step ${rec.step}` : "";
      row.root.dataset.step = rec ? String(rec.step) : "";
      if (rec) this.shown.push({ s: row.s, rec });
    }
    const th = this.view.theme();
    const w = this.wrap.clientWidth || 360;
    const g = sizeCanvas(this.canvas, w, H);
    const pw = w - PAD.l - PAD.r, ph = H - PAD.t - PAD.b;
    g.save();
    g.translate(PAD.l, PAD.t);
    g.font = `11px ${th.font}`;
    g.lineWidth = 1;
    const d = this.dom;
    const X = (r: number) => ((r - d.x0) / (d.x1 - d.x0)) * pw, Y = (p: number) => ph - ((p - d.y0) / (d.y1 - d.y0)) * ph;
    const full = d === FULL_PR;
    g.strokeStyle = th.grid;
    g.fillStyle = th.muted;
    const xt = niceTicks(d.x0, d.x1, Math.max(2, Math.min(5, Math.floor(pw / 60))));
    const yt = niceTicks(d.y0, d.y1, 5);
    const xl = niceLabels(xt), yl = niceLabels(yt); // distinct, however far zoomed in
    for (const v of xt) {
      g.beginPath();
      g.moveTo(Math.round(X(v)) + 0.5, 0);
      g.lineTo(Math.round(X(v)) + 0.5, ph);
      g.stroke();
      g.textAlign = "center";
      g.textBaseline = "top";
      g.fillText(xl[xt.indexOf(v)], X(v), ph + 4);
    }
    for (const v of yt) {
      g.beginPath();
      g.moveTo(0, Math.round(Y(v)) + 0.5);
      g.lineTo(pw, Math.round(Y(v)) + 0.5);
      g.stroke();
      g.textAlign = "right";
      g.textBaseline = "middle";
      g.fillText(yl[yt.indexOf(v)], -5, Y(v));
    }
    g.fillStyle = th.muted;
    g.textAlign = "center";
    g.textBaseline = "bottom";
    g.fillText(full ? "recall" : "recall (zoomed: double-click to reset)", pw / 2, ph + PAD.b);
    g.save();
    g.rotate(-Math.PI / 2);
    g.textBaseline = "top";
    g.fillText("precision", -ph / 2, -PAD.l);
    g.restore();
    g.beginPath();
    g.rect(0, 0, pw, ph);
    g.clip();
    for (const { s, rec } of this.shown) {
      const pts = pointsOf(rec);
      g.strokeStyle = this.view.color(s.run);
      g.lineWidth = 2;
      g.beginPath();
      pts.forEach((p, k) => (k ? g.lineTo : g.moveTo).call(g, X(p.recall), Y(p.precision)));
      g.stroke();
      if (!full && pts.length <= 400) {
        // zoomed in: the thresholds' own points
        g.fillStyle = this.view.color(s.run);
        for (const p of pts) g.fillRect(X(p.recall) - 1.5, Y(p.precision) - 1.5, 3, 3);
      }
    }
    g.restore();
    this.canvas.dataset.step = this.shown.map(({ rec }) => rec.step).join(",");
    this.canvas.dataset.runs = String(this.shown.length);
    this.canvas.dataset.zoom = full ? "" : [d.x0, d.x1, d.y0, d.y1].map((v) => v.toFixed(4)).join(",");
  }

  private hover(e: MouseEvent): void {
    if (this.drag) return;
    const rect = this.canvas.getBoundingClientRect();
    const { x, y, pw, ph } = this.at(e);
    const d = this.dom;
    const recall = d.x0 + (x / pw) * (d.x1 - d.x0), precision = d.y1 - (y / ph) * (d.y1 - d.y0);
    let best: { p: PRPoint; run: string } | null = null, bd = Infinity;
    for (const { s, rec } of this.shown) {
      const near = nearestPoint(pointsOf(rec), recall, precision, d);
      if (near && near.dist < bd) {
        bd = near.dist;
        best = { p: near.p, run: s.run };
      }
    }
    if (!best) return;
    const { p, run } = best;
    this.tip.replaceChildren();
    const r = el("span", "nbb-v-tip-run", run);
    r.style.color = this.view.color(run);
    this.tip.appendChild(r);
    const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
    for (const [k, v] of [["threshold", p.threshold], ["precision", p.precision], ["recall", p.recall], ["TP", p.tp], ["FP", p.fp], ["TN", p.tn], ["FN", p.fn]] as [string, number][]) {
      const d = el("div");
      d.append(el("b", undefined, k + " "), document.createTextNode(f(v)));
      this.tip.appendChild(d);
    }
    this.tip.style.display = "";
    this.tip.dataset.threshold = String(p.threshold);
    this.tip.style.left = `${Math.min(e.clientX - rect.left + 14, rect.width - 150)}px`;
    this.tip.style.top = `${Math.max(0, Math.min(e.clientY - rect.top - 20, H - 150))}px`;
  }
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  let theme = readTheme(host);
  const bar = toolbar(ctx.filters, [], () => ctx.records.lastData);
  const view = { theme: () => theme, color: (r: string) => ctx.colors.get(r) };
  const grid = new CardGrid(
    ctx,
    {
      items: () => tagItems(ctx.records, "pr_curves", (r) => ctx.filters.runShown(r)),
      make: (body, it) => new PRCard(body, it.series, view),
      gridClass: "nbb-fill",
      // TensorBoard's tutorial logs a tag per class ("plane", "car", ...): one section of them all, not a section each
      section: (tag) => (tag.includes("/") ? tagGroup(tag) : "PR curves"),
    },
    "No PR curves yet — they appear here as soon as a writer logs one.",
  );
  return mountGrid(host, bar, grid, { onTheme: () => (theme = readTheme(host)), resize: true });
}

export const prCurvesView: ViewSpec = { kind: "pr_curves", label: "PR Curves", order: 45, present: hasRecords("pr_curves"), render };
