/**
 * The kinds table: every view the page runtime can draw, by the view kind the kernel names. The
 * runtime draws a lone view by looking its kind up here; the Board shows a tab per entry with data,
 * in `order`. (The graph view itself ships in its own bundle, kinds/graph/runtime.ts: the Board's
 * Graph tab, kinds/graph/board.ts, imports it when first shown; the projector and mesh views ship
 * in the 3-D bundle, scene3d.ts, which their specs import when first drawn.)
 */
import { alertsView } from "./alerts/view";
import { audioView } from "./audio/view";
import { customScalarsView } from "./custom_scalars/view";
import { figuresView } from "./figures/view";
import { graphView } from "./graph/board";
import { distributionsView, histogramsView } from "./histograms/view";
import { hparamsView } from "./hparams/view";
import { imagesView } from "./images/view";
import { meshView } from "./mesh/spec";
import { prCurvesView } from "./pr_curves/view";
import { profilerView } from "./profiler/view";
import { projectorView } from "./projector/spec";
import { scalarsView } from "./scalars/view";
import { textView } from "./text/view";
import { videosView } from "./videos/view";
import type { ViewSpec } from "../view/context";

/** Every view spec, in Board tab order. */
export const VIEWS: readonly ViewSpec[] = [
  scalarsView,
  alertsView,
  customScalarsView,
  imagesView,
  graphView,
  distributionsView,
  histogramsView,
  figuresView,
  textView,
  prCurvesView,
  audioView,
  videosView,
  hparamsView,
  meshView,
  projectorView,
  profilerView,
].sort((a, b) => a.order - b.order);

const byKind = new Map(VIEWS.map((s) => [s.kind, s]));

/** The spec of view kind `kind` (as the kernel names it), if the page runtime draws it. */
export function viewSpec(kind: string): ViewSpec | undefined {
  return byKind.get(kind);
}
