/**
 * The projector's three.js drawing: one point cloud (a point per embedded row, or its label image)
 * under an orbiting camera, with colours and highlight states per point, picking under the cursor,
 * and a level of detail that keeps frames fast while the camera moves.
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
import { onThemeChange, readTheme } from "../../theme";
import { PickGrid } from "./data";
import type { Embedding } from "./embeddings";
import { FRAG, VERT } from "./shaders";

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

export class ProjectorScene {
  /** null when the browser could not start WebGL (`error` says why) */
  readonly renderer: WebGLRenderer | null = null;
  readonly error: string = "";
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(40, 1, 0.01, 100);
  private controls: OrbitControls | null = null;
  geometry: BufferGeometry | null = null;
  private material: ShaderMaterial | null = null;
  private points: Points | null = null;
  private texture: Texture | null = null;
  private textureKey = "";
  private atlas: ImageBitmap | null = null;
  private emb: Embedding | null = null;
  private pos: Float32Array | null = null;
  private states: Uint8Array = new Uint8Array(0);
  private spritesOn = false;

  private grid: PickGrid | null = null;
  private gridDirty = true;
  private needsRender = true;
  private disposers: (() => void)[] = [];
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

  /**
   * Draws on `canvas`, sized by `stage`; `root` gives the theme's colours; `request` asks for a
   * frame (the view's); `onAtlas` runs when label images finished loading.
   */
  constructor(
    canvas: HTMLCanvasElement,
    private stage: HTMLElement,
    private root: HTMLElement,
    private request: () => void,
    private onAtlas: () => void,
  ) {
    try {
      this.renderer = new WebGLRenderer({ canvas, antialias: false, alpha: false, powerPreference: "high-performance" });
      this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
      this.renderer.setClearColor(new Color(readTheme(root).background), 1);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.renderer = null;
    }
    if (this.renderer) {
      const controls = (this.controls = new OrbitControls(this.camera, canvas));
      controls.enableDamping = true;
      controls.dampingFactor = 0.15;
      controls.rotateSpeed = 0.8;
      controls.zoomSpeed = 1.2;
      controls.minDistance = 0.05;
      controls.maxDistance = 20;
      controls.addEventListener("change", () => this.invalidate());
      const ro = new ResizeObserver(() => this.resize());
      ro.observe(stage);
      this.disposers.push(() => ro.disconnect(), () => controls.dispose());
    }
  }

  /** Follow JupyterLab's theme; `after` runs after each switch. */
  followTheme(after: () => void): void {
    this.disposers.push(
      onThemeChange(() => {
        this.applyTheme();
        after();
      }),
    );
  }

  /** Redraw on the next frame. */
  invalidate(): void {
    this.needsRender = true;
    this.request();
  }

  /** Whether a benchmark is rotating the camera (it needs every frame). */
  get benching(): boolean {
    return this.benchHook !== null;
  }

  // ---- GPU objects ----------------------------------------------------------------------
  /** New buffers for embedding `e` (positions, colours and states are set separately). */
  build(e: Embedding): void {
    this.emb = e;
    this.pos = null;
    this.states = new Uint8Array(e.n);
    if (!this.renderer) return;
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

  /** The points' coordinates (3 per point, inside the unit sphere). */
  get positions(): Float32Array | null {
    return this.pos;
  }

  setPositions(arr: Float32Array): void {
    this.pos = arr;
    this.geometry?.setAttribute("position", new BufferAttribute(arr, 3));
    this.geometry?.computeBoundingSphere();
    this.gridDirty = true;
    this.invalidate();
  }

  setColors(rgb: Uint8Array): void {
    this.geometry?.setAttribute("aColor", new BufferAttribute(rgb, 3, true));
    this.invalidate();
  }

  /** Per-point states (see data.ts PointState): highlighted points are drawn first, hidden ones not picked. */
  setStates(states: Uint8Array): void {
    this.states = states;
    if (!this.geometry) return;
    const attr = this.geometry.getAttribute("aState") as BufferAttribute;
    (attr.array as Uint8Array).set(states);
    attr.needsUpdate = true;
    if (this.order) {
      // highlighted points first, so a partial draw while moving still shows all of them
      const o = this.order;
      const hi: number[] = [];
      const lo: number[] = [];
      for (let k = 0; k < o.length; k++) (states[o[k]] >= 2 && states[o[k]] !== 5 ? hi : lo).push(o[k]);
      o.set(hi, 0);
      o.set(lo, hi.length);
      (this.geometry.getIndex() as BufferAttribute).needsUpdate = true;
    }
    this.gridDirty = true;
    this.invalidate();
  }

  private updatePointSize(): void {
    const e = this.emb;
    if (!e || !this.material) return;
    const dpr = this.renderer?.getPixelRatio() ?? 1;
    const h = Math.max(200, this.stage.clientHeight || 520) / 520;
    const px = this.spritesOn ? Math.min(40, Math.max(10, 24 * Math.sqrt(1500 / e.n))) : Math.min(8, Math.max(2, 6.5 * Math.pow(2000 / e.n, 0.3)));
    this.material.uniforms.uScale.value = px * dpr * h * 3.0;
    this.invalidate();
  }

  /** Draw each point as its label image (`on`) or as a dot; loads the images when first needed. */
  showSprites(on: boolean): void {
    const e = this.emb;
    if (!e || !this.material) return;
    this.spritesOn = on;
    this.material.uniforms.uSprite.value = on && this.texture && this.textureKey === e.key ? 1 : 0;
    if (on && e.sprite && this.textureKey !== e.key) void this.loadAtlas(e);
    this.updatePointSize();
  }

  /** Load the label images of the embedding shown (for tooltips too), once. */
  loadImages(): void {
    const e = this.emb;
    if (e?.sprite && this.textureKey !== e.key) void this.loadAtlas(e);
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
      this.showSprites(this.spritesOn);
      this.onAtlas();
    } catch (err) {
      console.warn("nbboard: could not decode the sprite atlas", err);
      this.textureKey = "";
    }
  }

  /** Point i's label image, `size` px at most, or null when none is loaded. */
  thumbnail(i: number, size: number): HTMLCanvasElement | null {
    const e = this.emb;
    const s = e?.sprite;
    if (!e || !s || !this.atlas || this.textureKey !== e.key) return null;
    const cv = document.createElement("canvas");
    cv.className = "nbb-pj-thumb";
    const scale = Math.max(1, Math.floor(size / Math.max(s.w, s.h)));
    cv.width = s.w * scale;
    cv.height = s.h * scale;
    const g = cv.getContext("2d");
    if (!g) return null;
    g.imageSmoothingEnabled = false;
    g.drawImage(this.atlas, (i % s.cols) * s.w, Math.floor(i / s.cols) * s.h, s.w, s.h, 0, 0, cv.width, cv.height);
    return cv;
  }

  /** The colour point i is drawn in (CSS). */
  colorOf(i: number): string {
    const a = this.geometry?.getAttribute("aColor")?.array as Uint8Array | undefined;
    if (!a) return "#888";
    return `rgb(${a[i * 3]}, ${a[i * 3 + 1]}, ${a[i * 3 + 2]})`;
  }

  private applyTheme(): void {
    const t = readTheme(this.root);
    const bg = new Color(t.background);
    this.renderer?.setClearColor(bg, 1);
    if (this.material) {
      (this.material.uniforms.uBg.value as Color).copy(bg);
      (this.material.uniforms.uRing.value as Color).set(t.text.startsWith("rgba") ? (bg.getHSL({ h: 0, s: 0, l: 0 }).l < 0.5 ? "#ffffff" : "#111111") : t.text);
    }
    this.invalidate();
  }

  // ---- camera ---------------------------------------------------------------------------
  /** 3-D: drag rotates; 2-D: drag pans. */
  setDims(dims: 2 | 3): void {
    if (!this.controls) return;
    this.controls.enableRotate = dims === 3;
    this.controls.screenSpacePanning = true;
    this.controls.mouseButtons.LEFT = dims === 3 ? 0 /* ROTATE */ : 2 /* PAN */;
  }

  resetCamera(dims: 2 | 3): void {
    const c = this.camera;
    if (dims === 3) c.position.set(1.55, 1.05, 2.2);
    else c.position.set(0, 0, 3.0);
    c.up.set(0, 1, 0);
    c.lookAt(0, 0, 0);
    if (this.controls) {
      this.controls.target.set(0, 0, 0);
      this.controls.update();
    }
    this.invalidate();
  }

  /** Where the camera is and looks (for bookmarks). */
  cameraState(): { position: number[]; target: number[]; up: number[] } {
    const t = this.controls?.target;
    return { position: this.camera.position.toArray(), target: t ? t.toArray() : [0, 0, 0], up: this.camera.up.toArray() };
  }

  /** Put the camera back where `cameraState` found it. */
  setCameraState(s: { position: number[]; target: number[]; up: number[] }): void {
    const c = this.controls;
    if (c?.enableDamping) {
      // the orbit's damping keeps a residue of the last drag that the next update() would add:
      // one undamped update spends it (on the old pose, overwritten next)
      c.enableDamping = false;
      c.update();
      c.enableDamping = true;
    }
    this.camera.position.fromArray(s.position);
    this.camera.up.fromArray(s.up);
    this.controls?.target.fromArray(s.target);
    this.camera.lookAt(this.controls?.target ?? new Vector3(...s.target));
    this.controls?.update();
    this.invalidate();
  }

  /** Centre the view on the points in `only` (after isolating), or on all of them (null). */
  fitTo(only: Uint8Array | null, dims: 2 | 3): void {
    const e = this.emb;
    const pos = this.pos;
    if (!e || !pos || !this.controls) return;
    if (!only) {
      this.resetCamera(dims);
      return;
    }
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    let any = false;
    for (let i = 0; i < e.n; i++) {
      if (!only[i]) continue;
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

  // ---- picking --------------------------------------------------------------------------
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

  /** The canvas pixel where point i is drawn, or null. */
  screenOf(i: number): { x: number; y: number } | null {
    if (!this.pos || !this.emb || i < 0 || i >= this.emb.n) return null;
    const v = new Vector3(this.pos[i * 3], this.pos[i * 3 + 1], this.pos[i * 3 + 2]).project(this.camera);
    return { x: (v.x * 0.5 + 0.5) * this.stage.clientWidth, y: (1 - (v.y * 0.5 + 0.5)) * this.stage.clientHeight };
  }

  // ---- drawing --------------------------------------------------------------------------
  /** One animation frame: move the camera (damping), render if needed; returns whether the camera moved. */
  frame(now: number): boolean {
    if (!this.renderer) return false;
    const bench = this.benchHook;
    const moved = bench ? false : this.controls ? this.controls.update() : false;
    if (moved) this.gridDirty = true;
    this.levelOfDetail(now, (moved || !!bench) && this.lod);
    bench?.(now);
    if (this.needsRender || moved) {
      this.needsRender = false;
      this.renderer.render(this.scene, this.camera);
    }
    return moved;
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

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    this.geometry?.dispose();
    this.material?.dispose();
    this.texture?.dispose();
    this.atlas?.close();
    this.renderer?.dispose();
  }
}
