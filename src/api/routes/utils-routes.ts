/** /utils/hash/generate, /utils/hash/verify, /utils/random/string and /utils/sort/:collection (revert lives with history). */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context/index.ts';
import { generateHash, randomString, sortItems, verifyHash, type Accountability } from '../../services/index.ts';

/** The fields of a JSON object body; any other body has none. */
const fieldsOf = (body: unknown): Record<string, unknown> => (body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});

export function registerUtilsRoutes(server: FastifyInstance, context: Context, accountability: (request: unknown) => Accountability): void {
  // Hashes and random strings are answered for any caller, the public included, as in Directus.
  server.post<{ Body: unknown }>('/utils/hash/generate', async (request) => ({ data: await generateHash({ string: fieldsOf(request.body).string }) }));

  server.post<{ Body: unknown }>('/utils/hash/verify', async (request) => {
    const body = fieldsOf(request.body);
    return { data: await verifyHash({ string: body.string, hash: body.hash }) };
  });

  server.get<{ Querystring: Record<string, unknown> }>('/utils/random/string', async (request) => ({ data: randomString({ length: request.query.length }) }));

  // Directus answers a sort with 200 and no body (not 204).
  server.post<{ Params: { collection: string }; Body: unknown }>('/utils/sort/:collection', async (request, reply) => {
    await sortItems({ context, accountability: accountability(request), collection: request.params.collection, move: request.body });
    return reply.status(200).send();
  });
}
