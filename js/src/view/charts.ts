/** Small drawing helpers shared by the canvas views: HiDPI canvases, nice axis ticks, uPlot axis styling. */
import type uPlot from "uplot";
import type { Theme } from "../theme";
import type { Downsampled } from "../lib/downsample";

/** Size a canvas for the device pixel ratio; returns its 2-D context scaled to CSS pixels. */
export function sizeCanvas(c: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = Math.min(window.devicePixelRatio || 1, 3);
  const W = Math.max(1, Math.round(w * dpr)), H = Math.max(1, Math.round(h * dpr));
  if (c.width !== W || c.height !== H) {
    c.width = W;
    c.height = H;
  }
  c.style.height = `${h}px`;
  const g = c.getContext("2d")!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  return g;
}

/** About `n` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return out;
}

/** A short axis/tooltip number ("" for the null ticks uPlot may pass). */
export function fmtTick(v: number | null): string {
  if (v == null) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** "#rrggbb" + alpha → rgba(). */
export function withAlpha(hex: string, a: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${a})`;
}

function axisFont(th: Theme): string {
  return `11px ${th.font}`;
}

/** uPlot axes styled like the scalar charts (theme read at draw time). */
export function uplotAxes(th: () => Theme, xLabel?: (v: number) => string): uPlot.Axis[] {
  return [
    {
      stroke: () => th().muted,
      font: axisFont(th()),
      grid: { stroke: () => th().grid, width: 1 },
      ticks: { stroke: () => th().grid, width: 1, size: 4 },
      ...(xLabel ? { values: (_u: uPlot, splits: number[]) => splits.map(xLabel) } : {}),
    },
    {
      stroke: () => th().muted,
      font: axisFont(th()),
      size: 52,
      grid: { stroke: () => th().grid, width: 1 },
      ticks: { stroke: () => th().grid, width: 1, size: 4 },
      values: (_u: uPlot, splits: number[]) => splits.map(fmtTick),
    },
  ];
}

/**
 * Stroke downsampled points on a uPlot canvas (device pixels): NaN breaks the line, and on a log
 * y scale so do values ≤ 0. `dots` also marks each point (sparse data).
 */
export function strokeDownsampled(u: uPlot, ds: Downsampled, color: string, alpha: number, lineWidth: number, logY: boolean, dots: boolean, pr: number): void {
  const ctx = u.ctx;
  ctx.globalAlpha = alpha;
  ctx.strokeStyle = color;
  ctx.lineWidth = lineWidth * pr;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < ds.n; i++) {
    const y = ds.y[i];
    if (y !== y || (logY && y <= 0)) {
      pen = false;
      continue;
    }
    const px = u.valToPos(ds.x[i], "x", true), py = u.valToPos(y, "y", true);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
  if (!dots) return;
  ctx.fillStyle = color;
  for (let i = 0; i < ds.n; i++) {
    const y = ds.y[i];
    if (y !== y || (logY && y <= 0)) continue;
    ctx.beginPath();
    ctx.arc(u.valToPos(ds.x[i], "x", true), u.valToPos(y, "y", true), 2.2 * pr, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Fill between two downsampled lines (a margin chart's lower and upper bound), skipping NaN points. */
export function fillBetween(u: uPlot, upper: Downsampled, lower: Downsampled, fill: string): void {
  const ctx = u.ctx;
  ctx.globalAlpha = 1;
  ctx.fillStyle = fill;
  ctx.beginPath();
  let started = false;
  const to = (x: number, y: number) => {
    const px = u.valToPos(x, "x", true), py = u.valToPos(y, "y", true);
    if (started) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    started = true;
  };
  for (let i = 0; i < upper.n; i++) if (upper.y[i] === upper.y[i]) to(upper.x[i], upper.y[i]);
  for (let i = lower.n - 1; i >= 0; i--) if (lower.y[i] === lower.y[i]) to(lower.x[i], lower.y[i]);
  if (!started) return;
  ctx.closePath();
  ctx.fill();
}

/** NaN / ±inf points as small triangles on the plot's edge (top for +inf, bottom otherwise); markers: [x, value, colour]. */
export function drawNonFinite(u: uPlot, markers: readonly [number, number, string][], outline: string, pr: number): void {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.globalAlpha = 1;
  for (const [x, v, color] of markers) {
    const px = u.valToPos(x, "x", true);
    const up = v === Infinity;
    const py = up ? top + 1 * pr : top + height - 1 * pr;
    const sz = 5 * pr;
    ctx.beginPath();
    if (up) {
      ctx.moveTo(px, py);
      ctx.lineTo(px - sz, py + sz * 1.6);
      ctx.lineTo(px + sz, py + sz * 1.6);
    } else {
      ctx.moveTo(px, py);
      ctx.lineTo(px - sz, py - sz * 1.6);
      ctx.lineTo(px + sz, py - sz * 1.6);
    }
    ctx.closePath();
    ctx.fillStyle = color;
    ctx.fill();
    ctx.strokeStyle = outline;
    ctx.lineWidth = 1 * pr;
    ctx.stroke();
  }
}

/** Alert markers on a chart: per alert [x, value (null: not finite), run colour], a dashed red
 * line across the plot at x, a flag at its top and a ring at the value. */
export function drawAlertMarks(u: uPlot, marks: readonly [number, number | null, string][], logY: boolean, pr: number): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const red = "#d62728";
  for (const [x, v, color] of marks) {
    const px = u.valToPos(x, "x", true);
    if (!(px >= left - 1 && px <= left + width + 1)) continue;
    ctx.save();
    ctx.globalAlpha = 0.75;
    ctx.strokeStyle = red;
    ctx.lineWidth = 1 * pr;
    ctx.setLineDash([4 * pr, 3 * pr]);
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    ctx.fillStyle = red;
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px + 8 * pr, top + 4 * pr);
    ctx.lineTo(px, top + 8 * pr);
    ctx.closePath();
    ctx.fill();
    if (v !== null && (!logY || v > 0)) {
      const py = u.valToPos(v, "y", true);
      if (py >= top && py <= top + height) {
        ctx.beginPath();
        ctx.arc(px, py, 5 * pr, 0, Math.PI * 2);
        ctx.fillStyle = color;
        ctx.fill();
        ctx.lineWidth = 2 * pr;
        ctx.strokeStyle = red;
        ctx.stroke();
      }
    }
    ctx.restore();
  }
}
