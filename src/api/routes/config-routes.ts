/**
 * Config served from the applied model, read-only, with the query language:
 * /roles, /policies, /access, /permissions (and /permissions/me),
 * /collections, /fields, /relations, /flows, /operations, and /schema/snapshot. Every write is
 * FORBIDDEN, pointing at the config repository.
 */
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { Context } from '../../context/index.ts';
import { InvalidQueryError } from '../../errors/index.ts';
import { readConfig, readConfigOf, readMyPermissions, readSchemaSnapshot, refuseConfigWrite, type Accountability, type ConfigKind } from '../../services/index.ts';
import { searchQueryOf } from './request-bodies.ts';

type Query = Record<string, unknown>;

/** The URL of one record of each kind, after the list's. */
const ITEM_ROUTES: Record<ConfigKind, string[]> = {
  roles: ['/:id'],
  policies: ['/:id'],
  access: ['/:id'],
  permissions: ['/:id'],
  collections: ['/:id'],
  fields: ['/:collection', '/:collection/:field'],
  relations: ['/:collection', '/:collection/:field'],
  flows: ['/:id'],
  operations: ['/:id'],
};

export function registerConfigRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  server.get<{ Querystring: Query }>('/permissions/me', async (request) => readMyPermissions({ context, accountability: accountability(request), query: request.query }));

  for (const kind of Object.keys(ITEM_ROUTES) as ConfigKind[]) {
    const list = (request: unknown, query: Query) => readConfig({ context, accountability: accountability(request), kind, query });
    server.get<{ Querystring: Query }>(`/${kind}`, async (request) => list(request, request.query));
    server.route<{ Body: unknown }>({ method: 'SEARCH', url: `/${kind}`, handler: async (request) => list(request, searchQueryOf(request.body)) });
    if (kind === 'fields' || kind === 'relations') {
      server.get<{ Params: { collection: string; field?: string }; Querystring: Query }>(`/${kind}/:collection`, async (request) =>
        readConfigOf({ context, accountability: accountability(request), kind, query: request.query, collection: request.params.collection }),
      );
      server.get<{ Params: { collection: string; field: string }; Querystring: Query }>(`/${kind}/:collection/:field`, async (request) =>
        readConfigOf({ context, accountability: accountability(request), kind, query: request.query, collection: request.params.collection, field: request.params.field }),
      );
    } else {
      server.get<{ Params: { id: string }; Querystring: Query }>(`/${kind}/:id`, async (request) =>
        readConfig({ context, accountability: accountability(request), kind, query: request.query, key: request.params.id }),
      );
    }
    for (const method of ['POST', 'PATCH', 'DELETE'] as const) {
      for (const url of [`/${kind}`, ...ITEM_ROUTES[kind].map((rest) => `/${kind}${rest}`)]) server.route({ method, url, handler: async () => refuseConfigWrite(kind) });
    }
  }

  // ?export=json|yaml downloads the snapshot as a file, as Directus does.
  server.get<{ Querystring: Query }>('/schema/snapshot', async (request, reply) => {
    const { export: format, ...query } = request.query;
    const snapshot = readSchemaSnapshot({ context, accountability: accountability(request), query });
    if (format === undefined) return { data: snapshot };
    if (format !== 'json' && format !== 'yaml') throw new InvalidQueryError({ reason: '"export" has to be json or yaml' });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return reply
      .header('content-disposition', `attachment; filename="snapshot-${stamp}.${format}"`)
      .type(format === 'json' ? 'application/json; charset=utf-8' : 'text/yaml; charset=utf-8')
      .send(format === 'json' ? JSON.stringify(snapshot, null, 2) : stringify(snapshot));
  });
  for (const url of ['/schema/diff', '/schema/apply']) {
    server.post(url, async () => refuseConfigWrite('collections'));
  }
}
