/**
 * The meshes' entry in the kinds table. The view (three.js) ships in the 3-D bundle (scene3d.ts),
 * imported only when meshes are shown, from the model's `_scene3d` library.
 */
import { hasRecords, type ViewSpec } from "../../view/context";
import { lazyRender } from "../../view/lazy";

export const meshView: ViewSpec = { kind: "meshes", label: "Mesh", order: 70, present: hasRecords("mesh"), render: lazyRender("_scene3d", "meshes") };
