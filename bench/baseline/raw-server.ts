/**
 * The raw baseline: the least a hand-written fastify + pg server would do to
 * answer each scenario's requests, with no framework of ours in the way.
 * Every benchmark scenario adds its routes here beside its Cairn twin.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const server = Fastify({ logger: false });

// ping: the same text body and content type Cairn sends.
server.get('/server/ping', async (_request, reply) => reply.type('text/html; charset=utf-8').send('pong'));

// items: the template's articles, answered as Cairn answers GET/POST/PATCH /items/articles (same
// JSON, same rows), with the SQL a hand-written server would send. Reads are one statement; writes
// are one transaction: the article, its cairn_activity row and its cairn_revisions row.
const bearer = process.env.ADMIN_TOKEN ? `Bearer ${process.env.ADMIN_TOKEN}` : undefined;
const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
  if (bearer !== undefined && request.headers.authorization === bearer) return true;
  void reply.status(401).send({ errors: [{ message: 'Invalid user credentials.', extensions: { code: 'INVALID_CREDENTIALS' } }] });
  return false;
};
const limitOf = (query: unknown): number => Math.min(Math.max(Number((query as { limit?: string }).limit ?? 100) || 100, 1), 1000);
/** What `fields=*` shows of an article: its columns, and its comments and tags (junction rows) as keys, 100 at most, as Cairn does. */
const relatedKeys = (alias: string) =>
  `array(select c.id from comments c where c.article = ${alias}.id order by c.id limit 100) as comments, ` +
  `array(select j.id from articles_tags j where j.articles_id = ${alias}.id order by j.id limit 100) as tags`;

server.get('/raw/articles', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const { rows } = await pool.query(`select a.*, ${relatedKeys('a')} from articles a order by a.id limit $1`, [limitOf(request.query)]);
  return { data: rows };
});

server.get('/raw/articles/with-author', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const { rows } = await pool.query(
    `select a.id, a.title, case when au.id is null then null else json_build_object('name', au.name) end as author
       from articles a left join authors au on au.id = a.author order by a.id limit $1`,
    [limitOf(request.query)],
  );
  return { data: rows };
});

// What the template's public policy lets anyone read: published articles, seven fields, tags of published articles.
server.get('/raw/articles/public', async (request) => {
  const { rows } = await pool.query(
    `select a.id, a.body, a.slug,
            array(select j.id from articles_tags j where j.articles_id = a.id order by j.id limit 100) as tags,
            a.title, a.category, a.published_at
       from articles a where a.status = 'published' order by a.id limit $1`,
    [limitOf(request.query)],
  );
  return { data: rows };
});

server.get<{ Querystring: { status?: string; limit?: string } }>('/raw/articles/by-status', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const { rows } = await pool.query(`select a.*, ${relatedKeys('a')} from articles a where a.status = $1 order by a.published_at desc, a.id limit $2`, [
    request.query.status ?? 'published',
    limitOf(request.query),
  ]);
  return { data: rows };
});

server.get<{ Params: { id: string } }>('/raw/articles/:id', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const { rows } = await pool.query(`select a.*, ${relatedKeys('a')} from articles a where a.id = $1`, [Number(request.params.id)]);
  if (rows.length === 0) return reply.status(403).send({ errors: [{ message: 'Forbidden', extensions: { code: 'FORBIDDEN' } }] });
  return { data: rows[0] };
});

/** The transaction every write runs: the change (returning the row), then its activity and revision rows. */
async function writeWithHistory(options: {
  request: FastifyRequest;
  action: 'create' | 'update';
  write: (client: pg.PoolClient) => Promise<Record<string, unknown>>;
  delta: (row: Record<string, unknown>) => Record<string, unknown>;
}): Promise<Record<string, unknown>> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const row = await options.write(client);
    if (row === undefined) throw new Error('no such article'); // the bench only writes articles that exist
    const { comments: _comments, tags: _tags, ...data } = row;
    const { rows: activity } = await client.query(
      'insert into cairn_activity (action, ip, user_agent, origin, collection, item) values ($1, $2, $3, $4, $5, $6) returning id',
      [options.action, options.request.ip, options.request.headers['user-agent'] ?? null, options.request.headers.origin ?? null, 'articles', String(row.id)],
    );
    await client.query('insert into cairn_revisions (activity, collection, item, data, delta) values ($1, $2, $3, $4, $5)', [
      activity[0].id,
      'articles',
      String(row.id),
      JSON.stringify(data),
      JSON.stringify(options.delta(data)),
    ]);
    await client.query('commit');
    return row;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

