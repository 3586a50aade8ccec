/**
 * Builds the fastify instance for a context: cross-cutting headers, the
 * Directus error envelope, access logging and the routes. Listening is the
 * caller's business, so tests can `inject` into the same server.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Context } from '../context/index.ts';
import { InternalServerError, MethodNotAllowedError, RouteNotFoundError } from '../errors/index.ts';
import { errorEnvelope, toCairnError } from './error-response.ts';
import qs from 'qs';
import { accountabilityOf } from './request-accountability.ts';
import { registerConfigRoutes } from './routes/config-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerHistoryRoutes } from './routes/history-routes.ts';
import { registerItemsRoutes } from './routes/items-routes.ts';
import { registerServerRoutes } from './routes/server-routes.ts';
import { registerUsersRoutes } from './routes/users-routes.ts';
import { registerUtilsRoutes } from './routes/utils-routes.ts';
import { registerVersionsRoutes } from './routes/versions-routes.ts';
import { registerGraphqlRoutes } from './routes/graphql-routes.ts';
import { registerFlowsRoutes } from './routes/flows-routes.ts';
import type { Accountability } from '../services/index.ts';

/** Directus's MAX_PAYLOAD_SIZE default (1 MB). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export function buildServer(context: Context): FastifyInstance {
  const server = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only widens fastify's generic.
    loggerInstance: context.logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by the one access-log line below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
    // Directus's query strings: bracket syntax (filter[title][_eq]=x) as qs parses it, with its limits.
    routerOptions: { querystringParser: (text: string) => qs.parse(text, { depth: 10, arrayLimit: 500 }) as Record<string, unknown> },
  });
  server.addHttpMethod('SEARCH', { hasBody: true });
  // Cookies are parsed by the accountability hook below (it may run before the plugin's own hook).
  void server.register(fastifyCookie, { hook: false });

  // Like Directus, an empty JSON body (clients send one with DELETE) is no body; anything else
  // goes through fastify's own parser, which refuses prototype poisoning.
  const parseJson = server.getDefaultJsonParser('error', 'error');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });

  // Who is asking, resolved once per request; a bad token fails every route but ping, as in Directus.
  const accountabilities = new WeakMap<object, Accountability>();
  server.addHook('onRequest', async (request) => {
    if (request.url === '/server/ping' || request.url.startsWith('/server/ping?')) return;
    accountabilities.set(request, await accountabilityOf(server, request, context));
  });
  const accountability = (request: unknown): Accountability => accountabilities.get(request as object)!;

  // While shutting down, answer in-flight requests with `Connection: close` so
  // keep-alive sockets end with their last response instead of holding close() open.
  let closing = false;
  server.addHook('preClose', async () => {
    closing = true;
  });

  server.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    reply.header('x-powered-by', 'Cairn');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-cache');
    reply.header('vary', 'Origin, Cache-Control');
    return payload;
  });

  server.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 },
      'request',
    );
  });

  server.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  server.setNotFoundHandler((request, reply) =>
    sendError(new RouteNotFoundError({ path: request.url.split('?')[0]! }), request, reply),
  );

  registerServerRoutes(server, context, accountability);
  registerItemsRoutes(server, context, accountability);
  registerHistoryRoutes(server, context, accountability);
  registerAuthRoutes(server, context, accountability);
  registerUsersRoutes(server, context, accountability);
  registerConfigRoutes(server, context, accountability);
  registerVersionsRoutes(server, context, accountability);
  registerGraphqlRoutes(server, context, accountability);
  registerAuditRoutes(server, context, accountability);
  registerUtilsRoutes(server, context, accountability);
  registerFlowsRoutes(server, context, accountability);
  return server;
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const cairnError = toCairnError(error, { url: request.url, contentType: request.headers['content-type'] });
  if (cairnError instanceof InternalServerError) {
    // The cause goes to the log, never to the client.
    request.log.error({ err: error }, 'unexpected error while serving a request');
  }
  if (cairnError instanceof MethodNotAllowedError) reply.header('allow', (cairnError.details.allowed as string[]).join(', '));
  return reply.status(cairnError.status).type('application/json; charset=utf-8').send(errorEnvelope([cairnError]));
}
