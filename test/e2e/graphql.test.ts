/**
 * /graphql end to end: a real `cairn serve` of the template, queried with
 * @directus/sdk's graphql() (a static token, and a viewer signed in with
 * authentication('json')) and with plain fetch over POST and GET. The
 * answers are compared with what REST gives the same caller through the
 * SDK's readItems, ids turned into strings as GraphQL shows them.
 */
import path from 'node:path';
import { authentication, createDirectus, graphql, isDirectusError, readGraphqlSdl, readItems, rest, staticToken } from '@directus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.ts';
import { prepareServerHome, runCairn, startCairnServer, type CairnServer, type ServerHome } from '../helpers/cairn-process.ts';
import { testBackends } from '../helpers/test-databases.ts';

const TOKEN = 'admin-token-for-the-graphql-e2e';
const SECRET = 'g'.repeat(40);
const VIEWER = { email: 'viewer@example.org', password: 'a long enough password' };

/** REST's answer as GraphQL shows it: every `id` a string (GraphQL's ID). */
function idsAsStrings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsAsStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, key === 'id' && inner !== null ? String(inner) : idsAsStrings(inner)]));
  return value;
}

/** What the SDK threw, as Directus clients look at it. */
async function thrown(promise: Promise<unknown>): Promise<{ message: string; errors: { message: string; extensions: { code: string }; path?: unknown }[]; status: number | undefined; data: unknown; directus: boolean }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { message: string; errors: { message: string; extensions: { code: string } }[]; response?: Response; data?: unknown };
    return { message: e.message, errors: e.errors, status: e.response?.status, data: e.data, directus: isDirectusError(error) };
  }
  throw new Error('expected the SDK to throw');
}

