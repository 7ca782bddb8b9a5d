/**
 * nbboard's shared page runtime: third-party libraries (uPlot) and every view, loaded once per
 * page however many views are shown. The per-view loader (loader.ts) imports this module from a
 * Blob URL and forwards each model's messages and views here; a view is drawn by the spec its
 * kind has in the kinds table, or by the Board.
 */
import uplotCss from "uplot/dist/uPlot.min.css";
import { renderBoard } from "./board";
import { viewSpec } from "./kinds";
import { dropRecordData, recordData } from "./lib/records";
import { modelData, models, type AnyModel } from "./model";
import { stats } from "./scheduler";
import css from "./styles.css";
import { contextFor, viewRoot } from "./view/context";

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
  dropRecordData(uid);
}

/** A message from the kernel (or from an exported page's inlined data): scalars, records or a sync. */
export function message(uid: string, content: unknown, buffers: ArrayBuffer[] | DataView[]): void {
  modelData(uid).apply(content, buffers);
  recordData(uid).apply(content, buffers);
}

export function render(kind: string, model: AnyModel, el: HTMLElement): () => void {
  injectStyles();
  const data = modelData(String(model.get("_uid")));
  if (!data.model) data.model = model;
  if (kind === "board") return renderBoard(model, el, data);
  const spec = viewSpec(kind);
  if (!spec) {
    el.textContent = `nbboard: unknown view kind ${JSON.stringify(kind)}`;
    return () => {};
  }
  const root = viewRoot(spec);
  el.appendChild(root);
  const dispose = spec.render(root, contextFor(model, data, false));
  return () => {
    dispose();
    root.remove();
  };
}

/** Frame statistics, read by the benchmarks. */
export { stats };
