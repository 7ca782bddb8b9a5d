/**
 * The Board's Graph tab. The graph view itself (dagre + the view) is a bundle of its own
 * (static/graph.js, kinds/graph/runtime.ts): this tab, in the main runtime, imports it only when
 * the tab is first shown, from the library model the kernel attaches as the Board's `_graph`
 * once a run has a graph (an exported page inlines it). The bundle is imported once per page,
 * by digest, shared with lone Graph views. Each run's graph comes in the Board's record feed.
 */
import type { AnyModel } from "../../model";
import { hasPlugin, type ViewContext, type ViewSpec } from "../../view/context";
import { el } from "../../view/dom";
import { libraryModule } from "../../view/library";
import type { GraphJSON } from "./graph_model";

const GRAPHS = "graphs";

/** What the Board uses of the graph bundle. */
interface GraphBundle {
  mountRuns(el: HTMLElement, graphs: ReadonlyMap<string, GraphJSON>, opts?: { title?: string }): {
    setRuns(graphs: ReadonlyMap<string, GraphJSON>): void;
    dispose(): void;
  };
}

/** The graph bundle, from the model's `_graph` library model (waits until the kernel attaches it). */
function loadGraphBundle(model: AnyModel): Promise<GraphBundle> {
  return libraryModule(model, "_graph") as Promise<GraphBundle>;
}

/** Run → its graph, from the Board's records (the same objects until a run logs a new graph). */
export function runGraphs(plugins: ReadonlyMap<string, Record<string, unknown>>): Map<string, GraphJSON> {
  const out = new Map<string, GraphJSON>();
  for (const [run, p] of plugins) if (p[GRAPHS]) out.set(run, p[GRAPHS] as GraphJSON);
  return out;
}

function sameGraphs(a: ReadonlyMap<string, GraphJSON>, b: ReadonlyMap<string, GraphJSON>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function render(root: HTMLElement, ctx: ViewContext): () => void {
  const note = el("div", "nbb-v-note", "Loading the graph view…");
  root.appendChild(note);
  let disposed = false;
  let view: ReturnType<GraphBundle["mountRuns"]> | null = null;
  let shown = runGraphs(ctx.records.plugins);
  const off = ctx.records.subscribe(() => {
    const now = runGraphs(ctx.records.plugins);
    if (sameGraphs(now, shown)) return;
    shown = now;
    view?.setRuns(now);
  });
  loadGraphBundle(ctx.model).then(
    (bundle) => {
      if (disposed) return;
      note.remove();
      view = bundle.mountRuns(root, shown);
    },
    (err: unknown) => {
      note.textContent = `The graph view could not be loaded (${err instanceof Error ? err.message : String(err)}).`;
    },
  );
  return () => {
    disposed = true;
    off();
    view?.dispose();
  };
}

/** The Board's Graph tab (a lone Graph view is drawn by the graph bundle itself). */
export const graphView: ViewSpec = { kind: "graph", label: "Graph", order: 15, present: hasPlugin(GRAPHS), render };
