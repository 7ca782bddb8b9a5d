/** Canvas drawings of a laid-out graph: the overview of a huge graph when zoomed far out, and the
 * minimap (the whole graph plus the rectangle in view). Colours come from the theme's palette. */
import type { Box, Layout } from "./layout";
import { category, type GraphModel } from "./graph_model";

export type Palette = Map<string, string>;

/** The view's transform and size: graph point p is drawn at (tx + k·p.x, ty + k·p.y). */
export interface ViewBox {
  k: number;
  tx: number;
  ty: number;
  w: number;
  h: number;
}

/** Canvas colours from the --nbg-* variables on `root`. */
export function readPalette(root: Element): Palette {
  const cs = getComputedStyle(root);
  const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
  const pal: Palette = new Map([
    ["border", v("--nbg-border2", "#bbb")], ["edge", v("--nbg-fg3", "#999")], ["op", v("--nbg-fg3", "#999")],
    ["param", v("--nbg-fg3", "#999")], ["group", v("--nbg-accent", "#1976d2")], ["input", v("--nbg-c-io", "#0d47a1")],
    ["output", v("--nbg-c-io", "#0d47a1")], ["hl", v("--nbg-hl", "#f57c00")],
  ]);
  for (const c of ["conv", "linear", "norm", "act", "pool", "drop", "attn", "module"]) pal.set(c, v(`--nbg-c-${c}`, "#888"));
  return pal;
}

function sizeCanvas(c: HTMLCanvasElement, w: number, h: number): number {
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
  }
  return dpr;
}

/** Everything in view as plain shapes, one path per colour (fast for thousands of nodes). */
export function drawOverview(c: HTMLCanvasElement, lay: Layout, model: GraphModel, pal: Palette, v: ViewBox): void {
  const dpr = sizeCanvas(c, v.w, v.h);
  const ctx = c.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, c.width, c.height);
  ctx.setTransform(dpr * v.k, 0, 0, dpr * v.k, dpr * v.tx, dpr * v.ty);
  const x0 = -v.tx / v.k;
  const y0 = -v.ty / v.k;
  const x1 = x0 + v.w / v.k;
  const y1 = y0 + v.h / v.k;
  const inView = (b: Box) => b.x < x1 && b.x + b.w > x0 && b.y < y1 && b.y + b.h > y0;
  const px = 1 / v.k;
  ctx.lineWidth = px;
  ctx.strokeStyle = pal.get("border")!;
  ctx.beginPath();
  for (const b of lay.clusters.values()) if (inView(b)) ctx.rect(b.x, b.y, b.w, b.h);
  ctx.stroke();
  ctx.strokeStyle = pal.get("edge")!;
  ctx.beginPath();
  for (const e of lay.edges) {
    const p = e.points;
    const a = p[0];
    const z = p[p.length - 1];
    if (Math.max(a.y, z.y) < y0 || Math.min(a.y, z.y) > y1) continue;
    ctx.moveTo(a.x, a.y);
    for (let i = 1; i < p.length; i++) ctx.lineTo(p[i].x, p[i].y);
  }
  ctx.stroke();
  const byColor = new Map<string, Box[]>();
  for (const [id, b] of lay.units) {
    if (!inView(b)) continue;
    const n = model.nodes.get(id);
    const col = pal.get(n ? category(n) : "group") ?? pal.get("op")!;
    let l = byColor.get(col);
    if (!l) byColor.set(col, (l = []));
    l.push(b);
  }
  const min = 2 * px;
  for (const [col, boxes] of byColor) {
    ctx.fillStyle = col;
    ctx.beginPath();
    for (const b of boxes) ctx.rect(b.x, b.y, Math.max(b.w, min), Math.max(b.h, min));
    ctx.fill();
  }
}

/** Where the minimap draws the graph: scale s and offset (ox, oy) inside W × H CSS pixels. */
interface MiniScale {
  s: number;
  ox: number;
  oy: number;
  W: number;
  H: number;
}

export function miniScale(lay: Layout, W = 180, H = 130): MiniScale {
  const s = Math.min((W - 8) / Math.max(lay.width, 1), (H - 8) / Math.max(lay.height, 1));
  return { s, ox: (W - lay.width * s) / 2, oy: (H - lay.height * s) / 2, W, H };
}

/** The minimap's still part (modules and nodes), drawn once per layout into `c`. */
export function drawMiniStatic(c: HTMLCanvasElement, lay: Layout, model: GraphModel, pal: Palette, ms: MiniScale): void {
  const dpr = window.devicePixelRatio || 1;
  c.width = ms.W * dpr;
  c.height = ms.H * dpr;
  const ctx = c.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, ms.W, ms.H);
  ctx.lineWidth = 1;
  ctx.strokeStyle = pal.get("border")!;
  for (const b of lay.clusters.values()) ctx.strokeRect(ms.ox + b.x * ms.s, ms.oy + b.y * ms.s, b.w * ms.s, b.h * ms.s);
  for (const [id, b] of lay.units) {
    ctx.fillStyle = model.isGroup(id) ? pal.get("group")! : pal.get("edge")!;
    ctx.fillRect(ms.ox + b.x * ms.s, ms.oy + b.y * ms.s, Math.max(b.w * ms.s, 1), Math.max(b.h * ms.s, 1));
  }
}

/** The minimap: the still part, search matches, and the rectangle in view. */
export function drawMini(c: HTMLCanvasElement, still: HTMLCanvasElement, lay: Layout, pal: Palette, ms: MiniScale,
  v: ViewBox, highlighted: Iterable<string>): void {
  const dpr = sizeCanvas(c, ms.W, ms.H);
  const ctx = c.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, c.width, c.height);
  ctx.drawImage(still, 0, 0);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const hl = pal.get("hl")!;
  ctx.fillStyle = hl;
  for (const id of highlighted) {
    const b = lay.units.get(id);
    if (b) ctx.fillRect(ms.ox + b.x * ms.s - 1, ms.oy + b.y * ms.s - 1, Math.max(b.w * ms.s, 1) + 2, Math.max(b.h * ms.s, 1) + 2);
  }
  ctx.strokeStyle = hl;
  ctx.lineWidth = 1.5;
  ctx.strokeRect(ms.ox + (-v.tx / v.k) * ms.s, ms.oy + (-v.ty / v.k) * ms.s, (v.w / v.k) * ms.s, (v.h / v.k) * ms.s);
}
