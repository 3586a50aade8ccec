/** /roles, /policies, /permissions (read-only: they are config) and /permissions/me. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { readMyPermissions, readPermissions, readPolicies, readRoles, refuseAccessWrite, type Accountability, type AccessKind } from '../../services/index.ts';

export function registerAccessRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  server.get('/permissions/me', async (request) => readMyPermissions({ context, accountability: accountability(request) }));

  const readers = { roles: readRoles, policies: readPolicies, permissions: readPermissions } satisfies Record<AccessKind, unknown>;
  for (const [kind, read] of Object.entries(readers) as [AccessKind, typeof readRoles][]) {
    server.get(`/${kind}`, async (request) => read({ context, accountability: accountability(request) }));
    server.get<{ Params: { id: string } }>(`/${kind}/:id`, async (request) => read({ context, accountability: accountability(request), key: request.params.id }));
    for (const method of ['POST', 'PATCH', 'DELETE'] as const) {
      for (const url of [`/${kind}`, `/${kind}/:id`]) {
        server.route({ method, url, handler: async () => refuseAccessWrite(kind) });
      }
    }
  }
}
