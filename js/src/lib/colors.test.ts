import { describe, expect, it } from "vitest";
import { ColorMap, MISSING, PALETTE, saturationLightness, sequentialColor, valueColoring } from "./colors";

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

describe("colour by an hparam", () => {
  it("gives each categorical value its palette colour, grey when missing", () => {
    const c = valueColoring(["sgd", "adam", "sgd", null]);
    expect(c.legend.kind).toBe("categorical");
    expect(c.color("adam")).toBe(PALETTE[0]);
    expect(c.color("sgd")).toBe(PALETTE[1]);
    expect(c.color(null)).toBe(MISSING);
    expect(c.color(undefined)).toBe(MISSING);
    if (c.legend.kind === "categorical") expect(c.legend.entries).toEqual([["adam", PALETTE[0]], ["sgd", PALETTE[1]]]);
  });

  it("orders categories naturally and counts those past the palette", () => {
    const vals = Array.from({ length: 15 }, (_, i) => `b${i}`);
    const c = valueColoring(vals);
    if (c.legend.kind !== "categorical") throw new Error("categorical expected");
    expect(c.legend.entries[2][0]).toBe("b2");
    expect(c.legend.entries.length).toBe(PALETTE.length);
    expect(c.legend.more).toBe(3);
  });

  it("puts numbers on a sequential scale, log-spaced over a wide positive span", () => {
    const lin = valueColoring([1, 2, 3]);
    expect(lin.legend).toMatchObject({ kind: "numeric", lo: 1, hi: 3, log: false });
    expect(lin.color(1)).toBe(sequentialColor(0));
    expect(lin.color(3)).toBe(sequentialColor(1));
    expect(lin.color(2)).toBe(sequentialColor(0.5));
    const lr = valueColoring([1e-5, 1e-3, 1e-1]);
    expect(lr.legend).toMatchObject({ kind: "numeric", log: true });
    expect(lr.color(1e-3)).toBe(sequentialColor(0.5));
    expect(lr.color("x")).toBe(MISSING);
  });

  it("treats one distinct number, or numbers mixed with strings, as categories", () => {
    expect(valueColoring([3, 3]).legend.kind).toBe("categorical");
    expect(valueColoring([1, "a"]).legend.kind).toBe("categorical");
    expect(sequentialColor(NaN)).toBe(MISSING);
    expect(sequentialColor(0)).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("overrides run colours while set, and bumps the version", () => {
    const m = new ColorMap();
    const own = m.get("r1");
    const v0 = m.version;
    m.setOverride((r) => (r === "r1" ? "#123456" : undefined));
    expect(m.version).toBe(v0 + 1);
    expect(m.get("r1")).toBe("#123456");
    expect(m.get("r2")).toBe(m.own("r2"));
    expect(m.own("r1")).toBe(own);
    m.setOverride(null);
    expect(m.get("r1")).toBe(own);
  });
});
