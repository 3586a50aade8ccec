/**
 * Directus's utility endpoints (/utils/*) as services: argon2 hashes made and
 * checked, random strings, and moving an item in a collection's manual order.
 * Hashes and random strings touch no data, so they take no Accountability
 * (Directus answers them for any caller). A sort is an ordinary update of
 * the sort field of every item whose place changes, made as the caller in one
 * transaction: its read and update permissions apply, and each changed item
 * gets its activity and revision like any other update.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Context } from '../context/index.ts';
import { ForbiddenError, InvalidPayloadError, InvalidQueryError, type CairnError } from '../errors/index.ts';
import type { Collection } from '../model/index.ts';
import type { Accountability } from './accountability.ts';
import { parseKey, type ItemKey } from './items/item-keys.ts';
import { readItem } from './items/read-items.ts';
import { updateBatch } from './items/write-items.ts';
import { writeGuardFor } from './items/write-permissions.ts';
import { inOneTransaction } from './unit-of-work.ts';

/** Directus's /utils/random/string bounds: `length` 1..500, 32 when absent. */
export const RANDOM_STRING_DEFAULT_LENGTH = 32;
export const RANDOM_STRING_MAX_LENGTH = 500;
/** nanoid's URL-safe alphabet (what Directus draws from): 64 characters, so one byte masked to 6 bits picks one without bias. */
const URL_ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';

/** Directus requires a value that is not falsy (`!body.string`); a value that is not text cannot be hashed either. */
function requiredText(value: unknown, name: string): string {
  if (!value) throw new InvalidPayloadError({ reason: `"${name}" is required` });
  if (typeof value !== 'string') throw new InvalidPayloadError({ reason: `"${name}" must be a string` });
  return value;
}

/** An argon2id hash of `string`, made as user passwords are (POST /utils/hash/generate). */
export async function generateHash(input: { string: unknown }): Promise<string> {
  return hash(requiredText(input.string, 'string'));
}

/**
 * Whether `string` matches `hash` (POST /utils/hash/verify). A hash argon2
 * cannot read is INVALID_PAYLOAD, not false, as Directus answers.
 */
export async function verifyHash(input: { string: unknown; hash: unknown }): Promise<boolean> {
  if (!input.string) throw new InvalidPayloadError({ reason: '"string" is required' });
  if (!input.hash) throw new InvalidPayloadError({ reason: '"hash" is required' });
  const invalid = () => new InvalidPayloadError({ reason: 'Invalid "hash" or "string"' });
  if (typeof input.string !== 'string' || typeof input.hash !== 'string') throw invalid();
  try {
    return await verify(input.hash, input.string);
  } catch {
    throw invalid();
  }
}

/** `length` as Directus's schema reads it (a number, or text spelling one), with Joi's messages. */
function randomLength(raw: unknown): number {
  if (raw === undefined) return RANDOM_STRING_DEFAULT_LENGTH;
  const spelled = typeof raw === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw);
  const length = typeof raw === 'number' ? raw : spelled ? Number(raw) : Number.NaN;
  if (!Number.isFinite(length)) throw new InvalidQueryError({ reason: '"length" must be a number' });
  if (!Number.isInteger(length)) throw new InvalidQueryError({ reason: '"length" must be an integer' });
  if (length < 1) throw new InvalidQueryError({ reason: '"length" must be greater than or equal to 1' });
  if (length > RANDOM_STRING_MAX_LENGTH) throw new InvalidQueryError({ reason: `"length" must be less than or equal to ${RANDOM_STRING_MAX_LENGTH}` });
  return length;
}

/** A random string of URL-safe characters (GET /utils/random/string). */
export function randomString(input: { length?: unknown }): string {
  const length = randomLength(input.length);
  let text = '';
  for (const byte of randomBytes(length)) text += URL_ALPHABET[byte & 63];
  return text;
}

function forbidden(collection: string): CairnError {
  return new ForbiddenError({ reason: `You don't have permission to access collection "${collection}" or it does not exist.` });
}

/** The body's `item` and `to`, checked as Directus's schema does: both required, each a string or a number, nothing else. */
function moveOf(body: unknown): { item: string | number; to: string | number } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: '"value" must be of type object' });
  const move = body as Record<string, unknown>;
  for (const name of ['item', 'to']) {
    const value = move[name];
    if (value === undefined) throw new InvalidPayloadError({ reason: `"${name}" is required` });
    if (!((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)))) {
      throw new InvalidPayloadError({ reason: `"${name}" must be one of [string, number]` });
    }
  }
  const unknown = Object.keys(move).find((name) => name !== 'item' && name !== 'to');
  if (unknown !== undefined) throw new InvalidPayloadError({ reason: `"${unknown}" is not allowed` });
  return move as { item: string | number; to: string | number };
}

