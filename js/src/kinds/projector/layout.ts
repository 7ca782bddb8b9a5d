/**
 * One page-side projection job, as the projector's Web Worker runs it: t-SNE or UMAP stepped to the
 * end, posting the layout every `interval` ms (so the scatter animates) and at the end. Wide vectors
 * are PCA-reduced to 50 dimensions first. The parameters users type are clamped here too.
 * Pure (no DOM, no Worker): worker.ts wires it to postMessage; its spec calls it directly.
 */
import { reduce } from "./knn";
import { Tsne, TSNE_DEFAULTS, type TsneParams } from "./tsne";
import { Umap, UMAP_DEFAULTS, type UmapParams } from "./umap";

export type PageMethod = "tsne" | "umap";

/** What a user sets; blank fields (NaN) take the defaults. */
export interface LayoutParams {
  perplexity: number;
  learningRate: number;
  iterations: number;
  neighbors: number;
  minDist: number;
  epochs: number;
  seed: number;
}

export const LAYOUT_DEFAULTS: LayoutParams = {
  perplexity: TSNE_DEFAULTS.perplexity,
  learningRate: TSNE_DEFAULTS.learningRate,
  iterations: TSNE_DEFAULTS.iterations,
  neighbors: UMAP_DEFAULTS.neighbors,
  minDist: UMAP_DEFAULTS.minDist,
  epochs: UMAP_DEFAULTS.epochs,
  seed: 1,
};

/** The page computes layouts of at most this many points (the neighbour search is O(n²)); above it, the kernel's. */
export const PAGE_MAX_POINTS = 20_000;

/** Input dimensions above this are PCA-reduced first. */
export const REDUCE_TO = 50;

const within = (v: unknown, lo: number, hi: number, dflt: number, int = false): number => {
  let x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(x)) return dflt;
  if (int) x = Math.round(x);
  return Math.min(hi, Math.max(lo, x));
};

/** Parameters from user input (strings or numbers), each clamped to a sensible range. */
export function cleanParams(raw: Partial<Record<keyof LayoutParams, unknown>>): LayoutParams {
  const d = LAYOUT_DEFAULTS;
  return {
    perplexity: within(raw.perplexity, 2, 100, d.perplexity),
    learningRate: within(raw.learningRate, 0, 10_000, d.learningRate),
    iterations: within(raw.iterations, 10, 10_000, d.iterations, true),
    neighbors: within(raw.neighbors, 2, 200, d.neighbors, true),
    minDist: within(raw.minDist, 0, 0.99, d.minDist),
    epochs: within(raw.epochs, 0, 5_000, d.epochs, true),
    seed: within(raw.seed, 0, 2 ** 31, d.seed, true),
  };
}

export interface LayoutJob {
  type: "run";
  method: PageMethod;
  dims: 2 | 3;
  n: number;
  m: number;
  data: Float32Array;
  params: LayoutParams;
  /** ms between posted layouts */
  interval?: number;
}

export type LayoutReply =
  | { type: "phase"; phase: "neighbours" | "layout" }
  | { type: "progress"; iter: number; total: number; coords: Float32Array; done: boolean; seconds: number }
  | { type: "error"; message: string };

/** Run `job` to the end, posting its phases, layouts (transferable buffers) and errors through `post`. */
export function runLayout(job: LayoutJob, post: (msg: LayoutReply, transfer?: Transferable[]) => void, now: () => number = () => performance.now()): void {
  const t0 = now();
  try {
    const { n, dims } = job;
    if (!(n > 0) || job.data.length < n * job.m) throw new Error(`expected ${n}×${job.m} vectors, got ${job.data.length} numbers`);
    post({ type: "phase", phase: "neighbours" });
    const red = reduce(job.data, n, job.m, REDUCE_TO);
    const p = job.params;
    const algo: Tsne | Umap = job.method === "tsne"
      ? new Tsne(red.data, n, red.m, { dims, perplexity: p.perplexity, learningRate: p.learningRate, iterations: p.iterations, seed: p.seed } satisfies TsneParams)
      : new Umap(red.data, n, red.m, { dims, neighbors: p.neighbors, minDist: p.minDist, epochs: p.epochs, seed: p.seed } satisfies UmapParams);
    post({ type: "phase", phase: "layout" });
    const every = job.interval ?? 50;
    let last = -Infinity;
    const send = () => {
      const coords = algo.coords();
      post({ type: "progress", iter: algo.iter, total: algo.total, coords, done: algo.done, seconds: (now() - t0) / 1000 }, [coords.buffer]);
      last = now();
    };
    send();
    while (!algo.done) {
      algo.step();
      if (algo.done || now() - last >= every) send();
    }
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
}
