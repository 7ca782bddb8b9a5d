/**
 * The inlined data of an exported page: one view's snapshot (its model state and the kernel
 * messages a live view would have received), packed by nbboard/export.py as
 *
 *   "NBB1" | u32 LE json length | json | zero padding to 8 bytes | binary buffers (8-byte aligned)
 *
 * then deflated (zlib) and base64-encoded. json = {state, runtime, libs, messages: [{c, b: [[offset, nbytes], ...]}]}
 * with offsets relative to the start of the binary region.
 */

interface ExportMessage {
  content: unknown;
  buffers: DataView[];
}

export interface ExportView {
  state: Record<string, unknown>;
  /** Which inlined runtime renders it ("main", "graph"). */
  runtime: string;
  /** Other inlined libraries its model references (e.g. "plotly"). */
  libs: string[];
  messages: ExportMessage[];
}

const MAGIC = "NBB1";

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64.replace(/\s+/g, ""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Inflate zlib ("deflate") bytes with the browser's DecompressionStream. */
export async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Split an inflated payload into its view description and DataViews over its buffers. */
export function decodePayload(bytes: Uint8Array): ExportView {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error("nbboard: not an export payload");
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(4, true);
  if (8 + n > bytes.length) throw new Error("nbboard: truncated export payload");
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as {
    state?: Record<string, unknown>;
    runtime?: string;
    libs?: string[];
    messages?: { c: unknown; b?: [number, number][] }[];
  };
  const base = (8 + n + 7) & ~7;
  // Buffers must be 8-byte aligned in memory for Float64Array views: copy when the bytes are not.
  const aligned = (bytes.byteOffset + base) % 8 === 0 ? bytes : bytes.slice();
  const messages: ExportMessage[] = (head.messages ?? []).map((m) => ({
    content: m.c,
    buffers: (m.b ?? []).map(([off, len]) => {
      if (off < 0 || len < 0 || base + off + len > aligned.length) throw new Error("nbboard: export buffer out of range");
      return new DataView(aligned.buffer, aligned.byteOffset + base + off, len);
    }),
  }));
  return { state: head.state ?? {}, runtime: head.runtime ?? "main", libs: head.libs ?? [], messages };
}
