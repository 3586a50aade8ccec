/**
 * Writing items, as a short chain of named stages: authorise → validate and
 * persist, nested relations included (persist-item.ts) → activity and
 * revisions (record-history.ts), all in one transaction → events after
 * commit. The caller's write permissions are checked for every item the
 * write touches, inside its transaction (write-permissions.ts).
 */
import type { Knex } from 'knex';
import type { Context, FilterMeta } from '../../context/index.ts';
import { translatePgError } from '../../db/index.ts';
import { ForbiddenError } from '../../errors/index.ts';
import type { Collection, Model } from '../../model/index.ts';
import type { Accountability } from '../accountability.ts';
import type { ItemKey } from './item-keys.ts';
import { persistItem } from './persist-item.ts';
import { recordHistory } from './record-history.ts';
import { writeGuardFor, type WriteGuard } from './write-permissions.ts';
import { queueAudit } from '../versions/audit-outbox.ts';
import { transactionDatabase } from '../unit-of-work.ts';

type WriteContext = Pick<Context, 'db' | 'models' | 'events'>;

interface Target {
  model: Model;
  collection: Collection;
  now: Date;
  guard: WriteGuard | undefined;
}

function authorise(context: WriteContext, accountability: Accountability, name: string): Target {
  const model = context.models.current()?.model;
  const collection = model?.collections[name];
  if (!model || !collection) {
    throw new ForbiddenError({ reason: `You don't have permission to access collection "${name}" or it does not exist.` });
  }
  const now = new Date();
  return { model, collection, now, guard: writeGuardFor(model, accountability, now) };
}

/** The filter stage: only objects reach it (anything else is refused when validated). */
async function filtered(context: WriteContext, event: 'items.create' | 'items.update', payload: unknown, meta: FilterMeta): Promise<unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  return context.events.runFilters(event, payload as Record<string, unknown>, meta);
}

/** What events and filters say about who writes (flows act with it). */
const writer = (accountability: Accountability) => ({ user: accountability.user, accountability });

/**
 * Runs the write in one transaction and turns database refusals into catalogue errors. Inside a
 * caller's transaction (inOneTransaction) the write is part of it: no savepoint, since any refusal
 * ends the whole unit of work anyway.
 */
async function inTransaction<T>(context: WriteContext, collection: Collection, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  try {
    const knex = context.db.knex as Knex & { isTransaction?: boolean };
    return knex.isTransaction ? await work(knex as Knex.Transaction) : await knex.transaction(work);
  } catch (error) {
    throw translatePgError(error, { collection: collection.name, primaryKey: collection.primaryKey.field }) ?? error;
  }
}

const table = (trx: Knex.Transaction, target: Target) => trx.withSchema(target.model.project.schema).table(target.collection.name);

export async function createItems(options: { context: WriteContext; accountability: Accountability; collection: string; items: unknown[] }): Promise<ItemKey[]> {
  const { context, accountability } = options;
  const target = authorise(context, accountability, options.collection);
  // Filter hooks first, outside the transaction: they may change a payload or refuse it.
  const payloads = await Promise.all(options.items.map((item) => filtered(context, 'items.create', item, { collection: target.collection.name, keys: [], ...writer(accountability) })));
  const keys = await inTransaction(context, target.collection, async (trx) => {
    const created: ItemKey[] = [];
    for (const payload of payloads) {
      const persisted = (await persistItem({ trx, model: target.model, accountability, now: target.now, guard: target.guard }, target.collection, payload))!;
      await recordHistory(trx, accountability, persisted.entries);
      created.push(persisted.key);
    }
    return created;
  });
  // One event per item, as Directus emits them, each with what was written.
  keys.forEach((key, index) => context.events.emit('items.create', { collection: target.collection.name, keys: [key], payload: payloads[index] as Record<string, unknown>, ...writer(accountability) }));
  return keys;
}

/** The same change to each of `keys`; keys that do not exist are skipped (the administrator sees no error, as in Directus). */
export async function updateItems(options: { context: WriteContext; accountability: Accountability; collection: string; keys: ItemKey[]; data: unknown; history?: boolean }): Promise<ItemKey[]> {
  return updateBatch({ ...options, changes: options.keys.map((key) => ({ key, data: options.data })) });
}

