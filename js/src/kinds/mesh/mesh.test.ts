import { describe, expect, it } from "vitest";
import type { Rec } from "../../lib/records";
import { meshParts, meshSamples } from "./mesh";

describe("mesh batches", () => {
  // two samples of a 3-vertex triangle; faces logged once for the batch, colours per sample
  const verts = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5, 6, 5, 5, 5, 6, 5]);
  const faces = new Int32Array([0, 1, 2]);
  const cols = new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]);
  const rec: Rec = {
    step: 0,
    wall: 0,
    meta: { parts: ["vertices", "faces", "colors"], vertices: [2, 3, 3], faces: [1, 1, 3], colors: [2, 3, 3] },
    parts: [new Uint8Array(verts.buffer), new Uint8Array(faces.buffer), cols],
  };
  it("counts the samples and slices the picked one", () => {
    expect(meshSamples(rec)).toBe(2);
    const p = meshParts(rec, 1);
    expect(Array.from(p.vertices!)).toEqual([5, 5, 5, 6, 5, 5, 5, 6, 5]);
    expect(Array.from(p.colors!)).toEqual([4, 4, 4, 5, 5, 5, 6, 6, 6]);
    expect(Array.from(p.faces!)).toEqual([0, 1, 2]); // a batch of one face set is shared
    expect(p.n).toBe(3);
    expect(p.f).toBe(1);
  });
  it("defaults to the first sample and clamps out-of-range picks", () => {
    expect(Array.from(meshParts(rec).vertices!)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(meshParts(rec, 9).vertices!)).toEqual([5, 5, 5, 6, 5, 5, 5, 6, 5]);
    expect(Array.from(meshParts(rec, -3).colors!)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });
  it("handles a point cloud without faces or colours", () => {
    const pc: Rec = { step: 0, wall: 0, meta: { parts: ["vertices"], vertices: [1, 3, 3], faces: null, colors: null }, parts: [new Uint8Array(verts.buffer, 0, 36)] };
    const p = meshParts(pc);
    expect(p.faces).toBeNull();
    expect(p.colors).toBeNull();
    expect(p.vertices!.length).toBe(9);
  });
});
