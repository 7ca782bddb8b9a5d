/**
 * Logged text → safe HTML: markdown (GFM tables included) rendered by marked, then sanitised
 * by DOMPurify. Logged strings are untrusted; nothing else in nbboard inserts HTML.
 */
import DOMPurify from "dompurify";
import { marked } from "marked";
import { isLocalSource } from "../../lib/offline";

let hooked = false;

/** The DOMPurify instance, with links forced to open safely in a new tab. */
function purifier(win?: Window): typeof DOMPurify {
  const p = win ? DOMPurify(win as unknown as Parameters<typeof DOMPurify>[0]) : DOMPurify;
  if (!hooked || win) {
    p.addHook("afterSanitizeAttributes", (node: Element) => {
      if (node.tagName === "A") {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    });
    if (!win) hooked = true;
  }
  return p;
}

const CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
  FORBID_ATTR: ["style"],
};

/**
 * Logged text never makes the page fetch anything (a remote image is a web beacon, and an export
 * promises to open offline): a remote image becomes a link showing its address; other remote
 * sources (video, audio, srcset, poster) are dropped.
 */
function offlineOnly(root: DocumentFragment | HTMLElement, doc: Document): void {
  for (const img of Array.from(root.querySelectorAll("img"))) {
    const src = img.getAttribute("src") ?? "";
    if (isLocalSource(src)) continue;
    const alt = img.getAttribute("alt") ?? "";
    const a = doc.createElement("a");
    if (/^https?:/i.test(src)) {
      a.setAttribute("href", src);
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
    a.className = "nbb-remote-image";
    a.textContent = `[image${alt ? ": " + alt : ""}] ${src}`;
    img.replaceWith(a);
  }
  for (const node of Array.from(root.querySelectorAll("[src], [srcset], [poster]"))) {
    for (const name of ["src", "srcset", "poster"]) {
      const v = node.getAttribute(name);
      if (v !== null && (name === "srcset" || !isLocalSource(v))) node.removeAttribute(name);
    }
  }
}

/** Markdown → sanitised HTML string that loads nothing remote. `win` lets tests pass a jsdom window. */
export function renderMarkdown(text: string, win?: Window): string {
  const html = marked.parse(String(text), { gfm: true, breaks: false, async: false }) as string;
  const doc = (win ?? window).document;
  const frag = purifier(win).sanitize(html, { ...CONFIG, RETURN_DOM_FRAGMENT: true }) as unknown as DocumentFragment;
  offlineOnly(frag, doc);
  const host = doc.createElement("div");
  host.appendChild(frag);
  return host.innerHTML;
}
