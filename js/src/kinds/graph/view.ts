/**
 * The model graph view: an SVG drawing of a traced model with modules that open and close in
 * place (double-click), shapes on edges, a node panel, search, zoom/pan/fit, a minimap and
 * SVG/PNG export. Everything runs in the page on the snapshot it already has.
 *
 * Built as its own runtime module (static/graph.js: dagre + this view), loaded through the same
 * loader as every view but only on pages that show a graph. Node names come from the model and
 * are untrusted: they only ever reach the page through textContent and setAttribute.
 */
import { drawMini, drawMiniStatic, drawOverview, miniScale, readPalette, type Palette, type ViewBox } from "./canvas";
import { download, safeFileName, svgDocument, svgToPng } from "./svg_export";
import { GraphLayouter, pathData, type Box, type Layout } from "./layout";
import { category, fmtCount, fmtShape, GraphModel, headerText, type GraphJSON } from "./graph_model";
import { fillPanel } from "./panel";
import { SVG_CSS, VIEW_CSS } from "./style";
import { asBytes } from "../../lib/records";
import { el as htmlEl } from "../../view/dom";
import { requestResync } from "../../lib/wire";
import { onThemeChange } from "../../theme";

/* eslint-disable @typescript-eslint/no-explicit-any */
const SVGNS = "http://www.w3.org/2000/svg";
const ANIMATE_MAX = 1500; // visible items above which re-layout is not animated
const ANIMATE_MS = 280;
const ASYNC_MIN = 24; // containers to lay out above which layout runs in slices
const CULL_MIN = 600; // drawn items above which only those in view are displayed
const OVERVIEW_K = 0.22; // below this zoom, a big graph is drawn on a canvas instead

export const stats = { layouts: 0, lastLayoutMs: 0, lastRenderMs: 0, maxLayoutMs: 0, frames: 0, maxFrameMs: 0 };

export interface GraphViewOptions {
  title?: string;
  expand?: string[] | "all";
  height?: number;
}

let viewCounter = 0;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, cls?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVGNS, tag);
  if (cls) e.setAttribute("class", cls);
  return e;
}

