/** Export the drawn graph as a standalone SVG file (theme colours resolved) or as a PNG image. */
import { safeStem } from "../../view/download";
import { GRAPH_VARS, SVG_CSS } from "./style";

export { download } from "../../view/download";

/** Replace var(--nbg-*) with the values they have on `root` now (the file has no JupyterLab). */
export function resolveCss(css: string, values: Record<string, string>): string {
  let out = css;
  for (let i = 0; i < 4; i++) {
    const next = out.replace(/var\((--nbg-[\w-]+)\)/g, (m, name: string) => values[name] ?? m);
    if (next === out) break;
    out = next;
  }
  return out;
}

function cssValues(root: Element): Record<string, string> {
  const cs = getComputedStyle(root);
  const out: Record<string, string> = {};
  for (const v of GRAPH_VARS) out[v] = cs.getPropertyValue(v).trim();
  return out;
}

/** A standalone SVG document of the whole graph: `svg`'s defs (not `viewport`) plus `content`, the
 * drawing with every element (not just those in view), at 1:1 scale. */
export function svgDocument(svg: SVGSVGElement, viewport: SVGGElement, content: SVGGElement, root: Element,
  width: number, height: number): string {
  const margin = 20;
  const clone = svg.cloneNode(false) as SVGSVGElement;
  const W = Math.ceil(width + 2 * margin);
  const H = Math.ceil(height + 2 * margin);
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("width", String(W));
  clone.setAttribute("height", String(H));
  clone.setAttribute("viewBox", `0 0 ${W} ${H}`);
  clone.removeAttribute("style");
  clone.classList.remove("nbg-lod", "nbg-panning");
  const values = cssValues(root);
  const style = document.createElementNS("http://www.w3.org/2000/svg", "style");
  style.textContent = resolveCss(SVG_CSS, values);
  clone.appendChild(style);
  for (const child of Array.from(svg.children)) {
    if (child === viewport) continue;
    clone.appendChild(child.cloneNode(true));
  }
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  bg.setAttribute("width", "100%");
  bg.setAttribute("height", "100%");
  bg.setAttribute("fill", values["--nbg-bg"] || "#ffffff");
  clone.appendChild(bg);
  const g = content;
  g.setAttribute("transform", `translate(${margin},${margin})`);
  for (const el of Array.from(g.querySelectorAll(".nbg-hidden"))) el.classList.remove("nbg-hidden");
  clone.appendChild(g);
  return new XMLSerializer().serializeToString(clone);
}

/** Rasterise an SVG document to PNG at `scale`, keeping within the browser's canvas limits. */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  const maxSide = 16_000;
  const maxArea = 120e6;
  let s = Math.min(scale, maxSide / width, maxSide / height, Math.sqrt(maxArea / (width * height)));
  s = Math.max(s, 0.05);
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("could not rasterise the SVG"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * s));
    canvas.height = Math.max(1, Math.round(height * s));
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas");
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A file name from an untrusted model name. */
export function safeFileName(name: string, ext: string): string {
  return `${safeStem(name, "graph")}-graph.${ext}`;
}
