/**
 * Content versions: a named changeset (`delta`) over one item of a
 * collection with `versioning: true`, saved without touching the item,
 * previewed (the item as it would read with the delta applied), compared
 * with main (stale when main changed since the version was made, with a
 * three-way merge against main as it was then) and promoted: the delta
 * written through the items service as the caller, and the published item
 * queued for the audit repository, in one transaction.
 */
import { createHash } from 'node:crypto';
import type { Context } from '../../context/index.ts';
import { ForbiddenError, InvalidPayloadError, UnprocessableContentError, VersionHashMismatchError, type CairnError } from '../../errors/index.ts';
import { canonicalJson, type Collection } from '../../model/index.ts';
import { adminAccountability, type Accountability } from '../accountability.ts';
import { parseKey, type ItemKey } from '../items/item-keys.ts';
import { readItem, readItems } from '../items/read-items.ts';
import { updateItems } from '../items/write-items.ts';
import { writeGuardFor } from '../items/write-permissions.ts';
import { VERSIONS } from '../system-collections.ts';
import { inOneTransaction } from '../unit-of-work.ts';
import { queueAudit } from './audit-outbox.ts';

type VersionsContext = Pick<Context, 'db' | 'models' | 'events'>;

/** Keys that name the item itself, not a version of it. */
const RESERVED_KEYS = new Set(['main', 'published']);

export interface VersionRow {
  id: string;
  key: string;
  name: string | null;
  collection: string;
  item: string;
  hash: string | null;
  delta: Record<string, unknown> | null;
  base_revision: string | null;
}

function forbidden(): CairnError {
  return new ForbiddenError({ reason: `You don't have permission to access collection "${VERSIONS}" or it does not exist.` });
}

/** A versioned collection of the applied model, or UNPROCESSABLE_CONTENT as Directus answers. */
function versionedCollection(context: VersionsContext, name: unknown): Collection {
  const collection = typeof name === 'string' ? context.models.current()?.model.collections[name] : undefined;
  if (!collection) throw new ForbiddenError({ reason: `You don't have permission to access collection "${String(name)}" or it does not exist.` });
  if (!collection.versioning) throw new UnprocessableContentError({ reason: `Content versioning is not enabled for collection "${collection.name}"` });
  return collection;
}

/** The hash of an item as it is now: of its canonical JSON, every field, read as Cairn itself. */
export async function itemHash(context: VersionsContext, collection: string, key: ItemKey): Promise<string> {
  const { data } = await readItem({ context, accountability: adminAccountability(), collection, key: String(key), query: { fields: ['*'] } });
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

/** A version the caller may see (its item is readable to it), or FORBIDDEN. */
export async function readVersion(context: VersionsContext, accountability: Accountability, id: string): Promise<VersionRow> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw forbidden();
  // Through the caller's view of history: a version of an item it cannot read does not exist for it.
  if (!accountability.admin) await readItem({ context, accountability, collection: VERSIONS, key: id, query: { fields: ['id'] }, system: true });
  const row = (await context.db.knex('cairn_versions').where({ id }).first('id', 'key', 'name', 'collection', 'item', 'hash', 'delta', 'base_revision')) as VersionRow | undefined;
  if (!row) throw forbidden();
  return row;
}

/** Creating or changing a version needs update permission on its item, as Directus asks. */
async function requireUpdate(context: VersionsContext, accountability: Accountability, collection: Collection, key: ItemKey): Promise<void> {
  const model = context.models.current()!.model;
  const guard = writeGuardFor(model, accountability, new Date());
  if (!guard) return;
  await guard.checkRows(context.db.knex, collection, 'update', [key], []);
}

function keyOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 64) throw new InvalidPayloadError({ reason: '"key" has to be a string of 1 to 64 characters' });
  if (RESERVED_KEYS.has(value)) throw new InvalidPayloadError({ reason: `"${value}" is a reserved version key` });
  return value;
}

function nameOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 255) throw new InvalidPayloadError({ reason: '"name" has to be a string of at most 255 characters' });
  return value;
}

