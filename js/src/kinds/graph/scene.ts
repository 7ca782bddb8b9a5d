/**
 * The drawing of a laid-out graph: an SVG of modules (open ones as boxes around their insides),
 * nodes, edges with shape labels and bands over repeated blocks, under one pan/zoom transform.
 * Re-layouts animate from the previous drawing; big graphs keep only what is in view in the
 * document, and far out are drawn on a canvas instead. Names go in as text and attributes only.
 */
import { drawOverview, readPalette, type Palette, type ViewBox } from "./canvas";
import { category, fmtShape, headerText, type GraphModel } from "./graph_model";
import { pathData, type Box, type Layout } from "./layout";
import { nodeLines } from "./sizes";
import { stats } from "./stats";
import { svgDocument } from "./svg_export";

const SVGNS = "http://www.w3.org/2000/svg";
const ANIMATE_MAX = 1500; // visible items above which re-layout is not animated
const ANIMATE_MS = 280;
const CULL_MIN = 600; // drawn items above which only those in view are displayed
const OVERVIEW_K = 0.22; // below this zoom, a big graph is drawn on a canvas instead

let sceneCounter = 0;

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

interface Item {
  el: SVGGElement;
  rect: SVGRectElement;
  stack?: SVGRectElement;
  box: Box;
  cluster: boolean;
  shown: boolean;
}

export class GraphScene {
  readonly svg: SVGSVGElement;
  /** where a big graph is drawn when zoomed far out */
  readonly overviewCanvas: HTMLCanvasElement;
  private viewport: SVGGElement;
  private clusterLayer: SVGGElement;
  private bandLayer: SVGGElement;
  private edgeLayer: SVGGElement;
  private labelLayer: SVGGElement;
  private nodeLayer: SVGGElement;
  private model: GraphModel | null = null;
  private layout: Layout | null = null;
  private items = new Map<string, Item>();
  private edgeBoxes: { el: SVGElement; label: boolean; x0: number; y0: number; x1: number; y1: number; shown: boolean }[] = [];
  /** the transform: graph point p is drawn at (tx + k·p.x, ty + k·p.y) */
  k = 1;
  private tx = 0;
  private ty = 0;
  private uid = ++sceneCounter;
  private anim = 0;
  private disposed = false;
  private overview = false;
  private culling = false;
  private cullFrame = 0;
  private pal: Palette | null = null;
  private palTheme = "";

  /**
   * `stage`: the element the drawing fills (its size is the view's); `root`: the view's root,
   * whose --nbg-* variables colour the canvases and the exported SVG; `onTransform`: after each pan or zoom.
   */
  constructor(
    private stage: HTMLElement,
    private root: HTMLElement,
    private onTransform: () => void,
  ) {
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
    this.overviewCanvas = document.createElement("canvas");
    this.overviewCanvas.className = "nbg-overview";
    this.overviewCanvas.hidden = true;
  }

  /** Forget every drawn item (a new graph). */
  clear(): void {
    for (const it of this.items.values()) it.el.remove();
    this.items.clear();
    this.layout = null;
  }

  /** Where node or module `id` was drawn last. */
  boxOf(id: string): Box | undefined {
    return this.items.get(id)?.box;
  }

  /** Mark `id` as the selected item (or unmark it). */
  markSelected(id: string, on: boolean): void {
    this.items.get(id)?.el.classList.toggle("nbg-selected", on);
  }

  /** The other calls of the selected item's module: marked `nbg-same` (none: clear the marks). */
  markSame(ids: ReadonlySet<string>): void {
    for (const [id, it] of this.items) it.el.classList.toggle("nbg-same", ids.has(id));
  }

  /** Search highlights: `hits` are marked as matches while `searching`. */
  highlight(searching: boolean, hits: ReadonlySet<string>): void {
    this.svg.classList.toggle("nbg-searching", searching);
    for (const [id, it] of this.items) it.el.classList.toggle("nbg-match", hits.has(id));
  }

  /** The node or module under a pointer event (on the canvas overview too), or null. */
  itemOf(ev: MouseEvent): string | null {
    return this.overview ? this.itemAtPoint(ev.clientX, ev.clientY) : this.itemAt(ev.target);
  }

