/**
 * What a view may load: only data the page already holds (data: and blob: URLs). Logged content
 * may name any address; fetching it would be a web beacon, and an export promises to work offline.
 */

/** Whether `url` is a data: or blob: URL. */
export function isLocalSource(url: string): boolean {
  return /^\s*(data|blob):/i.test(url);
}
