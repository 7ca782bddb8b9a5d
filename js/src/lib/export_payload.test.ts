import { describe, expect, it } from "vitest";
import { base64ToBytes, decodePayload, inflate } from "./export_payload";

/** Pack a payload exactly as nbboard/export.py's encode_payload does. */
function encode(head: object, buffers: Uint8Array[][]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let off = 0;
  const messages = buffers.map((bufs, i) => ({
    c: { type: "t", i },
    b: bufs.map((b) => {
      const loc = [off, b.length];
      chunks.push(b);
      off += b.length;
      const pad = -off & 7;
      if (pad) {
        chunks.push(new Uint8Array(pad));
        off += pad;
      }
      return loc;
    }),
  }));
  const json = new TextEncoder().encode(JSON.stringify({ ...head, messages }));
  const pad = -(8 + json.length) & 7;
  const out = new Uint8Array(8 + json.length + pad + off);
  out.set(new TextEncoder().encode("NBB1"), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let p = 8 + json.length + pad;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

describe("export payload", () => {
  const floats = new Float64Array([1.5, -2, Number.NaN]);
  const raw = encode({ state: { kind: "scalars", _uid: "u" }, runtime: "main", libs: ["plotly"] }, [
    [new Uint8Array(floats.buffer), new Uint8Array([1, 2, 3])],
    [],
  ]);

  it("splits the header and 8-byte aligned buffers", () => {
    const v = decodePayload(raw);
    expect(v.state).toEqual({ kind: "scalars", _uid: "u" });
    expect(v.runtime).toBe("main");
    expect(v.libs).toEqual(["plotly"]);
    expect(v.messages.map((m) => m.content)).toEqual([{ type: "t", i: 0 }, { type: "t", i: 1 }]);
    const [f, b] = v.messages[0].buffers;
    expect(f.byteOffset % 8).toBe(0);
    const back = new Float64Array(f.buffer, f.byteOffset, f.byteLength / 8);
    expect(back[0]).toBe(1.5);
    expect(back[1]).toBe(-2);
    expect(Number.isNaN(back[2])).toBe(true);
    expect([...new Uint8Array(b.buffer, b.byteOffset, b.byteLength)]).toEqual([1, 2, 3]);
    expect(v.messages[1].buffers).toEqual([]);
  });

  it("copies a payload that is not 8-byte aligned in memory", () => {
    const shifted = new Uint8Array(raw.length + 3);
    shifted.set(raw, 3);
    const v = decodePayload(shifted.subarray(3));
    expect(v.messages[0].buffers[0].byteOffset % 8).toBe(0);
    expect(new Float64Array(v.messages[0].buffers[0].buffer, v.messages[0].buffers[0].byteOffset, 3)[0]).toBe(1.5);
  });

  it("rejects what is not a payload, or is cut short", () => {
    expect(() => decodePayload(new TextEncoder().encode("<html>..."))).toThrow(/not an export payload/);
    expect(() => decodePayload(raw.subarray(0, 20))).toThrow(/truncated|out of range/);
  });

  it("inflates zlib base64 as the Python side writes it", async () => {
    // CompressionStream("deflate") writes zlib, as Python's zlib.compress does
    const stream = new Blob([raw as BlobPart]).stream().pipeThrough(new CompressionStream("deflate"));
    const z = new Uint8Array(await new Response(stream).arrayBuffer());
    const b64 = btoa(String.fromCharCode(...z));
    const bytes = await inflate(base64ToBytes(b64.replace(/(.{60})/g, "$1\n")));
    expect(decodePayload(bytes).state.kind).toBe("scalars");
  });
});
