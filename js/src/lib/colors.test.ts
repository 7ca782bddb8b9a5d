import { describe, expect, it } from "vitest";
import { ColorMap, PALETTE, saturationLightness } from "./colors";

describe("run colours", () => {
  it("are stable and distinct for the first runs", () => {
    const m = new ColorMap();
    const a = m.get("train"), b = m.get("eval");
    expect(m.get("train")).toBe(a);
    expect(a).not.toBe(b);
    const cs = new Set(Array.from({ length: 12 }, (_, i) => m.get(`r${i}`)));
    expect(cs.size).toBeGreaterThanOrEqual(10);
  });

  it("has no greys (a grey run reads as disabled)", () => {
    expect(saturationLightness("#78909c")[0]).toBeLessThan(0.35); // the grey the report saw
    expect(saturationLightness("#888888")[0]).toBe(0);
    for (const c of PALETTE) {
      const [s, l] = saturationLightness(c);
      expect(s, c).toBeGreaterThanOrEqual(0.35);
      expect(l, c).toBeGreaterThan(0.2);
      expect(l, c).toBeLessThan(0.75);
    }
    expect(new Set(PALETTE).size).toBe(PALETTE.length);
  });
});
