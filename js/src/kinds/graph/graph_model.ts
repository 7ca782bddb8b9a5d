/**
 * The model graph as the view sees it: the kernel's JSON record (nodes, module groups, edges), the
 * module hierarchy, which groups are open, what is visible, and search. Pure: no DOM.
 */

type Dims = (number | null)[];

export interface GNode {
  id: string;
  parent: string;
  label: string;
  kind: "input" | "output" | "op" | "module" | "param";
  op: string;
  module: string | null;
  shapes: Dims[];
  dtypes: string[];
  attrs: Record<string, string>;
  params: number;
  param_shapes: Record<string, number[]>;
}

interface GGroup {
  id: string;
  parent: string;
  label: string;
  module: string;
  type: string;
  params: number;
  param_shapes: Record<string, number[]>;
  sig: string;
  repeat: number;
}

interface GEdge {
  src: string;
  dst: string;
  shape: Dims | null;
  dtype: string | null;
}

export interface GraphJSON {
  model: string;
  method: string;
  params: number;
  nodes: GNode[];
  groups: GGroup[];
  edges: GEdge[];
}

/** A drawn edge between two visible units: one or more model edges merged. */
export interface UnitEdge {
  key: string;
  src: string;
  dst: string;
  /** model edges merged into this one */
  count: number;
  /** distinct tensors among them (a tensor feeding two nodes inside a closed module counts once) */
  tensors: number;
  shape: Dims | null;
  dtype: string | null;
}

export function fmtShape(d: Dims | null | undefined): string {
  if (!d) return "";
  if (d.length === 0) return "scalar";
  return d.map((x) => (x === null || x < 0 ? "?" : String(x))).join("×");
}

