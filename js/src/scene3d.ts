/**
 * The 3-D bundle (static/scene3d.js): three.js with the views that need it — the embedding
 * projector (with its t-SNE/UMAP Web Worker) and meshes — so a page without either never loads
 * them. The main runtime's specs (kinds/projector/spec.ts, kinds/mesh/spec.ts) import it through
 * the model's `_scene3d` library and call `render` with the view's root and context.
 */
import type { ViewContext } from "./view/context";
import { renderMeshes } from "./kinds/mesh/view";
import { renderProjector } from "./kinds/projector/view";

const VIEWS: Record<string, (root: HTMLElement, ctx: ViewContext) => () => void> = {
  projector: renderProjector,
  meshes: renderMeshes,
};

/** Draws view kind `kind` ("projector" or "meshes") into `root`; returns its dispose. */
export function render(kind: string, root: HTMLElement, ctx: ViewContext): () => void {
  const draw = VIEWS[kind];
  if (!draw) {
    root.textContent = `nbboard: the 3-D bundle has no view ${JSON.stringify(kind)}`;
    return () => {};
  }
  return draw(root, ctx);
}