server.post<{ Body: { title: string; body?: string; status?: string; author?: number } }>('/raw/articles', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const { title, body = null, status = 'draft', author = null } = request.body;
  const row = await writeWithHistory({
    request,
    action: 'create',
    write: async (client) =>
      (
        await client.query(
          'insert into articles (title, body, status, author, date_created, date_updated) values ($1, $2, $3, $4, now(), now()) returning *',
          [title, body, status, author],
        )
      ).rows[0],
    delta: (data) => ({ title, body, status, author, date_created: data.date_created, date_updated: data.date_updated }),
  });
  // A new article has no comments or tags yet.
  return { data: { ...row, comments: [], tags: [] } };
});

server.patch<{ Params: { id: string }; Body: { views: number } }>('/raw/articles/:id', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const row = await writeWithHistory({
    request,
    action: 'update',
    write: async (client) =>
      (
        await client.query(`update articles a set views = $1, date_updated = now() where a.id = $2 returning a.*, ${relatedKeys('a')}`, [
          request.body.views,
          Number(request.params.id),
        ])
      ).rows[0],
    delta: (data) => ({ views: data.views, date_updated: data.date_updated }),
  });
  return { data: row };
});

// versions: a promote of a version's title by hand, in one transaction: the update, its activity and
// revision, and an outbox row (in a twin table, raw_audit_outbox, so Cairn's writer does not commit it during the raw load).
server.post<{ Params: { id: string } }>('/raw/versions/:id/promote', async (request, reply) => {
  if (!authorised(request, reply)) return reply;
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows: versions } = await client.query('select item, delta from cairn_versions where id = $1', [request.params.id]);
    const version = versions[0] as { item: string; delta: { title: string } };
    const { rows } = await client.query('update articles set title = $1, date_updated = now() where id = $2 returning *', [version.delta.title, Number(version.item)]);
    const { rows: activity } = await client.query(
      "insert into cairn_activity (action, ip, user_agent, origin, collection, item) values ('update', $1, $2, $3, 'articles', $4) returning id",
      [request.ip, request.headers['user-agent'] ?? null, request.headers.origin ?? null, version.item],
    );
    await client.query("insert into cairn_revisions (activity, collection, item, data, delta) values ($1, 'articles', $2, $3, $4)", [activity[0].id, version.item, JSON.stringify(rows[0]), JSON.stringify({ title: version.delta.title })]);
    await client.query(
      "insert into raw_audit_outbox (action, collection, item, content, author_name, author_email, message) values ('promote', 'articles', $1, $2, 'Raw', 'raw@example.org', $3)",
      [version.item, JSON.stringify(rows[0]), `Promote articles/${version.item}`],
    );
    await client.query('commit');
    return { data: Number(version.item) };
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
});

// login: what a hand-written login does: find the user, verify the argon2id hash, store a hashed
// refresh token, sign a 15-minute HS256 access token; the same JSON shape as Cairn's json mode.
const secret = new TextEncoder().encode(process.env.SECRET ?? 'raw-baseline-secret');
server.post<{ Body: { email?: string; password?: string } }>('/raw/auth/login', async (request, reply) => {
  const { email = '', password = '' } = request.body ?? {};
  const { rows } = await pool.query("select id, password, role from cairn_users where lower(email) = lower($1) and status = 'active'", [email]);
  const user = rows[0] as { id: string; password: string; role: string | null } | undefined;
  if (!user || !(await verify(user.password, password))) {
    return reply.status(401).send({ errors: [{ message: 'Invalid user credentials.', extensions: { code: 'INVALID_CREDENTIALS' } }] });
  }
  const refreshToken = randomBytes(32).toString('base64url');
  await pool.query('insert into cairn_sessions (token_hash, user_id, family, expires_at) values ($1, $2, $3, now() + interval \'7 days\')', [
    createHash('sha256').update(refreshToken).digest('hex'),
    user.id,
    randomUUID(),
  ]);
  const accessToken = await new SignJWT({ id: user.id, role: user.role, app_access: false, admin_access: false })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('cairn')
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(secret);
  return { data: { access_token: accessToken, refresh_token: refreshToken, expires: 900_000 } };
});

await pool.query('select 1');
await server.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });

const stop = async (): Promise<void> => {
  await server.close();
  await pool.end();
};
process.once('SIGTERM', stop).once('SIGINT', stop);