  /** The theme changed: canvas colours are read again on next use. */
  resetPalette(): void {
    this.pal = null;
  }

  /** Centre the view on graph point (x, y) at the current zoom. */
  lookAt(x: number, y: number): void {
    const { w, h } = this.stageSize();
    this.tx = w / 2 - x * this.k;
    this.ty = h / 2 - y * this.k;
    this.applyTransform();
  }

  /** Draw `lay` of `model` (animated from `prev`, the layout drawn before, when it is small enough). */
  draw(model: GraphModel, lay: Layout, prev: Layout | null): void {
    this.model = model;
    this.layout = lay;
    const m = model;
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
      const [label, sub] = headerText(g!, m.callOf(id));
      title.textContent = label;
      const t2 = svgEl("tspan");
      t2.textContent = sub;
      title.appendChild(t2);
      el.appendChild(title);
      const close = svgEl("text", "nbg-cbtn");
      close.setAttribute("y", "15");
      close.textContent = "−";
      el.appendChild(close);
      if (g!.repeat > 1 && !m.uses.has(id)) this.addStripe(el, g!.sig, 26);
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
      const [l1, l2] = nodeLines(m, id);
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
        if (g.repeat > 1 && !m.uses.has(id)) {
          this.addStripe(el, g.sig, 0);
          const rep = svgEl("text", "nbg-rep");
          rep.textContent = `×${g.repeat}`;
          rep.setAttribute("fill", `hsl(${hue(g.sig)}, 55%, 45%)`);
          el.appendChild(rep);
        }
      }
      const call = m.callOf(id);
      if (call) {
        // one module called several times (its parameters shared): marked alike on every call
        el.classList.add("nbg-shared");
        const mark = svgEl("text", "nbg-callmark");
        mark.textContent = `↻ ${call[0]}/${call[1]}`;
        el.appendChild(mark);
      }
      const tipText = svgEl("title");
      tipText.textContent = call ? `${id} — one module called ${call[1]} times (shared parameters); this is call ${call[0]}` : id;
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
      const mid = it.el.querySelector(".nbg-callmark") ? b.h / 2 + 7 : b.h / 2; // below the call mark
      if (cls === "nbg-l1") {
        c.setAttribute("x", String(b.w / 2));
        c.setAttribute("y", String(it.el.querySelector(".nbg-l2") ? mid - 7 : mid + 0.5));
      } else if (cls === "nbg-l2") {
        c.setAttribute("x", String(b.w / 2));
        c.setAttribute("y", String(mid + 8));
      } else if (cls === "nbg-badge") {
        c.setAttribute("x", String(b.w - 11));
        c.setAttribute("y", "10");
      } else if (cls === "nbg-rep" || cls === "nbg-callmark") {
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
        // calls of one shared module are one module, not identical copies: no band
        while (j < kids.length && g.repeat > 1 && !m.uses.has(g.id) && m.groups.get(kids[j])!.sig === g.sig) j++;
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
  applyTransform(): void {
    this.viewport.setAttribute("transform", `translate(${this.tx},${this.ty}) scale(${this.k})`);
    this.svg.classList.toggle("nbg-lod", this.k < 0.55);
    this.onTransform();
    if (!this.cullFrame) this.cullFrame = requestAnimationFrame(() => {
      this.cullFrame = 0;
      this.cull();
    });
  }

  /** Big graphs: display only what is in view, and below OVERVIEW_K draw everything on a canvas. */
  cull(): void {
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

  viewBox(): ViewBox {
    const { w, h } = this.stageSize();
    return { k: this.k, tx: this.tx, ty: this.ty, w, h };
  }

  /** Canvas colours from the theme (read once per theme). */
  palette(): Palette {
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

  private itemAt(target: EventTarget | null): string | null {
    const el = (target as Element | null)?.closest?.("[data-id]");
    if (!el || !this.svg.contains(el)) return null;
    return el.getAttribute("data-id");
  }

  stageSize(): { w: number; h: number } {
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
  initialView(): void {
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

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.anim);
    cancelAnimationFrame(this.cullFrame);
  }
}