function hue(sig: string): number {
  let h = 0;
  for (let i = 0; i < sig.length; i++) h = (h * 31 + sig.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** Text widths, measured once per string with a canvas in the view's font. */
class TextMeasure {
  private ctx: CanvasRenderingContext2D | null;
  private cache = new Map<string, number>();
  constructor(private family: string) {
    this.ctx = document.createElement("canvas").getContext("2d");
  }
  width(text: string, size: number, bold = false): number {
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
}

interface Item {
  el: SVGGElement;
  rect: SVGRectElement;
  stack?: SVGRectElement;
  box: Box;
  cluster: boolean;
  shown: boolean;
}

export class GraphView {
  readonly root: HTMLDivElement;
  private stage: HTMLDivElement;
  private svg: SVGSVGElement;
  private viewport: SVGGElement;
  private clusterLayer: SVGGElement;
  private bandLayer: SVGGElement;
  private edgeLayer: SVGGElement;
  private labelLayer: SVGGElement;
  private nodeLayer: SVGGElement;
  private mini: HTMLCanvasElement;
  private miniStatic: HTMLCanvasElement | null = null;
  private panel: HTMLDivElement;
  private status: HTMLDivElement;
  private titleEl: HTMLSpanElement;
  private search: HTMLInputElement;
  private countEl: HTMLSpanElement;
  private model: GraphModel | null = null;
  private layouter: GraphLayouter | null = null;
  private open = new Set<string>();
  private layout: Layout | null = null;
  private items = new Map<string, Item>();
  private k = 1;
  private tx = 0;
  private ty = 0;
  private matches: string[] = [];
  private matchIndex = -1;
  private selected: string | null = null;
  private measure: TextMeasure;
  private uid = ++viewCounter;
  private anim = 0;
  private disposed = false;
  private resizeObs: ResizeObserver | null = null;
  private searchTimer = 0;
  private hasFit = false;
  private layoutToken = 0;
  private edgeBoxes: { el: SVGElement; label: boolean; x0: number; y0: number; x1: number; y1: number; shown: boolean }[] = [];
  private overviewCanvas: HTMLCanvasElement;
  private overview = false;
  private culling = false;
  private cullFrame = 0;
  private pal: Palette | null = null;
  private palTheme = "";
  private hl = new Set<string>();
  private unTheme: () => void = () => {};
  private pendingLayout: Promise<void> | null = null;

  constructor(host: HTMLElement, private opts: GraphViewOptions = {}) {
    this.root = htmlEl("div", "nbg");
    if (opts.height) this.root.style.setProperty("--nbg-height", `${opts.height}px`);
    const bar = htmlEl("div", "nbg-bar");
    this.titleEl = htmlEl("span", "nbg-title", opts.title ?? "");
    this.search = htmlEl("input", "nbg-search");
    this.search.type = "search";
    this.search.placeholder = "Search name or type…";
    this.search.setAttribute("aria-label", "Search nodes by name or type");
    this.countEl = htmlEl("span", "nbg-count");
    const btn = (label: string, title: string, fn: () => void): HTMLButtonElement => {
      const b = htmlEl("button", "nbg-btn", label);
      b.type = "button";
      b.title = title;
      b.addEventListener("click", fn);
      return b;
    };
    bar.append(
      this.titleEl, this.search, this.countEl,
      btn("◀", "Previous match", () => this.gotoMatch(-1)),
      btn("▶", "Next match (Enter)", () => this.gotoMatch(1)),
      htmlEl("span", "nbg-sp"),
      btn("Fit", "Fit the graph to the view", () => this.fit()),
      btn("Expand all", "Open every module", () => this.setOpen(new Set(this.model?.allGroups() ?? []), false)),
      btn("Collapse all", "Close every module", () => this.setOpen(new Set(), true)),
      btn("SVG", "Download the graph as SVG", () => this.exportSvg()),
      btn("PNG", "Download the graph as PNG", () => void this.exportPng()),
    );
    this.stage = htmlEl("div", "nbg-stage");
    this.svg = svgEl("svg", "nbg-svg");
    this.svg.setAttribute("role", "img");
    const defs = svgEl("defs");
    const marker = svgEl("marker");
    marker.setAttribute("id", `nbg-arrow-${this.uid}`);
    marker.setAttribute("viewBox", "0 0 10 10");
    marker.setAttribute("refX", "9");
    marker.setAttribute("refY", "5");
    marker.setAttribute("markerWidth", "7");
    marker.setAttribute("markerHeight", "7");
    marker.setAttribute("orient", "auto-start-reverse");
    const tip = svgEl("path", "nbg-arrow");
    tip.setAttribute("d", "M0,1 L10,5 L0,9 z");
    marker.appendChild(tip);
    defs.appendChild(marker);
    this.viewport = svgEl("g", "nbg-viewport");
    this.clusterLayer = svgEl("g", "nbg-clusters");
    this.bandLayer = svgEl("g", "nbg-bands");
    this.edgeLayer = svgEl("g", "nbg-edges");
    this.labelLayer = svgEl("g", "nbg-edges nbg-labels");
    this.nodeLayer = svgEl("g", "nbg-nodes");
    this.viewport.append(this.clusterLayer, this.bandLayer, this.edgeLayer, this.nodeLayer, this.labelLayer);
    this.svg.append(defs, this.viewport);
    this.overviewCanvas = htmlEl("canvas", "nbg-overview");
    this.overviewCanvas.hidden = true;
    this.mini = htmlEl("canvas", "nbg-mini");
    this.mini.hidden = true;
    this.panel = htmlEl("div", "nbg-panel");
    this.panel.hidden = true;
    this.status = htmlEl("div", "nbg-status");
    this.stage.append(this.svg, this.overviewCanvas, this.mini, this.panel, this.status);
    this.root.append(bar, this.stage);
    host.appendChild(this.root);
    const family = getComputedStyle(this.root).getPropertyValue("--nbg-font").trim() || "sans-serif";
    this.measure = new TextMeasure(family);
    this.bindEvents();
    this.unTheme = onThemeChange(() => {
      this.pal = null;
      this.drawMinimapStatic();
      this.applyTransform();
    });
    const empty = htmlEl("div", "nbg-empty", "Waiting for a graph: call writer.add_graph(model, example_input).");
    this.status.textContent = "";
    this.stage.appendChild(empty);
  }

  // ---- data ------------------------------------------------------------------------------
  setData(json: GraphJSON): void {
    this.stage.querySelector(".nbg-empty")?.remove();
    const prevOpen = this.model ? this.open : null;
    this.model = new GraphModel(json);
    const model = this.model;
    this.layouter = new GraphLayouter(model, (id) => this.sizeOf(id), {
      headerWidth: (g) => this.headerWidth(g),
    });
    this.open = prevOpen ? new Set([...prevOpen].filter((g) => model.groups.has(g))) : model.initialOpen(this.opts.expand);
    this.titleEl.textContent = json.model;
    this.titleEl.title = this.opts.title ? `${json.model} — ${this.opts.title}` : json.model;
    const small = htmlEl("small", undefined, `${fmtCount(json.params)} params · via ${json.method}`);
    this.titleEl.appendChild(small);
    for (const it of this.items.values()) it.el.remove();
    this.items.clear();
    this.layout = null;
    this.hasFit = false;
    this.selected = null;
    this.panel.hidden = true;
    this.relayout();
    if (this.search.value) this.runSearch();
  }

  /** The number of drawn nodes (visible units), for tests and benchmarks. */
  get visibleCount(): number {
    return this.layout?.units.size ?? 0;
  }

  get clusterCount(): number {
    return this.layout?.clusters.size ?? 0;
  }

  // ---- sizes -----------------------------------------------------------------------------
  private lines(id: string): [string, string] {
    const m = this.model!;
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

  private sizeOf(id: string): { w: number; h: number } {
    const [l1, l2] = this.lines(id);
    const group = this.model!.isGroup(id);
    const w1 = this.measure.width(l1, 12, true);
    const w2 = l2 ? this.measure.width(l2, 10.5) : 0;
    const extra = group ? 34 : 22;
    const w = Math.min(Math.max(Math.max(w1, w2) + extra, l2 ? 70 : 40), 260);
    const h = group ? 42 : l2 ? 36 : 24;
    return { w: Math.ceil(w), h };
  }

  private headerWidth(gid: string): number {
    // the header reads "label  type · N params" and ends with the close button
    const [label, sub] = headerText(this.model!.groups.get(gid)!);
    return this.measure.width(label, 11.5, true) + this.measure.width(sub, 11.5) + 40;
  }

  // ---- layout and drawing ----------------------------------------------------------------
  /** Open exactly the modules in `open`; then fit the whole graph, or show its top at a readable zoom. */
  private setOpen(open: Set<string>, fit: boolean): void {
    if (!this.model || !this.layouter) return;
    const changed = new Set<string>();
    for (const g of open) if (!this.open.has(g)) changed.add(g);
    for (const g of this.open) if (!open.has(g)) changed.add(g);
    for (const g of changed) this.layouter.invalidate(g);
    this.open = open;
    this.relayout(() => (fit ? this.fit() : this.initialView()));
  }

  /** Open or close one module, keeping it where it is on screen. */
  toggle(id: string): void {
    if (!this.model || !this.layouter || !this.model.isGroup(id)) return;
    const before = this.items.get(id)?.box;
    if (this.open.has(id)) {
      this.open.delete(id);
      for (const g of [...this.open]) if (this.model.ancestors(g).includes(id)) this.open.delete(g);
    } else this.open.add(id);
    this.layouter.invalidate(id);
    this.relayout(() => {
      const after = this.items.get(id)?.box;
      if (before && after) {
        // keep the module's top-left corner fixed on screen
        this.tx += (before.x - after.x) * this.k;
        this.ty += (before.y - after.y) * this.k;
        this.applyTransform();
      }
    });
  }

  /** Resolves once no layout is in progress (layouts of many modules run in slices). */
  idle(): Promise<void> {
    return this.pendingLayout ?? Promise.resolve();
  }

  private relayout(after?: () => void): void {
    if (!this.model || !this.layouter) return;
    const token = ++this.layoutToken;
    const pending = this.layouter.pending(this.open);
    if (pending <= ASYNC_MIN) {
      this.relayoutNow();
      after?.();
      return;
    }
    // Many modules to lay out: do it in slices so the page (and the kernel's messages) stay live.
    this.status.textContent = "Laying out…";
    const t0 = performance.now();
    this.pendingLayout = this.layouter
      .prepare(new Set(this.open), 12, (done, total) => {
        if (token === this.layoutToken) this.status.textContent = `Laying out ${done} / ${total} modules…`;
      })
      .then(() => {
        if (token !== this.layoutToken || this.disposed) return;
        this.relayoutNow(performance.now() - t0);
        this.pendingLayout = null;
        after?.();
      });
  }

  private relayoutNow(asyncMs = 0): void {
    const t0 = performance.now();
    const lay = this.layouter!.layout(this.open);
    const t1 = performance.now();
    const prev = this.layout;
    this.layout = lay;
    this.draw(prev);
    const t2 = performance.now();
    stats.layouts++;
    stats.lastLayoutMs = t1 - t0 + asyncMs;
    stats.lastRenderMs = t2 - t1;
    stats.maxLayoutMs = Math.max(stats.maxLayoutMs, stats.lastLayoutMs);
    const m = this.model!;
    this.status.textContent = `${lay.units.size} shown · ${m.nodes.size} nodes · ${m.groups.size} modules · double-click a module to open or close it`;
    if (!this.hasFit) {
      this.hasFit = true;
      this.initialView();
    }
    this.drawMinimapStatic();
    this.applyTransform();
    this.cull();
  }

  private makeItem(id: string, cluster: boolean): Item {
    const m = this.model!;
    const el = svgEl("g");
    el.setAttribute("data-id", id);
    let stack: SVGRectElement | undefined;
    let rect: SVGRectElement;
    const g = m.groups.get(id);
    if (cluster) {
      el.setAttribute("class", `nbg-cluster nbg-depth-${m.depth(id) % 2 ? "odd" : "even"}`);
      rect = svgEl("rect", "nbg-cbox");
      rect.setAttribute("rx", "7");
      el.appendChild(rect);
      const head = svgEl("rect", "nbg-chead");
      head.setAttribute("height", "26");
      el.appendChild(head);
      const title = svgEl("text", "nbg-ctitle");
      title.setAttribute("x", "12");
      title.setAttribute("y", "15");
      const [label, sub] = headerText(g!);
      title.textContent = label;
      const t2 = svgEl("tspan");
      t2.textContent = sub;
      title.appendChild(t2);
      el.appendChild(title);
      const close = svgEl("text", "nbg-cbtn");
      close.setAttribute("y", "15");
      close.textContent = "−";
      el.appendChild(close);
      if (g!.repeat > 1) this.addStripe(el, g!.sig, 26);
    } else {
      const n = m.nodes.get(id);
      const cat = n ? category(n) : "module";
      el.setAttribute("class", `nbg-node nbg-cat-${cat}${g ? " nbg-group" : ""}`);
      if (g) {
        stack = svgEl("rect", "nbg-stack");
        stack.setAttribute("rx", "5");
        stack.setAttribute("x", "3");
        stack.setAttribute("y", "3");
        el.appendChild(stack);
      }
      rect = svgEl("rect", "nbg-box");
      const op = n && (n.kind === "op" || n.kind === "param");
      rect.setAttribute("rx", op ? "12" : "5");
      el.appendChild(rect);
      const [l1, l2] = this.lines(id);
      const t1 = svgEl("text", "nbg-l1");
      t1.setAttribute("text-anchor", "middle");
      t1.textContent = l1;
      el.appendChild(t1);
      if (l2) {
        const t2 = svgEl("text", "nbg-l2");
        t2.setAttribute("text-anchor", "middle");
        t2.textContent = l2;
        el.appendChild(t2);
      }
      if (g) {
        const plus = svgEl("text", "nbg-badge");
        plus.textContent = "+";
        el.appendChild(plus);
        if (g.repeat > 1) {
          this.addStripe(el, g.sig, 0);
          const rep = svgEl("text", "nbg-rep");
          rep.textContent = `×${g.repeat}`;
          rep.setAttribute("fill", `hsl(${hue(g.sig)}, 55%, 45%)`);
          el.appendChild(rep);
        }
      }
      const tipText = svgEl("title");
      tipText.textContent = id;
      el.appendChild(tipText);
    }
    return { el, rect, stack, box: { x: 0, y: 0, w: 0, h: 0 }, cluster, shown: true };
  }

  private addStripe(el: SVGGElement, sig: string, y: number): void {
    const s = svgEl("rect", "nbg-stripe");
    s.setAttribute("x", "0");
    s.setAttribute("y", String(y));
    s.setAttribute("width", "4");
    s.setAttribute("fill", `hsl(${hue(sig)}, 60%, 55%)`);
    el.appendChild(s);
  }

  /** Size the parts of an item for a box (positions are set by `place`). */
  private shape(it: Item, b: Box): void {
    const w = String(b.w);
    const h = String(b.h);
    it.rect.setAttribute("width", w);
    it.rect.setAttribute("height", h);
    it.stack?.setAttribute("width", w);
    it.stack?.setAttribute("height", h);
    for (const c of Array.from(it.el.children)) {
      const cls = c.getAttribute("class");
      if (cls === "nbg-l1") {
        c.setAttribute("x", String(b.w / 2));
        c.setAttribute("y", String(it.el.querySelector(".nbg-l2") ? b.h / 2 - 7 : b.h / 2 + 0.5));
      } else if (cls === "nbg-l2") {
        c.setAttribute("x", String(b.w / 2));
        c.setAttribute("y", String(b.h / 2 + 8));
      } else if (cls === "nbg-badge") {
        c.setAttribute("x", String(b.w - 11));
        c.setAttribute("y", "10");
      } else if (cls === "nbg-rep") {
        c.setAttribute("x", "8");
        c.setAttribute("y", "10");
      } else if (cls === "nbg-stripe") {
        const y = Number(c.getAttribute("y"));
        c.setAttribute("height", String(Math.max(b.h - y - (it.cluster ? 8 : 0), 0)));
      } else if (cls === "nbg-chead") {
        c.setAttribute("width", w);
      } else if (cls === "nbg-cbtn") {
        c.setAttribute("x", String(b.w - 18));
      }
    }
  }

  private place(it: Item, b: Box): void {
    it.el.setAttribute("transform", `translate(${Math.round(b.x * 10) / 10},${Math.round(b.y * 10) / 10})`);
  }

  private draw(prev: Layout | null): void {
    const lay = this.layout!;
    const m = this.model!;
    cancelAnimationFrame(this.anim); // an interrupted animation must not leave the edges hidden
    this.edgeLayer.classList.remove("nbg-hidden");
    this.labelLayer.classList.remove("nbg-hidden");
    const wanted = new Map<string, { box: Box; cluster: boolean }>();
    for (const [id, b] of lay.clusters) wanted.set(id, { box: b, cluster: true });
    for (const [id, b] of lay.units) wanted.set(id, { box: b, cluster: false });
    // remove items that are gone or changed between unit and cluster
    for (const [id, it] of this.items) {
      const w = wanted.get(id);
      if (!w || w.cluster !== it.cluster) {
        it.el.remove();
        this.items.delete(id);
      }
    }
    const from = new Map<string, Box>();
    const animate = prev !== null && wanted.size <= ANIMATE_MAX;
    const prevBox = (id: string): Box | undefined => prev?.units.get(id) ?? prev?.clusters.get(id);
    for (const [id, w] of wanted) {
      let it = this.items.get(id);
      if (!it) {
        it = this.makeItem(id, w.cluster);
        this.items.set(id, it);
      }
      if (animate) {
        let start = prevBox(id);
        if (!start) {
          for (const a of [...m.ancestors(id)].reverse()) {
            const pb = prevBox(a);
            if (pb) {
              start = { x: pb.x, y: pb.y, w: Math.min(pb.w, w.box.w), h: Math.min(pb.h, w.box.h) };
              break;
            }
          }
        }
        if (start) from.set(id, start);
      }
      it.box = w.box;
    }
    // order: clusters outer → inner (so inner ones paint on top), then nodes
    this.drawEdges();
    this.drawBands();
    // Big graphs: elements stay out of the document until they come into view (see cull), since
    // even hidden SVG elements cost layout time on every pan.
    this.culling = this.items.size + this.edgeBoxes.length > CULL_MIN;
    if (this.culling) {
      for (const it of this.items.values()) {
        it.el.remove();
        it.shown = false;
      }
      this.clusterLayer.replaceChildren();
      this.nodeLayer.replaceChildren();
    } else {
      for (const id of lay.clusters.keys()) this.clusterLayer.appendChild(this.items.get(id)!.el);
      for (const id of lay.units.keys()) this.nodeLayer.appendChild(this.items.get(id)!.el);
      for (const it of this.items.values()) it.shown = true;
      for (const e of this.edgeBoxes) {
        (e.label ? this.labelLayer : this.edgeLayer).appendChild(e.el);
        e.shown = true;
      }
    }
    this.applyHighlights();
    if (!animate || from.size === 0) {
      for (const it of this.items.values()) {
        this.shape(it, it.box);
        this.place(it, it.box);
      }
      return;
    }
    this.edgeLayer.classList.add("nbg-hidden");
    this.labelLayer.classList.add("nbg-hidden");
    const t0 = performance.now();
    const ease = (t: number) => (t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2);
    const step = (now: number): void => {
      if (this.disposed) return;
      const t = Math.min((now - t0) / ANIMATE_MS, 1);
      const e = ease(t);
      for (const [id, it] of this.items) {
        const a = from.get(id) ?? it.box;
        const b = it.box;
        const box = { x: a.x + (b.x - a.x) * e, y: a.y + (b.y - a.y) * e, w: a.w + (b.w - a.w) * e, h: a.h + (b.h - a.h) * e };
        if (it.cluster || a.w !== b.w || a.h !== b.h || t === 1) this.shape(it, box);
        this.place(it, box);
      }
      if (t < 1) this.anim = requestAnimationFrame(step);
      else {
        this.edgeLayer.classList.remove("nbg-hidden");
        this.labelLayer.classList.remove("nbg-hidden");
      }
    };
    // first frame synchronously so nothing flashes at its final place
    for (const [id, it] of this.items) {
      const a = from.get(id) ?? it.box;
      this.shape(it, a);
      this.place(it, a);
    }
    this.anim = requestAnimationFrame(step);
  }

  /** Runs of identical sibling blocks (same structure signature) get one band behind them: "5 × Bottleneck". */
  private drawBands(): void {
    const lay = this.layout!;
    const m = this.model!;
    const bands: SVGGElement[] = [];
    const containers = ["", ...lay.clusters.keys()];
    for (const c of containers) {
      const kids = m.childGroups.get(c) ?? [];
      let i = 0;
      while (i < kids.length) {
        const g = m.groups.get(kids[i])!;
        let j = i + 1;
        while (j < kids.length && g.repeat > 1 && m.groups.get(kids[j])!.sig === g.sig) j++;
        if (j - i >= 2) {
          const boxes = kids.slice(i, j).map((id) => lay.units.get(id) ?? lay.clusters.get(id)).filter((b): b is Box => !!b);
          const x0 = Math.min(...boxes.map((b) => b.x)) - 8;
          const y0 = Math.min(...boxes.map((b) => b.y)) - 18;
          const x1 = Math.max(...boxes.map((b) => b.x + b.w)) + 8;
          const y1 = Math.max(...boxes.map((b) => b.y + b.h)) + 8;
          const band = svgEl("g", "nbg-band");
          const color = `hsl(${hue(g.sig)}, 60%, 55%)`;
          const r = svgEl("rect", "nbg-bandbox");
          r.setAttribute("x", String(x0));
          r.setAttribute("y", String(y0));
          r.setAttribute("width", String(x1 - x0));
          r.setAttribute("height", String(y1 - y0));
          r.setAttribute("rx", "8");
          r.setAttribute("fill", color);
          r.setAttribute("stroke", color);
          const t = svgEl("text", "nbg-bandlabel");
          t.setAttribute("x", String(x0 + 8));
          t.setAttribute("y", String(y0 + 9));
          t.setAttribute("fill", color);
          t.textContent = `${j - i} × ${g.type}`;
          band.append(r, t);
          bands.push(band);
        }
        i = j;
      }
    }
    this.bandLayer.replaceChildren(...bands);
  }

  private drawEdges(): void {
    const lay = this.layout!;
    this.edgeLayer.replaceChildren();
    this.labelLayer.replaceChildren();
    const marker = `url(#nbg-arrow-${this.uid})`;
    this.edgeBoxes = [];
    for (const e of lay.edges) {
      const p = svgEl("path", e.tensors > 1 ? "nbg-edge nbg-multi" : "nbg-edge");
      p.setAttribute("d", pathData(e.points));
      p.setAttribute("marker-end", marker);
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const q of e.points) {
        if (q.x < x0) x0 = q.x;
        if (q.x > x1) x1 = q.x;
        if (q.y < y0) y0 = q.y;
        if (q.y > y1) y1 = q.y;
      }
      this.edgeBoxes.push({ el: p, label: false, x0, y0, x1, y1, shown: false });
      const n = e.tensors;
      const text = e.shape ? fmtShape(e.shape) + (n > 1 ? ` (×${n})` : "") : n > 1 ? `${n} tensors` : "";
      if (text) {
        const t = svgEl("text", "nbg-elabel");
        t.setAttribute("x", String(Math.round(e.label.x + 5)));
        t.setAttribute("y", String(Math.round(e.label.y)));
        t.textContent = text;
        this.edgeBoxes.push({ el: t, label: true, x0: e.label.x, y0: e.label.y - 6, x1: e.label.x + 6 * text.length + 5, y1: e.label.y + 6, shown: false });
      }
    }
  }

  // ---- view transform ----------------------------------------------------------------------
  private applyTransform(): void {
    this.viewport.setAttribute("transform", `translate(${this.tx},${this.ty}) scale(${this.k})`);
    this.svg.classList.toggle("nbg-lod", this.k < 0.55);
    this.updateMinimap();
    if (!this.cullFrame) this.cullFrame = requestAnimationFrame(() => {
      this.cullFrame = 0;
      this.cull();
    });
  }

  /** Big graphs: display only what is in view, and below OVERVIEW_K draw everything on a canvas. */
  private cull(): void {
    if (this.disposed || !this.layout) return;
    const t0 = performance.now();
    const overview = this.culling && this.k < OVERVIEW_K;
    if (overview !== this.overview) {
      this.overview = overview;
      this.viewport.style.display = overview ? "none" : "";
      this.overviewCanvas.hidden = !overview;
    }
    if (overview) drawOverview(this.overviewCanvas, this.layout, this.model!, this.palette(), this.viewBox());
    else if (this.culling) {
      const { w, h } = this.stageSize();
      const m = 120 / this.k;
      const vx0 = -this.tx / this.k - m;
      const vy0 = -this.ty / this.k - m;
      const vx1 = (w - this.tx) / this.k + m;
      const vy1 = (h - this.ty) / this.k + m;
      let clustersChanged = false;
      for (const it of this.items.values()) {
        const b = it.box;
        const vis = b.x < vx1 && b.x + b.w > vx0 && b.y < vy1 && b.y + b.h > vy0;
        if (vis === it.shown) continue;
        it.shown = vis;
        if (it.cluster) clustersChanged = true;
        else if (vis) this.nodeLayer.appendChild(it.el);
        else it.el.remove();
      }
      if (clustersChanged) {
        // outer modules first, so inner ones paint on top
        const els: SVGGElement[] = [];
        for (const id of this.layout.clusters.keys()) {
          const it = this.items.get(id);
          if (it?.shown) els.push(it.el);
        }
        this.clusterLayer.replaceChildren(...els);
      }
      for (const e of this.edgeBoxes) {
        const vis = e.x0 < vx1 && e.x1 > vx0 && e.y0 < vy1 && e.y1 > vy0;
        if (vis === e.shown) continue;
        e.shown = vis;
        if (vis) (e.label ? this.labelLayer : this.edgeLayer).appendChild(e.el);
        else e.el.remove();
      }
    }
    const dt = performance.now() - t0;
    stats.frames++;
    stats.maxFrameMs = Math.max(stats.maxFrameMs, dt);
  }

  private viewBox(): ViewBox {
    const { w, h } = this.stageSize();
    return { k: this.k, tx: this.tx, ty: this.ty, w, h };
  }

  /** Canvas colours from the theme (read once per theme). */
  private palette(): Palette {
    const theme = document.body?.getAttribute("data-jp-theme-name") ?? "";
    if (!this.pal || this.palTheme !== theme) {
      this.pal = readPalette(this.root);
      this.palTheme = theme;
    }
    return this.pal;
  }

  /** The drawn item under a stage point (used where the canvas overview is shown). */
  private itemAtPoint(clientX: number, clientY: number): string | null {
    if (!this.layout) return null;
    const r = this.svg.getBoundingClientRect();
    const x = (clientX - r.left - this.tx) / this.k;
    const y = (clientY - r.top - this.ty) / this.k;
    for (const [id, b] of this.layout.units) if (x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h) return id;
    let best: string | null = null;
    let area = Infinity;
    for (const [id, b] of this.layout.clusters) {
      if (x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h && b.w * b.h < area) {
        best = id;
        area = b.w * b.h;
      }
    }
    return best;
  }

  private stageSize(): { w: number; h: number } {
    const r = this.stage.getBoundingClientRect();
    return { w: r.width || 800, h: r.height || 560 };
  }

  fit(): void {
    if (!this.layout) return;
    const { w, h } = this.stageSize();
    const lw = this.layout.width + 40;
    const lh = this.layout.height + 40;
    this.k = Math.min(w / lw, h / lh, 1.25);
    this.tx = (w - this.layout.width * this.k) / 2;
    this.ty = Math.max((h - this.layout.height * this.k) / 2, 20 * this.k);
    this.applyTransform();
  }

  /** The first view: the whole graph if it is readable so, else its top at a readable zoom. */
  private initialView(): void {
    if (!this.layout) return;
    const { w, h } = this.stageSize();
    const fitK = Math.min(w / (this.layout.width + 40), h / (this.layout.height + 40), 1.1);
    if (fitK >= 0.75) {
      this.fit();
      return;
    }
    this.k = Math.min(0.9, Math.max(fitK, Math.min(0.9, (w - 40) / this.layout.width)));
    this.tx = Math.max((w - this.layout.width * this.k) / 2, 20);
    this.ty = 16;
    this.applyTransform();
  }

  /** Zoom by `factor` around the stage point (px, py). */
  zoom(factor: number, px: number, py: number): void {
    const k = Math.min(Math.max(this.k * factor, 0.03), 4);
    const f = k / this.k;
    this.tx = px - (px - this.tx) * f;
    this.ty = py - (py - this.ty) * f;
    this.k = k;
    this.applyTransform();
  }

  pan(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
    this.applyTransform();
  }

  /** Center the view on a node or module (zooming in if it would be tiny). */
  centerOn(id: string): void {
    const b = this.layout?.units.get(id) ?? this.layout?.clusters.get(id);
    if (!b) return;
    const { w, h } = this.stageSize();
    if (this.k < 0.7) this.k = Math.min(1, Math.max(this.k, Math.min(w / (b.w + 80), h / (b.h + 80))));
    this.tx = w / 2 - (b.x + b.w / 2) * this.k;
    this.ty = h / 2 - (b.y + b.h / 2) * this.k;
    this.applyTransform();
  }

  // ---- events ------------------------------------------------------------------------------
  private bindEvents(): void {
    const svg = this.svg;
    let drag: { x: number; y: number; moved: boolean; id: number } | null = null;
    svg.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, moved: false, id: ev.pointerId };
    });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      const dx = ev.clientX - drag.x;
      const dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        svg.setPointerCapture(ev.pointerId);
        svg.classList.add("nbg-panning");
      }
      drag.x = ev.clientX;
      drag.y = ev.clientY;
      this.pan(dx, dy);
    });
    const end = (ev: PointerEvent): void => {
      if (!drag) return;
      const moved = drag.moved;
      drag = null;
      svg.classList.remove("nbg-panning");
      if (svg.hasPointerCapture(ev.pointerId)) svg.releasePointerCapture(ev.pointerId);
      if (!moved && ev.type === "pointerup") this.onClick(ev);
    };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("dblclick", (ev) => {
      ev.preventDefault();
      const id = this.overview ? this.itemAtPoint(ev.clientX, ev.clientY) : this.itemAt(ev.target);
      if (id !== null && this.model?.isGroup(id)) this.toggle(id);
    });
    svg.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      const dy = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
      this.zoom(Math.exp(-dy * 0.0016), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    this.search.addEventListener("input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => this.runSearch(), 120);
    });
    this.search.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        clearTimeout(this.searchTimer);
        if (this.matches.length === 0) this.runSearch();
        this.gotoMatch(ev.shiftKey ? -1 : 1);
      } else if (ev.key === "Escape") {
        this.search.value = "";
        this.runSearch();
      }
      ev.stopPropagation(); // keep JupyterLab's command-mode shortcuts out of the search box
    });
    let miniDrag = false;
    const miniGo = (ev: PointerEvent): void => {
      const p = this.miniToGraph(ev);
      if (!p) return;
      const { w, h } = this.stageSize();
      this.tx = w / 2 - p.x * this.k;
      this.ty = h / 2 - p.y * this.k;
      this.applyTransform();
    };
    this.mini.addEventListener("pointerdown", (ev) => {
      miniDrag = true;
      this.mini.setPointerCapture(ev.pointerId);
      miniGo(ev);
      ev.stopPropagation();
    });
    this.mini.addEventListener("pointermove", (ev) => miniDrag && miniGo(ev));
    this.mini.addEventListener("pointerup", () => (miniDrag = false));
    if (typeof ResizeObserver !== "undefined") {
      this.resizeObs = new ResizeObserver(() => {
        if (!this.hasFit || !this.layout) return;
        this.drawMinimapStatic();
        this.updateMinimap();
      });
      this.resizeObs.observe(this.stage);
    }
  }

  private itemAt(target: EventTarget | null): string | null {
    const el = (target as Element | null)?.closest?.("[data-id]");
    if (!el || !this.svg.contains(el)) return null;
    return el.getAttribute("data-id");
  }

  private onClick(ev: PointerEvent): void {
    const id = this.overview ? this.itemAtPoint(ev.clientX, ev.clientY) : this.itemAt(ev.target);
    const target = ev.target as Element;
    if (id !== null && this.layout?.clusters.has(id) && target.classList?.contains("nbg-cbtn")) {
      this.toggle(id);
      return;
    }
    this.select(id);
  }

  // ---- selection panel ---------------------------------------------------------------------
  select(id: string | null): void {
    if (this.selected) this.items.get(this.selected)?.el.classList.remove("nbg-selected");
    this.selected = id;
    if (!id || !this.model) {
      this.panel.hidden = true;
      return;
    }
    this.items.get(id)?.el.classList.add("nbg-selected");
    this.fillPanel(id);
  }

  private fillPanel(id: string): void {
    this.panel.hidden = false;
    fillPanel(this.panel, this.model!, id, this.open.has(id), {
      close: () => this.select(null),
      reveal: (target) => this.reveal(target),
      toggle: () => {
        this.toggle(id);
        this.select(id);
      },
    });
  }

  /** Open the modules around `id`, select it and bring it into view. */
  reveal(id: string): void {
    if (!this.model || !this.layouter) return;
    let changed = false;
    for (const a of this.model.ancestors(id)) {
      if (!this.open.has(a)) {
        this.open.add(a);
        this.layouter.invalidate(a);
        changed = true;
      }
    }
    const show = (): void => {
      this.select(id);
      this.centerOn(id);
    };
    if (changed) this.relayout(show);
    else show();
  }

  // ---- search ------------------------------------------------------------------------------
  private runSearch(): void {
    if (!this.model) return;
    const q = this.search.value;
    this.matches = this.model.search(q);
    this.matchIndex = -1;
    this.countEl.textContent = q.trim() ? `${this.matches.length} match${this.matches.length === 1 ? "" : "es"}` : "";
    this.applyHighlights();
  }

  private applyHighlights(): void {
    if (!this.model || !this.layout) return;
    const on = this.search.value.trim().length > 0;
    this.svg.classList.toggle("nbg-searching", on);
    const hl = on ? this.model.highlighted(this.matches, this.open) : new Set<string>();
    this.hl = hl;
    this.updateMinimap();
    const openHits = on ? new Set(this.matches.filter((id) => this.layout!.clusters.has(id))) : new Set<string>();
    for (const [id, it] of this.items) it.el.classList.toggle("nbg-match", hl.has(id) || openHits.has(id));
    if (this.selected) this.items.get(this.selected)?.el.classList.add("nbg-selected");
  }

  private gotoMatch(dir: number): void {
    if (this.matches.length === 0) return;
    this.matchIndex = (this.matchIndex + dir + this.matches.length) % this.matches.length;
    const id = this.matches[this.matchIndex];
    this.countEl.textContent = `${this.matchIndex + 1} / ${this.matches.length}`;
    this.reveal(id);
    this.applyHighlights();
  }

  // ---- minimap -----------------------------------------------------------------------------
  private miniToGraph(ev: PointerEvent): { x: number; y: number } | null {
    if (!this.layout) return null;
    const ms = miniScale(this.layout);
    const r = this.mini.getBoundingClientRect();
    return { x: (ev.clientX - r.left - ms.ox) / ms.s, y: (ev.clientY - r.top - ms.oy) / ms.s };
  }

  private drawMinimapStatic(): void {
    const lay = this.layout;
    if (!lay) return;
    const { w, h } = this.stageSize();
    const big = lay.width * 0.9 > w || lay.height * 0.9 > h || lay.units.size > 60;
    this.mini.hidden = !big;
    if (!big) return;
    this.miniStatic ??= document.createElement("canvas");
    drawMiniStatic(this.miniStatic, lay, this.model!, this.palette(), miniScale(lay));
  }

  private updateMinimap(): void {
    if (!this.layout || this.mini.hidden || !this.miniStatic) return;
    drawMini(this.mini, this.miniStatic, this.layout, this.palette(), miniScale(this.layout), this.viewBox(), this.hl);
  }

  // ---- export ------------------------------------------------------------------------------
  /** The whole graph as a standalone SVG document (what the SVG button downloads). */
  svgText(): string {
    const lay = this.layout;
    if (!lay) return "";
    // every element, also those culled out of the document
    const g = svgEl("g");
    const layer = (cls: string, els: Element[]): void => {
      const l = svgEl("g", cls);
      for (const e of els) l.appendChild(e.cloneNode(true));
      g.appendChild(l);
    };
    layer("nbg-clusters", [...lay.clusters.keys()].map((id) => this.items.get(id)!.el));
    layer("nbg-edges", this.edgeBoxes.filter((e) => !e.label).map((e) => e.el));
    layer("nbg-nodes", [...lay.units.keys()].map((id) => this.items.get(id)!.el));
    layer("nbg-edges nbg-labels", this.edgeBoxes.filter((e) => e.label).map((e) => e.el));
    for (const el of Array.from(g.querySelectorAll("[style]"))) el.removeAttribute("style");
    return svgDocument(this.svg, this.viewport, g, this.root, lay.width, lay.height);
  }

  exportSvg(): void {
    const text = this.svgText();
    if (!text) return;
    download(new Blob([text], { type: "image/svg+xml" }), safeFileName(this.model?.data.model ?? "graph", "svg"));
  }

  async exportPng(): Promise<void> {
    const lay = this.layout;
    const text = this.svgText();
    if (!lay || !text) return;
    const png = await svgToPng(text, lay.width + 40, lay.height + 40, 2);
    download(png, safeFileName(this.model?.data.model ?? "graph", "png"));
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.anim);
    cancelAnimationFrame(this.cullFrame);
    clearTimeout(this.searchTimer);
    this.resizeObs?.disconnect();
    this.unTheme();
    this.root.remove();
  }
}

