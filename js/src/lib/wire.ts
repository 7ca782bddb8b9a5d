/**
 * The kernel → page wire format for scalar deltas.
 *
 * content: {type: "scalars", series: [[id, run, tag, start, count, reset], ...]}
 * buffers[0]: for each series in order, count float64 steps, then values, then wall times.
 */

interface SeriesChunk {
  id: number;
  run: string;
  tag: string;
  start: number;
  reset: boolean;
  steps: Float64Array;
  values: Float64Array;
  walls: Float64Array;
}

export type Buffer = ArrayBuffer | DataView | ArrayBufferView;

/** Asks the kernel to resend everything (some messages were missed); a failed send is only logged. */
export function requestResync(model: { send(content: unknown): void }): void {
  try {
    model.send({ type: "resync" });
  } catch (err) {
    console.warn("nbboard: resync request failed", err);
  }
}

function asFloat64(buf: Buffer | undefined): Float64Array {
  if (buf === undefined) return new Float64Array(0);
  if (buf instanceof ArrayBuffer) return new Float64Array(buf, 0, buf.byteLength >> 3);
  const { buffer, byteOffset, byteLength } = buf;
  if (byteOffset % 8 === 0) return new Float64Array(buffer, byteOffset, byteLength >> 3);
  return new Float64Array(new Uint8Array(buffer, byteOffset, byteLength).slice().buffer);
}

type Row = [number, string, string, number, number, boolean | number];

export function decodeScalars(content: { series?: unknown }, buffers: readonly Buffer[]): SeriesChunk[] {
  const rows = (Array.isArray(content.series) ? content.series : []) as Row[];
  const f = asFloat64(buffers[0]);
  const out: SeriesChunk[] = [];
  let off = 0;
  for (const [id, run, tag, start, count, reset] of rows) {
    out.push({
      id, run: String(run), tag: String(tag), start, reset: !!reset,
      steps: f.subarray(off, off + count),
      values: f.subarray(off + count, off + 2 * count),
      walls: f.subarray(off + 2 * count, off + 3 * count),
    });
    off += 3 * count;
  }
  return out;
}
