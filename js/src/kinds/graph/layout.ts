/**
 * Nested layered layout of a model graph with dagre: every open module is laid out on its own
 * (its children, plus an IN and an OUT port for edges crossing its border), then placed as one
 * box in its parent's layout. Layouts are cached per module, so opening or closing a module
 * re-lays out only that module and its ancestors, whatever the size of the rest of the graph.
 */
import dagre from "@dagrejs/dagre";
import type { GraphModel, UnitEdge } from "./graph_model";

export interface Size {
  w: number;
  h: number;
}
interface Pt {
  x: number;
  y: number;
}
/** Top-left corner and size, in absolute (graph) coordinates. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface RoutedEdge extends UnitEdge {
  points: Pt[];
  /** where the shape label goes: the middle of the part drawn between the two modules' level */
  label: Pt;
}
export interface Layout {
  units: Map<string, Box>;
  clusters: Map<string, Box>;
  edges: RoutedEdge[];
  width: number;
  height: number;
  /** containers laid out by dagre in this call (the rest came from the cache) */
  computed: number;
}

export const PAD = { x: 16, top: 30, bottom: 14 };
const IN = "\u0000in";
const OUT = "\u0000out";
const SEP = "\u0000";

interface Local {
  w: number;
  h: number;
  pos: Map<string, Pt>;
  routes: Map<string, Pt[]>;
}

interface LayoutOptions {
  nodesep: number;
  ranksep: number;
  edgesep: number;
  /** minimum width of an open module's box (its header) */
  headerWidth: (groupId: string) => number;
}

/** One container's edges and the order of visits (children before parents) for an open set. */
interface Plan {
  open: ReadonlySet<string>;
  local: Map<string, Set<string>>;
  routes: { e: UnitEdge; as: string[]; ad: string[]; k: number }[];
  order: string[];
}

/** A container layout in terms of child positions (index in the container's child list). */
interface Shape {
  w: number;
  h: number;
  pos: Pt[];
  routes: Map<string, Pt[]>; // "i>j" with IN = -1, OUT = -2
}

export class GraphLayouter {
  private cache = new Map<string, Local>();
  /** layouts by structure (child sizes + local edges): identical blocks are laid out once */
  private shapes = new Map<string, Shape>();
  private sizes = new Map<string, Size>();
  private opts: LayoutOptions;
  /** dagre runs since construction (for tests and benchmarks) */
  dagreRuns = 0;

  constructor(
    private model: GraphModel,
    private sizeOf: (id: string) => Size,
    opts: Partial<LayoutOptions> = {},
  ) {
    this.opts = { nodesep: 22, ranksep: 30, edgesep: 10, headerWidth: () => 120, ...opts };
  }

  /** Forget the layouts a change to `id` (opened, closed, resized) affects: it and its ancestors. */
  invalidate(id: string): void {
    this.cache.delete(id);
    this.sizes.delete(id);
    for (const a of this.model.ancestors(id)) {
      this.cache.delete(a);
      this.sizes.delete(a);
    }
    this.cache.delete("");
  }

  private plan(open: ReadonlySet<string>): Plan {
    const m = this.model;
    const anc = new Map<string, string[]>();
    const ancestors = (id: string): string[] => {
      let a = anc.get(id);
      if (!a) anc.set(id, (a = m.ancestors(id)));
      return a;
    };
    const local = new Map<string, Set<string>>();
    const addLocal = (c: string, a: string, b: string): void => {
      let s = local.get(c);
      if (!s) local.set(c, (s = new Set()));
      s.add(a + SEP + b);
    };
    const routes: Plan["routes"] = [];
    for (const e of m.unitEdges(open)) {
      const as = ancestors(e.src);
      const ad = ancestors(e.dst);
      let k = 0;
      while (k < as.length && k < ad.length && as[k] === ad[k]) k++;
      const lca = k > 0 ? as[k - 1] : "";
      addLocal(lca, as[k] ?? e.src, ad[k] ?? e.dst);
      for (let i = as.length - 1; i >= k; i--) addLocal(as[i], as[i + 1] ?? e.src, OUT);
      for (let i = ad.length - 1; i >= k; i--) addLocal(ad[i], IN, ad[i + 1] ?? e.dst);
      routes.push({ e, as, ad, k });
    }
    const order: string[] = [];
    const visit = (c: string): void => {
      for (const g of m.childGroups.get(c) ?? []) if (open.has(g)) visit(g);
      order.push(c);
    };
    visit("");
    return { open, local, routes, order };
  }

