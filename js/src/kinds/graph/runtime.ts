/**
 * The graph bundle (static/graph.js: dagre + the graph view), a page runtime of its own so that
 * pages without a graph never load dagre. It speaks the same protocol as the main runtime (see
 * loader.ts): attach, detach, message, render; mountGraph shows a graph on a plain page.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { asBytes } from "../../lib/records";
import { protocolMismatch, requestResync } from "../../lib/wire";
import { injectCss, showNotice } from "../../view/dom";
import type { GraphJSON } from "./graph_model";
import { SVG_CSS, VIEW_CSS } from "./style";
import { GraphView, type GraphViewOptions } from "./view";

export { stats } from "./stats";

/** A graph model's latest snapshot of each run ("" for a graph given directly) and the views showing them. */
interface Slot {
  graphs: Map<string, GraphJSON>;
  views: Set<(graphs: ReadonlyMap<string, GraphJSON>) => void>;
}

const slots = new Map<string, Slot>();

function slot(uid: string): Slot {
  let s = slots.get(uid);
  if (!s) slots.set(uid, (s = { graphs: new Map(), views: new Set() }));
  return s;
}

function injectStyles(node: Node): void {
  injectCss("nbboard-graph-styles", VIEW_CSS + "\n" + SVG_CSS, node);
}

export function attach(uid: string, _model: any): void {
  slot(uid);
}

export function detach(uid: string): void {
  slots.delete(uid);
}

/** A snapshot from the kernel: {type: "graph", full, version, run} with the run's record as UTF-8
 * JSON in buffers[0]. */
export function message(uid: string, content: any, buffers: any[]): void {
  if (!content || content.type !== "graph") return;
  const s = slot(uid);
  try {
    s.graphs.set(String(content.run ?? ""), JSON.parse(new TextDecoder().decode(asBytes(buffers[0]))) as GraphJSON);
  } catch (err) {
    console.error("nbboard: bad graph snapshot", err);
    return;
  }
  for (const fn of s.views) fn(s.graphs);
}

export function render(kind: string, model: any, el: HTMLElement): () => void {
  injectStyles(el);
  const problem = protocolMismatch(model.get("_protocol"));
  if (problem) {
    showNotice(el, problem);
    return () => {};
  }
  if (kind !== "graph") {
    el.textContent = `nbboard: unknown view kind ${JSON.stringify(kind)}`;
    return () => {};
  }
  const uid = String(model.get("_uid"));
  const s = slot(uid);
  const options = (model.get("options") ?? {}) as { expand?: string[] | "all"; height?: number };
  const view = new GraphView(el, { title: String(model.get("title") ?? ""), expand: options.expand, height: options.height });
  const fn = (graphs: ReadonlyMap<string, GraphJSON>): void => view.setRuns(graphs);
  s.views.add(fn);
  let retry = 0;
  if (s.graphs.size) view.setRuns(s.graphs);
  else {
    // The kernel sends the snapshot when the view is displayed; a page reloaded later asks again.
    retry = window.setTimeout(() => {
      if (!s.graphs.size) requestResync(model);
    }, 2000);
  }
  return () => {
    clearTimeout(retry);
    s.views.delete(fn);
    view.dispose();
  };
}

/** A Board's Graph tab: a graph view of every run's graph (run → record), with a run selector;
 * `setRuns` gives it the runs' graphs again when they change. */
export function mountRuns(el: HTMLElement, graphs: ReadonlyMap<string, GraphJSON>, opts: GraphViewOptions = {}): GraphView {
  injectStyles(el);
  const v = new GraphView(el, opts);
  if (graphs.size) v.setRuns(graphs);
  return v;
}

/** Mount a graph view on a plain page (benchmarks, exported HTML). */
export function mountGraph(el: HTMLElement, json: GraphJSON, opts: GraphViewOptions = {}): GraphView {
  injectStyles(el);
  const v = new GraphView(el, opts);
  v.setData(json);
  return v;
}
