/**
 * Custom scalars: the layout from add_custom_scalars as charts — multiline charts (every scalar
 * tag matching one of the chart's regexes, per run) and margin charts (a value line inside a
 * lower/upper band) — drawn from the same scalar data the scalar view holds.
 */
import uPlot from "uplot";
import { fmtTick, uplotAxes, withAlpha } from "../lib/charts";
import { registerView, type ScalarSource, type ViewContext } from "../lib/registry";
import { CardGrid, el, mountGrid, toolbar, type CardImpl, type GridItem } from "../lib/viewkit";
import { readTheme, type Theme } from "../theme";

export interface Chart {
  title: string;
  kind: "Multiline" | "Margin";
  tags: string[];
}

/** Categories merged over every run's layout (same category and chart title → one chart). */
export function mergedLayout(plugins: Map<string, Record<string, unknown>>): { title: string; charts: Chart[] }[] {
  const cats = new Map<string, Map<string, Chart>>();
  for (const p of plugins.values()) {
    const layout = p.custom_scalars as { categories?: { title: string; charts: Chart[] }[] } | undefined;
    for (const c of layout?.categories ?? []) {
      let m = cats.get(String(c.title));
      if (!m) cats.set(String(c.title), (m = new Map()));
      for (const ch of c.charts ?? []) if (!m.has(String(ch.title))) m.set(String(ch.title), { title: String(ch.title), kind: ch.kind === "Margin" ? "Margin" : "Multiline", tags: (ch.tags ?? []).map(String) });
    }
  }
  return [...cats].map(([title, m]) => ({ title, charts: [...m.values()] }));
}

type Col = { n: number; steps: Float64Array; values: Float64Array };
const MAX_POINTS = 4000;

function table(s: Col): [number[], number[]] {
  const stride = Math.max(1, Math.ceil(s.n / MAX_POINTS));
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < s.n; i += stride) {
    xs.push(s.steps[i]);
    ys.push(s.values[i]);
  }
  if (s.n && (s.n - 1) % stride) {
    xs.push(s.steps[s.n - 1]);
    ys.push(s.values[s.n - 1]);
  }
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  return [order.map((i) => xs[i]), order.map((i) => ys[i])];
}

function regex(src: string): RegExp | null {
  try {
    return new RegExp(src);
  } catch {
    return null;
  }
}

class ChartCard implements CardImpl {
  private chart: HTMLDivElement;
  private legend: HTMLDivElement;
  private u: uPlot | null = null;
  private tip: HTMLDivElement;
  private labels: { label: string; run: string; shown: boolean }[] = [];
  private key = "";
  private width = 0;
  constructor(
    body: HTMLElement,
    private spec: Chart,
    private view: { theme(): Theme; scalars: ScalarSource; ctx: ViewContext },
  ) {
    this.chart = el("div", "nbb-chart");
    this.tip = el("div", "nbb-v-tip");
    this.tip.style.display = "none";
    this.legend = el("div", "nbb-v-legend");
    body.append(this.chart, this.legend);
  }

  private hover(u: uPlot): void {
    const i = u.cursor.idx;
    if (i === null || i === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
      this.tip.style.display = "none";
      return;
    }
    this.tip.replaceChildren();
    const head = el("div");
    head.append(el("b", undefined, "step "), document.createTextNode(String(u.data[0][i])));
    this.tip.appendChild(head);
    this.labels.forEach((l, k) => {
      const v = u.data[k + 1][i];
      if (!l.shown || v === null || v === undefined) return;
      const row = el("div");
      const sw = el("span", "nbb-swatch");
      sw.style.background = this.view.ctx.colors.get(l.run);
      sw.style.marginRight = "5px";
      row.append(sw, document.createTextNode(`${l.label}: ${fmtTick(Number(v))}`));
      this.tip.appendChild(row);
    });
    this.tip.style.display = "";
    const w = this.chart.clientWidth || 300;
    const left = (u.cursor.left ?? 0) + 70;
    this.tip.style.left = `${left > w - 200 ? Math.max(0, left - 240) : left}px`;
    this.tip.style.top = "6px";
  }