export async function createVersions(options: { context: VersionsContext; accountability: Accountability; items: unknown[] }): Promise<string[]> {
  const { context, accountability } = options;
  const ids: string[] = [];
  for (const raw of options.items) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidPayloadError({ reason: 'A version has to be a JSON object' });
    const { key: rawKey, name: rawName, collection: rawCollection, item: rawItem, ...rest } = raw as Record<string, unknown>;
    const unknown = Object.keys(rest).filter((field) => !['id', 'delta', 'hash'].includes(field));
    if (unknown.length > 0) throw new InvalidPayloadError({ reason: `Unknown field "${unknown[0]}" in a version` });
    const key = keyOf(rawKey);
    const name = nameOf(rawName);
    const collection = versionedCollection(context, rawCollection);
    if (rawItem === undefined || rawItem === null) throw new InvalidPayloadError({ reason: '"item" is required: a version is of one item' });
    const item = parseKey(collection, rawItem);
    if (item === undefined) throw new ForbiddenError({ reason: `You don't have permission to access this item of "${collection.name}" or it does not exist.` });
    // The caller must see the item and may change it.
    await readItem({ context, accountability, collection: collection.name, key: String(item), query: { fields: [collection.primaryKey.field] } });
    await requireUpdate(context, accountability, collection, item);
    const hash = await itemHash(context, collection.name, item);
    const base = await context.db.knex('cairn_revisions').where({ collection: collection.name, item: String(item) }).max({ id: 'id' }).first();
    try {
      const [row] = await context.db
        .knex('cairn_versions')
        .insert({ key, name, collection: collection.name, item: String(item), hash, delta: null, base_revision: base?.id ?? null, created_by: accountability.user })
        .returning('id');
      ids.push((row as { id: string }).id);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new UnprocessableContentError({ reason: `Version "${key}" already exists for this item` });
      throw error;
    }
  }
  return ids;
}

/** PATCH: only the key and name of a version change. */
export async function updateVersion(options: { context: VersionsContext; accountability: Accountability; id: string; data: unknown }): Promise<void> {
  const { context, accountability, id } = options;
  const version = await readVersion(context, accountability, id);
  if (options.data === null || typeof options.data !== 'object' || Array.isArray(options.data)) throw new InvalidPayloadError({ reason: 'The change has to be a JSON object' });
  const data = options.data as Record<string, unknown>;
  const other = Object.keys(data).find((field) => field !== 'key' && field !== 'name');
  if (other !== undefined) throw new InvalidPayloadError({ reason: `Only "key" and "name" of a version can change, not "${other}"` });
  const collection = versionedCollection(context, version.collection);
  await requireUpdate(context, accountability, collection, parseKey(collection, version.item)!);
  const change: Record<string, unknown> = { updated_at: new Date(), updated_by: accountability.user };
  if ('key' in data) change.key = keyOf(data.key);
  if ('name' in data) change.name = nameOf(data.name);
  try {
    await context.db.knex('cairn_versions').where({ id }).update(change);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new UnprocessableContentError({ reason: `Version "${String(change.key)}" already exists for this item` });
    throw error;
  }
}

export async function deleteVersions(options: { context: VersionsContext; accountability: Accountability; ids: string[] }): Promise<void> {
  const { context, accountability } = options;
  for (const id of options.ids) {
    const version = await readVersion(context, accountability, id);
    const collection = versionedCollection(context, version.collection);
    await requireUpdate(context, accountability, collection, parseKey(collection, version.item)!);
  }
  if (options.ids.length > 0) await context.db.knex('cairn_versions').whereIn('id', options.ids).delete();
}

/**
 * Save: the payload merged into the delta (top-level keys, as Directus), checked as an update of
 * the item by the caller would be (fields, presets, item filter, validation) without writing it;
 * then stored, with a `version_save` activity and a revision linked to the version.
 */