  private childSize(id: string, open: ReadonlySet<string>): Size {
    let s = this.sizes.get(id);
    if (!s) {
      if (this.model.isGroup(id) && open.has(id)) {
        const l = this.cache.get(id)!;
        s = { w: Math.max(l.w + 2 * PAD.x, this.opts.headerWidth(id)), h: l.h + PAD.top + PAD.bottom };
      } else s = this.sizeOf(id);
      this.sizes.set(id, s);
    }
    return s;
  }

  private ensure(c: string, p: Plan): boolean {
    if (this.cache.has(c)) return false;
    // children's sizes may change when they open or close: drop what was measured before
    for (const g of this.model.childGroups.get(c) ?? []) this.sizes.delete(g);
    this.cache.set(c, this.layoutContainer(c, p.local.get(c) ?? new Set(), (id) => this.childSize(id, p.open)));
    return true;
  }

  /** Lay out, in slices of about `sliceMs`, whatever `layout(open)` would compute, yielding to the
   * page in between (so opening everything in a huge graph does not freeze it). */
  async prepare(open: ReadonlySet<string>, sliceMs = 12, progress?: (done: number, total: number) => void): Promise<void> {
    const p = this.plan(open);
    const todo = p.order.filter((c) => !this.cache.has(c));
    let t = performance.now();
    for (let i = 0; i < todo.length; i++) {
      this.ensure(todo[i], p);
      if (performance.now() - t > sliceMs) {
        progress?.(i + 1, todo.length);
        await new Promise((r) => setTimeout(r, 0));
        t = performance.now();
      }
    }
  }

  /** How many containers `layout(open)` would have to lay out (not cached). */
  pending(open: ReadonlySet<string>): number {
    let n = 0;
    const visit = (c: string): void => {
      for (const g of this.model.childGroups.get(c) ?? []) if (open.has(g)) visit(g);
      if (!this.cache.has(c)) n++;
    };
    visit("");
    return n;
  }

  layout(open: ReadonlySet<string>): Layout {
    const m = this.model;
    const p = this.plan(open);
    let computed = 0;
    for (const c of p.order) if (this.ensure(c, p)) computed++;
    const root = this.cache.get("")!;
    const sizeOfChild = (id: string): Size => this.childSize(id, open);

    // Absolute positions.
    const units = new Map<string, Box>();
    const clusters = new Map<string, Box>();
    const offset = new Map<string, Pt>();
    const place = (c: string, ox: number, oy: number): void => {
      offset.set(c, { x: ox, y: oy });
      const l = this.cache.get(c)!;
      const kids = [...(m.childGroups.get(c) ?? []), ...(m.childNodes.get(c) ?? [])];
      for (const id of kids) {
        const q = l.pos.get(id);
        if (!q) continue;
        const s = sizeOfChild(id);
        const box = { x: ox + q.x - s.w / 2, y: oy + q.y - s.h / 2, w: s.w, h: s.h };
        if (m.isGroup(id) && open.has(id)) {
          clusters.set(id, box);
          const inner = this.cache.get(id)!;
          place(id, box.x + (box.w - inner.w) / 2, box.y + PAD.top);
        } else units.set(id, box);
      }
    };
    place("", 0, 0);

    const route = (c: string, a: string, b: string): Pt[] => {
      const pts = this.cache.get(c)?.routes.get(a + SEP + b) ?? [];
      const o = offset.get(c) ?? { x: 0, y: 0 };
      return pts.map((q) => ({ x: q.x + o.x, y: q.y + o.y }));
    };
    const edges: RoutedEdge[] = [];
    for (const { e, as, ad, k } of p.routes) {
      const pts: Pt[] = [];
      for (let i = as.length - 1; i >= k; i--) pts.push(...route(as[i], as[i + 1] ?? e.src, OUT));
      const mid = route(k > 0 ? as[k - 1] : "", as[k] ?? e.src, ad[k] ?? e.dst);
      pts.push(...mid);
      for (let i = k; i < ad.length; i++) pts.push(...route(ad[i], IN, ad[i + 1] ?? e.dst));
      if (pts.length < 2) continue;
      edges.push({ ...e, points: pts, label: midpoint(mid.length >= 2 ? mid : pts) });
    }
    return { units, clusters, edges, width: root.w, height: root.h, computed };
  }

