/**
 * What a commit of the audit repository holds for one item: the file
 * `content/<collection>/<key>.json`, the item as canonical JSON (keys sorted
 * at every level, two spaces, a trailing newline), so the same item is the
 * same blob and `git diff` shows only the fields that changed.
 */
import { canonicalJson } from '../model/index.ts';

/** The top-level folder of the repository that holds the items. */
export const CONTENT_DIR = 'content';

/** The item as the file holds it. */
export function canonicalContent(value: unknown): string {
  return canonicalJson(value);
}

/**
 * A key as a file name: left as it is when it is a safe name already (the
 * usual integer and uuid keys), percent-encoded otherwise, so a string key
 * can never name a folder (`/`), climb out (`..`) or hide (`.git`).
 */
export function encodeKey(key: string): string {
  const encoded = encodeURIComponent(key);
  return encoded.startsWith('.') ? `%2E${encoded.slice(1)}` : encoded;
}

/** The path segments of an item's file: `content`, the collection, `<key>.json`. */
export function contentPathParts(collection: string, key: string): [string, string, string] {
  return [CONTENT_DIR, collection, `${encodeKey(key)}.json`];
}

/** `content/<collection>/<key>.json`, as `git log -- <path>` takes it. */
export function contentPath(collection: string, key: string): string {
  return contentPathParts(collection, key).join('/');
}
