/** Video: logged GIFs, a card per run and tag playing the clip of the picked step. */
import type { Rec, RecordSeries } from "../../lib/records";
import { hasRecords, type ViewSpec } from "../../view/context";
import { BlobUrls, renderSeriesCards, StepCard } from "../../view/cards";
import { el } from "../../view/dom";

class VideoCard extends StepCard {
  private img: HTMLImageElement;
  private meta: HTMLDivElement;
  private urls = new BlobUrls(6);
  constructor(body: HTMLElement, series: RecordSeries) {
    super(series);
    this.img = el("img", "nbb-v-video");
    this.img.alt = "";
    this.meta = el("div", "nbb-v-meta");
    body.append(this.step.root, this.img, this.meta);
  }
  protected show(rec: Rec): void {
    this.img.src = this.urls.get(rec.parts[0], "image/gif");
    this.img.dataset.step = String(rec.step);
    const m = rec.meta;
    // small clips are scaled up by a whole factor (crisp pixels) to about 240 px wide
    const k = m.w < 240 ? Math.max(1, Math.min(8, Math.floor(240 / Math.max(1, m.w)))) : 1;
    this.img.style.width = k > 1 ? `${k * m.w}px` : "";
    this.img.style.imageRendering = k > 1 ? "pixelated" : "auto";
    this.meta.textContent = `${m.w}×${m.h} · ${m.fps} fps`;
  }
  dispose(): void {
    this.urls.dispose();
  }
}

export const videosView: ViewSpec = {
  kind: "video",
  label: "Video",
  order: 51,
  present: hasRecords("videos"),
  render: (root, ctx) =>
    renderSeriesCards(root, ctx, "videos", (body, s) => new VideoCard(body, s), "No videos yet — they appear here as soon as a writer logs them."),
};
