/**
 * Custom scalars: the layout from add_custom_scalars as charts — multiline charts (every scalar
 * tag matching one of the chart's regexes, per run) and margin charts (a value line inside a
 * lower/upper band) — drawn from the same scalar data, and the same per-pixel-column min/max
 * downsampling, as the scalar view: spikes stay visible and zooming (drag; double-click resets)
 * redraws the real points of the range.
 */
import uPlot from "uplot";
import { drawNonFinite, fillBetween, fitPadding, fmtTick, stepAxes, strokeDownsampled, withAlpha } from "../../view/charts";
import { chartLines, linesChanged, mergedLayout, type Chart, type ChartLine } from "./layout";
import { hasPlugin, type ViewContext, type ViewSpec } from "../../view/context";
import { DrawCache, fullExtent, nearestIndex } from "../../lib/scalar_draw";
import { CardGrid, mountGrid, type CardImpl, type GridItem } from "../../view/cards";
import { el } from "../../view/dom";
import { toolbar } from "../../view/filters";
import { yRange, type DrawnLines } from "../../lib/y_range";
import { readTheme, type Theme } from "../../theme";

export { mergedLayout, type Chart };

const CHART_H = 220;

class ChartCard implements CardImpl {
  private chart: HTMLDivElement;
  private legend: HTMLDivElement;
  private u: uPlot | null = null;
  private tip: HTMLDivElement;
  private lines: ChartLine[] = [];
  private key = "";
  private zoom: [number, number] | null = null;
  private expectX: [number, number] = [0, 1];
  private drawn = new DrawCache();
  constructor(
    body: HTMLElement,
    private spec: Chart,
    private view: { theme(): Theme; ctx: ViewContext },
    private request: (card: ChartCard) => void,
  ) {
    this.chart = el("div", "nbb-chart");
    this.tip = el("div", "nbb-v-tip");
    this.tip.style.display = "none";
    this.legend = el("div", "nbb-v-legend");
    body.append(this.chart, this.legend);
  }

  /** Whether a scalar update touching `changed` series needs this chart redrawn. */
  shows(changed: ReadonlySet<unknown>): boolean {
    return linesChanged(this.lines, changed);
  }

  private cols(u: uPlot): number {
    return Math.max(16, Math.round(u.bbox.width / uPlot.pxRatio) || 400);
  }

  private hover(u: uPlot): void {
    const left = u.cursor.left ?? -1;
    if (left < 0 || u.cursor.top === undefined || u.cursor.top < 0) {
      this.tip.style.display = "none";
      return;
    }
    const x = u.posToVal(left, "x");
    const rows: { l: ChartLine; i: number; dx: number }[] = [];
    for (const l of this.lines) {
      if (l.role === "lower" || l.role === "upper") continue;
      const i = nearestIndex(l.s, "step", x);
      if (i < 0) continue;
      const dx = Math.abs(u.valToPos(l.s.steps[i], "x") - left);
      if (dx <= 40) rows.push({ l, i, dx });
    }
    if (!rows.length) {
      this.tip.style.display = "none";
      return;
    }
    const near = rows.reduce((a, b) => (b.dx < a.dx ? b : a));
    const step = near.l.s.steps[near.i];
    this.tip.replaceChildren();
    const head = el("div");
    head.append(el("b", undefined, "step "), document.createTextNode(String(step)));
    this.tip.appendChild(head);
    for (const { l, i } of rows) {
      const row = el("div");
      const sw = el("span", "nbb-swatch");
      sw.style.background = this.view.ctx.colors.get(l.run);
      sw.style.marginRight = "5px";
      const at = l.s.steps[i] === step ? "" : ` (step ${l.s.steps[i]})`;
      row.append(sw, document.createTextNode(`${l.label}: ${fmtTick(l.s.values[i])}${at}`));
      this.tip.appendChild(row);
    }
    this.tip.style.display = "";
    const w = this.chart.clientWidth || 300;
    const tl = left + 70;
    this.tip.style.left = `${tl > w - 200 ? Math.max(0, tl - 240) : tl}px`;
    this.tip.style.top = "6px";
  }

  private onScale(u: uPlot, key: string): void {
    if (key !== "x") return;
    const mn = u.scales.x.min ?? 0, mx = u.scales.x.max ?? 1;
    const [a, b] = this.expectX;
    const eps = (Math.abs(b - a) || 1) * 1e-9;
    if (Math.abs(mn - a) > eps || Math.abs(mx - b) > eps) this.setZoom([mn, mx]); // a drag-box zoom by uPlot
  }

  private setZoom(r: [number, number] | null): void {
    if (r && !(r[1] > r[0])) return;
    this.zoom = r;
    if (r) this.expectX = r;
    this.chart.dataset.zoom = r ? `${r[0]},${r[1]}` : "";
    this.request(this); // redrawn next frame from the real points of the range
  }

  private create(w: number): uPlot {
    this.u?.destroy();
    const u = new uPlot(
      {
        width: w,
        height: CHART_H,
        legend: { show: false },
        scales: { x: { time: false, auto: false, range: (_u, mn, mx) => [mn, mx] }, y: { auto: false, range: (_u, mn, mx) => [mn, mx] } },
        axes: stepAxes(() => this.view.theme()),
        padding: fitPadding(() => this.view.theme()),
        series: [{}, { stroke: "transparent", width: 0, points: { show: false } }],
        cursor: { drag: { x: true, y: false, setScale: true }, points: { show: false }, bind: { dblclick: () => null } },
        hooks: { draw: [(u) => this.paint(u)], setScale: [(u, key) => this.onScale(u, key)], setCursor: [(u) => this.hover(u)] },
      },
      [[0, 1], [0, 1]],
      this.chart,
    );
    this.chart.appendChild(this.tip);
    u.over.addEventListener("dblclick", () => this.setZoom(null));
    return u;
  }

