/**
 * Writing items, as a short chain of named stages: validate (the payload
 * against the model) → authorise → persist → activity and revision, all in
 * one transaction → events after commit. Nested relational writes come with
 * a later stage; until permissions are enforced only the administrator writes.
 */
import { hash } from '@node-rs/argon2';
import type { Knex } from 'knex';
import type { Context } from '../../context/index.ts';
import { translatePgError } from '../../db/index.ts';
import { ForbiddenError } from '../../errors/index.ts';
import type { Collection, Model } from '../../model/index.ts';
import type { Accountability } from '../accountability.ts';
import type { ItemKey } from './item-keys.ts';
import { recordHistory, type HistoryEntry } from './record-history.ts';
import { validatePayload, type ValidatedPayload } from './validate-payload.ts';

type WriteContext = Pick<Context, 'db' | 'models' | 'events'>;

interface Target {
  model: Model;
  collection: Collection;
}

function authorise(context: WriteContext, accountability: Accountability, name: string): Target {
  const model = context.models.current()?.model;
  const collection = model?.collections[name];
  if (!model || !collection || !accountability.admin) {
    throw new ForbiddenError({ reason: `You don't have permission to access collection "${name}" or it does not exist.` });
  }
  return { model, collection };
}

async function hashSecrets(validated: ValidatedPayload): Promise<Record<string, unknown>> {
  const values = { ...validated.values };
  for (const field of validated.hashes) values[field] = await hash(String(values[field]));
  return values;
}

/** Runs the write in one transaction and turns database refusals into catalogue errors. */
async function inTransaction<T>(context: WriteContext, collection: Collection, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  try {
    return await context.db.knex.transaction(work);
  } catch (error) {
    throw translatePgError(error, { collection: collection.name, primaryKey: collection.primaryKey.field }) ?? error;
  }
}

const table = (trx: Knex.Transaction, target: Target) => trx.withSchema(target.model.project.schema).table(target.collection.name);
const pick = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in row).map((k) => [k, row[k]]));

export async function createItems(options: { context: WriteContext; accountability: Accountability; collection: string; items: unknown[] }): Promise<ItemKey[]> {
  const { context, accountability } = options;
  const target = authorise(context, accountability, options.collection);
  const now = new Date();
  const validated = options.items.map((payload) => validatePayload({ collection: target.collection, payload, mode: 'create', user: accountability.user, now }));
  const rows = await Promise.all(validated.map(hashSecrets));
  const key = target.collection.primaryKey.field;
  const keys = await inTransaction(context, target.collection, async (trx) => {
    const entries: HistoryEntry[] = [];
    for (const values of rows) {
      const [row] = (await table(trx, target).insert(values).returning('*')) as Record<string, unknown>[];
      entries.push({ action: 'create', key: row![key] as ItemKey, data: row!, delta: pick(row!, Object.keys(values)) });
    }
    await recordHistory(trx, target.collection, accountability, entries);
    return entries.map((entry) => entry.key);
  });
  context.events.emit('items.create', { collection: target.collection.name, keys, payload: options.items.length === 1 ? (options.items[0] as Record<string, unknown>) : {}, user: accountability.user });
  return keys;
}

/** The same change to each of `keys`; keys that do not exist are skipped (the administrator sees no error, as in Directus). */
export async function updateItems(options: { context: WriteContext; accountability: Accountability; collection: string; keys: ItemKey[]; data: unknown }): Promise<ItemKey[]> {
  return updateBatch({ ...options, changes: options.keys.map((key) => ({ key, data: options.data })) });
}

/** A change per item (PATCH with an array of items carrying their keys). */
export async function updateBatch(options: { context: WriteContext; accountability: Accountability; collection: string; changes: { key: ItemKey; data: unknown }[] }): Promise<ItemKey[]> {
  const { context, accountability } = options;
  const target = authorise(context, accountability, options.collection);
  const now = new Date();
  const key = target.collection.primaryKey.field;
  const prepared = await Promise.all(
    options.changes.map(async (change) => ({ key: change.key, values: await hashSecrets(validatePayload({ collection: target.collection, payload: change.data, mode: 'update', user: accountability.user, now })) })),
  );
  const keys = await inTransaction(context, target.collection, async (trx) => {
    const entries: HistoryEntry[] = [];
    for (const change of prepared) {
      if (Object.keys(change.values).length === 0) continue;
      const updated = (await table(trx, target).where(key, change.key).update(change.values).returning('*')) as Record<string, unknown>[];
      for (const row of updated) entries.push({ action: 'update', key: row[key] as ItemKey, data: row, delta: pick(row, Object.keys(change.values)) });
    }
    await recordHistory(trx, target.collection, accountability, entries);
    return entries.map((entry) => entry.key);
  });
  if (keys.length > 0) context.events.emit('items.update', { collection: target.collection.name, keys, payload: prepared.length === 1 ? (options.changes[0]!.data as Record<string, unknown>) : {}, user: accountability.user });
  return keys;
}

export async function deleteItems(options: { context: WriteContext; accountability: Accountability; collection: string; keys: ItemKey[] }): Promise<ItemKey[]> {
  const { context, accountability } = options;
  const target = authorise(context, accountability, options.collection);
  if (options.keys.length === 0) return [];
  const key = target.collection.primaryKey.field;
  const keys = await inTransaction(context, target.collection, async (trx) => {
    const deleted = (await table(trx, target).whereIn(key, options.keys).delete().returning(key)) as Record<string, unknown>[];
    const entries: HistoryEntry[] = deleted.map((row) => ({ action: 'delete', key: row[key] as ItemKey }));
    await recordHistory(trx, target.collection, accountability, entries);
    return entries.map((entry) => entry.key);
  });
  if (keys.length > 0) context.events.emit('items.delete', { collection: target.collection.name, keys, user: accountability.user });
  return keys;
}

