/**
 * The image dashboard: a card per run and tag with its own step slider; add_images batches as the
 * logged grid; boxes and labels from add_image_with_boxes drawn over the pixels (labels as text);
 * brightness/contrast and an actual-size toggle for every card at once.
 */
import { boxRects, cssFilter } from "./image_adjust";
import { hasRecords, type ViewContext, type ViewSpec } from "../../view/context";
import type { Rec, RecordSeries } from "../../lib/records";
import { BlobUrls, CardGrid, mountGrid, seriesItems, StepCard } from "../../view/cards";
import { el, slider } from "../../view/dom";
import { toolbar } from "../../view/filters";

/** Images wider than this (CSS px, a narrow card's width) widen their card to the row at actual size. */
const WIDE_IMAGE = 240;

class ImageCard extends StepCard {
  private box: HTMLDivElement;
  private img: HTMLImageElement;
  private overlay: HTMLDivElement;
  private meta: HTMLDivElement;
  private urls = new BlobUrls(12);

  constructor(body: HTMLElement, series: RecordSeries, private card: HTMLElement) {
    super(series);
    this.box = el("div", "nbb-v-imgbox");
    this.img = el("img");
    this.img.alt = "";
    this.img.decoding = "async";
    this.overlay = el("div");
    this.box.append(this.img, this.overlay);
    // actual size: 1 image pixel = 1 CSS pixel; an image wider than the card scrolls inside it
    const scroll = el("div", "nbb-v-imgscroll");
    scroll.appendChild(this.box);
    this.meta = el("div", "nbb-v-meta");
    body.append(this.step.root, scroll, this.meta);
  }

  dispose(): void {
    this.urls.dispose();
  }

  protected show(rec: Rec): void {
    const s = this.series;
    const m = rec.meta;
    const mime = m.fmt === "gif" ? "image/gif" : "image/png";
    this.img.src = this.urls.get(rec.parts[0], mime);
    this.img.width = m.w;
    this.img.height = m.h;
    this.img.dataset.step = String(rec.step);
    // at actual size a wide image takes the card's whole row (then scrolls if wider still)
    this.card.classList.toggle("nbb-v-wideimg", m.w > WIDE_IMAGE);
    this.box.classList.toggle("nbb-v-pixelated", m.w < 160 && m.h < 160);
    this.overlay.replaceChildren();
    if (Array.isArray(m.boxes)) {
      for (const r of boxRects(m.boxes, Array.isArray(m.labels) ? m.labels : null, m.w, m.h)) {
        const b = el("div", "nbb-v-box");
        b.style.left = `${r.left}%`;
        b.style.top = `${r.top}%`;
        b.style.width = `${r.width}%`;
        b.style.height = `${r.height}%`;
        if (r.label) {
          const lab = el("span", "nbb-v-box-label", r.label);
          lab.title = r.label;
          b.appendChild(lab);
        }
        this.overlay.appendChild(b);
      }
    }
    this.meta.textContent = `${m.w}×${m.h}${m.c === 1 ? " grey" : m.c === 4 ? " RGBA" : ""} · ${s.recs.length} step${s.recs.length === 1 ? "" : "s"}`;
  }
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  let brightness = ctx.ui.get("image_brightness", 1);
  let contrast = ctx.ui.get("image_contrast", 1);
  let actual = ctx.ui.get("image_actual_size", false);
  const apply = () => {
    host.style.setProperty("--nbb-v-filter", cssFilter(brightness, contrast) || "none");
    host.classList.toggle("nbb-v-fit", !actual);
  };
  const bright = slider("Brightness", 0, 3, 0.05, brightness, (v) => {
    brightness = v;
    ctx.ui.set("image_brightness", v);
    apply();
  }, undefined, "nbb-v-brightness");
  const contr = slider("Contrast", 0, 3, 0.05, contrast, (v) => {
    contrast = v;
    ctx.ui.set("image_contrast", v);
    apply();
  }, undefined, "nbb-v-contrast");
  const act = el("label", "nbb-field nbb-check nbb-v-actual");
  const cb = el("input");
  cb.type = "checkbox";
  cb.checked = actual;
  cb.addEventListener("change", () => {
    actual = cb.checked;
    ctx.ui.set("image_actual_size", actual);
    apply();
  });
  act.append(cb, el("span", undefined, "Actual size"));
  const bar = toolbar(ctx.filters, [bright, contr, act], () => ctx.records.lastData);
  const grid = new CardGrid(
    ctx,
    {
      items: () => seriesItems(ctx.records, ["images"]),
      make: (body, it, card) => new ImageCard(body, it.series[0], card),
      gridClass: "nbb-v-narrow",
    },
    "No images yet — they appear here as soon as a writer logs them.",
  );
  apply();
  return mountGrid(host, bar, grid);
}

export const imagesView: ViewSpec = { kind: "images", label: "Images", order: 10, present: hasRecords("images"), render };