  update(): void {
    const { ctx } = this.view;
    const lines = chartLines(this.spec, ctx.scalars.byTag, (r) => ctx.filters.runShown(r));
    this.lines = lines;
    this.chart.dataset.series = String(lines.length);
    if (!lines.length) {
      this.u?.destroy();
      this.u = null;
      this.key = "";
      this.legend.replaceChildren(el("span", "nbb-v-note", `No scalars match ${this.spec.tags.join(", ")} yet.`));
      return;
    }
    const key = lines.map((l) => l.label).join("\n");
    // hidden (a theme switch relays the page out; a closed section): drawing now would fix the
    // chart at a made-up width; the resize that shows it again marks every card dirty
    const w = this.chart.clientWidth;
    if (!w) return;
    if (!this.u || key !== this.key) {
      this.u = this.create(w);
      this.key = key;
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
    } else if (Math.abs(w - this.u.width) > 2) this.u.setSize({ width: w, height: CHART_H });
    this.draw(this.u);
    this.chart.title = lines.map((l) => `${l.label}: ${fmtTick(l.s.n ? l.s.values[l.s.n - 1] : null)}`).join("\n");
  }

  /** Set both scales from the visible points (x: the zoom or every point; y: their min/max) and paint. */
  private draw(u: uPlot): void {
    const series = this.lines.map((l) => l.s);
    const xr = this.zoom ?? fullExtent(series, "step");
    const cols = this.cols(u);
    this.drawn.keepOnly(series);
    const sets: DrawnLines[] = series.map((s) => ({ raw: this.drawn.get(s, xr[0], xr[1], cols, "step", 0).raw, sm: null }));
    const yr = yRange(sets, xr[0], xr[1], false, false);
    this.expectX = xr;
    const sx = u.scales.x, sy = u.scales.y;
    if (sx.min !== xr[0] || sx.max !== xr[1] || sy.min !== yr[0] || sy.max !== yr[1]) {
      u.batch(() => {
        u.setScale("x", { min: xr[0], max: xr[1] });
        u.setScale("y", { min: yr[0], max: yr[1] });
      });
    } else u.batch(() => u.redraw(false, false)); // batch: paint now, inside this frame
  }

  /** uPlot's draw hook: bands, lines and NaN/inf markers from the downsampled series. */
  private paint(u: uPlot): void {
    const { ctx: g } = u;
    const { left, top, width, height } = u.bbox;
    const x0 = u.scales.x.min ?? 0, x1 = u.scales.x.max ?? 1;
    const cols = this.cols(u);
    const pr = uPlot.pxRatio;
    const colors = this.view.ctx.colors;
    const ds = this.lines.map((l) => this.drawn.get(l.s, x0, x1, cols, "step", 0).raw);
    g.save();
    g.beginPath();
    g.rect(left, top, width, height);
    g.clip();
    g.lineJoin = "round";
    g.lineCap = "round";
    const markers: [number, number, string][] = [];
    let points = 0;
    this.lines.forEach((l, k) => {
      const c = colors.get(l.run);
      if (l.role === "upper") fillBetween(u, ds[k], ds[k - 1], withAlpha(c, 0.15));
    });
    this.lines.forEach((l, k) => {
      const c = colors.get(l.run);
      const d = ds[k];
      if (l.role === "lower" || l.role === "upper") {
        strokeDownsampled(u, d, c, 0.35, 0.8, false, false, pr);
        return;
      }
      points += d.points;
      strokeDownsampled(u, d, c, 1, 1.6, false, d.points > 0 && d.points * 10 < cols, pr);
      for (let i = 0; i < d.markers.length; i += 2) markers.push([d.markers[i], d.markers[i + 1], c]);
    });
    drawNonFinite(u, markers, this.view.theme().background, pr);
    g.restore();
    this.chart.dataset.points = String(points);
  }

  dispose(): void {
    this.u?.destroy();
  }
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  const scalars = ctx.scalars;
  // the theme as drawn now: read once per draw (a cached one went stale when JupyterLab's theme
  // CSS arrived after its theme attribute changed, leaving dark labels on a dark page)
  let drawTheme: Theme | null = null;
  const theme = (): Theme => {
    if (!drawTheme) {
      drawTheme = readTheme(host);
      queueMicrotask(() => (drawTheme = null));
    }
    return drawTheme;
  };
  const bar = toolbar(ctx.filters, [], () => Math.max(scalars.lastData, ctx.records.lastData));
  const charts = new Map<string, Chart>();
  const grid: CardGrid = new CardGrid(
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
      make: (body, it) => new ChartCard(body, charts.get(it.key)!, { theme, ctx }, (card) => grid.dirtyWhere((c) => c === card)),
      gridClass: "nbb-v-wide",
    },
    "No custom scalar layout yet — it appears when a writer calls add_custom_scalars.",
  );
  // New series may match a chart: redraw all; new points: only the charts showing them.
  const off = scalars.subscribe((changed, structural) => (structural ? grid.allDirty() : grid.dirtyWhere((c) => (c as ChartCard).shows(changed))));
  return mountGrid(host, bar, grid, { onTheme: () => (drawTheme = null), resize: true, dispose: off });
}

export const customScalarsView: ViewSpec = { kind: "custom_scalars", label: "Custom Scalars", order: 5, present: hasPlugin("custom_scalars"), render };
