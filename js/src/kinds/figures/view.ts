/**
 * Plotly figures logged with add_figure: a card per run and tag with a step slider, drawn
 * interactively by plotly.js. plotly.js is not in the runtime bundle: the kernel sends it (once
 * per kernel, only when such a view is shown) as a separate library model, and the page imports
 * it once, cached on globalThis by digest.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Rec, RecordSeries } from "../../lib/records";
import type { AnyModel } from "../../model";
import { hasRecords, type ViewContext, type ViewSpec } from "../../view/context";
import { CardGrid, mountGrid, seriesItems, StepCard } from "../../view/cards";
import { el } from "../../view/dom";
import { libraryModule } from "../../view/library";
import { toolbar } from "../../view/filters";
import { isDark } from "../../theme";
import { offlineLayout } from "./layout";

const G = globalThis as any;

/** plotly.js from the model's `_plotly` library model (resolves when the kernel has attached it). */
function loadPlotly(model: AnyModel): Promise<any> {
  if (G.Plotly?.react) return Promise.resolve(G.Plotly);
  return libraryModule(model, "_plotly").then((m) => m.default ?? G.Plotly);
}

/** The figure's layout adjusted to the page: transparent paper; in a dark theme light text and grids. */
function themedLayout(layout: Record<string, any>, dark: boolean): Record<string, any> {
  const out: Record<string, any> = { ...layout, autosize: true, paper_bgcolor: "rgba(0,0,0,0)" };
  if (!dark) return out;
  const fg = "#e0e0e0", grid = "rgba(255,255,255,0.12)";
  out.font = { ...(layout.font ?? {}), color: fg };
  out.plot_bgcolor = "rgba(255,255,255,0.04)";
  if (layout.title && typeof layout.title === "object") out.title = { ...layout.title, font: { ...(layout.title.font ?? {}), color: fg } };
  const axes = Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k));
  for (const k of new Set([...axes, "xaxis", "yaxis"])) {
    out[k] = { ...(layout[k] ?? {}), gridcolor: grid, zerolinecolor: "rgba(255,255,255,0.25)", linecolor: grid, tickcolor: grid };
  }
  out.legend = { ...(layout.legend ?? {}), font: { ...(layout.legend?.font ?? {}), color: fg } };
  return out;
}

class FigureCard extends StepCard {
  private div: HTMLDivElement;
  private rec: Rec | null = null;
  private dark = false;
  private plotted = false;
  constructor(
    body: HTMLElement,
    series: RecordSeries,
    private plotly: () => Promise<any>,
  ) {
    super(series);
    this.div = el("div", "nbb-v-figure");
    this.div.appendChild(el("div", "nbb-v-note", "Loading plotly.js…"));
    body.append(this.step.root, this.div);
  }
  override update(): void {
    super.update(); // a newly picked record
    if (this.rec && isDark(this.div) !== this.dark) this.show(this.rec); // a theme switch: the same record recoloured
  }
  protected show(rec: Rec): void {
    const dark = isDark(this.div);
    this.rec = rec;
    this.dark = dark;
    let fig: any;
    try {
      fig = JSON.parse(new TextDecoder().decode(rec.parts[0]));
    } catch (err) {
      this.div.replaceChildren(el("div", "nbb-v-note", `This figure could not be read (${err}).`));
      return;
    }
    this.plotly().then(
      (Plotly) => {
        if (this.rec !== rec) return;
        if (!this.plotted) this.div.replaceChildren();
        const layout = themedLayout(offlineLayout(fig.layout ?? {}), dark);
        Plotly.react(this.div, fig.data ?? [], layout, { responsive: true, displaylogo: false });
        this.plotted = true;
        this.div.dataset.step = String(rec.step);
      },
      (err: unknown) => this.div.replaceChildren(el("div", "nbb-v-note", `plotly.js could not be loaded (${err}).`)),
    );
  }
  dispose(): void {
    const P = G.Plotly;
    if (this.plotted && P?.purge) P.purge(this.div);
  }
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  let plotly: Promise<any> | null = null;
  const get = () => (plotly ??= loadPlotly(ctx.model));
  const bar = toolbar(ctx.filters, [], () => ctx.records.lastData);
  const grid = new CardGrid(
    ctx,
    { items: () => seriesItems(ctx.records, ["nbboard_plotly"]), make: (body, it) => new FigureCard(body, it.series[0], get), gridClass: "nbb-v-wide" },
    "No plotly figures yet — they appear here as soon as a writer logs one with add_figure.",
  );
  return mountGrid(host, bar, grid, { onTheme: () => {} }); // every card redraws on a theme switch
}

export const figuresView: ViewSpec = { kind: "figures", label: "Figures", order: 30, present: hasRecords("nbboard_plotly"), render };
