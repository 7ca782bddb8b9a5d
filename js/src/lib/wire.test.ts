import { describe, expect, it } from "vitest";
import { decodeScalars, PROTOCOL, protocolMismatch } from "./wire";

describe("wire decoding", () => {
  it("splits one buffer into per-series columns", () => {
    const buf = new Float64Array([0, 1, 10, 11, 100, 101, 7, 70, 700]).buffer;
    const chunks = decodeScalars({ series: [[3, "a", "loss", 0, 2, false], [4, "b", "acc", 9, 1, true]] }, [new DataView(buf)]);
    expect(chunks.length).toBe(2);
    expect(Array.from(chunks[0].values)).toEqual([10, 11]);
    expect(Array.from(chunks[0].walls)).toEqual([100, 101]);
    expect(chunks[1]).toMatchObject({ id: 4, run: "b", tag: "acc", start: 9, reset: true });
    expect(Array.from(chunks[1].steps)).toEqual([7]);
    expect(chunks[0].rank).toBe(-1);
  });
  it("reads the rank of a distributed run's series", () => {
    const buf = new Float64Array([0, 1, 2, 0, 1, 2]).buffer;
    const chunks = decodeScalars({ series: [[5, "exp", "loss", 0, 1, false, 3, "exp/rank3"], [6, "one", "loss", 0, 1, false, -1]] }, [new DataView(buf)]);
    expect(chunks.map((c) => [c.rank, c.folder])).toEqual([[3, "exp/rank3"], [-1, "one"]]);
  });
  it("copies misaligned buffers", () => {
    const raw = new Uint8Array(8 * 3 + 4);
    new Float64Array(raw.buffer, 0, 3).set([1, 2, 3]);
    raw.copyWithin(4, 0, 24);
    const chunks = decodeScalars({ series: [[0, "a", "t", 0, 1, 0]] }, [new DataView(raw.buffer, 4, 24)]);
    expect(Array.from(chunks[0].values)).toEqual([2]);
  });
});

describe("wire protocol version", () => {
  it("accepts this page's protocol only", () => {
    expect(PROTOCOL).toBe(1);
    expect(protocolMismatch(PROTOCOL)).toBeNull();
    expect(protocolMismatch(2)).toBe(
      "This nbboard view was saved by a different version of nbboard (wire protocol 2; this page speaks wire protocol 1). Re-run the cell to redraw it.",
    );
    expect(protocolMismatch("1")).toMatch(/\(wire protocol "1"; /);
  });
  it("treats a model without a version as another protocol", () => {
    expect(protocolMismatch(undefined)).toMatch(/^This nbboard view was saved by a different version of nbboard \(no wire protocol version; this page speaks wire protocol 1\)/);
    expect(protocolMismatch(null)).not.toBeNull();
  });
});
