/**
 * The persist stage, nested relations included: an m2o given as an object is
 * created or updated first and linked; the item itself is inserted or
 * updated; then its o2m/m2m related items are created, updated, linked,
 * unlinked or deleted. Everything runs in the caller's transaction and
 * returns the history entries, the item's own first, so that nested
 * revisions can point at it as their parent.
 */
import { hash } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { InvalidPayloadError } from '../../errors/index.ts';
import type { Collection, Model } from '../../model/index.ts';
import type { Accountability } from '../accountability.ts';
import { parseKey, type ItemKey } from './item-keys.ts';
import type { HistoryEntry } from './record-history.ts';
import { validatePayload } from './validate-payload.ts';
import type { WriteGuard } from './write-permissions.ts';

export interface PersistContext {
  trx: Knex.Transaction;
  model: Model;
  accountability: Accountability;
  now: Date;
  /** The caller's write permissions, checked for every item written; absent for the administrator. */
  guard?: WriteGuard | undefined;
}

export interface Persisted {
  key: ItemKey;
  /** The item's own entry first, then those of nested writes (each with its collection). */
  entries: (HistoryEntry & { collection: Collection; nested: boolean })[];
}

const pick = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in row).map((k) => [k, row[k]]));

function table(ctx: PersistContext, collection: Collection) {
  return ctx.trx.withSchema(ctx.model.project.schema).table(collection.name);
}

/**
 * Creates (key undefined) or updates one item, with everything nested in its payload. `link`: the
 * item is a row of a generated junction written through its m2m field, whose permission the
 * parent's write already checked.
 */
export async function persistItem(ctx: PersistContext, collection: Collection, payload: unknown, key?: ItemKey, link = false): Promise<Persisted | undefined> {
  const guard = link ? undefined : ctx.guard;
  const action = key === undefined ? 'create' : 'update';
  const prepared = guard ? guard.prepare(collection, action, payload) : payload;
  if (guard && key !== undefined) await guard.checkRows(ctx.trx, collection, 'update', [key], Object.keys(prepared as Record<string, unknown>));
  const validated = validatePayload({ collection, payload: prepared, mode: action, user: ctx.accountability.user, now: ctx.now });
  const entries: Persisted['entries'] = [];
  const values = { ...validated.values };
  for (const field of validated.hashes) values[field] = await hash(String(values[field]));

  // m2o objects first: the item needs their keys.
  for (const [name, related] of Object.entries(validated.relatedOne)) {
    const relation = collection.fields[name]!.relation!;
    const target = ctx.model.collections[relation.related]!;
    const relatedKey = related[target.primaryKey.field] === undefined ? undefined : parseKey(target, related[target.primaryKey.field]);
    const exists = relatedKey !== undefined && (await table(ctx, target).where(target.primaryKey.field, relatedKey).first(target.primaryKey.field)) !== undefined;
    const { [target.primaryKey.field]: _key, ...rest } = related;
    // An existing item named by its key alone is only linked, as a bare key would be (Directus does the same).
    if (exists && Object.keys(rest).length === 0) {
      values[name] = relatedKey;
      continue;
    }
    const result = exists ? await persistItem(ctx, target, rest, relatedKey) : await persistItem(ctx, target, related);
    values[name] = exists ? relatedKey : result!.key;
    if (result) entries.push(...result.entries.map((entry) => ({ ...entry, nested: true })));
  }

  const primaryKey = collection.primaryKey.field;
  let itemKey: ItemKey;
  if (key === undefined) {
    const [row] = (await table(ctx, collection).insert(values).returning('*')) as Record<string, unknown>[];
    itemKey = row![primaryKey] as ItemKey;
    entries.unshift({ action: 'create', key: itemKey, data: row!, delta: pick(row!, Object.keys(values)), collection, nested: false });
  } else {
    itemKey = key;
    const [row] = Object.keys(values).length === 0
      ? ((await table(ctx, collection).where(primaryKey, key).select('*')) as Record<string, unknown>[])
      : ((await table(ctx, collection).where(primaryKey, key).update(values).returning('*')) as Record<string, unknown>[]);
    if (!row) return undefined; // no such item: nothing to do (as for the administrator in Directus)
    if (Object.keys(values).length > 0) entries.unshift({ action: 'update', key, data: row, delta: pick(row, Object.keys(values)), collection, nested: false });
  }

  for (const [name, value] of Object.entries(validated.relatedMany)) {
    const relation = collection.fields[name]!.relation!;
    if (relation.kind !== 'o2m' && relation.kind !== 'm2m') continue;
    const target = ctx.model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
    const foreignKey = relation.kind === 'm2m' ? relation.sourceField : relation.foreignKey;
    entries.push(...(await persistMany(ctx, { target, foreignKey, owner: itemKey, field: name, value })).map((entry) => ({ ...entry, nested: true })));
  }
  if (guard) await guard.checkWritten(ctx.trx, collection, action, itemKey);
  return { key: itemKey, entries };
}