export async function saveToVersion(options: { context: VersionsContext; accountability: Accountability; id: string; payload: unknown }): Promise<VersionRow> {
  const { context, accountability, id, payload } = options;
  const version = await readVersion(context, accountability, id);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new InvalidPayloadError({ reason: 'What a version saves has to be a JSON object' });
  const collection = versionedCollection(context, version.collection);
  const key = parseKey(collection, version.item)!;
  const delta = { ...(version.delta ?? {}), ...(payload as Record<string, unknown>) };
  delete delta[collection.primaryKey.field];
  // The whole merged delta, as the caller's update: refused here if the caller could not make it.
  await inOneTransaction(context, (scoped) => updateItems({ context: scoped, accountability, collection: collection.name, keys: [key], data: delta, history: false }), { rollback: true });
  await context.db.knex.transaction(async (trx) => {
    await trx('cairn_versions').where({ id }).update({ delta: JSON.stringify(delta), updated_at: new Date(), updated_by: accountability.user });
    if (collection.accountability === 'none') return;
    const [activity] = await trx('cairn_activity')
      .insert({ action: 'version_save', user: accountability.user, ip: accountability.ip, user_agent: accountability.userAgent, origin: accountability.origin, collection: collection.name, item: version.item })
      .returning('id');
    if (collection.accountability === 'all') {
      await trx('cairn_revisions').insert({ activity: (activity as { id: string }).id, collection: collection.name, item: version.item, data: JSON.stringify(delta), delta: JSON.stringify(payload), version: id });
    }
  });
  return { ...version, delta };
}

export interface Comparison {
  outdated: boolean;
  mainHash: string;
  current: Record<string, unknown>;
  main: Record<string, unknown>;
  /** With `merge`: main with the version's changes applied field by field, and where both changed a field differently. */
  merge?: { base: Record<string, unknown> | null; merged: Record<string, unknown>; conflicts: { field: string; base: unknown; main: unknown; version: unknown }[] };
}

export async function compareVersion(options: { context: VersionsContext; accountability: Accountability; id: string; merge?: boolean }): Promise<Comparison> {
  const { context, accountability, id } = options;
  const version = await readVersion(context, accountability, id);
  const collection = versionedCollection(context, version.collection);
  const key = parseKey(collection, version.item)!;
  const main = (await readItem({ context, accountability, collection: collection.name, key: version.item, query: {} })).data as Record<string, unknown>;
  const mainHash = await itemHash(context, collection.name, key);
  // The delta as the caller may see it: without fields it may not read.
  const visible = (await readItem({ context, accountability, collection: VERSIONS, key: id, query: { fields: ['delta'] }, system: true })).data as { delta: Record<string, unknown> | null };
  const delta = visible.delta ?? {};
  const comparison: Comparison = { outdated: version.hash !== mainHash, mainHash, current: { ...delta, [collection.primaryKey.field]: key }, main };
  if (options.merge) {
    // The base: the item as its last revision before the version was made recorded it, as the caller may see it.
    const base = version.base_revision === null ? null : (((await readItems({ context, accountability, collection: 'cairn_revisions', query: { filter: { id: { _eq: version.base_revision } }, fields: ['data'] }, system: true })).data as Record<string, unknown>[])[0]?.data as Record<string, unknown> | undefined) ?? null;
    const merged: Record<string, unknown> = { ...main };
    const conflicts: NonNullable<Comparison['merge']>['conflicts'] = [];
    const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
    for (const [field, value] of Object.entries(delta)) {
      const before = base?.[field];
      const now = main[field];
      // Main unchanged since the base (or it agrees with the version): the version's value wins; else both changed it.
      if (base === null || !(field in main) || same(before, now) || same(now, value)) merged[field] = value;
      else conflicts.push({ field, base: before ?? null, main: now ?? null, version: value });
    }
    comparison.merge = { base, merged, conflicts };
  }
  return comparison;
}

/**
 * Promote: the delta (or the chosen fields of it) written to the item as the caller's update, and
 * the item as published queued for the audit repository, in one transaction. Without `fields`
 * the caller must show it compared against main as it is now (`mainHash`).
 */
