/**
 * A page library or bundle the kernel attaches to a model as a widget reference (`_plotly`,
 * `_graph`): its library model's code, imported once per page from a Blob URL and cached on
 * globalThis by digest, in the same table the loader keeps runtimes in (a bundle a lone view
 * already imported is not imported again). Resolves once the kernel has attached it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { AnyModel } from "../model";

const G = globalThis as any;

export function libraryModule(model: AnyModel, trait: string): Promise<any> {
  const cache: Record<string, Promise<any>> = ((G.__nbboard__ ??= {}).runtimes ??= {});
  const fromRef = async (ref: unknown): Promise<any> => {
    const lib = await model.widget_manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""));
    const digest = String(lib.get("digest"));
    let p = cache[digest];
    if (!p) {
      const url = URL.createObjectURL(new Blob([String(lib.get("code"))], { type: "text/javascript" }));
      p = cache[digest] = import(/* webpackIgnore: true */ url);
    }
    return p;
  };
  const ref = model.get(trait);
  if (ref) return fromRef(ref);
  return new Promise((resolve, reject) => {
    const on = () => {
      const r = model.get(trait);
      if (!r) return;
      model.off(`change:${trait}`, on);
      fromRef(r).then(resolve, reject);
    };
    model.on(`change:${trait}`, on);
  });
}
