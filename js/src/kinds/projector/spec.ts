/**
 * The projector's entry in the kinds table. Its view (three.js, the t-SNE/UMAP worker) ships in
 * the 3-D bundle (scene3d.ts), imported only when a projector is shown: the kernel attaches the
 * bundle as the model's `_scene3d` (a lone Projector at once, a Board once a run has embeddings).
 */
import { hasRecords, type ViewSpec } from "../../view/context";
import { lazyRender } from "../../view/lazy";

export const projectorView: ViewSpec = {
  kind: "projector",
  label: "Projector",
  order: 80,
  present: hasRecords("projector"),
  render: lazyRender("_scene3d", "projector"),
};
