/**
 * The embedding projector: logged embeddings as a point cloud (3-D or 2-D, drawn by
 * ProjectorScene) with colour by a metadata column, label images, hover tooltips, click to select
 * a point and its nearest neighbours (computed here, in the page), regex search, isolation, and a
 * switch between PCA / t-SNE / UMAP: the kernel's coordinates when it computed them (asked with
 * `methods=`, for large data), else t-SNE and UMAP computed in the page by a Web Worker (pagerun.ts),
 * animated as they form, with their parameters, Stop and Re-run.
 * Data: the "projector" and "projector_coords" record series (nbboard/kinds/projector/).
 * Metadata strings are untrusted: they reach the page through textContent only.
 */
import { schedule, unschedule, type Frameable } from "../../scheduler";
import type { ViewContext } from "../../view/context";
import { el, injectCss } from "../../view/dom";
import { colorize, compileSearch, fitUnit, fmtNum, nearest, pointStates, searchMask, type Coloring, type Distance } from "./data";
import { EmbeddingIndex, METHOD_LABEL, type Embedding, type Method } from "./embeddings";
import { cleanParams, LAYOUT_DEFAULTS, PAGE_MAX_POINTS, type LayoutParams, type PageMethod } from "./layout";
import { PageRun } from "./pagerun";
import { base64ToF32, f32ToBase64, nextName, putBookmark, readBookmarks, readCustom, type Bookmark, type CustomQueries } from "./bookmarks";
import { customProjection, type CustomAxes } from "./custom";

const isPage = (m: Method): m is PageMethod => m === "tsne" || m === "umap";
const CUSTOM_SIDES: [keyof CustomQueries, string][] = [["left", "X: left"], ["right", "right"], ["down", "Y: down"], ["up", "up"]];
import { fillLegend, fillSelection, pointRows, statusLine } from "./panel";
import { ProjectorScene } from "./scene";
import { PROJECTOR_CSS } from "./style";

const G = globalThis as unknown as { __nbboard__?: { projectors?: Set<ProjectorView> } };

function injectStyles(node: Node): void {
  injectCss("nbboard-projector-styles-1", PROJECTOR_CSS, node);
}

function css(elm: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(elm).getPropertyValue(name).trim() || fallback;
}

/** The page layout's parameter fields, by method: [key, label, step, placeholder]. */
const PARAM_FIELDS: Record<PageMethod, [keyof LayoutParams, string, string, string][]> = {
  tsne: [["perplexity", "Perplexity", "1", ""], ["learningRate", "Learning rate", "1", "auto"], ["iterations", "Iterations", "50", ""]],
  umap: [["neighbors", "Neighbours", "1", ""], ["minDist", "Min dist", "0.05", ""], ["epochs", "Epochs", "50", "auto"]],
};

function option(sel: HTMLSelectElement, value: string, text: string): void {
  const o = el("option", undefined, text);
  o.value = value;
  sel.appendChild(o);
}

class ProjectorView implements Frameable {
  private root: HTMLElement;
  private stage: HTMLElement;
  private canvas: HTMLCanvasElement;
  private cloud: ProjectorScene;

  private index: EmbeddingIndex;
  private emb: Embedding | null = null;
  private pairKey = "";
  private stepIndex = -1;
  private followStep = true;
  private method: Method = "pca";
  private dims: 2 | 3 = 3;
  private colorBy = -1;
  private coloring: Coloring | null = null;
  private search = "";
  private searchCol = -1;
  private sprites = false;
  private metric: Distance = "euclidean";
  private k = 10;
  private selected = -1;
  private neighbours: { index: number[]; dist: number[] } = { index: [], dist: [] };
  private match: Uint8Array | null = null;
  private matchCount = 0;
  private isolated: Uint8Array | null = null;
  private states: Uint8Array = new Uint8Array(0);

  private hover = -1;
  private cursor: { x: number; y: number } | null = null;
  private down: { x: number; y: number } | null = null;
  private disposers: (() => void)[] = [];
  private ticker = 0;

  // DOM
  private selPair = el("select", "nbb-input");
  private selStep = el("select", "nbb-input");
  private methodBtns = new Map<Method, HTMLButtonElement>();
  private dimBtns = new Map<2 | 3, HTMLButtonElement>();
  private selColor = el("select", "nbb-input");
  private searchInput = el("input", "nbb-input nbb-pj-search");
  private selSearchCol = el("select", "nbb-input");
  private btnIsolate = el("button", "nbb-btn", "Isolate");
  private btnClear = el("button", "nbb-btn", "Clear");
  private btnSprites = el("button", "nbb-btn", "Images");
  private selMetric = el("select", "nbb-input");
  private legend = el("div", "nbb-pj-over nbb-pj-legend");
  private tip = el("div", "nbb-pj-over nbb-pj-tip");
  private info = el("div", "nbb-pj-over nbb-pj-info");
  private status = el("div", "nbb-pj-status");
  private hint = el("div", "nbb-pj-hint");
  private bar: HTMLElement | null = null;
  /** t-SNE / UMAP computed in the page, by embedding, method and dims (runKey) */
  private runs = new Map<string, PageRun>();
  private params: LayoutParams;
  /** the projections the kernel computes (the Board's: PCA only) */
  private kernelMethods: Method[];
  private paramBar = el("div", "nbb-toolbar nbb-pj-params");
  private paramInputs = new Map<keyof LayoutParams, HTMLInputElement>();
  private paramFields = new Map<keyof LayoutParams, HTMLElement>();
  private btnRun = el("button", "nbb-btn", "Run in page");
  private btnStop = el("button", "nbb-btn", "Stop");
  private progress = el("span", "nbb-pj-progress");
  private meter = el("div");
  private bookmarks: Bookmark[] = [];
  private custom: CustomQueries = { left: "", right: "", down: "", up: "" };
  private customInputs = new Map<keyof CustomQueries, HTMLInputElement>();
  private customFields: HTMLElement[] = [];
  private customCache: { key: string; res: CustomAxes; fit: Float32Array | null } | null = null;
  private runParts: HTMLElement[] = [];
  private bmName = el("input", "nbb-input nbb-pj-bm-name");
  private btnSaveBm = el("button", "nbb-btn", "Save bookmark");
  private selBm = el("select", "nbb-input");
  private btnDelBm = el("button", "nbb-btn", "×");
  private empty = el("div", "nbb-pj-empty", "Waiting for an embedding (writer.add_embedding)…");

