/**
 * /graphql (the model's collections) and /graphql/system (versions, history,
 * users, access, server, auth), as Directus serves them: POST with
 * {query, variables, operationName}, GET with queries only; any other
 * method is 405. /graphql/system gets the request's auth cookies as a jar,
 * for auth_* in cookie and session modes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context/index.ts';
import { InvalidPayloadError, MethodNotAllowedError, RouteNotFoundError } from '../../errors/index.ts';
import { createGraphqlService, type ExecuteOptions, type GraphqlResponse } from '../../graphql/index.ts';
import type { Accountability } from '../../services/index.ts';
import { authCookieJar } from '../auth-cookies.ts';

/** Methods that reach no GraphQL handler; fastify answers HEAD for GET itself, and OPTIONS is left to CORS. */
const REFUSED_METHODS = ['PUT', 'PATCH', 'DELETE', 'SEARCH'] as const;

export function registerGraphqlRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  const graphql = createGraphqlService(context);
  const endpoints = [
    ['/graphql', 'items'],
    ['/graphql/system', 'system'],
  ] as const;

  // An answer built as JSON text (PostgreSQL's, passed through) goes out as it is.
  const send = (reply: FastifyReply, answer: GraphqlResponse) =>
    answer.text === undefined ? reply.status(answer.status).send(answer.body) : reply.status(answer.status).type('application/json; charset=utf-8').send(answer.text);

  // The caller's schema as SDL, as Directus serves it (an attachment; @directus/sdk's readGraphqlSdl reads it as text).
  const specs = (scope: string, request: FastifyRequest, reply: FastifyReply) => {
    if (scope !== 'items' && scope !== 'system') throw new RouteNotFoundError({ path: request.url.split('?')[0]! });
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="schema${scope === 'system' ? '-system' : ''}.graphql"`)
      .send(graphql.sdl(accountability(request), scope));
  };
  server.get('/server/specs/graphql', async (request, reply) => specs('items', request, reply));
  server.get<{ Params: { scope: string } }>('/server/specs/graphql/:scope', async (request, reply) => specs(request.params.scope, request, reply));

  for (const [url, scope] of endpoints) {
    const options = (request: FastifyRequest, reply: FastifyReply): ExecuteOptions =>
      scope === 'system' ? { scope, cookies: authCookieJar(server, request, reply, context.settings.auth) } : { scope };
    server.post<{ Body: unknown }>(url, async (request, reply) => {
      const body = request.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: 'GraphQL takes a JSON object with "query"' });
      return send(reply, await graphql.execute(accountability(request), body as Record<string, unknown>, options(request, reply)));
    });
    server.get<{ Querystring: Record<string, unknown> }>(url, async (request, reply) => send(reply, await graphql.execute(accountability(request), request.query, { ...options(request, reply), queryOnly: true })));
    server.route({
      method: [...REFUSED_METHODS],
      url,
      handler: async (request) => {
        throw new MethodNotAllowedError({ allowed: ['GET', 'POST'], current: request.method });
      },
    });
  }
}