  update(): void {
    const { scalars, ctx } = this.view;
    const lines: { label: string; run: string; col: Col; role: "line" | "value" | "lower" | "upper" }[] = [];
    if (this.spec.kind === "Multiline") {
      const res = this.spec.tags.map(regex).filter((r): r is RegExp => r !== null);
      for (const [tag, byRun] of [...scalars.byTag].sort((a, b) => a[0].localeCompare(b[0]))) {
        if (!res.some((r) => r.test(tag))) continue;
        for (const [run, s] of [...byRun].sort((a, b) => a[0].localeCompare(b[0]))) if (ctx.filters.runShown(run)) lines.push({ label: `${run}: ${tag}`, run, col: s, role: "line" });
      }
    } else {
      const [v, lo, hi] = this.spec.tags;
      const runs = [...(scalars.byTag.get(v)?.keys() ?? [])].sort();
      for (const run of runs) {
        if (!ctx.filters.runShown(run)) continue;
        const a = scalars.byTag.get(v)?.get(run), b = scalars.byTag.get(lo)?.get(run), c = scalars.byTag.get(hi)?.get(run);
        if (!a) continue;
        lines.push({ label: `${run}: ${v}`, run, col: a, role: "value" });
        if (b && c) {
          lines.push({ label: `${run}: ${lo}`, run, col: b, role: "lower" });
          lines.push({ label: `${run}: ${hi}`, run, col: c, role: "upper" });
        }
      }
    }
    this.chart.dataset.series = String(lines.length);
    if (!lines.length) {
      this.u?.destroy();
      this.u = null;
      this.key = "";
      this.legend.replaceChildren(el("span", "nbb-v-note", `No scalars match ${this.spec.tags.join(", ")} yet.`));
      return;
    }
    const data = uPlot.join(lines.map((l) => table(l.col) as uPlot.AlignedData));
    const key = lines.map((l) => l.label).join("\n");
    const w = this.chart.clientWidth || 360;
    if (!this.u || key !== this.key || Math.abs(w - this.width) > 2) {
      this.u?.destroy();
      this.key = key;
      this.width = w;
      const series: uPlot.Series[] = [{}];
      const bands: uPlot.Band[] = [];
      lines.forEach((l, i) => {
        const c = ctx.colors.get(l.run);
        if (l.role === "line" || l.role === "value") series.push({ label: l.label, stroke: c, width: 1.6, spanGaps: true, points: { show: false } });
        else series.push({ label: l.label, stroke: withAlpha(c, 0.35), width: 0.8, spanGaps: true, points: { show: false } });
        if (l.role === "upper") bands.push({ series: [i + 1, i], fill: withAlpha(c, 0.15) });
      });
      this.labels = lines.map((l) => ({ label: l.label, run: l.run, shown: l.role === "line" || l.role === "value" }));
      this.u = new uPlot(
        {
          width: w, height: 220, legend: { show: false }, scales: { x: { time: false } }, axes: uplotAxes(() => this.view.theme()), series, bands,
          cursor: { points: { show: false } }, hooks: { setCursor: [(u) => this.hover(u)] },
        },
        data,
        this.chart,
      );
      this.chart.appendChild(this.tip);
      this.legend.replaceChildren();
      for (const l of lines) {
        if (l.role === "lower" || l.role === "upper") continue;
        const item = el("span");
        const sw = el("span", "nbb-swatch");
        sw.style.background = ctx.colors.get(l.run);
        item.append(sw, document.createTextNode(l.label));
        item.title = l.label;
        this.legend.appendChild(item);
      }
    } else this.u.setData(data);
    this.chart.dataset.points = String(data[0].length);
    this.chart.title = lines.map((l) => `${l.label}: ${fmtTick(l.col.values[l.col.n - 1])}`).join("\n");
  }

  dispose(): void {
    this.u?.destroy();
  }
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  const scalars = ctx.scalars;
  if (!scalars) {
    host.appendChild(el("div", "nbb-empty", "Custom scalars need the scalar data of this view."));
    return () => host.replaceChildren();
  }
  let theme = readTheme(host);
  const bar = toolbar(ctx, [], () => Math.max(scalars.lastData, ctx.records.lastData));
  const charts = new Map<string, Chart>();
  const grid = new CardGrid(
    ctx,
    {
      items: () => {
        const out: GridItem[] = [];
        for (const cat of mergedLayout(ctx.records.plugins)) {
          for (const ch of cat.charts) {
            const key = `${cat.title}\u0000${ch.title}`;
            charts.set(key, ch);
            out.push({ key, tag: `${cat.title.replace(/\//g, "∕")}/${ch.title}`, title: ch.title, run: null, series: [] });
          }
        }
        return out;
      },
      make: (body, it) => new ChartCard(body, charts.get(it.key)!, { theme: () => theme, scalars, ctx }),
      gridClass: "nbb-v-wide",
    },
    "No custom scalar layout yet — it appears when a writer calls add_custom_scalars.",
  );
  const off = scalars.subscribe(() => grid.allDirty());
  return mountGrid(host, bar, grid, { onTheme: () => (theme = readTheme(host)), resize: true, dispose: off });
}

registerView({ kind: "custom_scalars", label: "Custom Scalars", order: 5, present: (r) => [...r.plugins.values()].some((p) => "custom_scalars" in p), render });