  constructor(host: HTMLElement, private ctx: ViewContext) {
    injectStyles(host);
    const opts = (ctx.model.get("options") ?? {}) as Record<string, unknown>;
    const ui = ctx.ui;
    this.method = ui.get<Method>("pj_method", "pca");
    this.dims = ui.get<number>("pj_dims", Number(opts.dims) === 2 ? 2 : 3) === 2 ? 2 : 3;
    this.k = Math.max(1, Math.min(100, Number(opts.neighbors) || 10));
    this.sprites = ui.get<boolean>("pj_sprites", false);
    this.metric = ui.get<Distance>("pj_metric", "euclidean");
    this.pairKey = ui.get<string>("pj_pair", "");
    this.index = new EmbeddingIndex(ctx.records);

    this.root = el("div", "nbb-pj");
    const bar = el("div", "nbb-toolbar");
    const field = (label: string, ...kids: HTMLElement[]) => {
      const f = el("label", "nbb-field");
      f.append(el("span", "nbb-label", label), ...kids);
      return f;
    };
    this.selPair.addEventListener("change", () => this.choosePair(this.selPair.value));
    this.selStep.addEventListener("change", () => {
      this.stepIndex = Number(this.selStep.value);
      this.followStep = this.stepIndex === this.selStep.options.length - 1;
      this.showCurrent();
    });
    const seg = el("div", "nbb-field nbb-seg");
    seg.appendChild(el("span", "nbb-label", "Projection"));
    this.kernelMethods = ((Array.isArray(opts.methods) ? opts.methods : ["pca", "tsne", "umap"]) as Method[]).filter((m) => m in METHOD_LABEL);
    this.params = cleanParams({ ...LAYOUT_DEFAULTS, ...ui.get<Partial<LayoutParams>>("pj_params", {}) });
    // every projection is offered: what the kernel does not compute, the page does
    for (const m of ["pca", "tsne", "umap", "custom"] as Method[]) {
      if (!(m in METHOD_LABEL)) continue;
      const b = el("button", "nbb-btn", METHOD_LABEL[m]);
      b.type = "button";
      b.dataset.method = m;
      b.addEventListener("click", () => this.chooseMethod(m));
      this.methodBtns.set(m, b);
      seg.appendChild(b);
    }
    const seg2 = el("div", "nbb-field nbb-seg");
    seg2.appendChild(el("span", "nbb-label", "View"));
    for (const d of [2, 3] as const) {
      const b = el("button", "nbb-btn", `${d}D`);
      b.type = "button";
      b.dataset.dims = String(d);
      b.addEventListener("click", () => this.chooseDims(d));
      this.dimBtns.set(d, b);
      seg2.appendChild(b);
    }
    this.selColor.addEventListener("change", () => {
      this.colorBy = Number(this.selColor.value);
      ui.set("pj_color_by", this.colorBy >= 0 ? this.emb?.columns[this.colorBy]?.name ?? "" : "");
      this.recolor();
    });
    this.searchInput.type = "search";
    this.searchInput.placeholder = "regex, e.g. ^7$";
    this.searchInput.spellcheck = false;
    this.searchInput.addEventListener("input", () => this.setSearch(this.searchInput.value, this.searchCol));
    this.selSearchCol.addEventListener("change", () => this.setSearch(this.search, Number(this.selSearchCol.value)));
    this.btnIsolate.type = this.btnClear.type = this.btnSprites.type = "button";
    this.btnIsolate.title = "Show only the highlighted points (search matches, selection and neighbours)";
    this.btnIsolate.addEventListener("click", () => this.toggleIsolate());
    this.btnClear.title = "Clear the selection, search and isolation";
    this.btnClear.addEventListener("click", () => this.clearAll());
    this.btnSprites.title = "Draw each point as its label image";
    this.btnSprites.addEventListener("click", () => {
      this.sprites = !this.sprites;
      ui.set("pj_sprites", this.sprites);
      this.applySprites();
    });
    option(this.selMetric, "euclidean", "euclidean");
    option(this.selMetric, "cosine", "cosine");
    this.selMetric.value = this.metric;
    this.selMetric.addEventListener("change", () => {
      this.metric = this.selMetric.value as Distance;
      ui.set("pj_metric", this.metric);
      if (this.selected >= 0) this.select(this.selected);
    });
    bar.append(
      field("Embedding", this.selPair),
      field("Step", this.selStep),
      seg,
      seg2,
      field("Colour by", this.selColor),
      field("Search", this.searchInput, this.selSearchCol),
      this.btnIsolate,
      this.btnClear,
      this.btnSprites,
      field("Neighbours by", this.selMetric),
    );
    this.buildParamBar();
    this.stage = el("div", "nbb-pj-stage");
    this.stage.style.height = `${Math.max(200, Number(opts.height) || 520)}px`;
    this.canvas = el("canvas");
    this.canvas.tabIndex = 0;
    const hint = this.hint;
    this.stage.append(this.canvas, this.legend, this.info, this.tip, this.empty);
    this.legend.style.display = "none";
    const foot = el("div", "nbb-pj-foot");
    foot.append(this.status, this.buildBookmarkBar(), hint);
    this.root.append(bar, this.paramBar, this.stage, foot);
    this.bar = bar;
    bar.style.visibility = "hidden"; // until the first embedding arrives
    this.paramBar.style.display = "none";
    host.appendChild(this.root);
    this.root.dataset.testid = "nbb-projector";

    this.cloud = new ProjectorScene(this.canvas, this.stage, this.root, () => this.invalidate(), () => this.renderInfo());
    if (this.cloud.error) this.empty.textContent = `The projector needs WebGL, which this browser could not start (${this.cloud.error}).`;
    if (this.cloud.renderer) this.setupPointer();
    this.cloud.followTheme(() => {
      if (this.coloring?.kind === "none") this.recolor();
    });
    this.disposers.push(ctx.records.subscribe(() => this.sync()));
    this.ticker = window.setInterval(() => this.updateStatus(), 1000);
    (G.__nbboard__ ??= {}).projectors ??= new Set();
    G.__nbboard__.projectors!.add(this);
    this.syncDimButtons();
    this.cloud.resetCamera(this.dims);
    this.sync();
  }

