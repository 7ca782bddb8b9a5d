/**
 * The page-side store of non-scalar records (images, histograms, text, ...) per widget model,
 * filled from the kernel's "records" messages (format: nbboard/widgets/feeds.py).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { requestResync, type Buffer } from "./wire";

export interface Rec {
  step: number;
  wall: number;
  meta: any;
  parts: Uint8Array[];
}

export class RecordSeries {
  recs: Rec[] = [];
  version = 0;
  constructor(
    readonly id: number,
    readonly kind: string,
    readonly run: string,
    readonly tag: string,
  ) {}

  /** The record index whose step is closest to `step` (≤ when possible). */
  indexAtStep(step: number): number {
    const r = this.recs;
    if (r.length === 0) return -1;
    let best = 0;
    for (let i = 0; i < r.length; i++) if (r[i].step <= step && r[i].step >= r[best].step) best = i;
    return r[best].step <= step ? best : 0;
  }
}

type RecordListener = (changed: Set<RecordSeries>, structural: boolean) => void;

export function asBytes(buf: Buffer | undefined): Uint8Array {
  if (buf === undefined) return new Uint8Array(0);
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A record part as float64s (copied when the part is not 8-byte aligned in memory). */
export function f64(part: Uint8Array): Float64Array {
  if (part.byteOffset % 8 === 0) return new Float64Array(part.buffer, part.byteOffset, part.byteLength >> 3);
  return new Float64Array(part.slice().buffer);
}

export function f32(part: Uint8Array): Float32Array {
  if (part.byteOffset % 4 === 0) return new Float32Array(part.buffer, part.byteOffset, part.byteLength >> 2);
  return new Float32Array(part.slice().buffer);
}

export function i32(part: Uint8Array): Int32Array {
  if (part.byteOffset % 4 === 0) return new Int32Array(part.buffer, part.byteOffset, part.byteLength >> 2);
  return new Int32Array(part.slice().buffer);
}

/** A JSON number that may have travelled as a string ("nan", "inf", "-inf"). */
export function num(x: unknown): number {
  if (typeof x === "number") return x;
  const s = String(x).toLowerCase();
  if (s === "inf" || s === "+inf") return Infinity;
  if (s === "-inf") return -Infinity;
  return Number(s === "nan" ? NaN : s);
}

type Row = [number, string, string, string, number, boolean, number[], number[], any[]];

/** A file the kernel could not read for a kind (nbboard/store.py `problems`). */
export interface Problem {
  run: string;
  kind: string;
  file: string;
  /** what is wrong, naming the file (untrusted text: shown as text only) */
  message: string;
}

export class RecordData {
  readonly series = new Map<number, RecordSeries>();
  /** the files that could not be read (the latest list the kernel sent) */
  problems: Problem[] = [];
  /** run → plugin name → its JSON (hparams sessions, custom scalar layouts). */
  readonly plugins = new Map<string, Record<string, any>>();
  readonly listeners = new Set<RecordListener>();
  lastData = 0;
  model: { send(c: any): void } | null = null;
  private resyncAsked = false;

  subscribe(fn: RecordListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  ofKind(kind: string): RecordSeries[] {
    const out: RecordSeries[] = [];
    for (const s of this.series.values()) if (s.kind === kind) out.push(s);
    return out;
  }

  kindsPresent(): Set<string> {
    const k = new Set<string>();
    for (const s of this.series.values()) if (s.recs.length) k.add(s.kind);
    for (const p of this.plugins.values()) for (const name of Object.keys(p)) k.add(name);
    return k;
  }

  runs(): string[] {
    const r = new Set<string>();
    for (const s of this.series.values()) r.add(s.run);
    for (const run of this.plugins.keys()) r.add(run);
    return [...r].sort();
  }

  /** Apply one kernel message; returns false when it is not a records message. */
  apply(content: any, buffers: readonly Buffer[]): boolean {
    if (!content || content.type !== "records") return false;
    const changed = new Set<RecordSeries>();
    let structural = false;
    let gap = false;
    const rows = (Array.isArray(content.series) ? content.series : []) as Row[];
    rows.forEach((row, k) => {
      const [id, kind, run, tag, start, reset, steps, walls, metas] = row;
      let s = this.series.get(id);
      if (!s) {
        s = new RecordSeries(id, String(kind), String(run), String(tag));
        this.series.set(id, s);
        structural = true;
      }
      if (reset) s.recs = [];
      if (start !== s.recs.length) {
        if (start > s.recs.length) {
          gap = true;
          return;
        }
        s.recs.length = start; // a resend overlapping what we hold
      }
      const bytes = asBytes(buffers[k]);
      for (let i = 0; i < metas.length; i++) {
        const meta = metas[i] ?? {};
        const parts = ((meta.p ?? []) as [number, number][]).map(([o, n]) => bytes.subarray(o, o + n));
        s.recs.push({ step: steps[i], wall: walls[i], meta, parts });
      }
      if (s.recs.length === metas.length && metas.length) structural = true; // first records: a tab may appear
      s.version++;
      changed.add(s);
    });
    if (Array.isArray(content.problems)) {
      this.problems = content.problems.map((p: any) => ({ run: String(p?.run ?? ""), kind: String(p?.kind ?? ""),
        file: String(p?.file ?? ""), message: String(p?.message ?? "") }));
      structural = true;
    }
    const plugins = content.plugins ?? {};
    for (const run of Object.keys(plugins)) {
      const cur = this.plugins.get(run) ?? {};
      this.plugins.set(run, { ...cur, ...plugins[run] });
      structural = true;
    }
    if (changed.size) this.lastData = performance.now();
    if (gap) this.askResync();
    else if (content.full) this.resyncAsked = false;
    for (const fn of this.listeners) fn(changed, structural);
    return true;
  }

  private askResync(): void {
    if (this.resyncAsked || !this.model) return;
    this.resyncAsked = true;
    requestResync(this.model);
  }
}

const byModel = new Map<string, RecordData>();

export function recordData(uid: string): RecordData {
  let d = byModel.get(uid);
  if (!d) byModel.set(uid, (d = new RecordData()));
  return d;
}

export function dropRecordData(uid: string): void {
  byModel.delete(uid);
}
