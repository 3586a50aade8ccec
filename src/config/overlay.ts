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

/**
 * Where a path of the merged value is in the overlay, or undefined when the
 * value there came from the base. Lists merged by `key` put items at other
 * indices than the overlay's, so their indices are translated as mergeOverlay
 * placed them.
 */
export function overlayPath(base: unknown, overlay: unknown, path: readonly (string | number)[]): (string | number)[] | undefined {
  const found: (string | number)[] = [];
  for (const segment of path) {
    if (isKeyedList(base) && isKeyedList(overlay) && typeof segment === 'number') {
      const baseList = base;
      const added = overlay.flatMap((item, index) => (baseList.some((candidate) => candidate.key === item.key) ? [] : [index]));
      const index = segment < baseList.length ? overlay.findIndex((candidate) => candidate.key === baseList[segment]!.key) : added[segment - baseList.length];
      if (index === undefined || index < 0) return undefined;
      found.push(index);
      [base, overlay] = [baseList[segment], overlay[index]];
      continue;
    }
    if (overlay === null || typeof overlay !== 'object' || !(segment in overlay)) return undefined;
    found.push(segment);
    // Below a map both sides still merge; anything else the overlay replaced whole.
    base = isRecord(base) && isRecord(overlay) ? base[segment] : undefined;
    overlay = (overlay as Record<string | number, unknown>)[segment];
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKeyedList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item) && typeof item.key === 'string');
}
