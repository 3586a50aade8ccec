/** Secrets belong in the environment: a value under a secret-sounding key must reference `$env.NAME`. */
import type { Path } from './yaml-file.ts';

const SECRET_KEY = /(password|secret|token|api[-_]?key|authorization|private[-_]?key)/i;
const ENV_REFERENCE = /\$env\.[A-Za-z_][A-Za-z0-9_]*/;

/** Paths of string values that look like secrets written in plain text. */
export function findLiteralSecrets(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => findLiteralSecrets(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  const found: Path[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string' && SECRET_KEY.test(key) && inner.length > 0 && !ENV_REFERENCE.test(inner)) found.push([...path, key]);
    else found.push(...findLiteralSecrets(inner, [...path, key]));
  }
  return found;
}
