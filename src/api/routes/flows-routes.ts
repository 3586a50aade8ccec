/**
 * GET|POST /flows/trigger/:flow (webhook and manual flows) and the run log,
 * /flow-runs, read with the query language (admins only). /flows and
 * /operations themselves are config (config-routes.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { readItem, readItems, type Accountability } from '../../services/index.ts';
import { FLOW_RUNS } from '../../services/system-collections.ts';
import { searchQueryOf } from './request-bodies.ts';

type Query = Record<string, unknown>;

export function registerFlowsRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  for (const method of ['GET', 'POST'] as const) {
    server.route<{ Params: { flow: string }; Querystring: Query; Body: unknown }>({
      method,
      url: '/flows/trigger/:flow',
      handler: async (request, reply) => {
        const answer = await context.flows.trigger({
          flow: request.params.flow,
          method,
          accountability: accountability(request),
          path: request.url.split('?')[0]!,
          query: request.query,
          body: request.body,
          headers: request.headers,
        });
        if (answer.async) return reply.status(202).send();
        // As Directus: the return value as it is, not wrapped in `data`; nothing to say is 204.
        if (answer.result === undefined || answer.result === null || answer.result === false || answer.result === '' || answer.result === 0) return reply.status(204).send();
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(answer.result));
      },
    });
  }

  server.get<{ Querystring: Query }>('/flow-runs', async (request) => readItems({ context, accountability: accountability(request), collection: FLOW_RUNS, query: request.query, system: true }));
  server.route<{ Body: unknown }>({
    method: 'SEARCH',
    url: '/flow-runs',
    handler: async (request) => readItems({ context, accountability: accountability(request), collection: FLOW_RUNS, query: searchQueryOf(request.body), system: true }),
  });
  server.get<{ Params: { id: string }; Querystring: Query }>('/flow-runs/:id', async (request) =>
    readItem({ context, accountability: accountability(request), collection: FLOW_RUNS, key: request.params.id, query: request.query, system: true }),
  );
}
