/**
 * GET /audit/:collection/:key — the published history of an item from the
 * audit git repository (newest first), and with ?from=&to= the structured
 * difference of its file between two commits. Administrators only for now.
 */
import type { FastifyInstance } from 'fastify';
import { auditHistory } from '../../audit/index.ts';
import type { Context } from '../../context/index.ts';
import { ForbiddenError, InvalidQueryError } from '../../errors/index.ts';
import type { Accountability } from '../../services/index.ts';

type Params = { collection: string; key: string };

export function registerAuditRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  server.get<{ Params: Params; Querystring: Record<string, unknown> }>('/audit/:collection/:key', async (request) => {
    if (!accountability(request).admin) throw new ForbiddenError({});
    const range: { from?: string; to?: string } = {};
    for (const name of ['from', 'to'] as const) {
      const value = request.query[name];
      if (value === undefined || value === '') continue;
      if (typeof value !== 'string') throw new InvalidQueryError({ reason: `"${name}" must be a single commit id` });
      range[name] = value;
    }
    const history = await auditHistory(context, request.params.collection, request.params.key, range);
    return { data: history };
  });
}
