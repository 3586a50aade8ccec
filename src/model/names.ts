/** Name rules shared by every part of the model, and "did you mean" suggestions. */

/** PostgreSQL's NAMEDATALEN - 1. */
export const MAX_IDENTIFIER_BYTES = 63;
export const RESERVED_PREFIX = 'cairn_';
export const BUILTIN_ADMIN = 'administrator';

/** Why a collection or field name cannot be a PostgreSQL identifier here, or undefined if it can. */
export function identifierProblem(name: string): string | undefined {
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    return `"${name}" is ${Buffer.byteLength(name, 'utf8')} bytes long; PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES}`;
  }
  if (name.toLowerCase().startsWith(RESERVED_PREFIX)) return `"${name}" starts with "${RESERVED_PREFIX}", which is reserved for Cairn's own tables`;
  return undefined;
}

/** The closest candidate by edit distance, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function didYouMean(name: string, candidates: Iterable<string>): { hint: string } | Record<string, never> {
  const suggestion = closest(name, candidates);
  return suggestion === undefined ? {} : { hint: `did you mean "${suggestion}"?` };
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** "a" or "an" before a word, for messages ("an integer field"). */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}
