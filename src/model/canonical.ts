/**
 * The Model's canonical JSON (keys sorted at every level, no undefined, two
 * spaces) and its hash. Same repository → byte-identical JSON → same hash, so
 * the reconciler and servers can tell models apart by hash alone.
 */
import { createHash } from 'node:crypto';
import type { Model } from './types.ts';

export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function modelHash(model: Model): string {
  return createHash('sha256').update(canonicalJson(model)).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const inner = (value as Record<string, unknown>)[key];
    if (inner !== undefined) sorted[key] = sortKeys(inner);
  }
  return sorted;
}