// ---- the runtime protocol (see loader.ts): attach, detach, message, render ----------------------

interface Slot {
  json: GraphJSON | null;
  version: number;
  views: Set<(json: GraphJSON) => void>;
}

const slots = new Map<string, Slot>();

function slot(uid: string): Slot {
  let s = slots.get(uid);
  if (!s) slots.set(uid, (s = { json: null, version: 0, views: new Set() }));
  return s;
}

function injectStyles(): void {
  const id = "nbboard-graph-styles";
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = VIEW_CSS + "\n" + SVG_CSS;
  document.head.appendChild(style);
}

export function attach(uid: string, _model: any): void {
  slot(uid);
}

export function detach(uid: string): void {
  slots.delete(uid);
}

/** A snapshot from the kernel: {type: "graph", full, version} with the record as UTF-8 JSON in buffers[0]. */
export function message(uid: string, content: any, buffers: any[]): void {
  if (!content || content.type !== "graph") return;
  const s = slot(uid);
  try {
    s.json = JSON.parse(new TextDecoder().decode(asBytes(buffers[0]))) as GraphJSON;
  } catch (err) {
    console.error("nbboard: bad graph snapshot", err);
    return;
  }
  s.version = Number(content.version ?? s.version + 1);
  for (const fn of s.views) fn(s.json);
}

export function render(kind: string, model: any, el: HTMLElement): () => void {
  injectStyles();
  if (kind !== "graph") {
    el.textContent = `nbboard: unknown view kind ${JSON.stringify(kind)}`;
    return () => {};
  }
  const uid = String(model.get("_uid"));
  const s = slot(uid);
  const options = (model.get("options") ?? {}) as { expand?: string[] | "all"; height?: number };
  const view = new GraphView(el, { title: String(model.get("title") ?? ""), expand: options.expand, height: options.height });
  const fn = (json: GraphJSON): void => view.setData(json);
  s.views.add(fn);
  let retry = 0;
  if (s.json) view.setData(s.json);
  else {
    // The kernel sends the snapshot when the view is displayed; a page reloaded later asks again.
    retry = window.setTimeout(() => {
      if (!s.json) requestResync(model);
    }, 2000);
  }
  return () => {
    clearTimeout(retry);
    s.views.delete(fn);
    view.dispose();
  };
}

/** Mount a graph view on a plain page (benchmarks, exported HTML). */
export function mountGraph(el: HTMLElement, json: GraphJSON, opts: GraphViewOptions = {}): GraphView {
  injectStyles();
  const v = new GraphView(el, opts);
  v.setData(json);
  return v;
}
