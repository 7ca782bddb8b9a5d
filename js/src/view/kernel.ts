/**
 * A view whose kernel is gone (restarted or shut down, the page reloaded from a saved notebook)
 * says so, says how to reconnect, and shows what it last showed: the static picture the kernel
 * kept in the model (`_snapshot`, saved with the widget state). Live kernels and exported pages
 * (which need none) show nothing extra.
 */
import type { AnyModel } from "../model";
import { el } from "./dom";

export const GONE_TEXT =
  "The kernel behind this view is gone (restarted or shut down), so it cannot update. " +
  "Re-run this cell to reconnect.";

/** The picture as an image URL, or null when there is none (an SVG in an <img> runs no script). */
export function snapshotUrl(svg: unknown): string | null {
  if (typeof svg !== "string" || !/^<svg[\s>]/.test(svg.trimStart())) return null;
  return "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
}

/** The widget model behind anywidget's proxy says whether its comm (its kernel) is live. */
export function kernelGone(widgetModel: unknown): boolean {
  const m = widgetModel as { comm_live?: unknown } | null;
  return !!m && typeof m === "object" && m.comm_live === false;
}

/**
 * Watch `model`'s kernel; while it is gone, `host()` starts with a notice (and the last picture
 * when `hasData()` says the page has nothing to draw). Returns a disposer.
 */
export function watchKernel(model: AnyModel, host: () => HTMLElement, hasData: () => boolean): () => void {
  const id = String(model.get("_self_id") ?? "");
  const manager = model.widget_manager as { get_model?: (id: string) => Promise<unknown> } | undefined;
  if (!id || !manager?.get_model) return () => {};
  let box: HTMLElement | null = null;
  let real: { on?: (e: string, cb: () => void) => void; off?: (e: string, cb: () => void) => void } | null = null;
  let disposed = false;
  const update = () => {
    if (disposed) return;
    const gone = kernelGone(real);
    if (!gone) {
      box?.remove();
      box = null;
      return;
    }
    if (box) return;
    box = el("div", "nbb-kernel-gone");
    box.setAttribute("role", "status");
    box.append(el("div", "nbb-kernel-gone-text", GONE_TEXT));
    const url = hasData() ? null : snapshotUrl(model.get("_snapshot"));
    if (url) {
      box.append(el("div", "nbb-kernel-gone-sub", "What it showed when its kernel last ran:"));
      const img = document.createElement("img");
      img.className = "nbb-snapshot";
      img.alt = "the view's last picture";
      img.src = url;
      box.append(img);
      box.dataset.picture = "1";
    }
    host().prepend(box);
  };
  // a restart marks the models' comms dead without an event: look every 2 s (a property read)
  const timer = window.setInterval(update, 2000);
  manager.get_model(id).then(
    (m) => {
      real = m as typeof real;
      real?.on?.("comm_live_update", update);
      update();
    },
    () => {},
  );
  return () => {
    disposed = true;
    window.clearInterval(timer);
    real?.off?.("comm_live_update", update);
    box?.remove();
  };
}
