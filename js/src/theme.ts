/** Colours for canvas drawing, read from JupyterLab's --jp-* CSS variables (light and dark themes). */

export interface Theme {
  text: string;
  muted: string;
  grid: string;
  axis: string;
  background: string;
  font: string;
}

function v(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const s = style.getPropertyValue(name).trim();
  return s || fallback;
}

/** Whether the page is dark: JupyterLab's theme attribute, else the browser's colour scheme. */
export function isDark(el: HTMLElement): boolean {
  const body = el.ownerDocument.body;
  const attr = body?.getAttribute("data-jp-theme-light");
  if (attr !== null && attr !== undefined) return attr === "false";
  return !!window.matchMedia?.("(prefers-color-scheme: dark)").matches;
}

export function readTheme(el: HTMLElement): Theme {
  const cs = getComputedStyle(el);
  const dark = isDark(el);
  return {
    text: v(cs, "--jp-ui-font-color1", dark ? "rgba(255,255,255,0.87)" : "rgba(0,0,0,0.87)"),
    muted: v(cs, "--jp-ui-font-color2", dark ? "rgba(255,255,255,0.54)" : "rgba(0,0,0,0.54)"),
    grid: dark ? "rgba(255,255,255,0.08)" : "rgba(0,0,0,0.07)",
    axis: v(cs, "--jp-border-color1", dark ? "#616161" : "#bdbdbd"),
    background: v(cs, "--jp-layout-color0", dark ? "#111111" : "#ffffff"),
    font: v(cs, "--jp-ui-font-family", "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"),
  };
}

/** Call `fn` when JupyterLab switches theme. */
export function onThemeChange(fn: () => void): () => void {
  const body = document.body;
  if (!body || typeof MutationObserver === "undefined") return () => {};
  const mo = new MutationObserver(() => fn());
  mo.observe(body, { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"] });
  return () => mo.disconnect();
}
