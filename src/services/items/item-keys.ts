/** Item keys as the collection's key type has them, from a URL segment or a request body. */
import { InvalidPayloadError } from '../../errors/index.ts';
import { fitsFormat, isInt32, type Collection } from '../../model/index.ts';

export type ItemKey = string | number;

/** A key from a URL or a body, as the collection's key type has it; undefined when it cannot be one. */
export function parseKey(collection: Collection, raw: unknown): ItemKey | undefined {
  const { type } = collection.primaryKey;
  if (type === 'integer' || type === 'bigInteger') {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
    if (!/^-?\d{1,19}$/.test(text) || !Number.isSafeInteger(Number(text)) || (type === 'integer' && !isInt32(Number(text)))) return undefined;
    return Number(text);
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw);
  if (!fitsFormat(type, text)) return undefined;
  return text.length <= 255 ? text : undefined;
}

export function requireKeys(collection: Collection, raw: unknown): ItemKey[] {
  if (!Array.isArray(raw)) throw new InvalidPayloadError({ reason: '"keys" has to be a list' });
  return raw.map((item) => {
    const key = parseKey(collection, item);
    if (key === undefined) throw new InvalidPayloadError({ reason: `${JSON.stringify(item)} is not a key of "${collection.name}"` });
    return key;
  });
}
