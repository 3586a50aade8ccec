/** /items/:collection reads (GET, SEARCH) and /items/:collection/:id, mapped onto the items service. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { InvalidPayloadError } from '../../errors/index.ts';
import { readItem, readItems, type Accountability } from '../../services/index.ts';

type Params = { collection: string; id?: string };

export function registerItemsRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  server.get<{ Params: Params; Querystring: Record<string, unknown> }>('/items/:collection', async (request) =>
    readItems({ context, accountability: accountability(request), collection: request.params.collection, query: request.query }),
  );

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

  server.get<{ Params: Params & { id: string }; Querystring: Record<string, unknown> }>('/items/:collection/:id', async (request) =>
    readItem({ context, accountability: accountability(request), collection: request.params.collection, key: request.params.id, query: request.query }),
  );
}
