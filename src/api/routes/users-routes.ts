/** /users (admins), /users/me (anyone signed in): the users service over HTTP. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context/index.ts';
import { idListOf, searchQueryOf } from './request-bodies.ts';
import { InvalidPayloadError } from '../../errors/index.ts';
import { createUsers, deleteUsers, readMe, readUser, readUsers, updateMe, updateUsers, type Accountability } from '../../services/index.ts';

type Query = Record<string, unknown>;

export function registerUsersRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  const listOf = (request: unknown, query: Query, keys: string[]) =>
    readUsers({ context, accountability: accountability(request), query: { ...query, filter: { id: { _in: keys } } } });
  const noContent = (reply: FastifyReply) => reply.status(204).send();

  server.get<{ Querystring: Query }>('/users', async (request) => readUsers({ context, accountability: accountability(request), query: request.query }));
  server.route<{ Body: unknown }>({
    method: 'SEARCH',
    url: '/users',
    handler: async (request) => readUsers({ context, accountability: accountability(request), query: searchQueryOf(request.body) }),
  });
  server.get<{ Querystring: Query }>('/users/me', async (request) => readMe({ context, accountability: accountability(request), query: request.query }));
  server.get<{ Params: { id: string }; Querystring: Query }>('/users/:id', async (request) =>
    readUser({ context, accountability: accountability(request), key: request.params.id, query: request.query }),
  );

  server.post<{ Body: unknown; Querystring: Query }>('/users', async (request) => {
    const who = accountability(request);
    const many = Array.isArray(request.body);
    const keys = await createUsers({ context, accountability: who, items: many ? (request.body as unknown[]) : [request.body] });
    return many ? listOf(request, request.query, keys) : readUser({ context, accountability: who, key: keys[0]!, query: request.query });
  });

  server.patch<{ Body: unknown; Querystring: Query }>('/users/me', async (request) => {
    const who = accountability(request);
    await updateMe({ context, accountability: who, data: request.body });
    return readMe({ context, accountability: who, query: request.query });
  });
  server.patch<{ Params: { id: string }; Body: unknown; Querystring: Query }>('/users/:id', async (request) => {
    const who = accountability(request);
    await updateUsers({ context, accountability: who, keys: [request.params.id], data: request.body });
    return readUser({ context, accountability: who, key: request.params.id, query: request.query });
  });
  server.patch<{ Body: unknown; Querystring: Query }>('/users', async (request) => {
    const body = request.body as { keys?: unknown; data?: unknown } | null;
    if (!body || typeof body !== 'object' || Array.isArray(body) || body.data === undefined) throw new InvalidPayloadError({ reason: 'PATCH /users takes {"keys": [...], "data": {...}}' });
    const keys = await updateUsers({ context, accountability: accountability(request), keys: idListOf(body, 'user ids'), data: body.data });
    return listOf(request, request.query, keys);
  });

  server.delete<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    await deleteUsers({ context, accountability: accountability(request), keys: [request.params.id] });
    return noContent(reply);
  });
  server.delete<{ Body: unknown }>('/users', async (request, reply) => {
    await deleteUsers({ context, accountability: accountability(request), keys: idListOf(request.body, 'user ids') });
    return noContent(reply);
  });
}
