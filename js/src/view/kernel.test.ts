import { describe, expect, it } from "vitest";
import { kernelGone, snapshotUrl } from "./kernel";

describe("kernelGone", () => {
  it("is true only for a widget model whose comm is known to be closed", () => {
    expect(kernelGone({ comm_live: false })).toBe(true);
    expect(kernelGone({ comm_live: true })).toBe(false);
    expect(kernelGone({})).toBe(false); // an exported page's model: no kernel to lose
    expect(kernelGone(null)).toBe(false);
  });
});

describe("snapshotUrl", () => {
  it("turns an SVG into a data URL for an <img> (where its scripts cannot run)", () => {
    const url = snapshotUrl('<svg xmlns="http://www.w3.org/2000/svg"><text>a&b #1</text></svg>');
    expect(url).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
    expect(decodeURIComponent(url!.split(",")[1])).toContain("a&b #1");
  });

  it("refuses anything that is not an SVG document", () => {
    expect(snapshotUrl("")).toBeNull();
    expect(snapshotUrl(undefined)).toBeNull();
    expect(snapshotUrl("<img src=x onerror=alert(1)>")).toBeNull();
    expect(snapshotUrl("javascript:alert(1)")).toBeNull();
  });
});
