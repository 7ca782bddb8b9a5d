/** Audio: a player per run and tag, playing the clip of the picked step. */
import type { Rec, RecordSeries } from "../../lib/records";
import { hasRecords, type ViewSpec } from "../../view/context";
import { BlobUrls, renderSeriesCards, StepCard } from "../../view/cards";
import { el } from "../../view/dom";

class AudioCard extends StepCard {
  private audio: HTMLAudioElement;
  private meta: HTMLDivElement;
  private urls = new BlobUrls(6);
  constructor(body: HTMLElement, series: RecordSeries) {
    super(series);
    this.audio = el("audio");
    this.audio.controls = true;
    this.audio.preload = "metadata";
    this.meta = el("div", "nbb-v-meta");
    body.append(this.step.root, this.audio, this.meta);
  }
  protected show(rec: Rec): void {
    this.audio.src = this.urls.get(rec.parts[0], "audio/wav");
    this.audio.dataset.step = String(rec.step);
    const m = rec.meta;
    const secs = m.sample_rate ? m.frames / m.sample_rate : 0;
    this.meta.textContent = `${secs.toFixed(2)} s · ${m.sample_rate} Hz · ${m.channels === 1 ? "mono" : `${m.channels} channels`}`;
  }
  dispose(): void {
    this.urls.dispose();
  }
}

export const audioView: ViewSpec = {
  kind: "audio",
  label: "Audio",
  order: 50,
  present: hasRecords("audio"),
  render: (root, ctx) =>
    renderSeriesCards(root, ctx, "audio", (body, s) => new AudioCard(body, s), "No audio yet — clips appear here as soon as a writer logs them."),
};
