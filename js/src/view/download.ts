/** Save a Blob as a file from the page (charts' CSV/JSON/PNG, the graph's SVG/PNG). */

/** Start a browser download of `blob` named `filename`. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name stem from an untrusted name (a tag, a model name): safe characters, no leading dot, ≤ 80 chars. */
export function safeStem(name: string, fallback: string): string {
  return name.replace(/[^\w.-]+/g, "_").replace(/^[._]+/, "").slice(0, 80) || fallback;
}
