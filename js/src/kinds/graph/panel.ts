/** The node panel: a node's or module's type, parameters, shapes, attributes and neighbours.
 * Every string from the model goes in as text (textContent / text nodes), never as markup. */
import { fmtCount, fmtShape, type GNode, type GraphModel } from "./graph_model";
import { el as htmlEl } from "../../view/dom";

interface PanelActions {
  close: () => void;
  /** bring another node into view and select it */
  reveal: (id: string) => void;
  /** open or close the module shown */
  toggle: () => void;
}

/** Fill `p` with the details of node or module `id`. */
export function fillPanel(p: HTMLElement, m: GraphModel, id: string, isOpen: boolean, on: PanelActions): void {
p.replaceChildren();
  const close = htmlEl("button", "nbg-close", "×");
  close.type = "button";
  close.title = "Close";
  close.addEventListener("click", on.close);
  p.appendChild(close);
  const table = htmlEl("table");
  const row = (k: string, v: string | Node): void => {
    const tr = htmlEl("tr");
    tr.appendChild(htmlEl("th", undefined, k));
    const td = htmlEl("td");
    if (typeof v === "string") td.textContent = v;
    else td.appendChild(v);
    tr.appendChild(td);
    table.appendChild(tr);
  };
  const code = (text: string): HTMLElement => htmlEl("code", undefined, text);
  const list = (items: [string, string][]): HTMLElement => {
    const d = htmlEl("div");
    for (const [a, b] of items) {
      const line = htmlEl("div");
      line.appendChild(code(a));
      if (b) line.appendChild(document.createTextNode(" " + b));
      d.appendChild(line);
    }
    return d;
  };
  const link = (target: string, text: string): HTMLElement => {
    const a = htmlEl("a", "nbg-link", text);
    a.addEventListener("click", () => on.reveal(target));
    return a;
  };
  /** A shared module's call: which call this is and links to the others (shared parameters). */
  const sharedRow = (): void => {
    const call = m.callOf(id);
    if (!call) return;
    const d = htmlEl("div", "nbg-shared-calls");
    d.appendChild(htmlEl("div", undefined, `one module called ${call[1]} times, parameters shared; this is call ${call[0]}`));
    (m.uses.get(id) ?? []).forEach((u, i) => {
      if (u === id) return;
      const line = htmlEl("div");
      line.appendChild(document.createTextNode(`call ${i + 1}: `));
      line.appendChild(link(u, u));
      d.appendChild(line);
    });
    row("Shared module", d);
  };
  const g = m.groups.get(id);
  if (g) {
    p.appendChild(htmlEl("h3", undefined, g.id));
    p.appendChild(htmlEl("div", "nbg-sub", `module · ${g.type}`));
    sharedRow();
    row("Parameters", g.params ? `${fmtCount(g.params)} (${g.params.toLocaleString("en-US")})` : "none");
    row("Nodes inside", String(m.size.get(id) ?? 0));
    row("Submodules", String(m.childGroups.get(id)?.length ?? 0));
    if (g.module && g.module !== g.id) row("Module path", g.module);
    if (g.repeat > 1 && !m.uses.has(id)) row("Repeated", `${g.repeat} identical blocks (same structure and shapes)`);
    const own = Object.entries(g.param_shapes);
    if (own.length) row("Own tensors", list(own.map(([k, s]) => [k, fmtShape(s)])));
    p.appendChild(table);
    const actions = htmlEl("div", "nbg-actions");
    const b = htmlEl("button", "nbg-btn", isOpen ? "Close module" : "Open module");
    b.type = "button";
    b.addEventListener("click", on.toggle);
    actions.appendChild(b);
    p.appendChild(actions);
    return;
  }
  const n = m.nodes.get(id) as GNode;
  p.appendChild(htmlEl("h3", undefined, n.id));
  p.appendChild(htmlEl("div", "nbg-sub", `${n.kind} · ${n.op}`));
  sharedRow();
  if (n.module && n.module !== n.id) row("Module path", n.module);
  if (n.kind === "module") row("Parameters", n.params ? `${fmtCount(n.params)} (${n.params.toLocaleString("en-US")})` : "none");
  const ps = Object.entries(n.param_shapes);
  if (ps.length) row("Tensors", list(ps.map(([k, s]) => [k, fmtShape(s)])));
  if (n.shapes.length) row("Output", list(n.shapes.map((s, i) => [fmtShape(s), n.dtypes[i] ?? ""])));
  for (const [k, v] of Object.entries(n.attrs)) row(k, code(v));
  const ins = m.inEdges.get(id) ?? [];
  const outs = m.outEdges.get(id) ?? [];
  const edgeList = (es: typeof ins, end: "src" | "dst"): HTMLElement => {
    const d = htmlEl("div");
    for (const e of es.slice(0, 50)) {
      const line = htmlEl("div");
      line.appendChild(link(e[end], e[end]));
      if (e.shape) line.appendChild(document.createTextNode(" " + fmtShape(e.shape)));
      d.appendChild(line);
    }
    if (es.length > 50) d.appendChild(htmlEl("div", undefined, `… ${es.length - 50} more`));
    return d;
  };
  if (ins.length) row("Inputs", edgeList(ins, "src"));
  if (outs.length) row("Consumers", edgeList(outs, "dst"));
  p.appendChild(table);
}
