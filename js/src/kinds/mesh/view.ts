/**
 * Meshes and point clouds from add_mesh, drawn with three.js (in the 3-D bundle, scene3d.ts):
 * a card per run and tag with a step slider, orbit controls, vertex colours and faces.
 * Each card holds one WebGL context only while it is on the page.
 */
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { meshParts, meshSamples } from "./mesh";
import { type Rec, type RecordSeries } from "../../lib/records";
import type { ViewContext } from "../../view/context";
import { CardGrid, mountGrid, seriesItems, StepSlider, type CardImpl } from "../../view/cards";
import { el } from "../../view/dom";
import { toolbar } from "../../view/filters";
import { readTheme } from "../../theme";

function webglOK(): boolean {
  try {
    const c = document.createElement("canvas");
    return !!(c.getContext("webgl2") || c.getContext("webgl"));
  } catch {
    return false;
  }
}

class MeshCard implements CardImpl {
  private box: HTMLDivElement;
  private meta: HTMLDivElement;
  private step: StepSlider;
  private sampleBox: HTMLLabelElement;
  private sampleInput: HTMLInputElement;
  private sample = 0;
  private renderer: THREE.WebGLRenderer | null = null;
  private scene = new THREE.Scene();
  private camera = new THREE.PerspectiveCamera(45, 1, 0.01, 1000);
  private controls: OrbitControls | null = null;
  private object: THREE.Object3D | null = null;
  private light = new THREE.DirectionalLight(0xffffff, 1.6);
  private shown: Rec | null = null;
  private fitted = false;
  private target = new THREE.Vector3();
  private ro: ResizeObserver;

