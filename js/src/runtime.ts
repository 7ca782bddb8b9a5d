/**
 * nbboard's shared page runtime: third-party libraries (uPlot) and every view, loaded once per
 * page however many views are shown. The per-view loader (loader.ts) imports this module from a
 * Blob URL and forwards each model's messages and views here.
 */
import uplotCss from "uplot/dist/uPlot.min.css";
import css from "./styles.css";
import { modelData, models, type AnyModel } from "./model";
import { stats } from "./scheduler";
import { renderBoard } from "./views/board";
import { ScalarsView } from "./views/scalars";
// views: the record views register themselves (kind → render, Board tab) in lib/registry.
import { dropRecordData, recordsMessage, renderRegistered } from "./lib/registry";
import "./views/custom_scalars";
import "./views/images";
import "./views/histograms";
import "./views/figures";
import "./views/text";
import "./views/pr_curves";
import "./views/media";
import "./views/hparams";
import "./views/meshes";
import "./views/projector"; // projector: the embedding projector registers itself

export const version = "0.1.0";

function injectStyles(): void {
  const id = "nbboard-styles-" + version;
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = uplotCss + "\n" + css;
  document.head.appendChild(style);
}

/** A model's page-side data starts when the model initialises (before any view renders). */
export function attach(uid: string, model: AnyModel): void {
  const d = modelData(uid);
  d.model = model;
  d.hello(); // answered once the kernel is idle; a reloaded page then asks for the data it lacks
}

export function detach(uid: string): void {
  models.delete(uid);
  dropRecordData(uid); // views:
}

/** A message from the kernel (or from an exported page's inlined data). */
export function message(uid: string, content: unknown, buffers: ArrayBuffer[] | DataView[]): void {
  modelData(uid).apply(content, buffers);
  recordsMessage(uid, content, buffers); // views:
}

export function render(kind: string, model: AnyModel, el: HTMLElement): () => void {
  injectStyles();
  const data = modelData(String(model.get("_uid")));
  if (!data.model) data.model = model;
  if (kind === "board") return renderBoard(model, el, data);
  if (kind === "scalars") {
    const v = new ScalarsView(model, el, data);
    return () => v.dispose();
  }
  const registered = renderRegistered(kind, model, el, data); // views:
  if (registered) return registered; // views:
  el.textContent = `nbboard: unknown view kind ${JSON.stringify(kind)}`;
  return () => {};
}

/** Frame statistics, read by the benchmarks. */
export { stats, models };
