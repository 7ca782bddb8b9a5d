/** A logged plotly figure's layout, made safe to draw: nothing in it makes the page fetch. */
import { isLocalSource } from "../../lib/offline";

/** The layout without images from remote sources (only data: and blob: images stay). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function offlineLayout(layout: any): any {
  if (!Array.isArray(layout?.images)) return layout;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { ...layout, images: layout.images.filter((im: any) => isLocalSource(String(im?.source ?? ""))) };
}
