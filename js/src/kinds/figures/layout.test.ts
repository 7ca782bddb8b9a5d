import { describe, expect, it } from "vitest";
import { offlineLayout } from "./layout";

describe("offlineLayout", () => {
  it("drops remote layout images and keeps inline ones", () => {
    const layout = { title: "t", images: [{ source: "https://tracker.example/p.png" }, { source: "data:image/png;base64,AA" }, {}] };
    const out = offlineLayout(layout);
    expect(out.images).toEqual([{ source: "data:image/png;base64,AA" }]);
    expect(out.title).toBe("t");
    expect(layout.images).toHaveLength(3); // the logged figure is not changed
    expect(offlineLayout({ title: "x" })).toEqual({ title: "x" });
  });
});
