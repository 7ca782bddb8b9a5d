/** Small drawing helpers shared by the canvas views: HiDPI canvases, nice axis ticks, uPlot axis styling. */
import type uPlot from "uplot";
import type { Theme } from "../theme";

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

export function fmtTick(v: number): string {
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

export function axisFont(th: Theme): string {
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
