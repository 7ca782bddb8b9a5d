import { describe, expect, it } from "vitest";
import { boxRects, cssFilter } from "./image_adjust";

describe("image adjustments", () => {
  it("maps brightness/contrast to a CSS filter", () => {
    expect(cssFilter(1, 1)).toBe("");
    expect(cssFilter(1.5, 0.5)).toBe("brightness(1.5) contrast(0.5)");
  });
  it("places xyxy boxes in percent of the image", () => {
    const [r] = boxRects([[10, 20, 30, 60]], ["cat"], 100, 200);
    expect(r).toEqual({ left: 10, top: 10, width: 20, height: 20, label: "cat" });
    expect(boxRects([[30, 60, 10, 20]], null, 100, 200)[0].left).toBe(10);
  });
});
