/** /server/*: ping (text `pong`, before any authentication) and health (Directus health+json). */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { checkHealth } from '../../services/index.ts';

export function registerServerRoutes(server: FastifyInstance, context: Context): void {
  server.get('/server/ping', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').send('pong');
  });

  server.get('/server/health', async (_request, reply) => {
    const report = await checkHealth({ db: context.db, version: context.version, instanceId: context.instanceId });
    return reply
      .status(report.status === 'error' ? 503 : 200)
      .type('application/health+json; charset=utf-8')
      .send(JSON.stringify(report));
  });
}
