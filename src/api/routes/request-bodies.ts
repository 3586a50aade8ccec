/** Request bodies several routes share: the `SEARCH` body, and a list of ids to act on. */
import { InvalidPayloadError } from '../../errors/index.ts';

/** `SEARCH` carries the query as real JSON: `{"query": {...}}` (an absent query reads everything). */
export function searchQueryOf(body: unknown): Record<string, unknown> {
  const query = body && typeof body === 'object' && !Array.isArray(body) ? ((body as { query?: unknown }).query ?? {}) : undefined;
  if (query === undefined || query === null || typeof query !== 'object' || Array.isArray(query)) throw new InvalidPayloadError({ reason: 'SEARCH takes a JSON object with "query"' });
  return query as Record<string, unknown>;
}

/** Batch bodies name what they act on as `[ids]` or `{"keys": [ids]}`; `what` names the ids in the error. */
export function idListOf(body: unknown, what: string): string[] {
  const ids = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new InvalidPayloadError({ reason: `The body has to be a list of ${what}, or {"keys": [...]}` });
  return ids as string[];
}
