/** The text dashboard: a card per run and tag showing the logged markdown of one step (sanitised HTML). */
import { renderMarkdown } from "../lib/markdown";
import type { Rec, RecordSeries } from "../lib/records";
import { registerView, type ViewContext } from "../lib/registry";
import { CardGrid, el, mountGrid, seriesItems, StepCard, toolbar } from "../lib/viewkit";

class TextCard extends StepCard {
  private out: HTMLDivElement;
  constructor(body: HTMLElement, series: RecordSeries) {
    super(series);
    this.out = el("div", "nbb-v-md");
    body.append(this.step.root, this.out);
  }
  protected show(rec: Rec): void {
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
  return mountGrid(host, bar, grid);
}

registerView({ kind: "text", label: "Text", order: 40, present: (r) => r.ofKind("text").some((s) => s.recs.length > 0), render });
