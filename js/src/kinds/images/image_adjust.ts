/** Image brightness/contrast (as a CSS filter) and box placement. */

/** The CSS filter for brightness/contrast factors (1 = unchanged). */
export function cssFilter(brightness: number, contrast: number): string {
  const b = clamp(brightness, 0, 4), c = clamp(contrast, 0, 4);
  return b === 1 && c === 1 ? "" : `brightness(${b}) contrast(${c})`;
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : 1;
}

interface BoxRect {
  left: number;
  top: number;
  width: number;
  height: number;
  label: string | null;
}

/**
 * xyxy pixel boxes of an image of `natW`×`natH` pixels placed in percent of the shown image,
 * so they track the image whatever size it is drawn at (boxes are in the logged pixels).
 */
export function boxRects(boxes: readonly number[][], labels: readonly (string | null)[] | null, natW: number, natH: number): BoxRect[] {
  const out: BoxRect[] = [];
  boxes.forEach((b, i) => {
    const [x0, y0, x1, y1] = b;
    const l = Math.min(x0, x1), t = Math.min(y0, y1);
    out.push({
      left: (100 * l) / natW,
      top: (100 * t) / natH,
      width: (100 * Math.abs(x1 - x0)) / natW,
      height: (100 * Math.abs(y1 - y0)) / natH,
      label: labels ? String(labels[i] ?? "") : null,
    });
  });
  return out;
}
