/**
 * The projector's page-side data: the embeddings and their projections, folded incrementally from
 * a model's "projector" and "projector_coords" record series (nbboard/kinds/projector/).
 */
import type { ColumnSpec } from "./data";
import { f32, i32, type RecordData } from "../../lib/records";

/** Projections: the kernel computes pca (and tsne / umap when asked); the page tsne, umap and custom. */
export type Method = "pca" | "tsne" | "umap" | "custom";
export const METHOD_LABEL: Record<Method, string> = { pca: "PCA", tsne: "t-SNE", umap: "UMAP", custom: "Custom" };

export interface Projection {
  state: string;
  message?: string;
  since?: number;
  seconds?: number;
  evr?: number[];
  raw?: Float32Array;
  fit?: { 2?: Float32Array; 3?: Float32Array };
}

export interface Embedding {
  key: string;
  run: string;
  tag: string;
  step: number;
  n: number;
  d: number;
  m: number;
  space: string;
  columns: ColumnSpec[];
  codes: Int32Array | null;
  vectors: Float32Array;
  sprite: { w: number; h: number; cols: number; count: number } | null;
  png: Uint8Array | null;
  /** by method: "pca", "tsne", "umap", and the 2-D layouts "tsne_2d", "umap_2d" */
  coords: Map<string, Projection>;
}

/** The page's embeddings, rebuilt incrementally from the model's record series. */
export class EmbeddingIndex {
  readonly byKey = new Map<string, Embedding>();
  private seen = new Map<number, { n: number; version: number }>();

  constructor(private records: RecordData) {}

  /** Fold new records in; true when something changed. */
  update(): boolean {
    let changed = false;
    const bases = this.records.ofKind("projector");
    const coords = this.records.ofKind("projector_coords");
    for (const s of [...bases, ...coords]) {
      const prev = this.seen.get(s.id);
      if (prev && prev.version === s.version) continue;
      let from = prev ? prev.n : 0;
      if (from > s.recs.length) from = 0; // reset: re-read all of it
      for (let i = from; i < s.recs.length; i++) {
        const r = s.recs[i];
        const m = r.meta ?? {};
        if (s.kind === "projector") {
          const n = Number(m.n) | 0;
          const cols = Array.isArray(m.columns) ? (m.columns as ColumnSpec[]) : [];
          const e: Embedding = {
            key: String(m.key), run: s.run, tag: s.tag, step: r.step, n, d: Number(m.d) | 0, m: Number(m.m) | 0,
            space: String(m.space ?? ""), columns: cols,
            codes: cols.length && r.parts[1]?.byteLength ? i32(r.parts[1]) : null,
            vectors: r.parts[0] ? f32(r.parts[0]) : new Float32Array(0),
            sprite: m.sprite && r.parts[2]?.byteLength ? m.sprite : null,
            png: r.parts[2]?.byteLength ? r.parts[2] : null,
            coords: this.byKey.get(String(m.key))?.coords ?? new Map(),
          };
          this.byKey.set(e.key, e);
        } else {
          const e = this.byKey.get(String(m.key));
          if (!e) continue;
          const p: Projection = { state: String(m.state), message: m.message, since: m.since, seconds: m.seconds, evr: m.explained_variance_ratio };
          if (p.state === "done" && r.parts[0]) p.raw = f32(r.parts[0]);
          const old = e.coords.get(String(m.method));
          if (old?.raw && !p.raw) continue; // never trade coordinates for a stale state
          e.coords.set(String(m.method), p);
        }
        changed = true;
      }
      this.seen.set(s.id, { n: s.recs.length, version: s.version });
    }
    return changed;
  }

  /** (run, tag) pairs in order of appearance, each with its embeddings by step. */
  pairs(): Map<string, Embedding[]> {
    const out = new Map<string, Embedding[]>();
    for (const e of this.byKey.values()) {
      const k = e.run + "\u001f" + e.tag;
      let l = out.get(k);
      if (!l) out.set(k, (l = []));
      l.push(e);
    }
    return out;
  }
}