/**
 * o2m/m2m values: a full list (items or keys: linked items not listed are
 * unlinked, or deleted when their link cannot be empty), or the detailed
 * form {create, update, delete} that changes only what it names.
 */
async function persistMany(
  ctx: PersistContext,
  options: { target: Collection; foreignKey: string; owner: ItemKey; field: string; value: unknown },
): Promise<Persisted['entries']> {
  const { target, foreignKey, owner, field, value } = options;
  const pk = target.primaryKey.field;
  const entries: Persisted['entries'] = [];
  const link = { [foreignKey]: owner };
  const keyOf = (item: unknown): ItemKey => {
    const raw = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[pk] : item;
    const key = parseKey(target, raw);
    if (key === undefined) throw new InvalidPayloadError({ reason: `${JSON.stringify(raw)} is not a key of "${target.name}" (in "${field}")` });
    return key;
  };
  const write = async (item: unknown, key?: ItemKey) => {
    const fields = item !== null && typeof item === 'object' ? { ...(item as Record<string, unknown>) } : {};
    delete fields[pk];
    const result = await persistItem(ctx, target, { ...fields, ...link }, key, target.junction);
    if (result) entries.push(...result.entries);
    return result?.key;
  };
  const linked = async () => ((await table(ctx, target).where(foreignKey, owner).pluck(pk)) as ItemKey[]).map(String);
  const release = async (keys: ItemKey[]) => {
    if (keys.length === 0) return;
    // An item that cannot exist unlinked (a required link, or a junction row) goes; others are unlinked.
    const mustGo = !target.fields[foreignKey]!.nullable || target.junction;
    if (mustGo && !target.junction) await ctx.guard?.checkRows(ctx.trx, target, 'delete', keys, []);
    for (const key of keys) {
      if (mustGo) {
        await table(ctx, target).where(pk, key).delete();
        entries.push({ action: 'delete', key, collection: target, nested: true });
      } else {
        const result = await persistItem(ctx, target, { [foreignKey]: null }, key);
        if (result) entries.push(...result.entries);
      }
    }
  };

  if (Array.isArray(value)) {
    const kept = new Set<string>();
    for (const item of value) {
      const isObject = item !== null && typeof item === 'object';
      const key = isObject && (item as Record<string, unknown>)[pk] === undefined ? undefined : keyOf(item);
      const written = await write(isObject ? item : {}, key);
      if (written !== undefined) kept.add(String(written));
    }
    await release((await linked()).filter((key) => !kept.has(key)).map((key) => parseKey(target, key)!));
    return entries;
  }
  if (value === null || typeof value !== 'object') throw new InvalidPayloadError({ reason: `"${field}" has to be a list of items or {create, update, delete}` });
  const { create = [], update = [], delete: remove = [], ...unknown } = value as Record<string, unknown>;
  if (Object.keys(unknown).length > 0 || !Array.isArray(create) || !Array.isArray(update) || !Array.isArray(remove)) {
    throw new InvalidPayloadError({ reason: `"${field}" takes {create: [...], update: [...], delete: [...]}` });
  }
  for (const item of create) await write(item);
  for (const item of update) await write(item, keyOf(item));
  const owned = new Set(await linked());
  // Only items of this one may be removed through it.
  await release(remove.map(keyOf).filter((key) => owned.has(String(key))));
  return entries;
}
