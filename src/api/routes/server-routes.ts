/** /server/*: ping (text `pong`, before any authentication), health (Directus health+json) and info. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { checkHealth } from '../../services/index.ts';

export function registerServerRoutes(server: FastifyInstance, context: Context): void {
  server.get('/server/ping', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').send('pong');
  });

  // Directus's shape ({data: {project}}), plus what Cairn serves: the applied model.
  server.get('/server/info', async () => {
    const applied = context.models.current();
    return {
      data: {
        project: { project_name: applied?.model.project.name ?? null },
        cairn: {
          model_hash: applied?.hash ?? null,
          applied_at: applied?.appliedAt ?? null,
          collections: applied ? Object.values(applied.model.collections).filter((c) => !c.junction).map((c) => c.name).sort() : [],
        },
      },
    };
  });

  server.get('/server/health', async (_request, reply) => {
    const report = await checkHealth({ db: context.db, version: context.version, instanceId: context.instanceId });
    return reply
      .status(report.status === 'error' ? 503 : 200)
      .type('application/health+json; charset=utf-8')
      .send(JSON.stringify(report));
  });
}
