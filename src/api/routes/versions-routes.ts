/** /versions: content versions over HTTP (contract §6), read with the query language like history. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { InvalidPayloadError } from '../../errors/index.ts';
import { compareVersion, createVersions, deleteVersions, promoteVersion, readItem, readItems, readAtVersion, saveToVersion, updateVersion, type Accountability } from '../../services/index.ts';
import { VERSIONS } from '../../services/system-collections.ts';
import { idListOf, searchQueryOf } from './request-bodies.ts';

type Query = Record<string, unknown>;
type Params = { id: string };

export function registerVersionsRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  const list = (request: unknown, query: Query) => readItems({ context, accountability: accountability(request), collection: VERSIONS, query, system: true });
  const one = (request: unknown, id: string, query: Query) => readItem({ context, accountability: accountability(request), collection: VERSIONS, key: id, query, system: true });

  server.get<{ Querystring: Query }>('/versions', async (request) => list(request, request.query));
  server.route<{ Body: unknown }>({
    method: 'SEARCH',
    url: '/versions',
    handler: async (request) => list(request, searchQueryOf(request.body)),
  });
  server.get<{ Params: Params; Querystring: Query }>('/versions/:id', async (request) => one(request, request.params.id, request.query));

  server.post<{ Body: unknown; Querystring: Query }>('/versions', async (request) => {
    const many = Array.isArray(request.body);
    const ids = await createVersions({ context, accountability: accountability(request), items: many ? (request.body as unknown[]) : [request.body] });
    return many ? list(request, { ...request.query, filter: { id: { _in: ids } } }) : one(request, ids[0]!, request.query);
  });
  server.patch<{ Params: Params; Body: unknown; Querystring: Query }>('/versions/:id', async (request) => {
    await updateVersion({ context, accountability: accountability(request), id: request.params.id, data: request.body });
    return one(request, request.params.id, request.query);
  });
  server.delete<{ Params: Params }>('/versions/:id', async (request, reply) => {
    await deleteVersions({ context, accountability: accountability(request), ids: [request.params.id] });
    return reply.status(204).send();
  });
  server.delete<{ Body: unknown }>('/versions', async (request, reply) => {
    await deleteVersions({ context, accountability: accountability(request), ids: idListOf(request.body, 'version ids') });
    return reply.status(204).send();
  });

  // Save answers the item as it reads with the version applied (Directus: main with the delta over it).
  server.post<{ Params: Params; Body: unknown; Querystring: Query }>('/versions/:id/save', async (request, reply) => {
    const who = accountability(request);
    const version = await saveToVersion({ context, accountability: who, id: request.params.id, payload: request.body });
    const body = await readAtVersion({
      context,
      accountability: who,
      collection: version.collection,
      versionKey: version.key,
      key: version.item,
      read: (scoped) => readItem({ context: scoped, accountability: who, collection: version.collection, key: version.item, query: request.query }),
    });
    return reply.send(body);
  });
  server.get<{ Params: Params; Querystring: Query }>('/versions/:id/compare', async (request) => {
    const merge = ['1', 'true', ''].includes(String(request.query.merge ?? 'no'));
    return { data: await compareVersion({ context, accountability: accountability(request), id: request.params.id, merge }) };
  });
  server.post<{ Params: Params; Body: unknown }>('/versions/:id/promote', async (request) => {
    const body = (request.body ?? {}) as { mainHash?: unknown; fields?: unknown };
    if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: 'Promote takes {"mainHash": "...", "fields"?: [...]}' });
    return { data: await promoteVersion({ context, accountability: accountability(request), id: request.params.id, mainHash: body.mainHash, fields: body.fields }) };
  });
}
