/**
 * The embedding projector: logged embeddings as a three.js point cloud (3-D or 2-D) with
 * orbit/zoom/pan, colour by a metadata column, label images as sprites, hover tooltips, click
 * to select a point and its nearest neighbours (computed here, in the page), regex search,
 * isolation, and an instant switch between the precomputed PCA / t-SNE / UMAP coordinates.
 * Data: the "projector" and "projector_coords" record series (nbboard/widgets/projector.py).
 * Metadata strings are untrusted: they reach the page through textContent only.
 */
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  LinearFilter,
  PerspectiveCamera,
  Points,
  Scene,
  ShaderMaterial,
  Texture,
  Vector3,
  WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import {
  colorize,
  compileSearch,
  fitUnit,
  fmtNum,
  nearest,
  PickGrid,
  pointStates,
  searchMask,
  viridis,
  type Coloring,
  type Distance,
} from "./data";
import { escapeRegex } from "../../lib/format";
import { EmbeddingIndex, METHOD_LABEL, type Embedding, type Method } from "./embeddings";
import { FRAG, VERT } from "./shaders";
import { PROJECTOR_CSS } from "./style";
import { hasRecords, type ViewContext, type ViewSpec } from "../../view/context";
import { el } from "../../view/dom";
import { schedule, unschedule, type Frameable } from "../../scheduler";
import { onThemeChange, readTheme } from "../../theme";

const G = globalThis as unknown as { __nbboard__?: { projectors?: Set<ProjectorView> } };

function injectStyles(): void {
  const id = "nbboard-projector-styles-1";
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = PROJECTOR_CSS;
  document.head.appendChild(style);
}

function css(elm: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(elm).getPropertyValue(name).trim() || fallback;
}

function option(sel: HTMLSelectElement, value: string, text: string): void {
  const o = el("option", undefined, text);
  o.value = value;
  sel.appendChild(o);
}

export class ProjectorView implements Frameable {
  private root: HTMLElement;
  private stage: HTMLElement;
  private canvas: HTMLCanvasElement;
  private renderer: WebGLRenderer | null = null;
  private scene = new Scene();
  private camera = new PerspectiveCamera(40, 1, 0.01, 100);
  private controls: OrbitControls | null = null;
  private geometry: BufferGeometry | null = null;
  private material: ShaderMaterial | null = null;
  private points: Points | null = null;
  private texture: Texture | null = null;
  private textureKey = "";
  private atlas: ImageBitmap | null = null;

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
  private pos: Float32Array | null = null;

  private grid: PickGrid | null = null;
  private gridDirty = true;
  private hover = -1;
  private cursor: { x: number; y: number } | null = null;
  private down: { x: number; y: number } | null = null;
  private needsRender = true;
  private disposers: (() => void)[] = [];
  private ticker = 0;
  private benchHook: ((now: number) => void) | null = null;
  // Level of detail while the camera moves: draw the first `budget` points of a shuffled order
  // (highlighted points first), tuned to keep ≥ 50 fps; everything is drawn once it stops.
  private order: Uint32Array | null = null;
  private budget = Infinity;
  private lastFrame = 0;
  private frameMs = 16;
  private fastFrames = 0;
  private drawn = 0;
  private lod = true;

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
  private empty = el("div", "nbb-pj-empty", "Waiting for an embedding (writer.add_embedding)…");

