/**
 * PR curves: one chart per tag with every run overlaid, a step slider, and a tooltip giving the
 * nearest point's threshold, precision, recall and TP/FP/TN/FN.
 */
import { sizeCanvas } from "../lib/charts";
import { nearestPoint, prPoints, type PRPoint } from "../lib/prcurve";
import { f64, type Rec, type RecordSeries } from "../lib/records";
import { registerView, type ViewContext } from "../lib/registry";
import { CardGrid, el, mountGrid, StepSlider, tagItems, toolbar, type CardImpl } from "../lib/viewkit";
import { readTheme, type Theme } from "../theme";

const H = 260;
const PAD = { l: 40, r: 12, t: 10, b: 30 };

const ptsCache = new WeakMap<Rec, PRPoint[]>();
function pointsOf(r: Rec): PRPoint[] {
  let p = ptsCache.get(r);
  if (!p) ptsCache.set(r, (p = prPoints(f64(r.parts[0]), Number(r.meta.n))));
  return p;
}

/** Each run's record at the latest step ≤ `step`. */
function atStep(series: RecordSeries[], step: number): { s: RecordSeries; rec: Rec }[] {
  const out = [];
  for (const s of series) {
    const i = s.indexAtStep(step);
    if (i >= 0) out.push({ s, rec: s.recs[i] });
  }
  return out;
}

class PRCard implements CardImpl {
  private wrap: HTMLDivElement;
  private canvas: HTMLCanvasElement;
  private tip: HTMLDivElement;
  private legend: HTMLDivElement;
  private step: StepSlider;
  private steps: number[] = [];
  private shown: { s: RecordSeries; rec: Rec }[] = [];

  constructor(
    body: HTMLElement,
    private series: RecordSeries[],
    private view: { theme(): Theme; color(run: string): string },
  ) {
    this.step = new StepSlider(() => this.update());
    this.wrap = el("div", "nbb-v-canvas-wrap");
    this.canvas = el("canvas");
    this.tip = el("div", "nbb-v-tip");
    this.tip.style.display = "none";
    this.wrap.append(this.canvas, this.tip);
    this.legend = el("div", "nbb-v-legend");
    body.append(this.step.root, this.wrap, this.legend);
    this.canvas.addEventListener("mousemove", (e) => this.hover(e));
    this.canvas.addEventListener("mouseleave", () => (this.tip.style.display = "none"));
  }

  update(): void {
    const all = new Set<number>();
    for (const s of this.series) for (const r of s.recs) all.add(r.step);
    this.steps = [...all].sort((a, b) => a - b);
    const i = this.step.sync(this.steps.length, (k) => this.steps[k]);
    const step = this.steps[i] ?? 0;
    this.shown = atStep(this.series, step);
    const th = this.view.theme();
    const w = this.wrap.clientWidth || 360;
    const g = sizeCanvas(this.canvas, w, H);
    const pw = w - PAD.l - PAD.r, ph = H - PAD.t - PAD.b;
    g.save();
    g.translate(PAD.l, PAD.t);
    g.font = `11px ${th.font}`;
    g.lineWidth = 1;
    for (let k = 0; k <= 5; k++) {
      const v = k / 5;
      g.strokeStyle = th.grid;
      g.beginPath();
      g.moveTo(v * pw + 0.5, 0);
      g.lineTo(v * pw + 0.5, ph);
      g.moveTo(0, ph - v * ph + 0.5);
      g.lineTo(pw, ph - v * ph + 0.5);
      g.stroke();
      g.fillStyle = th.muted;
      g.textAlign = "center";
      g.textBaseline = "top";
      g.fillText(v.toFixed(1), v * pw, ph + 4);
      g.textAlign = "right";
      g.textBaseline = "middle";
      g.fillText(v.toFixed(1), -5, ph - v * ph);
    }
    g.fillStyle = th.muted;
    g.textAlign = "center";
    g.textBaseline = "bottom";
    g.fillText("recall", pw / 2, ph + PAD.b);
    g.save();
    g.rotate(-Math.PI / 2);
    g.textBaseline = "top";
    g.fillText("precision", -ph / 2, -PAD.l);
    g.restore();
    for (const { s, rec } of this.shown) {
      const pts = pointsOf(rec);
      g.strokeStyle = this.view.color(s.run);
      g.lineWidth = 2;
      g.beginPath();
      pts.forEach((p, k) => (k ? g.lineTo : g.moveTo).call(g, p.recall * pw, ph - p.precision * ph));
      g.stroke();
    }
    g.restore();
    this.legend.replaceChildren();
    for (const { s, rec } of this.shown) {
      const item = el("span");
      const sw = el("span", "nbb-swatch");
      sw.style.background = this.view.color(s.run);
      item.append(sw, document.createTextNode(`${s.run} (step ${rec.step})`));
      item.title = s.run;
      this.legend.appendChild(item);
    }
    this.canvas.dataset.step = String(step);
    this.canvas.dataset.runs = String(this.shown.length);
  }

  private hover(e: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const pw = rect.width - PAD.l - PAD.r, ph = H - PAD.t - PAD.b;
    const recall = (e.clientX - rect.left - PAD.l) / pw, precision = 1 - (e.clientY - rect.top - PAD.t) / ph;
    let best: { p: PRPoint; run: string } | null = null, bd = Infinity;
    for (const { s, rec } of this.shown) {
      const p = nearestPoint(pointsOf(rec), recall, precision);
      if (!p) continue;
      const d = (p.recall - recall) ** 2 + (p.precision - precision) ** 2;
      if (d < bd) {
        bd = d;
        best = { p, run: s.run };
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
  const bar = toolbar(ctx, [], () => ctx.records.lastData);
  const view = { theme: () => theme, color: (r: string) => ctx.colors.get(r) };
  const grid = new CardGrid(
    ctx,
    { items: () => tagItems(ctx.records, "pr_curves", (r) => ctx.filters.runShown(r)), make: (body, it) => new PRCard(body, it.series, view) },
    "No PR curves yet — they appear here as soon as a writer logs one.",
  );
  return mountGrid(host, bar, grid, { onTheme: () => (theme = readTheme(host)), resize: true });
}

registerView({ kind: "pr_curves", label: "PR Curves", order: 45, present: (r) => r.ofKind("pr_curves").some((s) => s.recs.length > 0), render });
