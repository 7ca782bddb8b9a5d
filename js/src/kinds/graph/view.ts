/**
 * The model graph view: a traced model drawn by GraphScene, with modules that open and close in
 * place (double-click), a node panel, search, zoom/pan/fit, a minimap and SVG/PNG export.
 * Everything runs in the page on the snapshot it already has. Node names come from the model and
 * are untrusted: they only ever reach the page through textContent and setAttribute.
 */
import { drawMini, drawMiniStatic, miniScale } from "./canvas";
import { fmtCount, GraphModel, runOrder, type GraphJSON } from "./graph_model";
import { GraphLayouter, type Layout } from "./layout";
import { fillPanel } from "./panel";
import { GraphScene } from "./scene";
import { NodeSizes } from "./sizes";
import { stats } from "./stats";
import { safeFileName, svgToPng } from "./svg_export";
import { onThemeChange } from "../../theme";
import { el as htmlEl } from "../../view/dom";
import { download } from "../../view/download";

const ASYNC_MIN = 24; // containers to lay out above which layout runs in slices

export interface GraphViewOptions {
  title?: string;
  expand?: string[] | "all";
  height?: number;
}

export class GraphView {
  readonly root: HTMLDivElement;
  private stage: HTMLDivElement;
  private scene: GraphScene;
  private mini: HTMLCanvasElement;
  private miniStatic: HTMLCanvasElement | null = null;
  private panel: HTMLDivElement;
  private status: HTMLDivElement;
  private titleEl: HTMLSpanElement;
  private search: HTMLInputElement;
  private countEl: HTMLSpanElement;
  private runSelect: HTMLSelectElement;
  private graphs = new Map<string, GraphJSON>();
  private run: string | null = null;
  /** whether the user picked the run shown (else the first run in runOrder is shown) */
  private picked = false;
  private model: GraphModel | null = null;
  private layouter: GraphLayouter | null = null;
  private open = new Set<string>();
  private layout: Layout | null = null;
  private matches: string[] = [];
  private matchIndex = -1;
  private selected: string | null = null;
  private sizes: NodeSizes;
  private disposed = false;
  private resizeObs: ResizeObserver | null = null;
  private searchTimer = 0;
  private hasFit = false;
  private layoutToken = 0;
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
    this.runSelect = htmlEl("select", "nbg-run");
    this.runSelect.title = "Run: whose graph is shown";
    this.runSelect.setAttribute("aria-label", "Run");
    this.runSelect.hidden = true;
    this.runSelect.addEventListener("change", () => {
      this.picked = true;
      this.showRun(this.runSelect.value);
    });
    const btn = (label: string, title: string, fn: () => void): HTMLButtonElement => {
      const b = htmlEl("button", "nbg-btn", label);
      b.type = "button";
      b.title = title;
      b.addEventListener("click", fn);
      return b;
    };
    bar.append(
      this.titleEl, this.runSelect, this.search, this.countEl,
      btn("◀", "Previous match", () => this.gotoMatch(-1)),
      btn("▶", "Next match (Enter)", () => this.gotoMatch(1)),
      htmlEl("span", "nbg-sp"),
      btn("Fit", "Fit the graph to the view", () => this.scene.fit()),
      btn("Expand all", "Open every module", () => this.setOpen(new Set(this.model?.allGroups() ?? []), false)),
      btn("Collapse all", "Close every module", () => this.setOpen(new Set(), true)),
      btn("SVG", "Download the graph as SVG", () => this.exportSvg()),
      btn("PNG", "Download the graph as PNG", () => void this.exportPng()),
    );
    this.stage = htmlEl("div", "nbg-stage");
    this.scene = new GraphScene(this.stage, this.root, () => this.updateMinimap());
    this.mini = htmlEl("canvas", "nbg-mini");
    this.mini.hidden = true;
    this.panel = htmlEl("div", "nbg-panel");
    this.panel.hidden = true;
    this.status = htmlEl("div", "nbg-status");
    this.stage.append(this.scene.svg, this.scene.overviewCanvas, this.mini, this.panel, this.status);
    this.root.append(bar, this.stage);
    host.appendChild(this.root);
    const family = getComputedStyle(this.root).getPropertyValue("--nbg-font").trim() || "sans-serif";
    this.sizes = new NodeSizes(family);
    this.bindEvents();
    this.unTheme = onThemeChange(() => {
      this.scene.resetPalette();
      this.drawMinimapStatic();
      this.scene.applyTransform();
    });
    const empty = htmlEl("div", "nbg-empty", "Waiting for a graph: call writer.add_graph(model, example_input).");
    this.status.textContent = "";
    this.stage.appendChild(empty);
  }

  // ---- data ------------------------------------------------------------------------------
  /** Every run's graph (run → record): a run selector when there are several. The run the user
   * picked stays while it has a graph; else the first run in runOrder ('.' first) is shown, whatever
   * order the runs arrived in. A run's new graph replaces the one drawn. */
  setRuns(graphs: ReadonlyMap<string, GraphJSON>): void {
    const old = this.graphs;
    this.graphs = new Map(graphs);
    const runs = runOrder([...this.graphs.keys()]);
    this.runSelect.hidden = runs.length < 2;
    this.runSelect.replaceChildren(...runs.map((r) => {
      const o = htmlEl("option", undefined, r);
      o.value = r;
      return o;
    }));
    const run = this.picked && this.run !== null && this.graphs.has(this.run) ? this.run : runs[0] ?? null;
    if (run === null) return;
    this.runSelect.value = run;
    if (run !== this.run || old.get(run) !== this.graphs.get(run)) this.showRun(run);
  }

  /** The run whose graph is shown (null before any). */
  get shownRun(): string | null {
    return this.run;
  }

  /** Show run `run`'s graph (from the last setRuns). */
  showRun(run: string): void {
    const json = this.graphs.get(run);
    if (!json) return;
    const other = run !== this.run;
    this.run = run;
    this.runSelect.value = run;
    if (other) this.model = null; // another run's model: start it as a fresh graph
    this.setData(json);
  }

  setData(json: GraphJSON): void {
    this.stage.querySelector(".nbg-empty")?.remove();
    const prevOpen = this.model ? this.open : null;
    this.model = new GraphModel(json);
    const model = this.model;
    this.layouter = new GraphLayouter(model, (id) => this.sizes.size(model, id), {
      headerWidth: (g) => this.sizes.headerWidth(model, g),
    });
    this.open = prevOpen ? new Set([...prevOpen].filter((g) => model.groups.has(g))) : model.initialOpen(this.opts.expand);
    this.titleEl.textContent = json.model;
    this.titleEl.title = this.opts.title ? `${json.model} — ${this.opts.title}` : json.model;
    const small = htmlEl("small", undefined, `${fmtCount(json.params)} params · via ${json.method}`);
    this.titleEl.appendChild(small);
    this.scene.clear();
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

  // ---- layout and drawing ----------------------------------------------------------------
  /** Open exactly the modules in `open`; then fit the whole graph, or show its top at a readable zoom. */
  private setOpen(open: Set<string>, fit: boolean): void {
    if (!this.model || !this.layouter) return;
    const changed = new Set<string>();
    for (const g of open) if (!this.open.has(g)) changed.add(g);
    for (const g of this.open) if (!open.has(g)) changed.add(g);
    for (const g of changed) this.layouter.invalidate(g);
    this.open = open;
    this.relayout(() => (fit ? this.scene.fit() : this.scene.initialView()));
  }

  /** Open or close one module, keeping it where it is on screen. */
  toggle(id: string): void {
    if (!this.model || !this.layouter || !this.model.isGroup(id)) return;
    const before = this.scene.boxOf(id);
    if (this.open.has(id)) {
      this.open.delete(id);
      for (const g of [...this.open]) if (this.model.ancestors(g).includes(id)) this.open.delete(g);
    } else this.open.add(id);
    this.layouter.invalidate(id);
    this.relayout(() => {
      const after = this.scene.boxOf(id);
      // keep the module's top-left corner fixed on screen
      if (before && after) this.scene.pan((before.x - after.x) * this.scene.k, (before.y - after.y) * this.scene.k);
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
    this.scene.draw(this.model!, lay, prev);
    this.applyHighlights();
    const t2 = performance.now();
    stats.layouts++;
    stats.lastLayoutMs = t1 - t0 + asyncMs;
    stats.lastRenderMs = t2 - t1;
    stats.maxLayoutMs = Math.max(stats.maxLayoutMs, stats.lastLayoutMs);
    const m = this.model!;
    this.status.textContent = `${lay.units.size} shown · ${m.nodes.size} nodes · ${m.groups.size} modules · double-click a module to open or close it`;
    if (!this.hasFit) {
      this.hasFit = true;
      this.scene.initialView();
    }
    this.drawMinimapStatic();
    this.scene.applyTransform();
    this.scene.cull();
  }

  fit(): void {
    this.scene.fit();
  }

  /** Zoom by `factor` around the stage point (px, py). */
  zoom(factor: number, px: number, py: number): void {
    this.scene.zoom(factor, px, py);
  }

  pan(dx: number, dy: number): void {
    this.scene.pan(dx, dy);
  }

  /** Center the view on a node or module (zooming in if it would be tiny). */
  centerOn(id: string): void {
    this.scene.centerOn(id);
  }

  // ---- events ------------------------------------------------------------------------------
  private bindEvents(): void {
    const svg = this.scene.svg;
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
      this.scene.pan(dx, dy);
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
      const id = this.scene.itemOf(ev);
      if (id !== null && this.model?.isGroup(id)) this.toggle(id);
    });
    svg.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      const dy = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
      this.scene.zoom(Math.exp(-dy * 0.0016), ev.clientX - r.left, ev.clientY - r.top);
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
      this.scene.lookAt(p.x, p.y);
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

  private onClick(ev: PointerEvent): void {
    const id = this.scene.itemOf(ev);
    const target = ev.target as Element;
    if (id !== null && this.layout?.clusters.has(id) && target.classList?.contains("nbg-cbtn")) {
      this.toggle(id);
      return;
    }
    this.select(id);
  }

  // ---- selection panel ---------------------------------------------------------------------
  select(id: string | null): void {
    if (this.selected) this.scene.markSelected(this.selected, false);
    this.selected = id;
    this.markSame();
    if (!id || !this.model) {
      this.panel.hidden = true;
      return;
    }
    this.scene.markSelected(id, true);
    this.fillPanel(id);
  }

  /** Mark the other calls of the selected module (a module called more than once). */
  private markSame(): void {
    const id = this.selected;
    this.scene.markSame(id && this.model ? this.model.otherUses(id, this.open) : new Set());
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
      this.scene.centerOn(id);
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
    const hl = on ? this.model.highlighted(this.matches, this.open) : new Set<string>();
    this.hl = hl;
    this.updateMinimap();
    const openHits = on ? new Set(this.matches.filter((id) => this.layout!.clusters.has(id))) : new Set<string>();
    this.scene.highlight(on, new Set([...hl, ...openHits]));
    if (this.selected) this.scene.markSelected(this.selected, true);
    this.markSame();
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
    const { w, h } = this.scene.stageSize();
    const big = lay.width * 0.9 > w || lay.height * 0.9 > h || lay.units.size > 60;
    this.mini.hidden = !big;
    if (!big) return;
    this.miniStatic ??= document.createElement("canvas");
    drawMiniStatic(this.miniStatic, lay, this.model!, this.scene.palette(), miniScale(lay));
  }

  private updateMinimap(): void {
    if (!this.layout || this.mini.hidden || !this.miniStatic) return;
    drawMini(this.mini, this.miniStatic, this.layout, this.scene.palette(), miniScale(this.layout), this.scene.viewBox(), this.hl);
  }

  // ---- export ------------------------------------------------------------------------------
  exportSvg(): void {
    const text = this.scene.svgText();
    if (!text) return;
    download(new Blob([text], { type: "image/svg+xml" }), safeFileName(this.model?.data.model ?? "graph", "svg"));
  }

  async exportPng(): Promise<void> {
    const lay = this.layout;
    const text = this.scene.svgText();
    if (!lay || !text) return;
    const png = await svgToPng(text, lay.width + 40, lay.height + 40, 2);
    download(png, safeFileName(this.model?.data.model ?? "graph", "png"));
  }

  dispose(): void {
    this.disposed = true;
    this.scene.dispose();
    clearTimeout(this.searchTimer);
    this.resizeObs?.disconnect();
    this.unTheme();
    this.root.remove();
  }
}
