/** /activity, /revisions (read with the query language) and /utils/revert/:revision. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { readItem, readItems, revertRevision, type Accountability } from '../../services/index.ts';
import { ACTIVITY, REVISIONS } from '../../services/system-collections.ts';
import { searchQueryOf } from './request-bodies.ts';

type Params = { id: string };

export function registerHistoryRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  for (const [route, collection] of [['/activity', ACTIVITY], ['/revisions', REVISIONS]] as const) {
    server.get<{ Querystring: Record<string, unknown> }>(route, async (request) =>
      readItems({ context, accountability: accountability(request), collection, query: request.query, system: true }),
    );
    server.route<{ Body: unknown }>({
      method: 'SEARCH',
      url: route,
      handler: async (request) => readItems({ context, accountability: accountability(request), collection, query: searchQueryOf(request.body), system: true }),
    });
    server.get<{ Params: Params; Querystring: Record<string, unknown> }>(`${route}/:id`, async (request) =>
      readItem({ context, accountability: accountability(request), collection, key: request.params.id, query: request.query, system: true }),
    );
  }

  server.post<{ Params: { revision: string } }>('/utils/revert/:revision', async (request, reply) => {
    await revertRevision({ context, accountability: accountability(request), revision: request.params.revision });
    return reply.status(204).send();
  });
}
