/** Small drawing helpers shared by the canvas views: HiDPI canvases, nice axis ticks, uPlot axis styling. */
import type uPlot from "uplot";
import type { Theme } from "../theme";
import type { Downsampled } from "../lib/downsample";
import { fmtTicks, INTEGER_INCRS } from "../lib/ticks";

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

let measureCtx: CanvasRenderingContext2D | null = null;

/** Width in CSS pixels of the widest label in `font` (0 when none). */
export function labelsWidth(labels: readonly (string | null)[] | null | undefined, font: string): number {
  if (!labels || !labels.length) return 0;
  measureCtx ??= document.createElement("canvas").getContext("2d");
  if (!measureCtx) return 0;
  measureCtx.font = font;
  let w = 0;
  for (const l of labels) if (l) for (const line of l.split("\n")) w = Math.max(w, measureCtx.measureText(line).width);
  return w;
}

/** uPlot axis values: distinct labels with the digits the increment needs (`integer`: steps). */
export function tickValues(integer = false): uPlot.Axis.DynamicValues {
  return (_u: uPlot, splits: number[], _ax: number, _space: number, incr: number) => fmtTicks(splits, incr, integer);
}

/** Tick labels for ticks from `niceTicks` (spaced evenly): distinct, with the digits their spacing needs. */
export function niceLabels(ticks: readonly number[], integer = false): string[] {
  const incr = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(ticks[0] ?? 1) || 1;
  return fmtTicks(ticks, incr, integer);
}

/** A y axis as wide as its widest label (plus tick and gap), so no label is clipped; at least 40px. */
function fitYAxis(th: () => Theme): uPlot.Axis.Size {
  return (_u: uPlot, values: string[] | null) => Math.max(40, Math.ceil(labelsWidth(values, axisFont(th())) + 4 + 5 + 6));
}

/**
 * uPlot padding leaving room right of the plot for the x labels that hang over its right edge (a
 * label is centred on its tick: "3:09am" was clipped at the chart's edge), and room on top for half
 * a y label. Recomputed in uPlot's layout cycles from the labels and ticks of the last one.
 */
export function fitPadding(th: () => Theme): uPlot.Padding {
  const right = (u: uPlot): number => {
    const ax = u.axes[0] as uPlot.Axis & AxisState;
    const labels = ax._values, splits = ax._splits;
    const { min, max } = u.scales.x;
    if (!labels || !splits || min == null || max == null || !(max > min)) return 12;
    const dpr = window.devicePixelRatio || 1;
    const plotW = u.bbox.width > 0 ? u.bbox.width / dpr : Math.max(1, u.width - 60);
    const font = axisFont(th());
    let need = 0;
    for (let i = 0; i < splits.length; i++) {
      if (!labels[i]) continue;
      const fromRight = ((max - splits[i]) / (max - min)) * plotW;
      need = Math.max(need, labelsWidth([labels[i]], font) / 2 - fromRight);
    }
    return Math.max(12, Math.ceil(need) + 3);
  };
  return [10, right, null, null];
}

interface AxisState {
  _values?: string[] | null;
  _splits?: number[] | null;
  _size?: number;
}

/**
 * Write a chart's tick labels onto `host` (data-x-ticks / data-y-ticks, "|"-joined) and how many CSS
 * pixels its labels overflow the canvas or their axis (data-label-overflow, 0 when all fit): what a
 * test (or a person in devtools) reads to check the axes.
 */
export function recordTicks(u: uPlot, host: HTMLElement, th: Theme): void {
  const [ax, ay] = u.axes as (uPlot.Axis & AxisState)[];
  host.dataset.xTicks = (ax._values ?? []).join("|");
  host.dataset.yTicks = (ay._values ?? []).join("|");
  const font = axisFont(th);
  let over = 0;
  const xs = ax._splits ?? [], xv = ax._values ?? [];
  for (let i = 0; i < xs.length; i++) {
    if (!xv[i]) continue;
    const half = labelsWidth([xv[i]], font) / 2;
    const px = u.valToPos(xs[i], "x") + u.bbox.left / (window.devicePixelRatio || 1);
    over = Math.max(over, px + half - u.width, half - px);
  }
  over = Math.max(over, labelsWidth(ay._values, font) + 4 - (ay._size ?? 0));
  host.dataset.labelOverflow = String(Math.max(0, Math.ceil(over)));
}

/** uPlot axes styled like the scalar charts (theme read at draw time); y labels distinct, the y axis as wide as they need. */
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
      size: fitYAxis(th),
      grid: { stroke: () => th().grid, width: 1 },
      ticks: { stroke: () => th().grid, width: 1, size: 4 },
      values: tickValues(),
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

/** uPlot axes for a chart whose x is the step: integer ticks (no half steps), labelled as integers. */
export function stepAxes(th: () => Theme): uPlot.Axis[] {
  const axes = uplotAxes(th);
  Object.assign(axes[0], { incrs: INTEGER_INCRS, values: tickValues(true), space: 50 });
  return axes;
}