describe.each(testBackends)('GraphQL over HTTP on $name', ({ name }) => {
  let home: ServerHome;
  let server: CairnServer;

  beforeAll(async () => {
    home = await prepareServerHome(name, { prefix: 'cairn-graphql-', env: { ADMIN_TOKEN: TOKEN, SECRET, LOG_LEVEL: 'warn' } });
    const { env } = home;
    const db = await openDatabase(home.databaseUrl ? { url: home.databaseUrl } : { dataDir: path.join(home.root, 'data') });
    await db.knex('authors').insert([
      { name: 'Ada', email: 'ada@private.example', bio: 'Engines' },
      { name: 'Grace', email: 'grace@private.example', bio: 'Compilers' },
    ]);
    await db.knex('articles').insert([
      { title: 'First', slug: 'first', status: 'published', views: 5, author: 1 },
      { title: 'Second', slug: 'second', status: 'draft', views: 9, author: 2, body: 'embargoed' },
      { title: 'Third', slug: 'third', status: 'published', views: 1, author: 1 },
    ]);
    await db.knex('comments').insert([
      { article: 1, body: 'Nice' },
      { article: 1, body: 'Thanks' },
      { article: 2, body: 'Hidden from viewers' },
      { article: 3, body: 'Third comment' },
    ]);
    await db.close();
    const created = await runCairn(['users', 'create', '--email', VIEWER.email, '--password', VIEWER.password, '--role', 'viewer'], env);
    expect(created.code, created.stderr).toBe(0);
    server = await startCairnServer({ ...env, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  const admin = () => createDirectus(server.url).with(staticToken(TOKEN)).with(graphql()).with(rest());
  const anonymous = () => createDirectus(server.url).with(graphql()).with(rest());
  const viewer = async () => {
    const client = createDirectus(server.url).with(authentication('json')).with(graphql()).with(rest());
    await client.login(VIEWER);
    return client;
  };
  const post = (body: unknown, token: string | null = TOKEN) =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

  it('answers the SDK with nested relations and their own arguments, ids as strings, as REST answers', async () => {
    const client = admin();
    const data = await client.query<{ articles: unknown[] }>(
      `{ articles(filter: { status: { _eq: "published" } }, sort: ["-views"]) { id title views author { id name } comments(sort: ["-id"], limit: 1) { id body } } }`,
    );
    expect(data).toEqual({
      articles: [
        { id: '1', title: 'First', views: 5, author: { id: '1', name: 'Ada' }, comments: [{ id: '2', body: 'Thanks' }] },
        { id: '3', title: 'Third', views: 1, author: { id: '1', name: 'Ada' }, comments: [{ id: '4', body: 'Third comment' }] },
      ],
    });
    const rest = await client.request(
      readItems('articles', {
        fields: ['id', 'title', 'views', { author: ['id', 'name'] }, { comments: ['id', 'body'] }],
        filter: { status: { _eq: 'published' } },
        sort: ['-views'],
        deep: { comments: { _sort: ['-id'], _limit: 1 } },
      }),
    );
    expect(data.articles).toEqual(idsAsStrings(rest));
  });

  it('answers search, limit and offset as REST does, and the signed-in viewer only what it may read', async () => {
    const client = admin();
    const searched = await client.query<{ comments: unknown[] }>(`{ comments(search: "i", sort: ["id"], limit: 2, offset: 1) { id body article { id status } } }`);
    const rest = await client.request(readItems('comments', { fields: ['id', 'body', { article: ['id', 'status'] }], search: 'i', sort: ['id'], limit: 2, offset: 1 }));
    expect(rest).toHaveLength(2);
    expect(searched.comments).toEqual(idsAsStrings(rest));

    const signedIn = await viewer();
    const query = `{ comments(sort: ["id"]) { id body article { id title author { name bio } } } }`;
    const asViewer = await signedIn.query<{ comments: { body: string }[] }>(query);
    expect(asViewer.comments.map((comment) => comment.body)).toEqual(['Nice', 'Thanks', 'Third comment']);
    const viewerRest = await signedIn.request(readItems('comments', { fields: ['id', 'body', { article: ['id', 'title', { author: ['name', 'bio'] }] }], sort: ['id'] }));
    expect(asViewer.comments).toEqual(idsAsStrings(viewerRest));
    // The viewer's schema has no authors.email: naming it is a validation error, not a null.
    const email = await thrown(signedIn.query('{ authors { name email } }'));
    expect([email.status, email.errors[0]!.extensions.code]).toEqual([400, 'GRAPHQL_VALIDATION']);
    expect(email.directus).toBe(true);
  });

  it('makes the SDK throw a resolver error from the body, isDirectusError-compatible, though the status was 200', async () => {
    const error = await thrown(admin().query('{ articles_by_id(id: "99999") { id title } }'));
    expect(error.status).toBe(200);
    expect(error.directus).toBe(true);
    expect(error.errors[0]).toMatchObject({ message: expect.any(String), extensions: { code: 'FORBIDDEN' }, path: ['articles_by_id'] });
    expect(error.message).toBe(error.errors[0]!.message);
    // An item the viewer may not read (a draft) answers exactly like a missing one.
    const draft = await thrown((await viewer()).query('{ articles_by_id(id: "2") { id title } }'));
    expect([draft.status, draft.errors[0]!.extensions.code, draft.errors[0]!.message]).toEqual([200, 'FORBIDDEN', error.errors[0]!.message]);
  });

  it('refuses an unknown field with HTTP 400 GRAPHQL_VALIDATION, over fetch and through the SDK', async () => {
    const response = await post({ query: '{ articles { id nope } }' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION');
    expect(body.data).toBeUndefined();
    const viaSdk = await thrown(admin().query('{ articles { id nope } }'));
    expect([viaSdk.status, viaSdk.errors[0]!.extensions.code, viaSdk.directus]).toEqual([400, 'GRAPHQL_VALIDATION', true]);
  });

  it('answers plain fetch over POST (with variables) and GET, the same data', async () => {
    const query = 'query One($id: ID!) { articles_by_id(id: $id) { id title comments(sort: ["id"]) { body } } }';
    const response = await post({ query, variables: { id: '1' }, operationName: 'One' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const expected = { data: { articles_by_id: { id: '1', title: 'First', comments: [{ body: 'Nice' }, { body: 'Thanks' }] } } };
    expect(await response.json()).toEqual(expected);
    const url = `${server.url}/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id: '1' }))}`;
    const get = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(expected);
  });

  it('shows the public only the public schema', async () => {
    const client = anonymous();
    const data = await client.query<{ articles: unknown[] }>('{ articles(sort: ["id"]) { id title tags { id } } }');
    expect(data.articles).toEqual([
      { id: '1', title: 'First', tags: [] },
      { id: '3', title: 'Third', tags: [] },
    ]);
    expect(data.articles).toEqual(idsAsStrings(await client.request(readItems('articles', { fields: ['id', 'title', { tags: ['id'] }], sort: ['id'] }))));
    for (const query of ['{ authors { name } }', '{ comments { body } }', '{ articles { views } }', '{ articles { author { name } } }', '{ articles { status } }']) {
      const error = await thrown(client.query(query));
      expect([error.status, error.errors[0]!.extensions.code], query).toEqual([400, 'GRAPHQL_VALIDATION']);
    }
    const schema = await client.query<{ __schema: { queryType: { fields: { name: string }[] }; types: { name: string; fields: { name: string }[] | null }[] } }>(
      '{ __schema { queryType { fields { name } } types { name fields { name } } } }',
    );
    expect(schema.__schema.queryType.fields.map((field) => field.name).sort()).toEqual([
      'articles',
      'articles_aggregated',
      'articles_by_id',
      'articles_by_version',
      'articles_tags',
      'articles_tags_aggregated',
      'articles_tags_by_id',
      'categories',
      'categories_aggregated',
      'categories_by_id',
      'tags',
      'tags_aggregated',
      'tags_by_id',
    ]);
    const articles = schema.__schema.types.find((type) => type.name === 'articles')!;
    expect(articles.fields!.map((field) => field.name).sort()).toEqual(['body', 'category', 'id', 'published_at', 'published_at_func', 'slug', 'tags', 'tags_func', 'title']);
    expect(schema.__schema.types.map((type) => type.name)).not.toContain('authors');
    // The same schema as SDL, through the SDK's readGraphqlSdl: the public's, not the administrator's.
    const sdl = await client.request(readGraphqlSdl());
    expect(sdl).toContain('type articles {');
    expect(sdl).not.toContain('type authors');
    expect(await admin().request(readGraphqlSdl())).toContain('type authors');
    expect(await client.request(readGraphqlSdl('system'))).toContain('auth_login');
  });
});