export async function promoteVersion(options: { context: VersionsContext; accountability: Accountability; id: string; mainHash?: unknown; fields?: unknown }): Promise<ItemKey> {
  const { context, accountability, id } = options;
  const version = await readVersion(context, accountability, id);
  const collection = versionedCollection(context, version.collection);
  const key = parseKey(collection, version.item)!;
  const delta = version.delta ?? {};
  if (Object.keys(delta).length === 0) throw new UnprocessableContentError({ reason: 'No changes to promote' });
  let fields: string[] | undefined;
  if (options.fields !== undefined) {
    if (!Array.isArray(options.fields) || options.fields.some((field) => typeof field !== 'string')) throw new InvalidPayloadError({ reason: '"fields" has to be a list of field names' });
    fields = options.fields as string[];
  }
  const changes = fields ? Object.fromEntries(Object.entries(delta).filter(([field]) => fields!.includes(field))) : delta;
  if (Object.keys(changes).length === 0) throw new UnprocessableContentError({ reason: 'None of the chosen fields has changes to promote' });
  return inOneTransaction(context, async (scoped, trx) => {
    // Checked inside the transaction, with the item locked: a concurrent change cannot slip in between.
    const schema = scoped.models.current()!.model.project.schema;
    await trx.raw('select 1 from ??.?? where ?? = ? for update', [schema, collection.name, collection.primaryKey.field, key]);
    const mainHash = await itemHash(scoped, collection.name, key);
    if (!fields && options.mainHash !== mainHash) throw new VersionHashMismatchError({ mainHash });
    await updateItems({ context: scoped, accountability, collection: collection.name, keys: [key], data: changes });
    await queueAudit(scoped, accountability, { action: 'promote', collection: collection.name, key, version });
    // Held by the unit of work until the commit, like the update's own event.
    scoped.events.emit('versions.promote', { collection: collection.name, keys: [key], payload: changes, user: accountability.user, accountability, version: version.id });
    return key;
  });
}

/**
 * A read as it would answer with version `versionKey` applied: the versions' deltas (of `key`, or
 * of every item of the collection the caller may read) written as Cairn in a transaction that is
 * rolled back, and the read made as the caller inside it, so relations read as the version would
 * leave them. `main` and `published` name the item itself.
 */
export async function readAtVersion<C extends VersionsContext, T>(options: {
  context: C;
  accountability: Accountability;
  collection: string;
  versionKey: unknown;
  key?: string;
  read: (scoped: C) => Promise<T>;
}): Promise<T> {
  const { context, accountability, collection: name, versionKey } = options;
  if (typeof versionKey !== 'string' || versionKey === '') throw new InvalidPayloadError({ reason: '"version" has to be a version key' });
  if (RESERVED_KEYS.has(versionKey)) return options.read(context);
  const collection = versionedCollection(context, name);
  const which = { collection: collection.name, key: versionKey, ...(options.key !== undefined ? { item: options.key } : {}) };
  let versions: { item: string; delta: Record<string, unknown> | null }[];
  if (accountability.admin) versions = await context.db.knex('cairn_versions').where(which).select('item', 'delta');
  else {
    // Only versions the caller may see: their deltas can touch related rows it would otherwise not see changed.
    const filter = { _and: Object.entries(which).map(([field, value]) => ({ [field]: { _eq: value } })) };
    const visible = (await readItems({ context, accountability, collection: VERSIONS, query: { filter, fields: ['id'], limit: -1 }, system: true })).data as { id: string }[];
    versions = visible.length === 0 ? [] : await context.db.knex('cairn_versions').whereIn('id', visible.map((row) => row.id)).select('item', 'delta');
  }
  if (options.key !== undefined && versions.length === 0) throw new ForbiddenError({ reason: `You don't have permission to access this item of "${collection.name}" or it does not exist.` });
  return inOneTransaction(
    context,
    async (scoped) => {
      for (const version of versions) {
        if (!version.delta || Object.keys(version.delta).length === 0) continue;
        await updateItems({ context: scoped, accountability: adminAccountability(), collection: collection.name, keys: [parseKey(collection, version.item)!], data: version.delta, history: false });
      }
      return options.read(scoped);
    },
    { rollback: true },
  );
}
