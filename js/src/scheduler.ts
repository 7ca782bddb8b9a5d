/** One requestAnimationFrame loop for every view on the page: each dirty view redraws at most once per frame. */

export interface Frameable {
  frame(now: number): void;
}

const dirty = new Set<Frameable>();
let pending = false;
export const stats = { frames: 0, lastFrameMs: 0, maxFrameMs: 0, totalFrameMs: 0 };

/** Main-thread budget per frame: views stop drawing past it and finish on the next frame. */
const FRAME_BUDGET_MS = 9;
let deadline = 0;

/** Whether this frame's drawing budget is spent (views then reschedule what is left). */
export function overBudget(): boolean {
  return performance.now() > deadline;
}

function run(now: number): void {
  pending = false;
  const t0 = performance.now();
  deadline = t0 + FRAME_BUDGET_MS;
  const views = [...dirty];
  dirty.clear();
  for (const v of views) {
    try {
      v.frame(now);
    } catch (err) {
      console.error("nbboard: draw failed", err);
    }
  }
  const dt = performance.now() - t0;
  stats.frames++;
  stats.lastFrameMs = dt;
  stats.totalFrameMs += dt;
  if (dt > stats.maxFrameMs) stats.maxFrameMs = dt;
}

export function schedule(v: Frameable): void {
  dirty.add(v);
  if (!pending) {
    pending = true;
    requestAnimationFrame(run);
  }
}

export function unschedule(v: Frameable): void {
  dirty.delete(v);
}
