// Builds nbboard/static/: runtime.js (the page runtime: uPlot and every view but the graph, the
// projector and meshes), view.js (the tiny per-view loader), graph.js (the graph bundle: dagre and
// the graph view), scene3d.js (the 3-D bundle: three.js, the projector and mesh views) and
// export.js (the bootstrap of exported HTML pages). The projector's Web Worker is bundled first, on
// its own (a classic script), and reaches the 3-D bundle as the string module "nbboard:projector-worker",
// so the page starts it from a Blob URL (JupyterLab, and exported pages whose CSP allows blob: only).
import { build } from "esbuild";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../nbboard/static");
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: process.env.NBBOARD_JS_DEBUG !== "1",
  legalComments: "none",
  loader: { ".css": "text" },
  logLevel: "warning",
};

const worker = await build({ ...common, format: "iife", write: false, entryPoints: [resolve(here, "src/kinds/projector/worker.ts")] });
const workerSource = {
  name: "nbboard-worker-source",
  setup(b) {
    b.onResolve({ filter: /^nbboard:projector-worker$/ }, (a) => ({ path: a.path, namespace: "nbboard-worker" }));
    b.onLoad({ filter: /.*/, namespace: "nbboard-worker" }, () => ({
      contents: `export default ${JSON.stringify(worker.outputFiles[0].text)};`,
      loader: "js",
    }));
  },
};
common.plugins = [workerSource];

await build({ ...common, entryPoints: [resolve(here, "src/runtime.ts")], outfile: resolve(out, "runtime.js") });
await build({ ...common, entryPoints: [resolve(here, "src/loader.ts")], outfile: resolve(out, "view.js") });
await build({ ...common, entryPoints: [resolve(here, "src/kinds/graph/runtime.ts")], outfile: resolve(out, "graph.js") });
await build({ ...common, entryPoints: [resolve(here, "src/scene3d.ts")], outfile: resolve(out, "scene3d.js") });
await build({ ...common, entryPoints: [resolve(here, "src/export.ts")], outfile: resolve(out, "export.js") });

const kb = (name) => (readFileSync(resolve(out, name)).length / 1024).toFixed(1);
console.log(`nbboard js: runtime.js ${kb("runtime.js")} KB, view.js ${kb("view.js")} KB, graph.js ${kb("graph.js")} KB, scene3d.js ${kb("scene3d.js")} KB`);
