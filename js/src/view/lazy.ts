/**
 * A view whose code lives in a page library of its own (the 3-D bundle: three.js, the projector
 * and mesh views, the t-SNE/UMAP worker): the main runtime holds only this stub, which shows a
 * note, imports the bundle from the library model the kernel attaches to the model as `trait`
 * (once per page, by digest: view/library.ts) and hands it the view's root and context.
 */
import type { ViewContext } from "./context";
import { el } from "./dom";
import { libraryModule } from "./library";

/** What a view bundle exports: draws view kind `kind` into `root`, returns its dispose. */
export interface ViewBundle {
  render(kind: string, root: HTMLElement, ctx: ViewContext): () => void;
}

/** A ViewSpec `render` drawing `kind` with the bundle attached as `trait` (`_scene3d`). */
export function lazyRender(trait: string, kind: string): (root: HTMLElement, ctx: ViewContext) => () => void {
  return (root, ctx) => {
    const note = el("div", "nbb-v-note", "Loading the view…");
    root.appendChild(note);
    let disposed = false;
    let dispose: (() => void) | null = null;
    (libraryModule(ctx.model, trait) as Promise<ViewBundle>).then(
      (bundle) => {
        if (disposed) return;
        note.remove();
        dispose = bundle.render(kind, root, ctx);
      },
      (err: unknown) => {
        note.textContent = `This view could not be loaded (${err instanceof Error ? err.message : String(err)}).`;
      },
    );
    return () => {
      disposed = true;
      dispose?.();
      dispose = null;
    };
  };
}
