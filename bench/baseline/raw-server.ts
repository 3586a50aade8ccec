/**
 * The raw baseline: the least a hand-written fastify + pg server would do to
 * answer each scenario's requests, with no framework of ours in the way.
 * Every benchmark scenario adds its routes here beside its Cairn twin.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const server = Fastify({ logger: false });

// ping: the same text body and content type Cairn sends.
server.get('/server/ping', async (_request, reply) => reply.type('text/html; charset=utf-8').send('pong'));

await pool.query('select 1');
await server.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });

const stop = async (): Promise<void> => {
  await server.close();
  await pool.end();
};
process.once('SIGTERM', stop).once('SIGINT', stop);