  constructor(host: HTMLElement, private ctx: ViewContext) {
    injectStyles();
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
    const methods = (Array.isArray(opts.methods) ? opts.methods : ["pca", "tsne", "umap"]) as Method[];
    for (const m of methods) {
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
    this.stage = el("div", "nbb-pj-stage");
    this.stage.style.height = `${Math.max(200, Number(opts.height) || 520)}px`;
    this.canvas = el("canvas");
    this.canvas.tabIndex = 0;
    const hint = this.hint;
    this.stage.append(this.canvas, this.legend, this.info, this.tip, this.empty);
    this.legend.style.display = "none";
    const foot = el("div", "nbb-pj-foot");
    foot.append(this.status, hint);
    this.root.append(bar, this.stage, foot);
    this.bar = bar;
    bar.style.visibility = "hidden"; // until the first embedding arrives
    host.appendChild(this.root);
    this.root.dataset.testid = "nbb-projector";

    try {
      this.renderer = new WebGLRenderer({ canvas: this.canvas, antialias: false, alpha: false, powerPreference: "high-performance" });
      this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
      this.renderer.setClearColor(new Color(readTheme(this.root).background), 1);
    } catch (err) {
      this.empty.textContent = `The projector needs WebGL, which this browser could not start (${err instanceof Error ? err.message : String(err)}).`;
      this.renderer = null;
    }
    if (this.renderer) {
      const controls = (this.controls = new OrbitControls(this.camera, this.canvas));
      controls.enableDamping = true;
      controls.dampingFactor = 0.15;
      controls.rotateSpeed = 0.8;
      controls.zoomSpeed = 1.2;
      controls.minDistance = 0.05;
      controls.maxDistance = 20;
      controls.addEventListener("change", () => this.invalidate());
      this.setupPointer();
      const ro = new ResizeObserver(() => this.resize());
      ro.observe(this.stage);
      this.disposers.push(() => ro.disconnect(), () => controls.dispose());
    }
    this.disposers.push(onThemeChange(() => this.applyTheme()));
    this.disposers.push(ctx.records.subscribe(() => this.sync()));
    this.ticker = window.setInterval(() => this.updateStatus(), 1000);
    (G.__nbboard__ ??= {}).projectors ??= new Set();
    G.__nbboard__.projectors!.add(this);
    this.syncDimButtons();
    this.resetCamera();
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
    this.pos = null;
    this.buildGeometry();
    this.refreshCoords();
    this.recolor();
    this.setSearch(this.search, this.searchCol);
    this.applySprites();
    if (e.sprite && this.textureKey !== e.key) void this.loadAtlas(e); // thumbnails in tooltips too
    this.renderInfo();
    if (!prev || prev.n !== e.n) this.resetCamera();
  }

  /** Method buttons' states, and the coordinates if the chosen method (or a fallback) is ready. */
  private refreshCoords(): void {
    const e = this.emb;
    if (!e) return;
    for (const [m, b] of this.methodBtns) {
      const p = e.coords.get(m);
      const ready = !!p?.raw;
      const failed = p?.state === "error";
      b.disabled = !ready && !failed; // a failed one stays clickable: choosing it shows why in the status line
      b.classList.toggle("nbb-pj-busy", p?.state === "running" || p?.state === "queued" || !p);
      b.classList.toggle("nbb-pj-failed", failed);
      b.title = ready ? `${METHOD_LABEL[m]}${p?.seconds !== undefined ? ` (computed in ${p.seconds.toFixed(1)} s)` : ""}`
        : p?.state === "error" ? `${METHOD_LABEL[m]}: ${p.message ?? "failed"}` : `${METHOD_LABEL[m]}: computing in the kernel…`;
      b.classList.toggle("nbb-on", m === this.method && ready);
    }
    let m = this.method;
    const shown = this.root.dataset.method as Method | undefined;
    if (!e.coords.get(m)?.raw) m = shown && e.coords.get(shown)?.raw ? shown : (["pca", "tsne", "umap"] as Method[]).find((x) => e.coords.get(x)?.raw) ?? m;
    // 2-D: the method's own 2-D layout once computed, else the 3-D one seen from above
    const p2 = this.dims === 2 && m !== "pca" ? e.coords.get(`${m}_2d`) : undefined;
    const p = p2?.raw ? p2 : e.coords.get(m);
    if (p?.raw) {
      const fit = (p.fit ??= {});
      const arr = (fit[this.dims] ??= fitUnit(p.raw, e.n, 3, this.dims));
      if (arr !== this.pos) {
        this.pos = arr;
        this.geometry?.setAttribute("position", new BufferAttribute(arr, 3));
        this.geometry?.computeBoundingSphere();
        this.gridDirty = true;
        this.invalidate();
      }
      for (const [mm, b] of this.methodBtns) b.classList.toggle("nbb-on", mm === m);
      this.root.dataset.method = m;
      this.root.dataset.layout = p === p2 ? `${m}_2d` : m;
    }
    this.updateStatus();
  }

  private chooseMethod(m: Method): void {
    this.method = m;
    this.ctx.ui.set("pj_method", m);
    this.refreshCoords();
  }

  private chooseDims(d: 2 | 3): void {
    if (d === this.dims) return;
    this.dims = d;
    this.ctx.ui.set("pj_dims", d);
    this.syncDimButtons();
    this.resetCamera();
    this.refreshCoords();
  }

  private syncDimButtons(): void {
    for (const [d, b] of this.dimBtns) b.classList.toggle("nbb-on", d === this.dims);
    if (this.controls) {
      this.controls.enableRotate = this.dims === 3;
      this.controls.screenSpacePanning = true;
      this.controls.mouseButtons.LEFT = this.dims === 3 ? 0 /* ROTATE */ : 2 /* PAN */;
    }
    this.root.dataset.dims = String(this.dims);
    this.hint.textContent = this.dims === 3 ? "drag: rotate · right-drag: pan · wheel: zoom · click: select" : "drag: pan · wheel: zoom · click: select";
  }

  // ---- GPU objects ----------------------------------------------------------------------
  private buildGeometry(): void {
    const e = this.emb;
    if (!e || !this.renderer) return;
    if (this.points) this.scene.remove(this.points);
    this.geometry?.dispose();
    const g = (this.geometry = new BufferGeometry());
    g.setAttribute("position", new BufferAttribute(new Float32Array(e.n * 3), 3));
    g.setAttribute("aColor", new BufferAttribute(new Uint8Array(e.n * 3), 3, true));
    g.setAttribute("aState", new BufferAttribute(new Uint8Array(e.n), 1, false)); // read as float in the shader
    if (!this.material) {
      this.material = new ShaderMaterial({
        vertexShader: VERT,
        fragmentShader: FRAG,
        uniforms: {
          uScale: { value: 10 },
          uSprite: { value: 0 },
          uBg: { value: new Color(1, 1, 1) },
          uRing: { value: new Color(0, 0, 0) },
          uGrid: { value: [1, 1] },
          uAtlas: { value: null },
        },
        depthTest: true,
        depthWrite: true,
      });
      this.applyTheme();
    }
    this.order = shuffled(e.n);
    g.setIndex(new BufferAttribute(this.order, 1));
    this.budget = Infinity;
    this.points = new Points(g, this.material);
    this.points.frustumCulled = false;
    this.scene.add(this.points);
    this.grid = new PickGrid(e.n);
    this.gridDirty = true;
    this.updatePointSize();
  }

  private updatePointSize(): void {
    const e = this.emb;
    if (!e || !this.material) return;
    const dpr = this.renderer?.getPixelRatio() ?? 1;
    const h = Math.max(200, this.stage.clientHeight || 520) / 520;
    const px = this.sprites && e.sprite ? Math.min(40, Math.max(10, 24 * Math.sqrt(1500 / e.n))) : Math.min(8, Math.max(2, 6.5 * Math.pow(2000 / e.n, 0.3)));
    this.material.uniforms.uScale.value = px * dpr * h * 3.0;
    this.invalidate();
  }

  private recolor(): void {
    const e = this.emb;
    if (!e || !this.geometry) return;
    const col = this.colorBy >= 0 ? e.columns[this.colorBy] : null;
    const codes = col && e.codes ? e.codes.subarray(this.colorBy * e.n, (this.colorBy + 1) * e.n) : null;
    const { rgb, coloring } = colorize(col, codes, e.n, css(this.root, "--nbb-accent", "#1976d2"));
    this.coloring = coloring;
    this.geometry.setAttribute("aColor", new BufferAttribute(rgb, 3, true));
    this.renderLegend();
    this.renderInfo();
    this.invalidate();
  }

  private applyStates(): void {
    const e = this.emb;
    if (!e || !this.geometry) return;
    this.states = pointStates(e.n, this.match, this.selected, this.neighbours.index, this.isolated, this.states);
    const attr = this.geometry.getAttribute("aState") as BufferAttribute;
    (attr.array as Uint8Array).set(this.states);
    attr.needsUpdate = true;
    if (this.order) {
      // highlighted points first, so a partial draw while moving still shows all of them
      const o = this.order;
      const hi: number[] = [];
      const lo: number[] = [];
      for (let k = 0; k < o.length; k++) (this.states[o[k]] >= 2 && this.states[o[k]] !== 5 ? hi : lo).push(o[k]);
      o.set(hi, 0);
      o.set(lo, hi.length);
      (this.geometry.getIndex() as BufferAttribute).needsUpdate = true;
    }
    this.gridDirty = true;
    const focus = this.match !== null || this.selected >= 0;
    this.btnIsolate.disabled = !focus && !this.isolated;
    this.btnIsolate.textContent = this.isolated ? "Show all" : "Isolate";
    this.btnClear.disabled = !focus && !this.isolated;
    this.invalidate();
  }

  private applySprites(): void {
    const e = this.emb;
    if (!e || !this.material) return;
    const on = this.sprites && !!e.sprite;
    this.btnSprites.classList.toggle("nbb-on", on);
    this.material.uniforms.uSprite.value = on && this.texture && this.textureKey === e.key ? 1 : 0;
    if (on && e.sprite && this.textureKey !== e.key) void this.loadAtlas(e);
    this.updatePointSize();
  }

  private async loadAtlas(e: Embedding): Promise<void> {
    if (!e.png || !e.sprite) return;
    const key = e.key;
    this.textureKey = key;
    try {
      const bmp = await createImageBitmap(new Blob([e.png as BlobPart], { type: "image/png" }));
      if (this.emb !== e) return;
      this.texture?.dispose();
      this.atlas?.close();
      this.atlas = bmp;
      const t = new Texture(bmp);
      t.flipY = false;
      t.generateMipmaps = false;
      t.minFilter = LinearFilter;
      t.magFilter = LinearFilter;
      t.needsUpdate = true;
      this.texture = t;
      const u = this.material!.uniforms;
      u.uAtlas.value = t;
      const rows = Math.ceil(e.sprite.count / e.sprite.cols);
      u.uGrid.value = [e.sprite.cols, rows];
      this.applySprites();
      this.renderInfo();
    } catch (err) {
      console.warn("nbboard: could not decode the sprite atlas", err);
      this.textureKey = "";
    }
  }

  private applyTheme(): void {
    const t = readTheme(this.root);
    const bg = new Color(t.background);
    this.renderer?.setClearColor(bg, 1);
    if (this.material) {
      (this.material.uniforms.uBg.value as Color).copy(bg);
      (this.material.uniforms.uRing.value as Color).set(t.text.startsWith("rgba") ? (bg.getHSL({ h: 0, s: 0, l: 0 }).l < 0.5 ? "#ffffff" : "#111111") : t.text);
    }
    if (this.coloring?.kind === "none") this.recolor();
    this.invalidate();
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
    this.fitToVisible();
    this.updateStatus();
  }

  private clearAll(): void {
    this.isolated = null;
    this.selected = -1;
    this.neighbours = { index: [], dist: [] };
    delete this.root.dataset.selected;
    this.setSearch("", this.searchCol);
    this.renderInfo();
    this.fitToVisible();
  }

  // ---- camera ---------------------------------------------------------------------------
  private resetCamera(): void {
    const c = this.camera;
    if (this.dims === 3) c.position.set(1.55, 1.05, 2.2);
    else c.position.set(0, 0, 3.0);
    c.up.set(0, 1, 0);
    c.lookAt(0, 0, 0);
    if (this.controls) {
      this.controls.target.set(0, 0, 0);
      this.controls.update();
    }
    this.invalidate();
  }

  /** Centre the view on the visible points (after isolating, or back to all). */
  private fitToVisible(): void {
    const e = this.emb;
    const pos = this.pos;
    if (!e || !pos || !this.controls) return;
    if (!this.isolated) {
      this.resetCamera();
      return;
    }
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    let any = false;
    for (let i = 0; i < e.n; i++) {
      if (!this.isolated[i]) continue;
      any = true;
      for (let a = 0; a < 3; a++) {
        const v = pos[i * 3 + a];
        if (v < lo[a]) lo[a] = v;
        if (v > hi[a]) hi[a] = v;
      }
    }
    if (!any) return;
    const mid = new Vector3((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2);
    const r = Math.max(0.08, Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2);
    const dir = this.camera.position.clone().sub(this.controls.target).normalize();
    this.controls.target.copy(mid);
    this.camera.position.copy(mid).addScaledVector(dir, r * 2.6 + 0.1);
    this.controls.update();
    this.invalidate();
  }

  private resize(): void {
    if (!this.renderer) return;
    const w = Math.max(1, this.stage.clientWidth), h = Math.max(1, this.stage.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.updatePointSize();
    this.gridDirty = true;
    this.invalidate();
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
      const i = this.pickAt(p.x, p.y);
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

  /** The point under canvas pixel (x, y), or -1. */
  pickAt(x: number, y: number): number {
    const e = this.emb;
    if (!e || !this.grid || !this.pos) return -1;
    if (this.gridDirty) {
      this.camera.updateMatrixWorld();
      const m = this.camera.projectionMatrix.clone().multiply(this.camera.matrixWorldInverse);
      const vis = new Uint8Array(e.n);
      for (let i = 0; i < e.n; i++) vis[i] = this.states[i] === 5 ? 0 : 1;
      this.grid.build(this.pos, m.elements, this.stage.clientWidth, this.stage.clientHeight, vis);
      this.gridDirty = false;
    }
    const dpr = this.renderer?.getPixelRatio() ?? 1;
    const s = this.material ? (this.material.uniforms.uScale.value as number) / dpr / Math.max(0.3, this.camera.position.distanceTo(this.controls?.target ?? new Vector3())) : 6;
    return this.grid.pick(x, y, Math.max(5, Math.min(24, s * 0.6)));
  }

  /** The canvas pixel where point i is drawn (for tests and benchmarks), or null. */
  screenOf(i: number): { x: number; y: number } | null {
    if (!this.pos || !this.emb || i < 0 || i >= this.emb.n) return null;
    const v = new Vector3(this.pos[i * 3], this.pos[i * 3 + 1], this.pos[i * 3 + 2]).project(this.camera);
    return { x: (v.x * 0.5 + 0.5) * this.stage.clientWidth, y: (1 - (v.y * 0.5 + 0.5)) * this.stage.clientHeight };
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
    this.tip.replaceChildren(...this.describePoint(e, i, 6, 48));
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

  /** DOM for a point's metadata (textContent only) and its label image. */
  private describePoint(e: Embedding, i: number, maxCols: number, thumb: number): HTMLElement[] {
    const out: HTMLElement[] = [];
    const img = this.thumbnail(e, i, thumb);
    if (img) out.push(img);
    const kv = (k: string, v: string) => {
      const row = el("div", "nbb-pj-kv");
      row.append(el("span", "nbb-pj-k", k), el("span", "nbb-pj-v", v));
      return row;
    };
    e.columns.slice(0, maxCols).forEach((c, j) => {
      const code = e.codes ? e.codes[j * e.n + i] : -1;
      out.push(kv(c.name, code >= 0 ? c.categories[code] ?? "" : ""));
    });
    if (e.columns.length > maxCols) out.push(el("div", "nbb-pj-k", `… ${e.columns.length - maxCols} more columns`));
    out.push(kv("point", `#${i}`));
    return out;
  }

  private thumbnail(e: Embedding, i: number, size: number): HTMLCanvasElement | null {
    const s = e.sprite;
    if (!s || !this.atlas || this.textureKey !== e.key) return null;
    const cv = el("canvas", "nbb-pj-thumb");
    const scale = Math.max(1, Math.floor(size / Math.max(s.w, s.h)));
    cv.width = s.w * scale;
    cv.height = s.h * scale;
    const g = cv.getContext("2d");
    if (!g) return null;
    g.imageSmoothingEnabled = false;
    g.drawImage(this.atlas, (i % s.cols) * s.w, Math.floor(i / s.cols) * s.h, s.w, s.h, 0, 0, cv.width, cv.height);
    return cv;
  }

  private labelOf(e: Embedding, i: number): string {
    const j = this.colorBy >= 0 ? this.colorBy : 0;
    if (!e.columns.length || !e.codes) return `#${i}`;
    return e.columns[j].categories[e.codes[j * e.n + i]] ?? `#${i}`;
  }

  private colorOf(i: number): string {
    const a = this.geometry?.getAttribute("aColor")?.array as Uint8Array | undefined;
    if (!a) return "#888";
    return `rgb(${a[i * 3]}, ${a[i * 3 + 1]}, ${a[i * 3 + 2]})`;
  }

  // ---- panels -----------------------------------------------------------------------------
  private renderInfo(): void {
    const e = this.emb;
    const i = this.selected;
    if (!e || i < 0) {
      this.info.style.display = "none";
      return;
    }
    const head = el("div", "nbb-pj-info-head");
    const sw = el("span", "nbb-pj-swatch");
    sw.style.background = this.colorOf(i);
    const close = el("button", "nbb-btn", "×");
    close.type = "button";
    close.title = "Clear the selection";
    close.addEventListener("click", () => this.select(-1));
    head.append(sw, el("b", undefined, this.labelOf(e, i)), close);
    const nodes: HTMLElement[] = [head, ...this.describePoint(e, i, 12, 64)];
    nodes.push(el("div", "nbb-pj-sec", `${this.neighbours.index.length} nearest neighbours`));
    const note = el("div", "nbb-pj-k", `${this.metric} distance in ${e.space}`);
    note.style.color = "var(--nbb-fg3)";
    nodes.push(note);
    this.neighbours.index.forEach((j, r) => {
      const row = el("div", "nbb-pj-nn");
      const s = el("span", "nbb-pj-swatch");
      s.style.background = this.colorOf(j);
      row.append(s, el("span", "nbb-pj-name", this.labelOf(e, j)), el("span", "nbb-pj-count", fmtNum(this.neighbours.dist[r])));
      row.title = `point #${j}`;
      row.addEventListener("click", () => this.select(j));
      nodes.push(row);
    });
    this.info.replaceChildren(...nodes);
    this.info.style.display = "block";
  }

  private renderLegend(): void {
    const c = this.coloring;
    const e = this.emb;
    if (!c || !e || c.kind === "none") {
      this.legend.style.display = "none";
      return;
    }
    const nodes: HTMLElement[] = [el("div", "nbb-pj-legend-title", c.column)];
    if (c.kind === "categorical") {
      for (const entry of c.entries) {
        const row = el("div", "nbb-pj-legend-row");
        const sw = el("span", "nbb-pj-swatch");
        sw.style.background = entry.color;
        row.append(sw, el("span", "nbb-pj-name", entry.label), el("span", "nbb-pj-count", fmtNum(entry.count)));
        const pattern = entry.other ? "" : `^${escapeRegex(entry.label)}$`;
        row.title = entry.other ? "the less frequent values" : "Click to highlight these points";
        if (pattern && this.search === pattern && this.searchCol === this.colorBy) row.classList.add("nbb-on");
        if (pattern) row.addEventListener("click", () => {
          const on = this.search === pattern && this.searchCol === this.colorBy;
          this.selSearchCol.value = String(on ? this.searchCol : this.colorBy);
          this.setSearch(on ? "" : pattern, this.colorBy);
        });
        nodes.push(row);
      }
    } else {
      const ramp = el("canvas", "nbb-pj-ramp");
      ramp.width = 160;
      ramp.height = 10;
      const g = ramp.getContext("2d");
      if (g) {
        for (let x = 0; x < 160; x++) {
          const [r, gg, b] = viridis(x / 159);
          g.fillStyle = `rgb(${r},${gg},${b})`;
          g.fillRect(x, 0, 1, 10);
        }
      }
      const labels = el("div", "nbb-pj-ramp-labels");
      labels.append(el("span", undefined, fmtNum(c.min)), el("span", undefined, fmtNum((c.min + c.max) / 2)), el("span", undefined, fmtNum(c.max)));
      nodes.push(ramp, labels);
    }
    this.legend.replaceChildren(...nodes);
    this.legend.style.display = "block";
  }

  private updateStatus(): void {
    const e = this.emb;
    if (!e) return;
    const parts: (string | HTMLElement)[] = [`${fmtNum(e.n)} points · ${e.d}-D`];
    const shown = this.root.dataset.method as Method | undefined;
    const p = shown ? e.coords.get(shown) : undefined;
    if (shown === "pca" && p?.evr) {
      const tot = p.evr.slice(0, this.dims).reduce((a, b) => a + b, 0);
      parts.push(` · PCA: ${(tot * 100).toFixed(1)}% of variance (${p.evr.slice(0, this.dims).map((v) => (v * 100).toFixed(1) + "%").join(", ")})`);
    } else if (shown) parts.push(` · ${METHOD_LABEL[shown]}`);
    if (this.match) parts.push(` · ${fmtNum(this.matchCount)} match`);
    if (this.isolated) parts.push(" · isolated");
    const keys: string[] = [...this.methodBtns.keys()];
    if (this.dims === 2 && shown && shown !== "pca") keys.push(`${shown}_2d`);
    for (const m of keys) {
      const q = e.coords.get(m);
      const label = m.endsWith("_2d") ? `2-D ${METHOD_LABEL[m.slice(0, -3) as Method]}` : METHOD_LABEL[m as Method];
      if (m.endsWith("_2d") && q?.state === "error") continue;
      if (!q || q.state === "queued") parts.push(` · ${label} queued`);
      else if (q.state === "running") {
        const spin = el("span", "nbb-pj-spin");
        const secs = q.since ? Math.max(0, Math.round(Date.now() / 1000 - q.since)) : 0;
        parts.push(" · ", spin, `${label} computing… ${secs} s`);
      } else if (q.state === "error" && m === this.method) {
        parts.push(" · ", el("span", "nbb-pj-err", `${label}: ${q.message ?? "failed"}`));
      }
    }
    this.status.replaceChildren(...parts);
  }

  // ---- drawing --------------------------------------------------------------------------
  invalidate(): void {
    this.needsRender = true;
    schedule(this);
  }

  frame(now: number): void {
    if (!this.renderer) return;
    const bench = this.benchHook;
    const moved = bench ? false : this.controls ? this.controls.update() : false;
    if (moved) this.gridDirty = true;
    this.levelOfDetail(now, (moved || !!bench) && this.lod);
    bench?.(now);
    if (this.needsRender || moved) {
      this.needsRender = false;
      this.renderer.render(this.scene, this.camera);
    }
    if (this.cursor && !moved) {
      const i = this.pickAt(this.cursor.x, this.cursor.y);
      this.setHover(i);
      this.placeTip();
    }
    if (moved || this.benchHook) schedule(this);
  }

  /** While moving, draw as many points as keep frames under ~20 ms; when still, draw them all. */
  private levelOfDetail(now: number, moving: boolean): void {
    const g = this.geometry;
    const n = this.emb?.n ?? 0;
    if (!g || !n) return;
    let count = n;
    if (moving) {
      if (this.lastFrame) {
        const dt = Math.min(200, now - this.lastFrame);
        this.frameMs = this.frameMs * 0.6 + dt * 0.4;
        const cur = Math.min(this.budget, n);
        if (this.frameMs > 20.5 && cur > 20_000) {
          this.budget = Math.max(20_000, Math.round(cur * Math.min(0.85, 18 / this.frameMs)));
          this.fastFrames = 0;
        } else if (this.frameMs < 17.5 && this.budget < n && ++this.fastFrames > 6) {
          this.budget = Math.round(this.budget * (this.frameMs < 12 ? 1.3 : 1.08));
          this.fastFrames = 0;
        }
      }
      this.lastFrame = now;
      count = Math.min(n, this.budget);
    } else if (this.lastFrame) {
      this.lastFrame = 0;
      this.needsRender = true; // settle: one full-detail frame
    }
    if (count !== this.drawn) {
      g.setDrawRange(0, count);
      this.drawn = count;
      this.root.dataset.drawn = String(count);
    }
  }

  /** Rotate for `frames` animation frames and report the frame rate (benchmarks). */
  bench(frames = 120, lod = true): Promise<{ fps: number; frames: number; ms: number; n: number; renderMs: number; drawn: number }> {
    this.lod = lod;
    return new Promise((resolve) => {
      let k = 0, t0 = 0, work = 0;
      const target = this.controls?.target ?? new Vector3();
      this.benchHook = (now) => {
        if (k === 0) t0 = now;
        const off = this.camera.position.clone().sub(target);
        off.applyAxisAngle(new Vector3(0, 1, 0), 0.02);
        this.camera.position.copy(target).add(off);
        this.camera.lookAt(target);
        this.controls?.update(); // take the new pose as the controls' own (no second render)
        const s = performance.now();
        this.renderer?.render(this.scene, this.camera);
        this.renderer?.getContext().finish();
        work += performance.now() - s;
        this.needsRender = false;
        if (++k > frames) {
          this.benchHook = null;
          const ms = now - t0;
          resolve({ fps: (frames * 1000) / ms, frames, ms, n: this.emb?.n ?? 0, renderMs: work / k, drawn: this.drawn });
          this.lod = true;
          this.invalidate();
        }
      };
      this.invalidate();
    });
  }

  /** Test hooks: select a point, search, switch projection (what the toolbar and clicks do). */
  get api() {
    return {
      select: (i: number) => this.select(i),
      search: (t: string) => this.setSearch(t, this.searchCol),
      method: (m: Method) => this.chooseMethod(m),
      dims: (d: 2 | 3) => this.chooseDims(d),
      screenOf: (i: number) => this.screenOf(i),
      state: () => ({ n: this.emb?.n ?? 0, selected: this.selected, neighbours: [...this.neighbours.index], matches: this.matchCount, method: this.root.dataset.method ?? "", dims: this.dims, coloring: this.coloring?.kind ?? "" }),
    };
  }

  dispose(): void {
    window.clearInterval(this.ticker);
    unschedule(this);
    for (const d of this.disposers.splice(0)) d();
    G.__nbboard__?.projectors?.delete(this);
    this.geometry?.dispose();
    this.material?.dispose();
    this.texture?.dispose();
    this.atlas?.close();
    this.renderer?.dispose();
    this.root.remove();
  }
}

/** 0..n-1 in a fixed pseudo-random order (so partial draws are an even sample). */
function shuffled(n: number): Uint32Array {
  const o = new Uint32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  let seed = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    const j = seed % (i + 1);
    const t = o[i];
    o[i] = o[j];
    o[j] = t;
  }
  return o;
}

export const projectorView: ViewSpec = {
  kind: "projector",
  label: "Projector",
  order: 80,
  present: hasRecords("projector"),
  render(root, ctx) {
    const v = new ProjectorView(root, ctx);
    return () => v.dispose();
  },
};
