/** Layout and frame timings of the graph views on the page, read by the benchmarks. */
export const stats = { layouts: 0, lastLayoutMs: 0, lastRenderMs: 0, maxLayoutMs: 0, frames: 0, maxFrameMs: 0 };
