/**
 * Resolving the Mutation root fields through the same services as REST's
 * writes (createItems, updateItems, updateBatch, upsertSingleton,
 * deleteItems) with the caller's Accountability, then one read of the
 * written items with the mutation's selection set, narrowed by its list
 * arguments: REST's re-read, in one statement however deep the selection.
 * A caller that may write but not read what it wrote gets null or [] (REST
 * answers 204); errors of the write are the resolver's, with their codes.
 */
import type { GraphQLFieldResolver } from 'graphql';
import type { Context } from '../context/index.ts';
import { ForbiddenError, InvalidPayloadError } from '../errors/index.ts';
import type { Collection } from '../model/index.ts';
import { createItems, deleteItems, parseKey, readItem, readItems, requireKeys, updateBatch, updateItems, upsertSingleton, type Accountability, type ItemKey } from '../services/index.ts';
import type { MutationKind } from './build-mutations.ts';
import { fieldSelection, listQuery } from './selection.ts';

export interface MutationContext {
  context: Pick<Context, 'db' | 'models' | 'events' | 'logger'>;
  accountability: Accountability;
}

type Args = Record<string, unknown>;
type Info = Parameters<GraphQLFieldResolver<unknown, MutationContext>>[3];
type Write = (target: Collection, args: Args, caller: MutationContext) => Promise<ItemKey[]>;

/** What each kind writes; the keys it answers with. */
const WRITES: Record<Exclude<MutationKind, 'deleteItems' | 'deleteItem'>, Write> = {
  createItems: (target, args, { context, accountability }) => createItems({ context, accountability, collection: target.name, items: ((args.data as unknown[] | null) ?? []).map(plain) }),
  createItem: (target, args, { context, accountability }) => createItems({ context, accountability, collection: target.name, items: [plain(args.data)] }),
  updateItems: (target, args, { context, accountability }) => updateItems({ context, accountability, collection: target.name, keys: requireKeys(target, args.ids), data: plain(args.data) }),
  updateBatch: (target, args, { context, accountability }) => {
    const changes = ((args.data as Args[] | null) ?? []).map((item) => {
      const key = parseKey(target, item[target.primaryKey.field]);
      if (key === undefined) throw new InvalidPayloadError({ reason: 'Item in update misses primary key' });
      return { key, data: plain(item) };
    });
    return updateBatch({ context, accountability, collection: target.name, changes });
  },
  updateItem: (target, args, { context, accountability }) => updateItems({ context, accountability, collection: target.name, keys: [keyOf(target, args.id)], data: plain(args.data) }),
  updateSingleton: (target, args, { context, accountability }) => upsertSingleton({ context, accountability, collection: target.name, data: plain(args.data) }),
};

/** Answers of the kinds that answer one item; the others answer a list. */
const SINGLE = new Set<MutationKind>(['createItem', 'updateItem', 'updateSingleton']);

export function resolveMutation(kind: MutationKind, collection: string, readable: boolean): GraphQLFieldResolver<unknown, MutationContext> {
  return async (_source, args: Args, caller, info) => {
    const target = collectionOf(caller, collection);
    if (kind === 'deleteItems' || kind === 'deleteItem') {
      const keys = kind === 'deleteItems' ? requireKeys(target, args.ids) : [keyOf(target, args.id)];
      await deleteItems({ context: caller.context, accountability: caller.accountability, collection, keys });
      // The keys asked for, as Directus answers them (ids are strings).
      return kind === 'deleteItems' ? { ids: (args.ids as unknown[]).map(String) } : { id: String(args.id) };
    }
    const keys = await WRITES[kind](target, args, caller);
    if (!readable) return true;
    return reread(caller, target, keys, args, info, SINGLE.has(kind));
  };
}

/** The written items as the selection set reads them, in one read; nothing when the caller may not read them. */
async function reread({ context, accountability }: MutationContext, target: Collection, keys: ItemKey[], args: Args, info: Info, single: boolean): Promise<unknown> {
  if (keys.length === 0) return single ? null : [];
  const selection = fieldSelection(info);
  try {
    if (single) return (await readItem({ context, accountability, collection: target.name, key: String(keys[0]), query: selection })).data;
    const { filter, ...list } = listQuery(args);
    const query: Args = { ...selection, limit: -1, ...list, filter: { _and: [{ [target.primaryKey.field]: { _in: keys } }, ...(filter ? [filter] : [])] } };
    return (await readItems({ context, accountability, collection: target.name, query })).data;
  } catch (error) {
    if (error instanceof ForbiddenError) return single ? null : [];
    throw error;
  }
}

function collectionOf({ context }: MutationContext, name: string): Collection {
  const collection = context.models.current()?.model.collections[name];
  if (!collection) throw new ForbiddenError({ reason: `You don't have permission to access collection "${name}" or it does not exist.` });
  return collection;
}

/** An id argument as the collection's key; one that cannot be a key is refused like a missing item (as REST does). */
function keyOf(collection: Collection, raw: unknown): ItemKey {
  const key = parseKey(collection, raw);
  if (key === undefined) throw new ForbiddenError({});
  return key;
}

/** GraphQL's input objects have no prototype: the services (and the hooks they run) get plain JSON values. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, plain(item)]));
  return value;
}
