/**
 * The module each nbboard view ships as its anywidget `_esm` (kept tiny on purpose).
 *
 * It finds the singleton runtime model through the `_runtime` widget reference, imports the
 * runtime's code once per page from a Blob URL cached on globalThis by digest, and hands the
 * model's messages and views to it. Messages arriving before the runtime loads are queued.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

interface Runtime {
  attach(uid: string, model: any): void;
  detach(uid: string): void;
  message(uid: string, content: any, buffers: any[]): void;
  render(kind: string, model: any, el: HTMLElement): () => void;
}

const G = globalThis as any;
const registry: { runtimes: Record<string, Promise<Runtime>> } = (G.__nbboard__ ??= { runtimes: {} });
registry.runtimes ??= {};

async function runtimeOf(model: any): Promise<Runtime> {
  const ref = String(model.get("_runtime") ?? "");
  const rt = await model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""));
  const digest = String(rt.get("digest"));
  let p = registry.runtimes[digest];
  if (!p) {
    const url = URL.createObjectURL(new Blob([String(rt.get("code"))], { type: "text/javascript" }));
    p = registry.runtimes[digest] = import(/* webpackIgnore: true */ url) as Promise<Runtime>;
  }
  return p;
}

export default {
  initialize({ model }: { model: any }) {
    const uid = String(model.get("_uid"));
    let rt: Runtime | null = null;
    const queue: [any, any[]][] = [];
    model.on("msg:custom", (content: any, buffers: any[]) => {
      if (rt) rt.message(uid, content, buffers ?? []);
      else queue.push([content, buffers ?? []]);
    });
    runtimeOf(model).then(
      (r) => {
        rt = r;
        r.attach(uid, model);
        for (const [c, b] of queue.splice(0)) r.message(uid, c, b);
      },
      (err) => console.error("nbboard: could not load the runtime", err),
    );
    return () => rt?.detach(uid);
  },
  async render({ model, el }: { model: any; el: HTMLElement }) {
    try {
      const rt = await runtimeOf(model);
      return rt.render(String(model.get("kind")), model, el);
    } catch (err) {
      el.textContent = `nbboard: could not load the view (${err})`;
      return undefined;
    }
  },
};