  // ---- data ---------------------------------------------------------------------------
  private sync(): void {
    if (!this.index.update() && this.emb) return;
    const pairs = this.index.pairs();
    if (!pairs.size) return;
    this.empty.style.display = "none";
    if (this.bar) this.bar.style.visibility = "";
    const keys = [...pairs.keys()];
    this.selPair.replaceChildren();
    for (const k of keys) {
      const [run, tag] = k.split("\u001f");
      option(this.selPair, k, run === "." ? tag : `${run} · ${tag}`);
    }
    this.selPair.parentElement!.style.display = keys.length > 1 ? "" : "none";
    if (!pairs.has(this.pairKey)) this.pairKey = keys[0];
    this.selPair.value = this.pairKey;
    const list = pairs.get(this.pairKey)!;
    this.selStep.replaceChildren();
    list.forEach((e, i) => option(this.selStep, String(i), `${fmtNum(e.step)}`));
    this.selStep.parentElement!.style.display = list.length > 1 ? "" : "none";
    if (this.followStep || this.stepIndex < 0 || this.stepIndex >= list.length) this.stepIndex = list.length - 1;
    this.selStep.value = String(this.stepIndex);
    const next = list[this.stepIndex];
    if (next !== this.emb) this.show(next);
    else this.refreshCoords();
  }

  private choosePair(key: string): void {
    this.pairKey = key;
    this.ctx.ui.set("pj_pair", key);
    this.followStep = true;
    this.stepIndex = -1;
    this.emb = null;
    this.sync();
  }

  private showCurrent(): void {
    const list = this.index.pairs().get(this.pairKey);
    const e = list?.[this.stepIndex];
    if (e && e !== this.emb) this.show(e);
  }

  private show(e: Embedding): void {
    const prev = this.emb;
    if (prev && prev !== e) this.stopRun(); // its layout stays, for a return to that step
    this.emb = e;
    this.selected = -1;
    this.neighbours = { index: [], dist: [] };
    this.isolated = null;
    this.hover = -1;
    this.tip.style.display = "none";
    // colour-by and search columns: keep the column by name across steps
    // the column by name: the one shown for the previous step, else the saved choice ("" = none),
    // else the `color_by` option, else the first column with 2–50 distinct values
    const saved = this.ctx.ui.get<string | null>("pj_color_by", null);
    const optCol = (this.ctx.model.get("options") ?? {}).color_by;
    const want = prev ? (this.colorBy >= 0 ? prev.columns[this.colorBy]?.name : "") : saved ?? (optCol != null ? String(optCol) : null);
    this.selColor.replaceChildren();
    option(this.selColor, "-1", "none");
    e.columns.forEach((c, j) => option(this.selColor, String(j), c.name));
    let cb = e.columns.findIndex((c) => c.name === want);
    if (cb < 0 && want === null) cb = e.columns.findIndex((c) => c.categories.length > 1 && c.categories.length <= 50);
    this.colorBy = cb;
    this.selColor.value = String(cb);
    this.selColor.parentElement!.style.display = e.columns.length ? "" : "none";
    this.selSearchCol.replaceChildren();
    option(this.selSearchCol, "-1", "all columns");
    e.columns.forEach((c, j) => option(this.selSearchCol, String(j), c.name));
    this.selSearchCol.style.display = e.columns.length > 1 ? "" : "none";
    this.searchCol = Math.min(this.searchCol, e.columns.length - 1);
    this.selSearchCol.value = String(this.searchCol);
    this.searchInput.parentElement!.style.display = e.columns.length ? "" : "none";
    this.btnSprites.style.display = e.sprite ? "" : "none";
    this.states = new Uint8Array(e.n);
    this.cloud.build(e);
    this.refreshCoords();
    this.recolor();
    this.setSearch(this.search, this.searchCol);
    this.applySprites();
    this.cloud.loadImages(); // thumbnails in tooltips too
    this.renderInfo();
    if (!prev || prev.n !== e.n) this.cloud.resetCamera(this.dims);
  }

