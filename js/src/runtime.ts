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
import { protocolMismatch } from "./lib/wire";
import { modelData, models, type AnyModel, type ModelData } from "./model";
import { stats } from "./scheduler";
import css from "./styles.css";
import { contextFor, viewRoot } from "./view/context";
import { injectCss, injectViewStyles, showNotice } from "./view/dom";
import { watchKernel } from "./view/kernel";

export const version = "0.1.0";

function injectStyles(node: Node): void {
  injectCss("nbboard-styles-" + version, uplotCss + "\n" + css, node);
  injectViewStyles(node);
}

/** The views drawn per model, so that a kernel found to speak another wire protocol can take them down. */
const shown = new Map<string, Set<Shown>>();

/** A model's page-side data starts when the model initialises (before any view renders). */
export function attach(uid: string, model: AnyModel): void {
  const d = modelData(uid);
  d.model = model;
  d.hello(); // answered once the kernel is idle; a reloaded page then asks for the data it lacks
}

export function detach(uid: string): void {
  models.delete(uid);
  dropRecordData(uid);
  shown.delete(uid);
}

/** A message from the kernel (or from an exported page's inlined data): scalars, records or a sync. */
export function message(uid: string, content: unknown, buffers: ArrayBuffer[] | DataView[]): void {
  const data = modelData(uid);
  if (data.protocolProblem) return;
  data.apply(content, buffers);
  if (data.protocolProblem) {
    for (const v of shown.get(uid) ?? []) {
      v.down = true;
      v.dispose();
      showNotice(v.el, data.protocolProblem);
    }
    shown.delete(uid);
    return;
  }
  recordData(uid).apply(content, buffers);
}

interface Shown {
  kind: string;
  el: HTMLElement;
  dispose: () => void;
  down: boolean;
  /** bumped when a new element adopts the drawing: the older element's disposer then does nothing */
  owner: number;
}

function disposer(uid: string, entry: Shown): () => void {
  const owner = entry.owner;
  return () => {
    if (entry.owner !== owner) return; // adopted by a newer element, which disposes it
    shown.get(uid)?.delete(entry);
    if (entry.down) return;
    entry.down = true;
    entry.dispose();
  };
}

export function render(kind: string, model: AnyModel, el: HTMLElement): () => void {
  injectStyles(el);
  const uid = String(model.get("_uid"));
  const data = modelData(uid);
  if (!data.model) data.model = model;
  const problem = protocolMismatch(model.get("_protocol")) ?? data.protocolProblem;
  if (problem) {
    showNotice(el, problem);
    return () => {};
  }
  let views = shown.get(uid);
  if (!views) shown.set(uid, (views = new Set()));
  // The kernel updates an output (its static picture, at a cell's end): JupyterLab empties the
  // output and asks for a new view of the same model. The drawing moves into the new element with
  // its state (zoom, tab, dismissed banners) instead of being drawn again from scratch.
  for (const v of views) {
    if (!v.down && v.kind === kind && v.el !== el && v.el.parentNode === null) {
      el.append(...Array.from(v.el.childNodes));
      v.el = el;
      v.owner++;
      return disposer(uid, v);
    }
  }
  const entry: Shown = { kind, el, dispose: () => {}, down: false, owner: 0 };
  const drawn = draw(kind, model, el, data);
  // a kernel gone (restart, page reloaded from a saved notebook): say so, show the last picture
  const unwatch = watchKernel(model, () => entry.el,
    () => data.series.size > 0 || recordData(uid).series.size > 0 || recordData(uid).plugins.size > 0);
  entry.dispose = () => {
    unwatch();
    drawn();
  };
  views.add(entry);
  return disposer(uid, entry);
}

/** Draw the Board, or the view of `kind` from the kinds table. */
function draw(kind: string, model: AnyModel, el: HTMLElement, data: ModelData): () => void {
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
