/** How big each drawn node and module header is: its two text lines, measured in the view's font. */
import { fmtCount, fmtShape, headerText, type GraphModel } from "./graph_model";

/** The two text lines a node or closed module shows (the second may be empty). */
export function nodeLines(m: GraphModel, id: string): [string, string] {
  const g = m.groups.get(id);
  if (g) {
    const n = m.size.get(id) ?? 0;
    return [g.label, `${g.type} · ${n} node${n === 1 ? "" : "s"}${g.params ? " · " + fmtCount(g.params) : ""}`];
  }
  const n = m.nodes.get(id)!;
  if (n.kind === "input" || n.kind === "output") return [n.label, n.shapes.map(fmtShape).join(", ")];
  if (n.kind === "module") return [n.label, n.op];
  return [n.op, ""];
}

/** Box sizes of nodes and header widths of open modules; text widths measured once per string with a canvas. */
export class NodeSizes {
  private ctx: CanvasRenderingContext2D | null;
  private cache = new Map<string, number>();
  constructor(private family: string) {
    this.ctx = document.createElement("canvas").getContext("2d");
  }

  private width(text: string, size: number, bold = false): number {
    const key = `${size}${bold ? "b" : ""}|${text}`;
    let w = this.cache.get(key);
    if (w === undefined) {
      if (this.ctx) {
        this.ctx.font = `${bold ? "600 " : ""}${size}px ${this.family}`;
        w = this.ctx.measureText(text).width;
      } else w = text.length * size * 0.6;
      this.cache.set(key, w);
    }
    return w;
  }

  size(m: GraphModel, id: string): { w: number; h: number } {
    const [l1, l2] = nodeLines(m, id);
    const group = m.isGroup(id);
    const w1 = this.width(l1, 12, true);
    const w2 = l2 ? this.width(l2, 10.5) : 0;
    const extra = group ? 34 : 22;
    const w = Math.min(Math.max(Math.max(w1, w2) + extra, l2 ? 70 : 40), 260);
    // a shared module's call carries its call mark ("↻ 1/2") on a line of its own, above the labels
    const h = (group ? 42 : l2 ? 36 : 24) + (m.uses.has(id) ? 14 : 0);
    return { w: Math.ceil(w), h };
  }

  /** An open module's header reads "label  type · N params" and ends with the close button. */
  headerWidth(m: GraphModel, gid: string): number {
    const [label, sub] = headerText(m.groups.get(gid)!, m.callOf(gid));
    return this.width(label, 11.5, true) + this.width(sub, 11.5) + 40;
  }
}
