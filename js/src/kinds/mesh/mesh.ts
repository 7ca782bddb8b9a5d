/** The geometry of one add_mesh record, as the mesh view draws it (pure: no three.js here). */
import { f32, i32, type Rec } from "../../lib/records";

interface Parts {
  vertices: Float32Array | null;
  faces: Int32Array | null;
  colors: Uint8Array | null;
  n: number;
  f: number;
}

/** How many batch elements (samples) a mesh record holds. */
export function meshSamples(rec: Rec): number {
  const vs = rec.meta.vertices as number[] | null;
  return vs ? Math.max(1, vs[0]) : 0;
}

/**
 * Batch element `sample`'s vertices, faces and colours of a mesh record (clamped to the batch).
 * Faces and colours logged with a batch of one are shared by every sample.
 */
export function meshParts(rec: Rec, sample = 0): Parts {
  const m = rec.meta;
  const names: string[] = m.parts ?? [];
  const part = (name: string) => {
    const k = names.indexOf(name);
    return k >= 0 ? rec.parts[k] : null;
  };
  const vs = m.vertices as number[] | null, fs = m.faces as number[] | null, cs = m.colors as number[] | null;
  const v = part("vertices"), f = part("faces"), c = part("colors");
  const n = vs ? vs[1] : 0, nf = fs ? fs[1] : 0;
  const at = (shape: number[] | null) => (shape ? Math.min(Math.max(0, Math.floor(sample)), Math.max(0, shape[0] - 1)) : 0);
  const vi = at(vs), fi = at(fs), ci = at(cs);
  return {
    vertices: v ? f32(v).subarray(vi * n * 3, (vi + 1) * n * 3) : null,
    faces: f && nf ? i32(f).subarray(fi * nf * 3, (fi + 1) * nf * 3) : null,
    colors: c && cs && cs[1] === n ? c.subarray(ci * n * 3, (ci + 1) * n * 3) : null,
    n,
    f: nf,
  };
}

