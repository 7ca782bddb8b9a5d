import { describe, expect, it } from "vitest";
import { MinMaxIndex } from "./min_max";

describe("block min/max index", () => {
  it("grows incrementally and answers ranges", () => {
    const ys = Array.from({ length: 1000 }, (_, i) => ((i * 37) % 101) - (i === 640 ? 1000 : 0));
    const idx = new MinMaxIndex();
    idx.update(ys, 100);
    idx.update(ys, 1000);
    const st = idx.range(ys, 10, 990);
    expect(st.min).toBe(-1000 + ((640 * 37) % 101));
    expect(st.imin).toBe(640);
    expect(st.max).toBe(100);
  });
});
