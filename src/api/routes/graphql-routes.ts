/** POST /graphql ({query, variables, operationName}) and GET /graphql (queries only), as Directus serves them; any other method is 405. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { InvalidPayloadError, MethodNotAllowedError } from '../../errors/index.ts';
import { createGraphqlService } from '../../graphql/index.ts';
import type { Accountability } from '../../services/index.ts';

/** Methods that reach no GraphQL handler; fastify answers HEAD for GET itself, and OPTIONS is left to CORS. */
const REFUSED_METHODS = ['PUT', 'PATCH', 'DELETE', 'SEARCH'] as const;

export function registerGraphqlRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  const graphql = createGraphqlService(context);
  server.post<{ Body: unknown }>('/graphql', async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: 'GraphQL takes a JSON object with "query"' });
    const { status, body: answer } = await graphql.execute(accountability(request), body as Record<string, unknown>);
    return reply.status(status).send(answer);
  });
  server.get<{ Querystring: Record<string, unknown> }>('/graphql', async (request, reply) => {
    const { status, body } = await graphql.execute(accountability(request), request.query, { queryOnly: true });
    return reply.status(status).send(body);
  });
  server.route({
    method: [...REFUSED_METHODS],
    url: '/graphql',
    handler: async (request) => {
      throw new MethodNotAllowedError({ allowed: ['GET', 'POST'], current: request.method });
    },
  });
}
