/**
 * The projector's Web Worker (bundled on its own by js/build.mjs and carried by the runtime as a
 * string, started from a Blob URL, so it runs in JupyterLab and in exported pages whose CSP allows
 * only blob: workers): one message, one layout job (layout.ts); the page terminates it to stop.
 */
import { runLayout, type LayoutJob, type LayoutReply } from "./layout";

const scope = self as unknown as {
  onmessage: ((ev: { data: LayoutJob }) => void) | null;
  postMessage(msg: LayoutReply, transfer?: Transferable[]): void;
};

scope.onmessage = (ev) => runLayout(ev.data, (msg, transfer) => scope.postMessage(msg, transfer ?? []));
