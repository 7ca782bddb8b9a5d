/**
 * The kernel ↔ page wire protocol (its Python side: nbboard/widgets/wire.py).
 *
 * Its version, PROTOCOL, is on every view model (the synced `_protocol` trait) and in the
 * handshake: the page says {type: "hello", protocol} when it attaches to a model, the kernel
 * answers {type: "sync", next, protocol} (`next`: how many numbered messages it has sent).
 * A page asks {type: "resync"} when it missed messages; the kernel then sends everything again.
 *
 * Scalar deltas: content {type: "scalars", series: [[id, run, tag, start, count, reset, rank, folder], ...]};
 * buffers[0]: for each series in order, count float64 steps, then values, then wall times.
 * `rank` (-1 or absent for a run of one process) is the rank of a distributed run the series is of,
 * `folder` the run name of that rank's own folder (`exp/rank1`; absent: the run's name).
 */

/** The version of the wire protocol this page speaks. */
export const PROTOCOL = 1;

/**
 * Why a view cannot be drawn when its model (or its kernel) speaks wire protocol `theirs`:
 * a sentence for the reader, or null when it is this page's protocol.
 */
export function protocolMismatch(theirs: unknown): string | null {
  if (theirs === PROTOCOL) return null;
  const what = theirs === undefined || theirs === null ? "no wire protocol version" : `wire protocol ${JSON.stringify(theirs)}`;
  return `This nbboard view was saved by a different version of nbboard (${what}; this page speaks wire protocol ${PROTOCOL}). Re-run the cell to redraw it.`;
}

interface SeriesChunk {
  id: number;
  run: string;
  tag: string;
  rank: number;
  folder: string;
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

type Row = [number, string, string, number, number, boolean | number, number?, string?];

export function decodeScalars(content: { series?: unknown }, buffers: readonly Buffer[]): SeriesChunk[] {
  const rows = (Array.isArray(content.series) ? content.series : []) as Row[];
  const f = asFloat64(buffers[0]);
  const out: SeriesChunk[] = [];
  let off = 0;
  for (const [id, run, tag, start, count, reset, rank, folder] of rows) {
    out.push({
      id, run: String(run), tag: String(tag), rank: typeof rank === "number" && rank >= 0 ? rank : -1,
      folder: typeof folder === "string" ? folder : String(run), start, reset: !!reset,
      steps: f.subarray(off, off + count),
      values: f.subarray(off + count, off + 2 * count),
      walls: f.subarray(off + 2 * count, off + 3 * count),
    });
    off += 3 * count;
  }
  return out;
}