  /** Method buttons' states, and the coordinates of the chosen method: the page's layout when one
   * ran (or runs) for it, else the kernel's, else a page run is started and a fallback shown. */
  private refreshCoords(): void {
    const e = this.emb;
    if (!e) return;
    for (const [m, b] of this.methodBtns) {
      const p = e.coords.get(m);
      const ready = !!p?.raw;
      const failed = p?.state === "error";
      const byKernel = this.kernelMethods.includes(m);
      const inPage = m !== "pca" && e.m > 0;
      if (m === "custom") {
        b.disabled = !inPage;
        b.title = "Custom: axes between the centroids of points matching searches (left → right, down → up)";
        continue;
      }
      b.disabled = !ready && !failed && !inPage; // a failed one stays clickable: choosing it shows why in the status line
      b.classList.toggle("nbb-pj-busy", byKernel && (p?.state === "running" || p?.state === "queued" || !p));
      b.classList.toggle("nbb-pj-failed", failed && !inPage);
      b.title = ready ? `${METHOD_LABEL[m]}${p?.seconds !== undefined ? ` (computed in the kernel in ${p.seconds.toFixed(1)} s)` : ""}`
        : failed ? `${METHOD_LABEL[m]}: ${p?.message ?? "failed"}${inPage ? " (the page computes it)" : ""}`
        : byKernel ? `${METHOD_LABEL[m]}: computing in the kernel…` : `${METHOD_LABEL[m]}: computed in the page`;
    }
    let m = this.method;
    let arr: Float32Array | null = null;
    let layout = "";
    const run = isPage(m) ? this.runs.get(this.runKey(e, m)) : undefined;
    const custom = m === "custom" ? this.customAxes(e) : null;
    if (custom) {
      arr = custom.fit; // none while the searches define no axes: the previous positions stay
      layout = "custom";
    } else if (run?.coords) {
      arr = fitUnit(run.coords, e.n, 3, this.dims);
      layout = `${m}_page`;
    } else {
      const kernel = m !== "pca" ? e.coords.get(m) : undefined;
      const waitKernel = this.kernelMethods.includes(m) && kernel?.state !== "error";
      if (isPage(m) && !run && !kernel?.raw && !waitKernel) this.startRun(m, false);
      const shown = this.root.dataset.method as Method | undefined;
      if (!e.coords.get(m)?.raw) m = shown && shown !== m && e.coords.get(shown)?.raw ? shown : (["pca", "tsne", "umap"] as Method[]).find((x) => e.coords.get(x)?.raw) ?? m;
      // 2-D: the method's own 2-D layout once computed, else the 3-D one seen from above
      const p2 = this.dims === 2 && m !== "pca" ? e.coords.get(`${m}_2d`) : undefined;
      const p = p2?.raw ? p2 : e.coords.get(m);
      if (p?.raw) {
        const fit = (p.fit ??= {});
        arr = fit[this.dims] ??= fitUnit(p.raw, e.n, 3, this.dims);
        layout = p === p2 ? `${m}_2d` : m;
      }
    }
    if (arr || custom) {
      if (arr && arr !== this.cloud.positions) this.cloud.setPositions(arr);
      for (const [mm, b] of this.methodBtns) b.classList.toggle("nbb-on", mm === m);
      this.root.dataset.method = m;
      this.root.dataset.layout = arr ? layout : "";
    }
    this.renderParamBar();
    this.updateStatus();
  }

  // ---- custom projection ----------------------------------------------------------------------
  /** The custom axes of `e` for the current searches (cached), fitted for the current dims. */
  private customAxes(e: Embedding): { res: CustomAxes; fit: Float32Array | null } {
    const key = `${e.key}\u001f${JSON.stringify(this.custom)}\u001f${this.dims}`;
    if (this.customCache?.key === key) return this.customCache;
    const masks: (Uint8Array | null)[] = [];
    let bad = "";
    for (const [side] of CUSTOM_SIDES) {
      const re = compileSearch(this.custom[side]);
      const input = this.customInputs.get(side);
      input?.classList.toggle("nbb-invalid", !!re && "error" in re);
      if (re && "error" in re) bad ||= `the ${side} search: ${re.error}`;
      masks.push(re && !("error" in re) ? searchMask(re, e.columns, e.codes, e.n).mask : null);
    }
    let res = customProjection(e.vectors, e.n, e.m, masks[0], masks[1], masks[2], masks[3]);
    if (bad) res = { coords: null, counts: res.counts, error: bad };
    const fit = res.coords ? fitUnit(res.coords, e.n, 3, 2) : null;
    this.customCache = { key, res, fit };
    return this.customCache;
  }

  private setCustom(q: CustomQueries): void {
    this.custom = { ...q };
    for (const [side, input] of this.customInputs) if (input.value !== q[side]) input.value = q[side];
    this.ctx.ui.set("pj_custom", { ...this.custom });
    if (this.method === "custom") this.refreshCoords();
  }

  // ---- t-SNE / UMAP in the page ---------------------------------------------------------------
  private runKey(e: Embedding, m: Method): string {
    return `${e.key}\u001f${m}\u001f${this.dims}`;
  }

  private buildParamBar(): void {
    for (const m of ["tsne", "umap"] as PageMethod[]) {
      for (const [key, label, step, placeholder] of PARAM_FIELDS[m]) {
        const input = el("input", "nbb-input");
        input.type = "number";
        input.step = step;
        input.placeholder = placeholder;
        input.dataset.param = key;
        const v = this.params[key];
        input.value = placeholder === "auto" && v === 0 ? "" : String(v);
        input.addEventListener("change", () => {
          this.params = cleanParams({ ...this.params, [key]: input.value === "" && placeholder === "auto" ? 0 : input.value });
          const nv = this.params[key];
          input.value = placeholder === "auto" && nv === 0 ? "" : String(nv);
          this.ctx.ui.set("pj_params", { ...this.params });
        });
        this.paramInputs.set(key, input);
        const f = el("label", "nbb-field");
        f.append(el("span", "nbb-label", label), input);
        this.paramFields.set(key, f);
        this.paramBar.appendChild(f);
      }
    }
    this.custom = readCustom(this.ctx.ui.get<unknown>("pj_custom", null)) ?? this.custom;
    for (const [side, label] of CUSTOM_SIDES) {
      const input = el("input", "nbb-input nbb-pj-custom");
      input.type = "text"; // not "search": the toolbar's search box is the one input[type=search]
      input.spellcheck = false;
      input.placeholder = side === "left" || side === "down" ? "regex (blank: all)" : "regex, e.g. ^7$";
      input.dataset.custom = side;
      input.value = this.custom[side];
      input.addEventListener("input", () => this.setCustom({ ...this.custom, [side]: input.value }));
      this.customInputs.set(side, input);
      const f = el("label", "nbb-field");
      f.append(el("span", "nbb-label", label), input);
      this.customFields.push(f);
      this.paramBar.appendChild(f);
    }
    this.btnRun.type = this.btnStop.type = "button";
    this.btnRun.dataset.action = "run";
    this.btnStop.dataset.action = "stop";
    this.btnRun.addEventListener("click", () => {
      if (isPage(this.method)) this.startRun(this.method, true);
    });
    this.btnStop.addEventListener("click", () => this.stopRun());
    const meter = el("div", "nbb-pj-meter");
    meter.appendChild(this.meter);
    this.runParts = [this.btnRun, this.btnStop, meter];
    this.paramBar.append(this.btnRun, this.btnStop, meter, this.progress);
  }