export function fmtCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${+(n / 1e3).toFixed(n < 1e4 ? 2 : 1)}k`;
  if (n < 1e9) return `${+(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
  return `${+(n / 1e9).toFixed(2)}B`;
}

/** An open module's header: its label (drawn bold) and "type · N params"; measured and drawn alike. */
export function headerText(g: GGroup, call: [number, number] | null = null): [string, string] {
  const shared = call ? ` · shared, call ${call[0]} of ${call[1]}` : "";
  return [g.label + "  ", g.type + (g.params ? ` · ${fmtCount(g.params)} params` : "") + shared];
}

/** A small category for colouring a node by its op/module type (fixed names, safe as CSS classes). */
export function category(n: GNode): string {
  if (n.kind === "input" || n.kind === "output" || n.kind === "param") return n.kind;
  const t = n.op.toLowerCase();
  if (/conv/.test(t)) return "conv";
  if (/linear|matmul|bilinear|addmm|^mm$|^bmm$|einsum/.test(t)) return "linear";
  if (/norm/.test(t)) return "norm";
  if (/relu|gelu|silu|sigmoid|tanh|softmax|elu|mish|swish|hardswish|softplus|activation|glu/.test(t)) return "act";
  if (/pool/.test(t)) return "pool";
  if (/dropout/.test(t)) return "drop";
  if (/attention|embedding|lstm|gru|rnn|transformer/.test(t)) return "attn";
  return n.kind === "module" ? "module" : "op";
}

/** Runs in the run selector's order: '.' (the logdir's own run) first, then by name. */
export function runOrder(runs: readonly string[]): string[] {
  return [...runs].sort((a, b) => (a === "." ? -1 : b === "." ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/** Module path → its call sites when a module is called more than once: module nodes and groups
 * (the record's `module`) sharing a path are calls of one module object, with shared parameters.
 * Returned as call site id → all call sites of its module, in record (call) order. */
export function sharedCalls(data: Pick<GraphJSON, "nodes" | "groups">): Map<string, readonly string[]> {
  const byModule = new Map<string, string[]>();
  const add = (id: string, module: string | null | undefined): void => {
    if (!module) return;
    let l = byModule.get(module);
    if (!l) byModule.set(module, (l = []));
    l.push(id);
  };
  for (const g of data.groups) add(g.id, g.module);
  for (const n of data.nodes) if (n.kind === "module") add(n.id, n.module);
  const out = new Map<string, readonly string[]>();
  for (const ids of byModule.values()) if (ids.length > 1) for (const id of ids) out.set(id, ids);
  return out;
}

export class GraphModel {
  readonly nodes = new Map<string, GNode>();
  readonly groups = new Map<string, GGroup>();
  /** container id ("" = the root) → child group ids / child node ids, in record order */
  readonly childGroups = new Map<string, string[]>();
  readonly childNodes = new Map<string, string[]>();
  readonly edges: GEdge[];
  /** node id → edges in/out (for the panel) */
  readonly inEdges = new Map<string, GEdge[]>();
  readonly outEdges = new Map<string, GEdge[]>();
  /** group id → number of leaf nodes under it */
  readonly size = new Map<string, number>();
  /** A module called more than once (one module, shared parameters): each call site's id → every
   * call site of that module, in call order. Call sites are module nodes and groups with the same
   * module path. */
  readonly uses = new Map<string, readonly string[]>();
  private depthCache = new Map<string, number>();

  constructor(readonly data: GraphJSON) {
    this.childGroups.set("", []);
    this.childNodes.set("", []);
    for (const g of data.groups) {
      this.groups.set(g.id, g);
      this.childGroups.set(g.id, []);
      this.childNodes.set(g.id, []);
    }
    for (const g of data.groups) {
      const p = this.groups.has(g.parent) ? g.parent : "";
      this.childGroups.get(p)!.push(g.id);
    }
    for (const n of data.nodes) {
      this.nodes.set(n.id, n);
      const p = this.groups.has(n.parent) ? n.parent : "";
      this.childNodes.get(p)!.push(n.id);
      for (let a = p; a; a = this.parentOf(a)) this.size.set(a, (this.size.get(a) ?? 0) + 1);
    }
    this.edges = data.edges.filter((e) => this.nodes.has(e.src) && this.nodes.has(e.dst));
    for (const [id, all] of sharedCalls(data)) this.uses.set(id, all);
    for (const e of this.edges) {
      let l = this.outEdges.get(e.src);
      if (!l) this.outEdges.set(e.src, (l = []));
      l.push(e);
      let m = this.inEdges.get(e.dst);
      if (!m) this.inEdges.set(e.dst, (m = []));
      m.push(e);
    }
  }

  isGroup(id: string): boolean {
    return this.groups.has(id);
  }

  /** The container (group id or "") holding a node or group. */
  parentOf(id: string): string {
    const p = this.nodes.get(id)?.parent ?? this.groups.get(id)?.parent ?? "";
    return this.groups.has(p) ? p : "";
  }

  /** Group ids containing `id`, outermost first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    for (let p = this.parentOf(id); p; p = this.parentOf(p)) out.push(p);
    return out.reverse();
  }

  depth(id: string): number {
    let d = this.depthCache.get(id);
    if (d === undefined) {
      const p = this.parentOf(id);
      d = p ? this.depth(p) + 1 : 0;
      this.depthCache.set(id, d);
    }
    return d;
  }

  /** The visible unit standing for `id`: its outermost closed ancestor group, else itself. */
  rep(id: string, open: ReadonlySet<string>): string {
    for (const a of this.ancestors(id)) if (!open.has(a)) return a;
    return id;
  }

  /** Whether group `g` is drawn open (it and all its ancestors are open). */
  isOpen(g: string, open: ReadonlySet<string>): boolean {
    if (!open.has(g)) return false;
    for (const a of this.ancestors(g)) if (!open.has(a)) return false;
    return true;
  }

  /** Visible units (leaf nodes and closed groups) and open groups for an open set. */
  visible(open: ReadonlySet<string>): { units: string[]; clusters: string[] } {
    const units: string[] = [];
    const clusters: string[] = [];
    const walk = (c: string): void => {
      for (const g of this.childGroups.get(c) ?? []) {
        if (open.has(g)) {
          clusters.push(g);
          walk(g);
        } else units.push(g);
      }
      for (const n of this.childNodes.get(c) ?? []) units.push(n);
    };
    walk("");
    return { units, clusters };
  }

  /** Model edges merged onto visible units (self-loops inside a closed group dropped). */
  unitEdges(open: ReadonlySet<string>): UnitEdge[] {
    const repCache = new Map<string, string>();
    const rep = (id: string): string => {
      let r = repCache.get(id);
      if (r === undefined) repCache.set(id, (r = this.rep(id, open)));
      return r;
    };
    const out = new Map<string, UnitEdge>();
    const sources = new Map<string, Set<string>>();
    for (const e of this.edges) {
      const s = rep(e.src);
      const d = rep(e.dst);
      if (s === d) continue;
      const key = s + "\u0000" + d;
      const u = out.get(key);
      if (u) {
        u.count++;
        const srcs = sources.get(key)!;
        srcs.add(e.src);
        u.tensors = srcs.size;
        if (u.shape && fmtShape(u.shape) !== fmtShape(e.shape)) u.shape = null;
      } else {
        out.set(key, { key, src: s, dst: d, count: 1, tensors: 1, shape: e.shape, dtype: e.dtype });
        sources.set(key, new Set([e.src]));
      }
    }
    return [...out.values()];
  }

  /** Every group id (for "expand all"). */
  allGroups(): string[] {
    return [...this.groups.keys()];
  }

  /** The open set the view starts with: top-level modules closed, but a lone wrapper opened. */
  initialOpen(expand?: string[] | "all"): Set<string> {
    if (expand === "all") return new Set(this.groups.keys());
    const open = new Set<string>();
    let c = "";
    for (;;) {
      const gs = this.childGroups.get(c) ?? [];
      const ns = this.childNodes.get(c) ?? [];
      const inner = ns.filter((n) => this.nodes.get(n)!.kind !== "input" && this.nodes.get(n)!.kind !== "output");
      if (gs.length === 1 && inner.length === 0) {
        open.add(gs[0]);
        c = gs[0];
      } else break;
    }
    for (const id of expand ?? []) {
      if (this.groups.has(id)) open.add(id);
      for (const a of this.ancestors(id)) open.add(a);
    }
    return open;
  }

  /** Nodes and groups whose id, label or type contains `query` (case-insensitive), record order. */
  search(query: string, limit = 5000): string[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const out: string[] = [];
    for (const g of this.groups.values()) {
      if (g.id.toLowerCase().includes(q) || g.type.toLowerCase().includes(q)) out.push(g.id);
      if (out.length >= limit) return out;
    }
    for (const n of this.nodes.values()) {
      if (n.id.toLowerCase().includes(q) || n.op.toLowerCase().includes(q)) out.push(n.id);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** For a set of matching ids: the visible units to highlight (a closed group holding a match counts). */
  highlighted(matches: readonly string[], open: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    for (const m of matches) {
      if (this.groups.has(m) && this.isOpen(m, open)) continue; // an open cluster: its header is marked instead
      out.add(this.rep(m, open));
    }
    return out;
  }

  /** Open `id`'s ancestors so that it becomes visible. */
  reveal(id: string, open: Set<string>): void {
    for (const a of this.ancestors(id)) open.add(a);
  }

  /** `id`'s call number (1-based) and the module's number of calls, when it is a shared module's call. */
  callOf(id: string): [number, number] | null {
    const all = this.uses.get(id);
    return all ? [all.indexOf(id) + 1, all.length] : null;
  }

  /** The visible units standing for the other calls of `id`'s module (none if it is not shared). */
  otherUses(id: string, open: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    for (const u of this.uses.get(id) ?? []) {
      if (u === id) continue;
      if (this.groups.has(u) && this.isOpen(u, open)) out.add(u);
      else out.add(this.rep(u, open));
    }
    out.delete(this.rep(id, open));
    return out;
  }

  /** Parameter count of a node or group. */
  params(id: string): number {
    return this.nodes.get(id)?.params ?? this.groups.get(id)?.params ?? 0;
  }
}
