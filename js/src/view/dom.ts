/** DOM helpers every view shares: elements, buttons, segmented controls, sliders, the views' stylesheet. */
import css from "./kit.css";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(label: string, title: string, fn: () => void, cls = "nbb-btn"): HTMLButtonElement {
  const b = el("button", cls, label);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    fn();
  });
  return b;
}

/**
 * Put a style sheet (once, by `id`) where it applies to `node`: its shadow root when it lives in
 * one (marimo renders widgets in shadow DOM, where the page head's styles do not reach), else
 * the document head. A node not yet attached is styled as soon as it is.
 */
export function injectCss(id: string, text: string, node?: Node): void {
  const put = (root: Node) => {
    if (typeof ShadowRoot !== "undefined" && root instanceof ShadowRoot) {
      if (root.querySelector(`style[data-nbb-css="${id}"]`)) return;
      const style = document.createElement("style");
      style.dataset.nbbCss = id;
      style.textContent = text;
      root.prepend(style);
      return;
    }
    if (document.getElementById(id)) return;
    const style = document.createElement("style");
    style.id = id;
    style.textContent = text;
    document.head.appendChild(style);
  };
  if (!node || node.isConnected) return put(node ? node.getRootNode() : document);
  put(document); // the usual case: a page without shadow DOM
  let frames = 0;
  const wait = () => {
    if (node.isConnected) put(node.getRootNode());
    else if (++frames < 120) requestAnimationFrame(wait);
  };
  requestAnimationFrame(wait);
}

/** The view kit's styles (cards, toolbars, tables), for `node`'s document or shadow root. */
export function injectViewStyles(node?: Node): void {
  injectCss("nbboard-view-styles-1", css, node);
}

/** A segmented control; calls `fn` with the chosen value. Returns the element and a setter. */
export function segmented<T extends string>(label: string, choices: [T, string][], value: T, fn: (v: T) => void, cls = ""): HTMLElement {
  const wrap = el("div", `nbb-field nbb-seg ${cls}`);
  wrap.appendChild(el("span", "nbb-label", label));
  const btns: HTMLButtonElement[] = [];
  for (const [v, text] of choices) {
    const b = button(text, text, () => {
      btns.forEach((x) => x.classList.toggle("nbb-on", x === b));
      fn(v);
    });
    b.dataset.mode = v;
    b.classList.toggle("nbb-on", v === value);
    btns.push(b);
    wrap.appendChild(b);
  }
  return wrap;
}

export function slider(label: string, min: number, max: number, step: number, value: number, fn: (v: number) => void, fmt = (v: number) => v.toFixed(2), cls = ""): HTMLElement {
  const l = el("label", `nbb-field ${cls}`);
  l.appendChild(el("span", "nbb-label", label));
  const s = el("input", "nbb-slider");
  s.type = "range";
  s.min = String(min);
  s.max = String(max);
  s.step = String(step);
  s.value = String(value);
  const out = el("span", "nbb-value", fmt(value));
  s.addEventListener("input", () => {
    const v = Number(s.value);
    out.textContent = fmt(v);
    fn(v);
  });
  l.append(s, out);
  return l;
}


/** Replace what `host` shows with a notice in plain text (e.g. why its view cannot be drawn). */
export function showNotice(host: HTMLElement, text: string): void {
  const box = el("div", "nbb-notice", text);
  box.style.cssText = "padding: 10px 12px; border: 1px solid rgba(128, 128, 128, 0.45); border-radius: 4px; font: 13px system-ui, sans-serif;";
  host.replaceChildren(box);
}