  /** Compute `m` in the page for the embedding shown, in the current dims (`force`: again, even if one ran). */
  private startRun(m: PageMethod, force: boolean): void {
    const e = this.emb;
    if (!e || e.m === 0) return;
    const key = this.runKey(e, m);
    const old = this.runs.get(key);
    if (old && !force) return;
    for (const r of this.runs.values()) r.stop(); // one layout computes at a time
    if (e.n > PAGE_MAX_POINTS) {
      this.runs.delete(key);
      this.renderParamBar();
      return;
    }
    const run = new PageRun(m, this.dims, { ...this.params }, e.vectors, e.n, e.m, (r) => this.onRun(r, e, key));
    if (old) old.dispose();
    this.runs.set(key, run);
    this.renderParamBar();
  }

  private stopRun(): void {
    for (const r of this.runs.values()) r.stop();
  }

  private onRun(run: PageRun, e: Embedding, key: string): void {
    if (this.runs.get(key) !== run) return;
    if (this.emb === e && this.method === run.method && this.runKey(e, this.method) === key) this.refreshCoords();
  }

  /** The parameter bar under the toolbar: shown for t-SNE / UMAP, with the page run's progress. */
  private renderParamBar(): void {
    const e = this.emb;
    const m = this.method;
    if (!e || m === "pca" || e.m === 0) {
      this.paramBar.style.display = "none";
      delete this.root.dataset.pageState;
      return;
    }
    this.paramBar.style.display = "";
    for (const f of this.customFields) f.style.display = m === "custom" ? "" : "none";
    for (const p of this.runParts) p.style.display = m === "custom" ? "none" : "";
    if (!isPage(m)) {
      for (const f of this.paramFields.values()) f.style.display = "none";
      delete this.root.dataset.pageState;
      const { res } = this.customAxes(e);
      const c = res.counts;
      const n = (k: number) => (k < 0 ? "all" : fmtNum(k));
      this.progress.replaceChildren(res.error ? el("span", "nbb-pj-err", res.error)
        : `x: ${n(c.left)} → ${n(c.right)} points · y: ${n(c.down)} → ${n(c.up)} points (centroids in the ${e.space})`);
      return;
    }
    for (const [key, f] of this.paramFields) f.style.display = PARAM_FIELDS[m].some(([k]) => k === key) ? "" : "none";
    const run = this.runs.get(this.runKey(e, m));
    const kernel = e.coords.get(this.dims === 2 ? `${m}_2d` : m)?.raw ? e.coords.get(this.dims === 2 ? `${m}_2d` : m) : e.coords.get(m);
    const label = METHOD_LABEL[m];
    this.btnStop.disabled = !run?.active;
    this.btnRun.disabled = e.n > PAGE_MAX_POINTS;
    this.btnRun.textContent = run ? "Re-run" : "Run in page";
    this.btnRun.title = `Compute ${label} in this page (a Web Worker) with these parameters, over the ${e.space}`;
    let frac = 0;
    const parts: (string | HTMLElement)[] = [];
    if (run) {
      this.root.dataset.pageState = run.state;
      this.root.dataset.pageIter = String(run.iter);
      this.root.dataset.pageFrames = String(run.frames);
      frac = run.state === "done" ? 1 : run.total ? run.iter / run.total : 0;
      const step = m === "tsne" ? "iteration" : "epoch";
      if (run.state === "neighbours") parts.push(el("span", "nbb-pj-spin"), `${label} in the page: finding neighbours…`);
      else if (run.state === "running") parts.push(el("span", "nbb-pj-spin"), `${label} in the page: ${step} ${fmtNum(run.iter)} / ${fmtNum(run.total)} · ${run.seconds.toFixed(1)} s`);
      else if (run.state === "done" && run.message) parts.push(`${label} in the page: the layout ${run.message}`);
      else if (run.state === "done") parts.push(`${label} in the page: ${fmtNum(run.total)} ${step}s in ${run.seconds.toFixed(1)} s`);
      else if (run.state === "stopped") parts.push(`${label} in the page: stopped at ${step} ${fmtNum(run.iter)} / ${fmtNum(run.total)}`);
      else parts.push(el("span", "nbb-pj-err", `${label} in the page failed: ${run.message}`));
    } else {
      delete this.root.dataset.pageState;
      if (kernel?.raw) {
        frac = 1;
        parts.push(`${label} computed in the kernel${kernel.seconds !== undefined ? ` in ${kernel.seconds.toFixed(1)} s` : ""}`);
      } else if (e.n > PAGE_MAX_POINTS) {
        parts.push(el("span", "nbb-pj-err", `${fmtNum(e.n)} points is more than the page lays out (${fmtNum(PAGE_MAX_POINTS)}): nbboard.Projector(..., methods=("${m}",)) computes it in the kernel`));
      } else if (this.kernelMethods.includes(m)) parts.push(el("span", "nbb-pj-spin"), `${label} computing in the kernel…`);
    }
    this.meter.style.width = `${Math.round(Math.min(1, frac) * 100)}%`;
    this.progress.replaceChildren(...parts);
  }

