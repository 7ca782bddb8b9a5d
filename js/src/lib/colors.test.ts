import { describe, expect, it } from "vitest";
import { ColorMap } from "./colors";

describe("run colours", () => {
  it("are stable and distinct for the first runs", () => {
    const m = new ColorMap();
    const a = m.get("train"), b = m.get("eval");
    expect(m.get("train")).toBe(a);
    expect(a).not.toBe(b);
    const cs = new Set(Array.from({ length: 12 }, (_, i) => m.get(`r${i}`)));
    expect(cs.size).toBeGreaterThanOrEqual(10);
  });
});
