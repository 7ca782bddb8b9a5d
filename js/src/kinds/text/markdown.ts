/**
 * Logged text → safe HTML: markdown (GFM tables included) rendered by marked, then sanitised
 * by DOMPurify. Logged strings are untrusted; nothing else in nbboard inserts HTML.
 */
import DOMPurify from "dompurify";
import { marked } from "marked";

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

/** Markdown → sanitised HTML string. `win` lets tests pass a jsdom window. */
export function renderMarkdown(text: string, win?: Window): string {
  const html = marked.parse(String(text), { gfm: true, breaks: false, async: false }) as string;
  return purifier(win).sanitize(html, CONFIG) as unknown as string;
}