  constructor(
    body: HTMLElement,
    private series: RecordSeries,
    private view: { background(): THREE.Color },
  ) {
    this.step = new StepSlider(() => this.update());
    // A batch (add_mesh with B > 1) shows one sample at a time, picked here.
    this.sampleBox = el("label", "nbb-v-mesh-sample", "sample ");
    this.sampleInput = el("input", "nbb-input nbb-v-mesh-sample-input");
    this.sampleInput.type = "number";
    this.sampleInput.min = "0";
    this.sampleInput.step = "1";
    this.sampleInput.value = "0";
    this.sampleInput.addEventListener("input", () => {
      const k = Math.floor(Number(this.sampleInput.value));
      if (!Number.isFinite(k) || k < 0) return;
      this.sample = k;
      this.shown = null;
      this.fitted = false; // frame the picked sample
      this.update();
    });
    this.sampleBox.appendChild(this.sampleInput);
    this.sampleBox.style.display = "none";
    this.box = el("div", "nbb-v-mesh");
    this.meta = el("div", "nbb-v-meta");
    body.append(this.step.root, this.sampleBox, this.box, this.meta);
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.9));
    this.camera.add(this.light);
    this.scene.add(this.camera);
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(this.box);
  }

  private ensureRenderer(): boolean {
    if (this.renderer) return true;
    if (!webglOK()) {
      this.box.replaceChildren(el("div", "nbb-v-note", "WebGL is not available in this browser, so meshes cannot be drawn."));
      return false;
    }
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.box.appendChild(this.renderer.domElement);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.addEventListener("change", () => this.draw());
    if (this.fitted) {
      this.controls.target.copy(this.target);
      this.controls.update();
    }
    this.resize();
    return true;
  }

  private resize(): void {
    if (!this.renderer) return;
    const w = this.box.clientWidth || 320, h = this.box.clientHeight || 320;
    this.renderer.setSize(w, h, true);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.draw();
  }

  draw(): void {
    if (!this.renderer) return;
    this.renderer.setClearColor(this.view.background(), 1);
    this.renderer.render(this.scene, this.camera);
    this.box.dataset.draws = String(Number(this.box.dataset.draws ?? 0) + 1);
    this.box.dataset.azimuth = this.controls ? this.controls.getAzimuthalAngle().toFixed(3) : "0";
  }

  update(): void {
    const s = this.series;
    const i = this.step.sync(s.recs.length, (k) => s.recs[k].step, (k) => s.recs[k].wall);
    const rec = s.recs[i];
    if (!rec || !this.ensureRenderer()) return;
    if (rec !== this.shown) {
      this.shown = rec;
      this.build(rec);
    }
    this.draw();
  }

  private build(rec: Rec): void {
    const count = meshSamples(rec);
    this.sampleBox.style.display = count > 1 ? "" : "none";
    this.sampleInput.max = String(Math.max(0, count - 1));
    const sample = Math.min(this.sample, Math.max(0, count - 1));
    const p = meshParts(rec, sample);
    if (this.object?.userData.rec === rec && this.object.userData.sample === sample) {
      this.scene.add(this.object);
      return;
    }
    if (this.object) {
      this.scene.remove(this.object);
      disposeObject(this.object);
      this.object = null;
    }
    if (!p.vertices) return;
    const geo = new THREE.BufferGeometry();
    geo.setAttribute("position", new THREE.BufferAttribute(p.vertices.slice(), 3));
    if (p.colors) geo.setAttribute("color", new THREE.BufferAttribute(p.colors.slice(), 3, true));
    const cfg = (rec.meta.config ?? {}) as { material?: { size?: number }; camera?: { fov?: number } };
    if (typeof cfg.camera?.fov === "number" && cfg.camera.fov > 1 && cfg.camera.fov < 179) this.camera.fov = cfg.camera.fov;
    if (p.faces) {
      geo.setIndex(new THREE.BufferAttribute(Uint32Array.from(p.faces), 1));
      geo.computeVertexNormals();
      const mat = new THREE.MeshStandardMaterial({
        vertexColors: !!p.colors,
        color: p.colors ? 0xffffff : 0x8fa3b8,
        side: THREE.DoubleSide,
        roughness: 0.75,
        metalness: 0.05,
        flatShading: p.f < 20000,
      });
      this.object = new THREE.Mesh(geo, mat);
    } else {
      geo.computeBoundingSphere();
      const r = geo.boundingSphere?.radius || 1;
      const size = typeof cfg.material?.size === "number" ? cfg.material.size : Math.max(r / Math.cbrt(Math.max(p.n, 1)) / 3, r / 400);
      const mat = new THREE.PointsMaterial({ size, vertexColors: !!p.colors, color: p.colors ? 0xffffff : 0x2b7bd6, sizeAttenuation: true });
      this.object = new THREE.Points(geo, mat);
    }
    this.object.userData.rec = rec;
    this.object.userData.sample = sample;
    this.scene.add(this.object);
    if (!this.fitted) {
      this.fit(geo);
      this.fitted = true;
    }
    const of = count > 1 ? `sample ${sample} of a batch of ${count} · ` : "";
    this.meta.textContent = `${of}${p.n.toLocaleString()} vertices${p.faces ? ` · ${p.f.toLocaleString()} faces` : " · point cloud"}${p.colors ? " · vertex colours" : ""} · drag to rotate, wheel to zoom`;
    this.box.dataset.vertices = String(p.n);
    this.box.dataset.step = String(rec.step);
    this.box.dataset.sample = String(sample);
  }

  private fit(geo: THREE.BufferGeometry): void {
    geo.computeBoundingSphere();
    const bs = geo.boundingSphere;
    if (!bs || !this.controls) return;
    const r = bs.radius || 1;
    const d = r / Math.sin((this.camera.fov * Math.PI) / 360);
    this.camera.position.copy(bs.center).add(new THREE.Vector3(0.6, 0.5, 1).normalize().multiplyScalar(d * 1.05));
    this.camera.near = d / 100;
    this.camera.far = d * 100;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(bs.center);
    this.controls.update();
  }

  /** Off screen: give the WebGL context back (browsers allow ~16 live ones); the next update makes a new one. */
  hide(): void {
    if (!this.renderer) return;
    if (this.controls) this.target.copy(this.controls.target); // keep the user's view for when it comes back
    this.controls?.dispose();
    this.controls = null;
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
    this.renderer = null;
    this.shown = null;
  }

  dispose(): void {
    this.ro.disconnect();
    this.hide();
    if (this.object) disposeObject(this.object);
  }
}

/** A CSS colour as rgb(), which three.js parses whatever notation the theme used (read once per theme). */
function cssColor(c: string): string {
  const probe = document.createElement("span");
  probe.style.color = c;
  document.body.appendChild(probe);
  const rgb = getComputedStyle(probe).color;
  probe.remove();
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(rgb);
  return m ? `rgb(${m[1]},${m[2]},${m[3]})` : "#ffffff";
}

function disposeObject(o: THREE.Object3D): void {
  const m = o as THREE.Mesh;
  m.geometry?.dispose();
  const mat = m.material as THREE.Material | THREE.Material[] | undefined;
  if (Array.isArray(mat)) mat.forEach((x) => x.dispose());
  else mat?.dispose();
}

/** Draws the mesh cards into `host` (the 3-D bundle's entry for view kind "meshes"). */
export function renderMeshes(host: HTMLElement, ctx: ViewContext): () => void {
  const clear = () => new THREE.Color(cssColor(readTheme(host).background));
  let background = clear();
  const bar = toolbar(ctx.filters, [], () => ctx.records.lastData);
  const grid = new CardGrid(
    ctx,
    { items: () => seriesItems(ctx.records, ["mesh"]), make: (body, it) => new MeshCard(body, it.series[0], { background: () => background }), gridClass: "nbb-v-wide" },
    "No meshes yet — they appear here as soon as a writer logs one with add_mesh.",
  );
  return mountGrid(host, bar, grid, { onTheme: () => (background = clear()) });
}

