/**
 * The bootstrap of an exported page (nbboard/export.py inlines it once, as a module script).
 *
 * With no kernel, each `.nbb-export` element gets a static model (get/set/on/off/send over the
 * view's inlined state); the inlined runtime is imported once from a Blob URL and fed the view's
 * inlined kernel messages, then renders the view exactly as a live notebook would.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { base64ToBytes, decodePayload, inflate, type ExportView } from "./lib/export_payload";
import { PROTOCOL } from "./lib/wire";

interface Runtime {
  attach(uid: string, model: any): void;
  detach(uid: string): void;
  message(uid: string, content: any, buffers: any[]): void;
  render(kind: string, model: any, el: HTMLElement): (() => void) | undefined;
}

type Cb = (...args: any[]) => void;

const G = globalThis as any;
const registry: { runtimes: Record<string, Promise<Runtime>>; libs?: Record<string, Promise<any>> } = (G.__nbboard__ ??= { runtimes: {} });
registry.runtimes ??= {};

function codeScript(name: string): HTMLScriptElement {
  const s = document.querySelector<HTMLScriptElement>(`script[type="application/x-nbboard-code"][data-name="${CSS.escape(name)}"]`);
  if (!s) throw new Error(`nbboard: the exported page lacks its ${name} code`);
  return s;
}

const codes = new Map<string, Promise<string>>();

/** The inlined code of a runtime or library, inflated once. */
function code(name: string): Promise<string> {
  let p = codes.get(name);
  if (!p) {
    const s = codeScript(name);
    p = inflate(base64ToBytes(s.textContent ?? "")).then((b) => new TextDecoder().decode(b));
    codes.set(name, p);
  }
  return p;
}

function runtime(name: string): Promise<Runtime> {
  const digest = codeScript(name).dataset.digest ?? name;
  let p = registry.runtimes[digest];
  if (!p) {
    p = registry.runtimes[digest] = code(name).then(
      (c) => import(/* webpackIgnore: true */ URL.createObjectURL(new Blob([c], { type: "text/javascript" }))) as Promise<Runtime>,
    );
  }
  return p;
}

/** A library model (plotly.js, a runtime) as the views resolve it through widget_manager.get_model. */
class LibModel {
  constructor(private readonly attrs: Record<string, unknown>) {}
  get(key: string): unknown {
    return this.attrs[key];
  }
}

const libModels = new Map<string, LibModel>();

async function libModel(name: string): Promise<LibModel> {
  let m = libModels.get(name);
  if (!m) {
    m = new LibModel({ code: await code(name), digest: codeScript(name).dataset.digest ?? name });
    libModels.set(name, m);
  }
  return m;
}

/** A widget model with no kernel: the view's state lives in the page; messages to the kernel go nowhere. */
class StaticModel {
  /** Views tell a page with no kernel by this (ViewContext.live). */
  readonly isStatic = true;
  private readonly listeners = new Map<string, Set<Cb>>();
  readonly widget_manager = {
    get_model: async (id: string): Promise<LibModel> => {
      const name = String(id).replace(/^IPY_MODEL_/, "").replace(/^nbb-lib-/, "");
      return libModel(name);
    },
  };

  constructor(private readonly state: Record<string, unknown>, private readonly resend: () => void) {}

  get(key: string): any {
    return this.state[key];
  }

  set(key: string, value: unknown): void {
    const old = this.state[key];
    this.state[key] = value;
    if (old !== value) {
      this.emit(`change:${key}`, this, value);
      this.emit("change", this);
    }
  }

  save_changes(): void {
    /* nothing to save to: the page is the only copy */
  }

  on(event: string, cb: Cb): void {
    for (const ev of event.split(/\s+/)) {
      let set = this.listeners.get(ev);
      if (!set) this.listeners.set(ev, (set = new Set()));
      set.add(cb);
    }
  }

  off(event?: string | null, cb?: Cb | null): void {
    if (!event) {
      if (!cb) this.listeners.clear();
      else for (const set of this.listeners.values()) set.delete(cb);
      return;
    }
    for (const ev of event.split(/\s+/)) {
      if (cb) this.listeners.get(ev)?.delete(cb);
      else this.listeners.delete(ev);
    }
  }

  send(content: any): void {
    // A view that thinks it missed data asks the kernel for everything: replay the inlined messages.
    if (content && content.type === "resync") queueMicrotask(this.resend);
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const cb of [...(this.listeners.get(event) ?? [])]) cb(...args);
  }
}

const payloads = new Map<string, Promise<ExportView>>();

function payload(id: string): Promise<ExportView> {
  let p = payloads.get(id);
  if (!p) {
    const s = document.getElementById(`nbb-data-${id}`);
    if (!s) return Promise.reject(new Error(`nbboard: the data of view ${id} is missing from the page`));
    p = inflate(base64ToBytes(s.textContent ?? "")).then(decodePayload);
    payloads.set(id, p);
  }
  return p;
}

let counter = 0;

async function mount(el: HTMLElement): Promise<void> {
  const view = await payload(el.dataset.nbbPayload ?? "");
  // Each element gets its own model (two outputs may share one payload).
  const uid = `${String(view.state._uid ?? "view")}-${counter++}`;
  // The inlined runtime is this bundle's build: it speaks this page's wire protocol.
  const state: Record<string, unknown> = { _protocol: PROTOCOL, ...view.state, _uid: uid };
  const rt = await runtime(view.runtime);
  await Promise.all(view.libs.map(libModel));
  const feed = () => {
    for (const m of view.messages) rt.message(uid, m.content, m.buffers);
  };
  const model = new StaticModel(state, feed);
  rt.attach(uid, model);
  feed();
  // nbconvert wraps HTML outputs in JupyterLab's rendered-HTML styles (tables, images); views style themselves.
  el.parentElement?.classList.remove("jp-RenderedHTMLCommon", "jp-RenderedHTML");
  rt.render(String(state.kind ?? ""), model, el);
  el.dataset.nbbState = "rendered";
}

async function main(): Promise<void> {
  const els = [...document.querySelectorAll<HTMLElement>(".nbb-export[data-nbb-payload]")];
  const errors: string[] = [];
  await Promise.all(
    els.map((el) =>
      mount(el).catch((err: unknown) => {
        el.dataset.nbbState = "error";
        el.textContent = `nbboard: could not show this view (${err instanceof Error ? err.message : String(err)})`;
        errors.push(String(err));
        console.warn("nbboard:", err);
      }),
    ),
  );
  document.body.dataset.nbbExport = errors.length ? "errors" : "ready";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void main());
else void main();
