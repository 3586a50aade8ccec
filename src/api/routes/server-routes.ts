/**
 * /server/*: ping (text `pong`, before any authentication), health (Directus
 * health+json), info, and the OpenAPI document of what the caller may do.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { checkHealth, openApiSpec, serverInfo, type Accountability } from '../../services/index.ts';

/** Documents kept per model; one per distinct set of policies callers have asked with. */
const MAX_CACHED_SPECS = 64;

export function registerServerRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
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

  // The raw OpenAPI object, as Directus answers it (no `data` envelope). The document depends
  // on the model and on what the caller's policies grant, so it is cached by exactly those.
  const specs = new Map<string, string>();
  let specsModel: string | null | undefined;
  server.get('/server/specs/oas', async (request, reply) => {
    const who = accountability(request);
    const applied = context.models.current();
    if ((applied?.hash ?? null) !== specsModel) {
      specs.clear();
      specsModel = applied?.hash ?? null;
    }
    const key = `${who.admin ? 'admin' : 'policies'}|${who.user === null ? 'anonymous' : 'user'}|${[...who.policies].sort().join(',')}`;
    let text = specs.get(key);
    if (text === undefined) {
      text = JSON.stringify(openApiSpec({ model: applied?.model ?? null, accountability: who, version: context.version }));
      if (specs.size >= MAX_CACHED_SPECS) specs.delete(specs.keys().next().value!);
      specs.set(key, text);
    }
    return reply.type('application/json; charset=utf-8').send(text);
  });
}
