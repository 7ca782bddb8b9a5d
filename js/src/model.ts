/** The page-side data of one nbboard widget model: its series, kept across views and re-renders. */
import { ColorMap } from "./lib/colors";
import { RankGroup, SETTLE_MS } from "./lib/ranks";
import { applyDelta, ScalarData } from "./lib/series";
import { decodeScalars, PROTOCOL, protocolMismatch, requestResync, type Buffer } from "./lib/wire";

/* eslint-disable @typescript-eslint/no-explicit-any */
/** An anywidget model, as far as nbboard uses it. */
export interface AnyModel {
  get(key: string): any;
  set(key: string, value: any): void;
  save_changes(): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
  send(content: any, callbacks?: any, buffers?: any[]): void;
  widget_manager?: any;
}

type Listener = (changed: Set<ScalarData>, structural: boolean) => void;

export class ModelData {
  readonly series = new Map<number, ScalarData>();
  /** tag → run → series (a distributed run's: the mean line of its rank group) */
  readonly byTag = new Map<string, Map<string, ScalarData>>();
  /** tag → run → the ranks of a distributed run */
  readonly rankGroups = new Map<string, Map<string, RankGroup>>();
  /** run → rank → page time (ms) its points last grew */
  readonly rankArrived = new Map<string, Map<number, number>>();
  private settleTimer = 0;
  readonly runs = new Set<string>();
  /** run colours of this model's Board, given in the order runs arrive (lone views use the page's map) */
  readonly colors = new ColorMap();
  readonly listeners = new Set<Listener>();
  lastData = 0; // performance.now() of the last delta with points
  model: AnyModel | null = null;
  /** Set when the kernel answered in another wire protocol: then none of this model's views is drawn. */
  protocolProblem: string | null = null;
  private resyncAsked = false;

  constructor(readonly uid: string) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  totalPoints(): number {
    let t = 0;
    for (const s of this.series.values()) t += s.n;
    return t;
  }

  /** The next message number expected from the kernel (every data message carries `seq`). */
  nextSeq = 0;

  /** Apply one message from the kernel. */
  apply(content: any, buffers: readonly Buffer[]): void {
    if (!content) return;
    if (content.type === "sync") {
      // the kernel's answer to "hello": it has sent `next` messages; did we get them all?
      if ("protocol" in content) {
        this.protocolProblem = protocolMismatch(content.protocol);
        if (this.protocolProblem) return;
      }
      if (typeof content.next === "number" && content.next !== this.nextSeq) this.askResync();
      return;
    }
    if (typeof content.seq === "number") {
      if (content.full) {
        this.nextSeq = content.seq + 1; // a full resend starts the count afresh
      } else if (content.seq !== this.nextSeq) {
        this.askResync(); // messages were missed (page reloaded mid-run): ask for everything
        this.nextSeq = content.seq + 1;
      } else {
        this.nextSeq++;
      }
    }
    if (content.type !== "scalars") return;
    const changed = new Set<ScalarData>();
    const ranked = new Set<ScalarData>();
    let structural = false;
    let gap = false;
    for (const c of decodeScalars(content, buffers)) {
      let s = this.series.get(c.id);
      if (!s) {
        s = new ScalarData(c.id, c.run, c.tag);
        s.rank = c.rank;
        s.folder = c.folder;
        this.series.set(c.id, s);
        let m = this.byTag.get(c.tag);
        if (!m) this.byTag.set(c.tag, (m = new Map()));
        if (c.rank >= 0) {
          // one rank of a distributed run: the run's line is its rank group's mean
          let gm = this.rankGroups.get(c.tag);
          if (!gm) this.rankGroups.set(c.tag, (gm = new Map()));
          let g = gm.get(c.run);
          if (!g) gm.set(c.run, (g = new RankGroup(c.run, c.tag)));
          g.add(c.rank, s);
          m.set(c.run, g.mean);
        } else {
          m.set(c.run, s);
        }
        if (!this.runs.has(c.run)) {
          this.runs.add(c.run);
          this.colors.own(c.run);
        }
        structural = true;
      }
      if (applyDelta(s, c.start, c.steps, c.values, c.walls, c.reset) === "gap") gap = true;
      else if (c.steps.length > 0 || c.reset) {
        if (s.rank >= 0) ranked.add(s);
        else changed.add(s);
      }
    }
    if (ranked.size) this.foldRanks(ranked, changed);
    if (changed.size || ranked.size) this.lastData = performance.now(); // a rank's points light it even while its step waits
    if (content.full) this.resyncAsked = false;
    if (gap) this.askResync();
    if (changed.size || structural) for (const fn of this.listeners) fn(changed, structural);
  }

  /** Fold new points of ranks into their groups' lines (added to `changed` when they grew); steps
   * waiting for a rank are drawn SETTLE_MS later if it does not come (a timer). */
  private foldRanks(ranked: Set<ScalarData>, changed: Set<ScalarData>): void {
    const now = performance.now();
    const groups = new Set<RankGroup>();
    for (const s of ranked) {
      let a = this.rankArrived.get(s.run);
      if (!a) this.rankArrived.set(s.run, (a = new Map()));
      a.set(s.rank, now);
      const g = this.rankGroups.get(s.tag)?.get(s.run);
      if (g) groups.add(g);
    }
    for (const g of groups) if (g.update(now)) changed.add(g.mean);
    this.armSettle();
  }

  private armSettle(): void {
    if (this.settleTimer) return;
    let waiting = false;
    for (const gm of this.rankGroups.values()) for (const g of gm.values()) if (g.waiting) waiting = true;
    if (!waiting) return;
    this.settleTimer = window.setTimeout(() => {
      this.settleTimer = 0;
      const now = performance.now();
      const changed = new Set<ScalarData>();
      for (const gm of this.rankGroups.values()) for (const g of gm.values()) if (g.settle(now)) changed.add(g.mean);
      if (changed.size) for (const fn of this.listeners) fn(changed, false);
      this.armSettle();
    }, SETTLE_MS + 50);
  }

  /** A page attached to this model: ask the kernel how many messages it sent (answered by "sync"). */
  hello(): void {
    try {
      this.model?.send({ type: "hello", protocol: PROTOCOL });
    } catch {
      /* no kernel (a static export): nothing to ask */
    }
  }

  /** Some deltas were missed (e.g. the page reloaded mid-run): ask the kernel for everything. */
  private askResync(): void {
    if (this.resyncAsked || !this.model) return;
    this.resyncAsked = true;
    requestResync(this.model);
  }
}

export const models = new Map<string, ModelData>();

export function modelData(uid: string): ModelData {
  let d = models.get(uid);
  if (!d) models.set(uid, (d = new ModelData(uid)));
  return d;
}
