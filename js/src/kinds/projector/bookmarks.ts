/**
 * Projector bookmarks (TensorBoard's "bookmarks"): a named snapshot of what the view shows — the
 * embedding and step, projection and dims, colouring, search, selection, camera, and a layout the
 * page computed (its coordinates, base64 float32, since recomputing would not give them back) —
 * kept in the view's ui state, so a saved notebook and an exported page carry them. Bookmarks read
 * back from ui state are untrusted: `readBookmarks` keeps only well-formed fields.
 */

export interface CameraState {
  position: number[];
  target: number[];
  up: number[];
}

export interface CustomQueries {
  left: string;
  right: string;
  down: string;
  up: string;
}

export interface Bookmark {
  name: string;
  pair: string;
  step: number;
  method: string;
  dims: 2 | 3;
  colorBy: string;
  search: string;
  searchCol: number;
  selected: number;
  camera: CameraState | null;
  /** the custom projection's four searches */
  custom: CustomQueries | null;
  /** a page-computed layout: its method's parameters and n×3 coordinates */
  layout: { method: string; params: Record<string, number>; coords: string } | null;
}

/** Float32 values as base64 (little-endian bytes). */
export function f32ToBase64(a: Float32Array): string {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The inverse of f32ToBase64; null when the text is not base64 of whole float32s. */
export function base64ToF32(s: string): Float32Array | null {
  try {
    const bin = atob(s);
    if (bin.length % 4) return null;
    const b = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
    return new Float32Array(b.buffer);
  } catch {
    return null;
  }
}

const vec3 = (v: unknown): number[] | null =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x)) ? (v as number[]) : null;

const int = (v: unknown, dflt: number): number => (typeof v === "number" && Number.isInteger(v) ? v : dflt);
const str = (v: unknown, max = 2000): string => (typeof v === "string" ? v.slice(0, max) : "");

/** Custom-projection searches from ui state (strings; null when not an object). */
export function readCustom(v: unknown): CustomQueries | null {
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  return { left: str(o.left), right: str(o.right), down: str(o.down), up: str(o.up) };
}

/** The well-formed bookmarks of a ui-state value (anything else is dropped). */
export function readBookmarks(raw: unknown): Bookmark[] {
  if (!Array.isArray(raw)) return [];
  const out: Bookmark[] = [];
  for (const r of raw) {
    if (!r || typeof r !== "object") continue;
    const o = r as Record<string, unknown>;
    const name = str(o.name, 200);
    if (!name) continue;
    const cam = o.camera as Record<string, unknown> | null | undefined;
    const position = vec3(cam?.position), target = vec3(cam?.target), up = vec3(cam?.up);
    const lay = o.layout as Record<string, unknown> | null | undefined;
    const params: Record<string, number> = {};
    if (lay && lay.params && typeof lay.params === "object") {
      for (const [k, v] of Object.entries(lay.params as Record<string, unknown>)) if (typeof v === "number" && Number.isFinite(v)) params[k] = v;
    }
    out.push({
      name,
      pair: str(o.pair),
      step: int(o.step, -1),
      method: ["pca", "tsne", "umap", "custom"].includes(o.method as string) ? (o.method as string) : "pca",
      dims: o.dims === 2 ? 2 : 3,
      colorBy: str(o.colorBy, 500),
      search: str(o.search),
      searchCol: int(o.searchCol, -1),
      selected: int(o.selected, -1),
      camera: position && target && up ? { position, target, up } : null,
      custom: readCustom(o.custom),
      layout: lay && (lay.method === "tsne" || lay.method === "umap") && typeof lay.coords === "string" ? { method: lay.method, params, coords: lay.coords } : null,
    });
  }
  return out;
}

/** `list` with `b` added, replacing a bookmark of the same name (kept in its place). */
export function putBookmark(list: Bookmark[], b: Bookmark): Bookmark[] {
  const i = list.findIndex((x) => x.name === b.name);
  if (i < 0) return [...list, b];
  const out = [...list];
  out[i] = b;
  return out;
}

/** The first "Bookmark N" (N = 1, 2, …) not yet used. */
export function nextName(list: Bookmark[]): string {
  for (let k = 1; ; k++) if (!list.some((b) => b.name === `Bookmark ${k}`)) return `Bookmark ${k}`;
}