  private layoutContainer(c: string, edges: Set<string>, sizeOf: (id: string) => Size): Local {
    const m = this.model;
    const kids = [...(m.childGroups.get(c) ?? []), ...(m.childNodes.get(c) ?? [])];
    if (kids.length === 0) return { w: 40, h: 20, pos: new Map(), routes: new Map() };
    const index = new Map<string, number>(kids.map((id, i) => [id, i]));
    index.set(IN, -1);
    index.set(OUT, -2);
    const sizes = kids.map(sizeOf);
    const pairs: [number, number][] = [];
    for (const key of edges) {
      const [s, d] = splitKey(key);
      const a = index.get(s);
      const b = index.get(d);
      if (a !== undefined && b !== undefined) pairs.push([a, b]);
    }
    pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const skey = sizes.map((z) => `${z.w}x${z.h}`).join(",") + "|" + pairs.map(([a, b]) => `${a}>${b}`).join(",");
    let shape = this.shapes.get(skey);
    if (!shape) {
      shape = this.runDagre(sizes, pairs);
      this.shapes.set(skey, shape);
    }
    const pos = new Map<string, Pt>();
    kids.forEach((id, i) => pos.set(id, shape!.pos[i]));
    const routes = new Map<string, Pt[]>();
    const name = (i: number): string => (i === -1 ? IN : i === -2 ? OUT : kids[i]);
    for (const [a, b] of pairs) routes.set(name(a) + SEP + name(b), shape.routes.get(`${a}>${b}`) ?? []);
    return { w: shape.w, h: shape.h, pos, routes };
  }

  private runDagre(sizes: Size[], pairs: [number, number][]): Shape {
    this.dagreRuns++;
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({
      rankdir: "TB", nodesep: this.opts.nodesep, ranksep: this.opts.ranksep, edgesep: this.opts.edgesep,
      marginx: 0, marginy: 0, ranker: sizes.length > 600 ? "longest-path" : "network-simplex",
    });
    g.setDefaultEdgeLabel(() => ({}));
    sizes.forEach((s, i) => g.setNode(String(i), { width: s.w, height: s.h }));
    for (const [a, b] of pairs) {
      for (const p of [a, b]) if (p < 0 && !g.hasNode(String(p))) g.setNode(String(p), { width: 2, height: 2 });
      g.setEdge(String(a), String(b), {});
    }
    dagre.layout(g);
    const gr = g.graph() as { width?: number; height?: number };
    const h = Math.max(gr.height ?? 0, 1);
    const pos = sizes.map((_, i) => {
      const n = g.node(String(i)) as { x: number; y: number };
      return { x: n.x, y: n.y };
    });
    const routes = new Map<string, Pt[]>();
    for (const [a, b] of pairs) {
      const e = g.edge(String(a), String(b)) as { points?: Pt[] } | undefined;
      const pts = (e?.points ?? []).map((q) => ({ x: q.x, y: q.y }));
      // A port is a point: snap it to the box's top (IN) or bottom (OUT) border.
      if (a === -1 && pts.length) pts[0] = { x: pts[0].x, y: -PAD.top };
      if (b === -2 && pts.length) pts[pts.length - 1] = { x: pts[pts.length - 1].x, y: h + PAD.bottom };
      routes.set(`${a}>${b}`, pts);
    }
    return { w: Math.max(gr.width ?? 0, 1), h, pos, routes };
  }
}

function splitKey(key: string): [string, string] {
  // Keys are a + SEP + b where a may itself be IN ("\0in") : split at the separator that is not a port's.
  if (key.startsWith(IN + SEP)) return [IN, key.slice(IN.length + 1)];
  if (key.endsWith(SEP + OUT)) return [key.slice(0, key.length - OUT.length - 1), OUT];
  const i = key.indexOf(SEP);
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The point halfway along a polyline. */
function midpoint(pts: Pt[]): Pt {
  if (pts.length === 1) return pts[0];
  let total = 0;
  for (let i = 1; i < pts.length; i++) total += Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
  let half = total / 2;
  for (let i = 1; i < pts.length; i++) {
    const d = Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
    if (d >= half && d > 0) {
      const t = half / d;
      return { x: pts[i - 1].x + (pts[i].x - pts[i - 1].x) * t, y: pts[i - 1].y + (pts[i].y - pts[i - 1].y) * t };
    }
    half -= d;
  }
  return pts[pts.length - 1];
}

/** An SVG path through the points, corners rounded with quadratic curves. */
export function pathData(pts: Pt[]): string {
  if (pts.length === 0) return "";
  const f = (v: number) => Math.round(v * 10) / 10;
  let d = `M${f(pts[0].x)},${f(pts[0].y)}`;
  if (pts.length === 2) return d + `L${f(pts[1].x)},${f(pts[1].y)}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const mx = (pts[i].x + pts[i + 1].x) / 2;
    const my = (pts[i].y + pts[i + 1].y) / 2;
    d += `Q${f(pts[i].x)},${f(pts[i].y)} ${f(mx)},${f(my)}`;
  }
  const last = pts[pts.length - 1];
  return d + `L${f(last.x)},${f(last.y)}`;
}
