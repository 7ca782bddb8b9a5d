/**
 * A t-SNE / UMAP layout computed in the page: a Web Worker started from a Blob URL of the worker
 * code the runtime carries (no network, no kernel: it runs while a cell trains and in an exported
 * page), its progress and latest layout, and Stop (the worker is terminated, the last layout kept).
 */
import WORKER_SOURCE from "nbboard:projector-worker";
import type { LayoutJob, LayoutParams, LayoutReply, PageMethod } from "./layout";

let workerUrl: string | null = null;

function startWorker(): Worker {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return new Worker(workerUrl);
}

export type PageRunState = "neighbours" | "running" | "done" | "stopped" | "error";

export class PageRun {
  state: PageRunState = "neighbours";
  iter = 0;
  total = 0;
  /** layouts received so far (the animation's frames) */
  frames = 0;
  seconds = 0;
  message = "";
  /** the latest layout, n×3 */
  coords: Float32Array | null = null;
  private worker: Worker | null;

  /** A finished layout brought back (a bookmark's): no worker, state "done". */
  static restored(method: PageMethod, dims: 2 | 3, params: LayoutParams, coords: Float32Array): PageRun {
    const r = new PageRun(method, dims, params, null, 0, 0, () => {});
    r.coords = coords;
    r.state = "done";
    r.message = "from a bookmark";
    r.iter = r.total = params[method === "tsne" ? "iterations" : "epochs"];
    return r;
  }

  constructor(
    readonly method: PageMethod,
    readonly dims: 2 | 3,
    readonly params: LayoutParams,
    vectors: Float32Array | null,
    n: number,
    m: number,
    private onUpdate: (run: PageRun) => void,
  ) {
    if (!vectors) {
      this.worker = null;
      return;
    }
    try {
      this.worker = startWorker();
    } catch (err) {
      this.worker = null;
      this.fail(`could not start a Web Worker: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.worker.onmessage = (ev: MessageEvent<LayoutReply>) => this.receive(ev.data);
    this.worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.fail(ev.message || "the worker failed");
    };
    // a copy: the view keeps its vectors for nearest-neighbour lookups
    const data = vectors.slice(0, n * m);
    const job: LayoutJob = { type: "run", method, dims, n, m, data, params };
    this.worker.postMessage(job, [data.buffer]);
  }

  get active(): boolean {
    return this.state === "neighbours" || this.state === "running";
  }

  private receive(msg: LayoutReply): void {
    if (!this.active) return;
    if (msg.type === "phase") this.state = msg.phase === "neighbours" ? "neighbours" : "running";
    else if (msg.type === "error") return this.fail(msg.message);
    else {
      this.coords = msg.coords;
      this.iter = msg.iter;
      this.total = msg.total;
      this.seconds = msg.seconds;
      this.frames++;
      if (msg.done) {
        this.state = "done";
        this.end();
      } else this.state = "running";
    }
    this.onUpdate(this);
  }

  private fail(message: string): void {
    this.state = "error";
    this.message = message;
    this.end();
    this.onUpdate(this);
  }

  private end(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  /** Stop computing; the layout so far stays. */
  stop(): void {
    if (!this.active) return;
    this.state = "stopped";
    this.end();
    this.onUpdate(this);
  }

  /** Stop without telling anyone (the view is going away). */
  dispose(): void {
    this.onUpdate = () => {};
    this.end();
  }
}
