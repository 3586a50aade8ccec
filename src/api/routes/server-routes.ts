/** /server/*: ping (text `pong`, before any authentication), health (Directus health+json) and info. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { checkHealth, serverInfo } from '../../services/index.ts';

export function registerServerRoutes(server: FastifyInstance, context: Context): void {
  server.get('/server/ping', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').send('pong');
  });

  // Directus's shape ({data: {project}}), plus what Cairn serves: the applied model.
  server.get('/server/info', async () => ({ data: serverInfo(context) }));

  server.get('/server/health', async (_request, reply) => {
    const report = await checkHealth({ db: context.db, version: context.version, instanceId: context.instanceId });
    return reply
      .status(report.status === 'error' ? 503 : 200)
      .type('application/health+json; charset=utf-8')
      .send(JSON.stringify(report));
  });
}
