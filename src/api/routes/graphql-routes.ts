/** POST /graphql ({query, variables, operationName}) and GET /graphql (queries only), as Directus serves them. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { InvalidPayloadError } from '../../errors/index.ts';
import { createGraphqlService } from '../../graphql/index.ts';
import type { Accountability } from '../../services/index.ts';

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
}
