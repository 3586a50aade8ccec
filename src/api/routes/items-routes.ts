/** /items/:collection and /items/:collection/:id (GET, SEARCH, POST, PATCH, DELETE), mapped onto the items service. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context/index.ts';
import { ForbiddenError, InvalidPayloadError, RouteNotFoundError } from '../../errors/index.ts';
import {
  createItems,
  deleteItems,
  parseKey,
  readItemJson,
  readItems,
  readItemsJson,
  requireKeys,
  updateBatch,
  updateItems,
  upsertSingleton,
  type Accountability,
  type ItemKey,
  type ReadItemsResult,
  readAtVersion,
} from '../../services/index.ts';

type Params = { collection: string; id?: string };

export function registerItemsRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  // Reads answer the JSON text PostgreSQL built, as it is.
  server.get<{ Params: Params; Querystring: Record<string, unknown> }>('/items/:collection', async (request, reply) => {
    const { version, ...query } = request.query;
    const read = (scoped: typeof context) => readItemsJson({ context: scoped, accountability: accountability(request), collection: request.params.collection, query });
    const body = version === undefined ? await read(context) : await readAtVersion({ context, accountability: accountability(request), collection: request.params.collection, versionKey: version, read });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  // SEARCH: the query in the body, as real JSON ({query}), or items by key ({keys}).
  server.route<{ Params: Params; Body: unknown }>({
    method: 'SEARCH',
    url: '/items/:collection',
    handler: async (request) => {
      const body = request.body as { query?: unknown; keys?: unknown } | null | undefined;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: 'SEARCH takes a JSON object with "query" or "keys"' });
      const query = (body.query ?? {}) as Record<string, unknown>;
      if (typeof query !== 'object' || Array.isArray(query)) throw new InvalidPayloadError({ reason: '"query" has to be an object' });
      if (body.keys !== undefined) {
        if (!Array.isArray(body.keys) || body.keys.some((key) => typeof key !== 'string' && typeof key !== 'number')) throw new InvalidPayloadError({ reason: '"keys" has to be a list of keys' });
        const model = context.models.current()?.model;
        const key = model?.collections[request.params.collection]?.primaryKey.field ?? 'id';
        return readItems({ context, accountability: accountability(request), collection: request.params.collection, query: { ...query, filter: { _and: [{ [key]: { _in: body.keys } }, ...(query.filter ? [query.filter] : [])] } } });
      }
      return readItems({ context, accountability: accountability(request), collection: request.params.collection, query });
    },
  });

  server.get<{ Params: Params & { id: string }; Querystring: Record<string, unknown> }>('/items/:collection/:id', async (request, reply) => {
    const { version, ...query } = request.query;
    const { collection, id } = request.params;
    const read = (scoped: typeof context) => readItemJson({ context: scoped, accountability: accountability(request), collection, key: id, query });
    const body = version === undefined ? await read(context) : await readAtVersion({ context, accountability: accountability(request), collection, versionKey: version, key: id, read });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  const collectionOf = (name: string) => {
    const collection = context.models.current()?.model.collections[name];
    if (!collection) throw new ForbiddenError({ reason: `You don't have permission to access collection "${name}" or it does not exist.` });
    return collection;
  };

  /** Writes answer the items as the request's query would read them; 204 when there is nothing the caller may read. */
  const reread = async (reply: FastifyReply, who: Accountability, name: string, keys: ItemKey[], query: Record<string, unknown>, single: boolean): Promise<ReadItemsResult | FastifyReply> => {
    try {
      if (single) {
        if (keys.length === 0) return reply.status(204).send();
        const body = await readItemJson({ context, accountability: who, collection: name, key: String(keys[0]), query });
        return reply.type('application/json; charset=utf-8').send(body);
      }
      const key = collectionOf(name).primaryKey.field;
      return await readItems({ context, accountability: who, collection: name, query: { ...query, limit: -1, filter: { _and: [{ [key]: { _in: keys.length > 0 ? keys : [null] } }, ...(query.filter ? [query.filter] : [])] } } });
    } catch (error) {
      if (error instanceof ForbiddenError) return reply.status(204).send();
      throw error;
    }
  };

  server.post<{ Params: Params; Querystring: Record<string, unknown>; Body: unknown }>('/items/:collection', async (request, reply) => {
    const who = accountability(request);
    if (collectionOf(request.params.collection).singleton) throw new RouteNotFoundError({ path: request.url.split('?')[0]! });
    const single = !Array.isArray(request.body);
    const items = single ? [request.body] : (request.body as unknown[]);
    const keys = await createItems({ context, accountability: who, collection: request.params.collection, items });
    return reread(reply, who, request.params.collection, keys, request.query, single);
  });

  server.patch<{ Params: Params & { id: string }; Querystring: Record<string, unknown>; Body: unknown }>('/items/:collection/:id', async (request, reply) => {
    const who = accountability(request);
    const collection = collectionOf(request.params.collection);
    if (collection.singleton) throw new RouteNotFoundError({ path: request.url.split('?')[0]! });
    const key = parseKey(collection, request.params.id);
    if (key === undefined) throw new ForbiddenError({});
    const keys = await updateItems({ context, accountability: who, collection: collection.name, keys: [key], data: request.body });
    return reread(reply, who, collection.name, keys, request.query, true);
  });

  // PATCH on a collection: an array of items with their keys, {keys, data}, or {query, data}.
  server.patch<{ Params: Params; Querystring: Record<string, unknown>; Body: unknown }>('/items/:collection', async (request, reply) => {
    const who = accountability(request);
    const collection = collectionOf(request.params.collection);
    const body = request.body;
    const pk = collection.primaryKey.field;
    let keys: ItemKey[];
    if (collection.singleton) {
      // A singleton is one item: PATCH updates it, or creates it the first time.
      keys = await upsertSingleton({ context, accountability: who, collection: collection.name, data: body });
      return reread(reply, who, collection.name, keys, request.query, true);
    }
    if (Array.isArray(body)) {
      const changes = body.map((item) => {
        const key = item !== null && typeof item === 'object' ? parseKey(collection, (item as Record<string, unknown>)[pk]) : undefined;
        if (key === undefined) throw new InvalidPayloadError({ reason: 'Item in update misses primary key' });
        return { key, data: item };
      });
      keys = await updateBatch({ context, accountability: who, collection: collection.name, changes });
    } else {
      const { data, ...selector } = batchBody(body, true);
      keys = await updateItems({ context, accountability: who, collection: collection.name, keys: await selectKeys(who, collection.name, selector), data });
    }
    return reread(reply, who, collection.name, keys, request.query, false);
  });

  server.delete<{ Params: Params & { id: string } }>('/items/:collection/:id', async (request, reply) => {
    const collection = collectionOf(request.params.collection);
    const key = parseKey(collection, request.params.id);
    if (key === undefined) throw new ForbiddenError({});
    await deleteItems({ context, accountability: accountability(request), collection: collection.name, keys: [key] });
    return reply.status(204).send();
  });

  server.delete<{ Params: Params; Body: unknown }>('/items/:collection', async (request, reply) => {
    const who = accountability(request);
    const collection = collectionOf(request.params.collection);
    const selector = Array.isArray(request.body) ? { keys: request.body } : batchBody(request.body, false);
    await deleteItems({ context, accountability: who, collection: collection.name, keys: await selectKeys(who, collection.name, selector) });
    return reply.status(204).send();
  });

  /** The keys a {keys} or {query} body selects; a query is resolved with the caller's read access. */
  const selectKeys = async (who: Accountability, name: string, selector: { keys?: unknown; query?: unknown }): Promise<ItemKey[]> => {
    const collection = collectionOf(name);
    if (selector.keys !== undefined) return requireKeys(collection, selector.keys);
    const query = selector.query as Record<string, unknown>;
    const result = await readItems({ context, accountability: who, collection: name, query: { ...query, fields: [collection.primaryKey.field], limit: query.limit ?? -1 } });
    return (result.data as Record<string, unknown>[]).map((row) => row[collection.primaryKey.field] as ItemKey);
  };
}

/** Directus's batch bodies: exactly one of keys and query, and data for an update. */
function batchBody(body: unknown, update: boolean): { keys?: unknown; query?: unknown; data: unknown } {
  if (body === null || typeof body !== 'object') throw new InvalidPayloadError({ reason: 'The body has to be a JSON object or array' });
  const { keys, query, data } = body as Record<string, unknown>;
  if ((keys === undefined) === (query === undefined)) throw new InvalidPayloadError({ reason: '"keys" or "query" is required, but not both' });
  if (query !== undefined && (query === null || typeof query !== 'object' || Array.isArray(query))) throw new InvalidPayloadError({ reason: '"query" has to be an object' });
  if (update && (data === null || typeof data !== 'object' || Array.isArray(data))) throw new InvalidPayloadError({ reason: '"data" has to be an object' });
  return { ...(keys !== undefined ? { keys } : {}), ...(query !== undefined ? { query } : {}), data };
}
