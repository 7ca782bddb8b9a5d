/** Audio (a player per run and tag and step) and video (logged GIFs, playing per step). */
import type { Rec, RecordSeries } from "../lib/records";
import { registerView, type ViewContext } from "../lib/registry";
import { BlobUrls, CardGrid, el, mountGrid, seriesItems, StepCard, toolbar } from "../lib/viewkit";

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

function renderKind(kind: "audio" | "videos", empty: string) {
  return (host: HTMLElement, ctx: ViewContext): (() => void) => {
    const bar = toolbar(ctx, [], () => ctx.records.lastData);
    const grid = new CardGrid(
      ctx,
      {
        items: () => seriesItems(ctx.records, [kind]),
        make: (body, it) => (kind === "audio" ? new AudioCard(body, it.series[0]) : new VideoCard(body, it.series[0])),
      },
      empty,
    );
    return mountGrid(host, bar, grid);
  };
}

registerView({ kind: "audio", label: "Audio", order: 50, present: (r) => r.ofKind("audio").some((s) => s.recs.length > 0), render: renderKind("audio", "No audio yet — clips appear here as soon as a writer logs them.") });
registerView({ kind: "video", label: "Video", order: 51, present: (r) => r.ofKind("videos").some((s) => s.recs.length > 0), render: renderKind("videos", "No videos yet — they appear here as soon as a writer logs them.") });
