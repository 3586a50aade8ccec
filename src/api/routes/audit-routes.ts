/**
 * GET /audit/:collection/:key — the published history of an item from the
 * audit git repository (newest first), and with ?from=&to= the structured
 * difference of its file between two commits. Anyone who may read the item
 * now sees its history; the difference shows only fields they may read. A
 * deleted item's history is the administrator's.
 */
import type { FastifyInstance } from 'fastify';
import { auditHistory } from '../../audit/index.ts';
import type { Context } from '../../context/index.ts';
import { ForbiddenError, InvalidQueryError } from '../../errors/index.ts';
import { readAccessFor } from '../../permissions/index.ts';
import { readItem, type Accountability } from '../../services/index.ts';

type Params = { collection: string; key: string };

export function registerAuditRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  server.get<{ Params: Params; Querystring: Record<string, unknown> }>('/audit/:collection/:key', async (request) => {
    const who = accountability(request);
    const { collection, key } = request.params;
    if (!who.admin) {
      const model = context.models.current()?.model;
      if (!model?.collections[collection]) throw new ForbiddenError({});
      // The item must be readable to the caller now (FORBIDDEN, as a missing item, otherwise).
      await readItem({ context, accountability: who, collection, key, query: { fields: [model.collections[collection]!.primaryKey.field] } });
    }
    const range: { from?: string; to?: string } = {};
    for (const name of ['from', 'to'] as const) {
      const value = request.query[name];
      if (value === undefined || value === '') continue;
      if (typeof value !== 'string') throw new InvalidQueryError({ reason: `"${name}" must be a single commit id` });
      range[name] = value;
    }
    const history = await auditHistory(context, collection, key, range);
    if (!who.admin && history.diff) {
      const readable = readAccessFor({ model: context.models.current()!.model, accountability: who, now: new Date() })!.access.readable(collection) ?? new Set<string>();
      const keep = <T>(entries: Record<string, T>) => Object.fromEntries(Object.entries(entries).filter(([field]) => readable.has(field)));
      history.diff = { ...history.diff, added: keep(history.diff.added), removed: keep(history.diff.removed), changed: keep(history.diff.changed) };
    }
    return { data: history };
  });
}