/** A change per item (PATCH with an array of items carrying their keys). */
/** `history: false` only for changes that are rolled back (a version's preview): they leave no trace to record. */
export async function updateBatch(options: { context: WriteContext; accountability: Accountability; collection: string; changes: { key: ItemKey; data: unknown }[]; history?: boolean }): Promise<ItemKey[]> {
  const { context, accountability } = options;
  const target = authorise(context, accountability, options.collection);
  const collection = target.collection.name;
  // One change for all keys (updateItems) is filtered once and is one event; a batch of different changes, one per item.
  const shared = options.changes.length > 0 && options.changes.every((change) => change.data === options.changes[0]!.data);
  const changes = shared
    ? await filtered(context, 'items.update', options.changes[0]!.data, { collection, keys: options.changes.map((change) => change.key), ...writer(accountability) }).then((data) => options.changes.map((change) => ({ key: change.key, data })))
    : await Promise.all(options.changes.map(async (change) => ({ key: change.key, data: await filtered(context, 'items.update', change.data, { collection, keys: [change.key], ...writer(accountability) }) })));
  const keys = await inTransaction(context, target.collection, async (trx) => {
    const updated: ItemKey[] = [];
    for (const change of changes) {
      const persisted = await persistItem({ trx, model: target.model, accountability, now: target.now, guard: target.guard }, target.collection, change.data, change.key);
      if (!persisted) continue;
      if (options.history !== false) await recordHistory(trx, accountability, persisted.entries);
      updated.push(persisted.key);
    }
    return updated;
  });
  if (keys.length > 0) {
    if (shared) context.events.emit('items.update', { collection, keys, payload: changes[0]!.data as Record<string, unknown>, ...writer(accountability) });
    else for (const change of changes.filter((c) => keys.includes(c.key))) context.events.emit('items.update', { collection, keys: [change.key], payload: change.data as Record<string, unknown>, ...writer(accountability) });
  }
  return keys;
}

/**
 * A singleton's one item: updated, or created by its first write. The item is found without the
 * caller's read permissions (as Directus's upsertSingleton does): writing it takes write permissions only.
 */
export async function upsertSingleton(options: { context: WriteContext; accountability: Accountability; collection: string; data: unknown }): Promise<ItemKey[]> {
  const { context, accountability, collection, data } = options;
  const target = authorise(context, accountability, collection);
  const key = target.collection.primaryKey.field;
  const existing = (await context.db.knex.withSchema(target.model.project.schema).table(target.collection.name).first(key)) as Record<string, unknown> | undefined;
  return existing === undefined
    ? createItems({ context, accountability, collection, items: [data] })
    : updateItems({ context, accountability, collection, keys: [existing[key] as ItemKey], data });
}

export async function deleteItems(options: { context: WriteContext; accountability: Accountability; collection: string; keys: ItemKey[] }): Promise<ItemKey[]> {
  const { context, accountability } = options;
  const target = authorise(context, accountability, options.collection);
  if (options.keys.length === 0) return [];
  // Delete filters may refuse (throw); the keys stay the caller's.
  await context.events.runFilters('items.delete', { keys: options.keys }, { collection: target.collection.name, keys: options.keys, ...writer(accountability) });
  const key = target.collection.primaryKey.field;
  const keys = await inTransaction(context, target.collection, async (trx) => {
    await target.guard?.checkRows(trx, target.collection, 'delete', options.keys, []);
    const deleted = (await table(trx, target).whereIn(key, options.keys).delete().returning(key)) as Record<string, unknown>[];
    const entries = deleted.map((row) => ({ action: 'delete' as const, key: row[key] as ItemKey, collection: target.collection, nested: false }));
    await recordHistory(trx, accountability, entries);
    if (target.collection.versioning) await unpublish(context, trx, accountability, target.collection.name, entries.map((entry) => entry.key));
    return entries.map((entry) => entry.key);
  });
  if (keys.length > 0) context.events.emit('items.delete', { collection: target.collection.name, keys, ...writer(accountability) });
  return keys;
}


/** Deleting items that were published (promoted, and not deleted since) removes them from the audit repository too. */
async function unpublish(context: WriteContext, trx: Knex.Transaction, accountability: Accountability, collection: string, keys: ItemKey[]): Promise<void> {
  const db = transactionDatabase(context.db, trx);
  // The last audit entry of each deleted item, in one statement: only those whose last entry is a promote are published.
  const { rows } = (await trx.raw('select distinct on (item) item, action from cairn_audit_outbox where collection = ? and item = any(?) order by item, id desc', [collection, keys.map(String)])) as {
    rows: { item: string; action: string }[];
  };
  const published = new Set(rows.filter((row) => row.action === 'promote').map((row) => row.item));
  for (const key of keys) if (published.has(String(key))) await queueAudit({ ...context, db }, accountability, { action: 'delete', collection, key });
}
