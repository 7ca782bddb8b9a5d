// Builds the shared runtime (uPlot + every view) and the tiny per-view loader into nbboard/static/.
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

await build({ ...common, entryPoints: [resolve(here, "src/runtime.ts")], outfile: resolve(out, "runtime.js") });
await build({ ...common, entryPoints: [resolve(here, "src/loader.ts")], outfile: resolve(out, "view.js") });
await build({ ...common, entryPoints: [resolve(here, "src/kinds/graph/view.ts")], outfile: resolve(out, "graph.js") }); // graph runtime: dagre + graph view
await build({ ...common, entryPoints: [resolve(here, "src/export.ts")], outfile: resolve(out, "export.js") }); // export: the bootstrap inlined in exported HTML

const kb = (name) => (readFileSync(resolve(out, name)).length / 1024).toFixed(1);
console.log(`nbboard js: runtime.js ${kb("runtime.js")} KB, view.js ${kb("view.js")} KB`);