interface SortRow {
  key: ItemKey;
  sort: number | null;
}

/**
 * The sort values after moving `item` to `to`'s place, Directus's way, for
 * the rows whose value changes. `rows` come in order (sort value, nulls last,
 * then key). Rows without a value first get the values after the largest
 * one; if values then repeat, every row is renumbered 1..n in that order.
 * The item takes the target's value and the rows between shift by one
 * towards where the item was. Undefined when either item is not among the rows.
 */
function plannedSort(rows: readonly SortRow[], item: ItemKey, to: ItemKey): { key: ItemKey; sort: number }[] | undefined {
  const position = (key: ItemKey) => rows.findIndex((row) => String(row.key) === String(key));
  if (position(item) < 0 || position(to) < 0) return undefined;
  let last = rows.reduce((max, row) => (row.sort !== null && row.sort > max ? row.sort : max), rows.find((row) => row.sort !== null)?.sort ?? 0);
  let values = rows.map((row) => row.sort ?? ++last);
  if (new Set(values).size < values.length) values = values.map((_, i) => i + 1);
  const source = values[position(item)]!;
  const target = values[position(to)]!;
  const moved = values.map((value, i) => {
    if (String(rows[i]!.key) === String(item)) return target;
    if (source < target) return value > source && value <= target ? value - 1 : value;
    return value >= target && value <= source ? value + 1 : value;
  });
  return rows.flatMap((row, i) => (row.sort === moved[i] ? [] : [{ key: row.key, sort: moved[i]! }]));
}

/**
 * POST /utils/sort/:collection: moves item `item` to the place of item `to`
 * in the collection's sort field. A collection that does not exist (for the
 * project) is FORBIDDEN; one without a sort field INVALID_PAYLOAD. The caller
 * must read the sort field of both items and may update the sort field of
 * every item whose value changes; otherwise FORBIDDEN and nothing changes.
 */
export async function sortItems(options: { context: Pick<Context, 'db' | 'models' | 'events'>; accountability: Accountability; collection: string; move: unknown }): Promise<void> {
  const { context, accountability } = options;
  const model = context.models.current()?.model;
  const collection: Collection | undefined = model?.collections[options.collection];
  if (!model || !collection) throw forbidden(options.collection);
  const move = moveOf(options.move);
  const sortField = collection.sortField;
  if (sortField === null) throw new InvalidPayloadError({ reason: `Collection "${collection.name}" doesn't have a sort field` });
  const item = parseKey(collection, move.item);
  const to = parseKey(collection, move.to);
  if (item === undefined || to === undefined) throw forbidden(collection.name);

  await inOneTransaction(context, async (scoped, trx) => {
    // Both items exist and their sort field is readable to the caller, and the caller may change the moved item's.
    for (const key of [item, to]) await readItem({ context: scoped, accountability, collection: collection.name, key: String(key), query: { fields: [sortField] } });
    await writeGuardFor(model, accountability, new Date())?.checkRows(trx, collection, 'update', [item], [sortField]);
    // Every row, locked: the new order is computed from all of them (as Directus does), whatever the caller may see,
    // and a concurrent sort waits instead of interleaving.
    const primaryKey = collection.primaryKey.field;
    const rows = (await trx
      .withSchema(model.project.schema)
      .table(collection.name)
      .select({ key: primaryKey, sort: sortField })
      .orderBy([{ column: sortField, order: 'asc', nulls: 'last' }, { column: primaryKey, order: 'asc' }])
      .forUpdate()) as { key: unknown; sort: number | null }[];
    const keyed = rows.map((row) => ({ key: parseKey(collection, row.key) ?? (row.key as ItemKey), sort: row.sort }));
    // Gone since it was read (deleted by a write that committed in between): as if it never existed.
    const planned = plannedSort(keyed, item, to);
    if (planned === undefined) throw forbidden(collection.name);
    const changes = planned.map((change) => ({ key: change.key, data: { [sortField]: change.sort } }));
    if (changes.length > 0) await updateBatch({ context: scoped, accountability, collection: collection.name, changes });
  });
}
