import { describe, expect, it } from "vitest";
import { base64ToF32, f32ToBase64, nextName, putBookmark, readBookmarks, type Bookmark } from "./bookmarks";

const mark = (name: string, over: Partial<Bookmark> = {}): Bookmark => ({
  name, pair: ".\u001femb", step: 0, method: "tsne", dims: 2, colorBy: "label", search: "^3$", searchCol: -1, selected: 4,
  camera: { position: [0, 0, 3], target: [0, 0, 0], up: [0, 1, 0] }, custom: { left: "cat", right: "dog", down: "", up: "" }, layout: null, ...over,
});

describe("bookmarks", () => {
  it("round-trips float32 coordinates through base64", () => {
    const a = Float32Array.from({ length: 70_001 }, (_, i) => Math.sin(i) * 1e3);
    expect(base64ToF32(f32ToBase64(a))).toEqual(a);
    expect(base64ToF32("not base64!")).toBeNull();
    expect(base64ToF32(btoa("abc"))).toBeNull(); // 3 bytes: not whole float32s
  });

  it("reads back what it saved (through JSON), and drops malformed entries and fields", () => {
    const coords = f32ToBase64(new Float32Array([1, 2, 0]));
    const good = mark("mine", { layout: { method: "umap", params: { neighbors: 8 }, coords } });
    const raw = JSON.parse(JSON.stringify([good, null, 3, { name: "" }, { name: "bad", dims: 7, method: "<img>", camera: { position: [1, "x", 2] }, layout: { method: "pca", coords: 1 }, selected: 1.5 }]));
    const got = readBookmarks(raw);
    expect(got).toHaveLength(2);
    expect(got[0]).toEqual(good);
    expect(got[1]).toMatchObject({ name: "bad", dims: 3, method: "pca", camera: null, custom: null, layout: null, selected: -1 });
    expect(readBookmarks({})).toEqual([]);
  });

  it("replaces a bookmark of the same name in place, and names new ones", () => {
    const l = putBookmark(putBookmark([], mark("a")), mark("b"));
    const r = putBookmark(l, mark("a", { step: 9 }));
    expect(r.map((b) => [b.name, b.step])).toEqual([["a", 9], ["b", 0]]);
    expect(nextName([])).toBe("Bookmark 1");
    expect(nextName([mark("Bookmark 2")])).toBe("Bookmark 1");
    expect(nextName([mark("Bookmark 1"), mark("Bookmark 2")])).toBe("Bookmark 3");
  });
});