  private chooseMethod(m: Method): void {
    if (m !== this.method) this.stopRun();
    this.method = m;
    if (m === "custom" && this.dims === 3) this.chooseDims(2); // a plane: seen face on
    this.ctx.ui.set("pj_method", m);
    this.refreshCoords();
  }

  private chooseDims(d: 2 | 3): void {
    if (d === this.dims) return;
    this.dims = d;
    this.ctx.ui.set("pj_dims", d);
    this.syncDimButtons();
    this.cloud.resetCamera(d);
    this.refreshCoords();
  }

  private syncDimButtons(): void {
    for (const [d, b] of this.dimBtns) b.classList.toggle("nbb-on", d === this.dims);
    this.cloud.setDims(this.dims);
    this.root.dataset.dims = String(this.dims);
    this.hint.textContent = this.dims === 3 ? "drag: rotate · right-drag: pan · wheel: zoom · click: select" : "drag: pan · wheel: zoom · click: select";
  }

  // ---- bookmarks ------------------------------------------------------------------------
  private buildBookmarkBar(): HTMLElement {
    this.bookmarks = readBookmarks(this.ctx.ui.get<unknown>("pj_bookmarks", []));
    const bar = el("div", "nbb-pj-bookmarks");
    this.bmName.type = "text";
    this.bmName.placeholder = "bookmark name";
    this.bmName.spellcheck = false;
    this.btnSaveBm.type = this.btnDelBm.type = "button";
    this.btnSaveBm.title = "Save the projection, camera, colouring, search and selection under this name";
    this.btnSaveBm.addEventListener("click", () => this.saveBookmark(this.bmName.value));
    this.bmName.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") this.saveBookmark(this.bmName.value);
    });
    this.selBm.title = "Restore a bookmark";
    this.selBm.addEventListener("change", () => this.restoreBookmark(this.selBm.value));
    this.btnDelBm.title = "Delete the chosen bookmark";
    this.btnDelBm.addEventListener("click", () => this.deleteBookmark(this.selBm.value));
    bar.append(this.bmName, this.btnSaveBm, this.selBm, this.btnDelBm);
    this.renderBookmarks("");
    return bar;
  }

  private renderBookmarks(current: string): void {
    this.selBm.replaceChildren();
    option(this.selBm, "", this.bookmarks.length ? `Bookmarks (${this.bookmarks.length})` : "No bookmarks");
    for (const b of this.bookmarks) option(this.selBm, b.name, b.name);
    this.selBm.value = this.bookmarks.some((b) => b.name === current) ? current : "";
    this.selBm.disabled = !this.bookmarks.length;
    this.btnDelBm.disabled = !this.selBm.value;
  }

  /** Save what the view shows as bookmark `name` (a free "Bookmark N" when blank). */
  private saveBookmark(name: string): void {
    const e = this.emb;
    if (!e) return;
    const nm = name.trim().slice(0, 200) || nextName(this.bookmarks);
    const m = this.method;
    const run = isPage(m) ? this.runs.get(this.runKey(e, m)) : undefined;
    const pageShown = this.root.dataset.layout === `${m}_page` && run?.coords;
    const b: Bookmark = {
      name: nm, pair: this.pairKey, step: this.stepIndex, method: m, dims: this.dims,
      colorBy: this.colorBy >= 0 ? e.columns[this.colorBy]?.name ?? "" : "",
      search: this.search, searchCol: this.searchCol, selected: this.selected,
      camera: this.cloud.cameraState(),
      custom: m === "custom" ? { ...this.custom } : null,
      layout: pageShown && run?.coords ? { method: m, params: { ...run.params }, coords: f32ToBase64(run.coords) } : null,
    };
    this.bookmarks = putBookmark(this.bookmarks, b);
    this.ctx.ui.set("pj_bookmarks", this.bookmarks);
    this.bmName.value = "";
    this.renderBookmarks(nm);
  }

  private deleteBookmark(name: string): void {
    this.bookmarks = this.bookmarks.filter((b) => b.name !== name);
    this.ctx.ui.set("pj_bookmarks", this.bookmarks);
    this.renderBookmarks("");
  }

  /** Show bookmark `name` again: embedding and step, dims, colouring, projection (with its page layout), search, selection, camera. */
  private restoreBookmark(name: string): void {
    const b = this.bookmarks.find((x) => x.name === name);
    this.btnDelBm.disabled = !b;
    if (!b) return;
    const pairs = this.index.pairs();
    if (b.pair !== this.pairKey && pairs.has(b.pair)) this.choosePair(b.pair);
    const list = pairs.get(this.pairKey) ?? [];
    if (b.step >= 0 && b.step < list.length && b.step !== this.stepIndex) {
      this.stepIndex = b.step;
      this.followStep = b.step === list.length - 1;
      this.selStep.value = String(b.step);
      this.showCurrent();
    }
    const e = this.emb;
    if (!e) return;
    if (b.dims !== this.dims) {
      this.dims = b.dims;
      this.ctx.ui.set("pj_dims", b.dims);
      this.syncDimButtons();
    }
    const cb = b.colorBy ? e.columns.findIndex((c) => c.name === b.colorBy) : -1;
    if (cb !== this.colorBy) {
      this.colorBy = cb;
      this.selColor.value = String(cb);
      this.ctx.ui.set("pj_color_by", b.colorBy);
      this.recolor();
    }
    const m = b.method as Method;
    if (m !== this.method) this.stopRun();
    if (b.custom) this.setCustom(b.custom);
    if (b.layout && b.layout.method === m && isPage(m)) {
      const coords = base64ToF32(b.layout.coords);
      if (coords && coords.length === e.n * 3) {
        const key = this.runKey(e, m);
        this.runs.get(key)?.dispose();
        this.runs.set(key, PageRun.restored(m, this.dims, cleanParams(b.layout.params), coords));
      }
    }
    this.method = m;
    this.ctx.ui.set("pj_method", m);
    this.refreshCoords();
    this.setSearch(b.search, Math.min(b.searchCol, e.columns.length - 1));
    this.selSearchCol.value = String(this.searchCol);
    this.select(b.selected >= 0 && b.selected < e.n ? b.selected : -1);
    if (b.camera) this.cloud.setCameraState(b.camera);
    else this.cloud.resetCamera(this.dims);
  }

  // ---- colours and states -------------------------------------------------------------
  private recolor(): void {
    const e = this.emb;
    if (!e || !this.cloud.geometry) return;
    const col = this.colorBy >= 0 ? e.columns[this.colorBy] : null;
    const codes = col && e.codes ? e.codes.subarray(this.colorBy * e.n, (this.colorBy + 1) * e.n) : null;
    const { rgb, coloring } = colorize(col, codes, e.n, css(this.root, "--nbb-accent", "#1976d2"));
    this.coloring = coloring;
    this.cloud.setColors(rgb);
    this.renderLegend();
    this.renderInfo();
  }

  private applyStates(): void {
    const e = this.emb;
    if (!e || !this.cloud.geometry) return;
    this.states = pointStates(e.n, this.match, this.selected, this.neighbours.index, this.isolated, this.states);
    this.cloud.setStates(this.states);
    const focus = this.match !== null || this.selected >= 0;
    this.btnIsolate.disabled = !focus && !this.isolated;
    this.btnIsolate.textContent = this.isolated ? "Show all" : "Isolate";
    this.btnClear.disabled = !focus && !this.isolated;
  }

  private applySprites(): void {
    const e = this.emb;
    if (!e) return;
    const on = this.sprites && !!e.sprite;
    this.btnSprites.classList.toggle("nbb-on", on);
    this.cloud.showSprites(on);
  }

  // ---- selection, search, isolation -------------------------------------------------------
  private select(i: number): void {
    const e = this.emb;
    if (!e) return;
    this.selected = i;
    this.neighbours = i >= 0 && e.m > 0 ? nearest(e.vectors, e.n, e.m, i, this.k, this.metric) : { index: [], dist: [] };
    this.root.dataset.selected = String(i);
    this.applyStates();
    this.renderInfo();
  }

  private setSearch(text: string, col: number): void {
    const e = this.emb;
    this.search = text;
    this.searchCol = col;
    if (this.searchInput.value !== text) this.searchInput.value = text;
    const re = compileSearch(text);
    this.searchInput.classList.toggle("nbb-invalid", !!re && "error" in re);
    this.searchInput.title = re && "error" in re ? re.error : "Highlight points whose metadata matches this regular expression";
    if (!e || !re || "error" in re) {
      this.match = null;
      this.matchCount = 0;
    } else {
      const r = searchMask(re, e.columns, e.codes, e.n, col);
      this.match = r.mask;
      this.matchCount = r.count;
    }
    this.renderLegend();
    this.applyStates();
    this.updateStatus();
  }

  private toggleIsolate(): void {
    const e = this.emb;
    if (!e) return;
    if (this.isolated) this.isolated = null;
    else {
      const keep = new Uint8Array(e.n);
      if (this.match) keep.set(this.match);
      if (this.selected >= 0) keep[this.selected] = 1;
      for (const j of this.neighbours.index) keep[j] = 1;
      this.isolated = keep;
    }
    this.applyStates();
    this.cloud.fitTo(this.isolated, this.dims);
    this.updateStatus();
  }

  private clearAll(): void {
    this.isolated = null;
    this.selected = -1;
    this.neighbours = { index: [], dist: [] };
    delete this.root.dataset.selected;
    this.setSearch("", this.searchCol);
    this.renderInfo();
    this.cloud.fitTo(this.isolated, this.dims);
  }

  // ---- pointer --------------------------------------------------------------------------
  private setupPointer(): void {
    const cv = this.canvas;
    const local = (ev: PointerEvent | MouseEvent) => {
      const r = cv.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    const onMove = (ev: PointerEvent) => {
      if (ev.buttons) {
        this.cursor = null;
        return;
      }
      this.cursor = local(ev);
      this.invalidate();
    };
    const onDown = (ev: PointerEvent) => {
      this.down = local(ev);
    };
    const onUp = (ev: PointerEvent) => {
      const p = local(ev);
      const d = this.down;
      this.down = null;
      if (!d || Math.hypot(p.x - d.x, p.y - d.y) > 4 || ev.button !== 0) return;
      const i = this.cloud.pickAt(p.x, p.y);
      if (i >= 0) this.select(i);
      else if (this.selected >= 0) this.select(-1);
    };
    const onLeave = () => {
      this.cursor = null;
      this.setHover(-1);
    };
    cv.addEventListener("pointermove", onMove);
    cv.addEventListener("pointerdown", onDown);
    cv.addEventListener("pointerup", onUp);
    cv.addEventListener("pointerleave", onLeave);
    this.disposers.push(() => {
      cv.removeEventListener("pointermove", onMove);
      cv.removeEventListener("pointerdown", onDown);
      cv.removeEventListener("pointerup", onUp);
      cv.removeEventListener("pointerleave", onLeave);
    });
  }

  private setHover(i: number): void {
    if (i === this.hover) return;
    this.hover = i;
    this.stage.classList.toggle("nbb-pj-hovering", i >= 0);
    const e = this.emb;
    if (i < 0 || !e) {
      this.tip.style.display = "none";
      return;
    }
    this.tip.replaceChildren(...pointRows(e, i, 6, this.cloud.thumbnail(i, 48)));
    this.tip.style.display = "block";
    this.placeTip();
  }

  private placeTip(): void {
    const c = this.cursor;
    if (!c || this.hover < 0) return;
    const w = this.stage.clientWidth, h = this.stage.clientHeight;
    const tw = this.tip.offsetWidth, th = this.tip.offsetHeight;
    const x = c.x + 14 + tw > w ? c.x - 14 - tw : c.x + 14;
    const y = c.y + 14 + th > h ? c.y - 10 - th : c.y + 14;
    this.tip.style.left = `${Math.max(2, x)}px`;
    this.tip.style.top = `${Math.max(2, y)}px`;
  }

  private labelOf(e: Embedding, i: number): string {
    const j = this.colorBy >= 0 ? this.colorBy : 0;
    if (!e.columns.length || !e.codes) return `#${i}`;
    return e.columns[j].categories[e.codes[j * e.n + i]] ?? `#${i}`;
  }

  // ---- panels -----------------------------------------------------------------------------
  private renderInfo(): void {
    const e = this.emb;
    const i = this.selected;
    if (!e || i < 0) {
      this.info.style.display = "none";
      return;
    }
    fillSelection(this.info, {
      label: this.labelOf(e, i),
      color: this.cloud.colorOf(i),
      rows: pointRows(e, i, 12, this.cloud.thumbnail(i, 64)),
      neighbours: this.neighbours,
      note: `${this.metric} distance in ${e.space}`,
      labelOf: (j) => this.labelOf(e, j),
      colorOf: (j) => this.cloud.colorOf(j),
      select: (j) => this.select(j),
    });
    this.info.style.display = "block";
  }

  private renderLegend(): void {
    const c = this.coloring;
    if (!c || !this.emb || c.kind === "none") {
      this.legend.style.display = "none";
      return;
    }
    const isOn = (pattern: string) => this.search === pattern && this.searchCol === this.colorBy;
    fillLegend(this.legend, c, isOn, (pattern) => {
      const on = isOn(pattern);
      this.selSearchCol.value = String(on ? this.searchCol : this.colorBy);
      this.setSearch(on ? "" : pattern, this.colorBy);
    });
    this.legend.style.display = "block";
  }

  private updateStatus(): void {
    const e = this.emb;
    if (!e) return;
    this.status.replaceChildren(
      ...statusLine(e, {
        shown: this.root.dataset.method as Method | undefined,
        chosen: this.method,
        // the kernel's states, but not the one whose layout the page drew instead
        methods: this.kernelMethods.filter((m) => !(m === this.method && this.root.dataset.layout === `${m}_page`)),
        dims: this.dims,
        matches: this.match ? this.matchCount : null,
        isolated: !!this.isolated,
      }),
    );
  }

  // ---- drawing --------------------------------------------------------------------------
  invalidate(): void {
    schedule(this);
  }

  frame(now: number): void {
    if (!this.cloud.renderer) return;
    const moved = this.cloud.frame(now);
    if (this.cursor && !moved) {
      const i = this.cloud.pickAt(this.cursor.x, this.cursor.y);
      this.setHover(i);
      this.placeTip();
    }
    if (moved || this.cloud.benching) schedule(this);
  }

  /** Rotate for `frames` animation frames and report the frame rate (benchmarks). */
  bench(frames = 120, lod = true): ReturnType<ProjectorScene["bench"]> {
    return this.cloud.bench(frames, lod);
  }

  /** The three.js objects, for tests and benchmarks that render and read pixels themselves. */
  get renderer(): ProjectorScene["renderer"] {
    return this.cloud.renderer;
  }
  get scene(): ProjectorScene["scene"] {
    return this.cloud.scene;
  }
  get camera(): ProjectorScene["camera"] {
    return this.cloud.camera;
  }
  get geometry(): ProjectorScene["geometry"] {
    return this.cloud.geometry;
  }

  /** Test hooks: select a point, search, switch projection (what the toolbar and clicks do). */
  get api() {
    return {
      select: (i: number) => this.select(i),
      search: (t: string) => this.setSearch(t, this.searchCol),
      method: (m: Method) => this.chooseMethod(m),
      /** the positions drawn (n×3, fitted into the unit cube) and a column's category codes */
      positions: () => Array.from(this.cloud.positions ?? []),
      codes: (j: number) => (this.emb?.codes ? Array.from(this.emb.codes.subarray(j * this.emb.n, (j + 1) * this.emb.n)) : []),
      run: () => isPage(this.method) && this.startRun(this.method, true),
      stop: () => this.stopRun(),
      saveBookmark: (name: string) => this.saveBookmark(name),
      restoreBookmark: (name: string) => this.restoreBookmark(name),
      camera: () => this.cloud.cameraState(),
      bookmarks: () => this.bookmarks,
      page: () => {
        const e = this.emb;
        const r = e && isPage(this.method) ? this.runs.get(this.runKey(e, this.method)) : undefined;
        return r ? { state: r.state, iter: r.iter, total: r.total, frames: r.frames, seconds: r.seconds, message: r.message } : null;
      },
      dims: (d: 2 | 3) => this.chooseDims(d),
      screenOf: (i: number) => this.cloud.screenOf(i),
      state: () => ({ n: this.emb?.n ?? 0, selected: this.selected, neighbours: [...this.neighbours.index], matches: this.matchCount, method: this.root.dataset.method ?? "", dims: this.dims, coloring: this.coloring?.kind ?? "" }),
    };
  }

  dispose(): void {
    window.clearInterval(this.ticker);
    for (const r of this.runs.values()) r.dispose();
    this.runs.clear();
    unschedule(this);
    for (const d of this.disposers.splice(0)) d();
    G.__nbboard__?.projectors?.delete(this);
    this.cloud.dispose();
    this.root.remove();
  }
}

/** Draws the projector into `root` (the 3-D bundle's entry for view kind "projector"). */
export function renderProjector(root: HTMLElement, ctx: ViewContext): () => void {
  const v = new ProjectorView(root, ctx);
  return () => v.dispose();
}
