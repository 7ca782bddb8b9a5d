/** The text dashboard: a card per run and tag showing the logged markdown of one step (sanitised HTML). */
import { renderMarkdown } from "../lib/markdown";
import type { RecordSeries } from "../lib/records";
import { registerView, type ViewContext } from "../lib/registry";
import { CardGrid, el, seriesItems, StepSlider, toolbar, type CardImpl } from "../lib/viewkit";

class TextCard implements CardImpl {
  private out: HTMLDivElement;
  private step: StepSlider;
  private shown: unknown = null;
  constructor(
    body: HTMLElement,
    private series: RecordSeries,
  ) {
    this.step = new StepSlider(() => this.update());
    this.out = el("div", "nbb-v-md");
    body.append(this.step.root, this.out);
  }
  update(): void {
    const s = this.series;
    const i = this.step.sync(s.recs.length, (k) => s.recs[k].step, (k) => s.recs[k].wall);
    const rec = s.recs[i];
    if (!rec || rec === this.shown) return;
    this.shown = rec;
    // The only innerHTML in nbboard's record views: marked's output after DOMPurify.
    this.out.innerHTML = renderMarkdown(String(rec.meta.text ?? ""));
    this.out.dataset.step = String(rec.step);
  }
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  const bar = toolbar(ctx, [], () => ctx.records.lastData);
  const grid = new CardGrid(
    ctx,
    { items: () => seriesItems(ctx.records, ["text"]), make: (body, it) => new TextCard(body, it.series[0]), gridClass: "nbb-v-wide" },
    "No text yet — it appears here as soon as a writer logs some.",
  );
  host.append(bar.bar, grid.root);
  return () => {
    grid.dispose();
    bar.dispose();
  };
}

registerView({ kind: "text", label: "Text", order: 40, present: (r) => r.ofKind("text").some((s) => s.recs.length > 0), render });
