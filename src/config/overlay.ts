/**
 * Environment overlays: a partial document merged over its base. Maps merge
 * key by key, lists replace, except lists of objects with a `key` (flow
 * operations), which merge item by item on `key`.
 */

export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (isRecord(base) && isRecord(overlay)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(overlay)) merged[key] = key in base ? mergeOverlay(base[key], value) : value;
    return merged;
  }
  if (isKeyedList(base) && isKeyedList(overlay)) {
    const merged = base.map((item) => {
      const override = overlay.find((candidate) => candidate.key === item.key);
      return override ? mergeOverlay(item, override) : item;
    });
    for (const item of overlay) if (!base.some((candidate) => candidate.key === item.key)) merged.push(item);
    return merged;
  }
  return overlay;
}

/** Whether a path exists in a value (to report a merged value in the file it came from). */
export function hasPath(value: unknown, path: readonly (string | number)[]): boolean {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || !(segment in (node as object))) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKeyedList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item) && typeof item.key === 'string');
}
