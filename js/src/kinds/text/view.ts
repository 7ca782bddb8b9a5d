/** The text dashboard: a card per run and tag showing the logged markdown of one step (sanitised HTML). */
import { renderMarkdown } from "./markdown";
import type { Rec, RecordSeries } from "../../lib/records";
import { hasRecords, type ViewSpec } from "../../view/context";
import { renderSeriesCards, StepCard } from "../../view/cards";
import { el } from "../../view/dom";

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

export const textView: ViewSpec = {
  kind: "text",
  label: "Text",
  order: 40,
  present: hasRecords("text"),
  render: (root, ctx) =>
    renderSeriesCards(root, ctx, "text", (body, s) => new TextCard(body, s), "No text yet — it appears here as soon as a writer logs some.", "nbb-v-wide"),
};
