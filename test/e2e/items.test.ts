/** Reading items over HTTP with the official @directus/sdk and with fetch, against a real `cairn serve`. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { aggregate, createDirectus, createItem, createItems, deleteItem, deleteItems, readActivities, readCollections, readFields, readItem, readItems, readMe, readOpenApiSpec, readRelations, readRevisions, readRoles, rest, schemaSnapshot, staticToken, updateItem, updateItems, withSearch } from '@directus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { openDatabase } from '../../src/db/index.ts';
import { prepareServerHome, startCairnServer, type CairnServer, type ServerHome } from '../helpers/cairn-process.ts';
import { createPostgresDatabaseUrl, testBackends } from '../helpers/test-databases.ts';

const TOKEN = 'admin-token-for-the-e2e-tests';

describe.each(testBackends)('items over HTTP on $name', ({ name }) => {
  let home: ServerHome;
  let server: CairnServer;

  beforeAll(async () => {
    home = await prepareServerHome(name, { prefix: 'cairn-items-', env: { ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' } });
    const { env } = home;
    const db = await openDatabase(home.databaseUrl ? { url: home.databaseUrl } : { dataDir: path.join(home.root, 'data') });
    await db.knex('authors').insert([{ name: 'Ada' }, { name: 'Grace' }]);
    await db.knex('articles').insert([
      { title: 'First', slug: 'first', status: 'published', views: 5, author: 1 },
      { title: 'Second', slug: 'second', status: 'draft', views: 9, author: 2 },
      { title: 'Third', slug: 'third', status: 'published', views: 1, author: 1 },
    ]);
    await db.close();
    server = await startCairnServer({ ...env, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  const sdk = () => createDirectus(server.url).with(staticToken(TOKEN)).with(rest());

  it('reads lists and single items with @directus/sdk', async () => {
    const items = await sdk().request(readItems('articles', { fields: ['id', 'title', { author: ['name'] }], filter: { status: { _eq: 'published' } }, sort: ['-views'] }));
    expect(items).toEqual([
      { id: 1, title: 'First', author: { name: 'Ada' } },
      { id: 3, title: 'Third', author: { name: 'Ada' } },
    ]);
    expect(await sdk().request(readItem('articles', 2, { fields: ['title'] }))).toEqual({ title: 'Second' });
    const searched = await sdk().request(withSearch(readItems('articles', { fields: ['id'], search: 'thi' })));
    expect(searched).toEqual([{ id: 3 }]);
  });

  it("reads the Directus surface a client meets with @directus/sdk: roles by filter, collections, fields, relations, snapshot, OpenAPI, and itself with ADMIN_TOKEN", async () => {
    expect(await sdk().request(readRoles({ filter: { name: { _eq: 'viewer' } }, fields: ['id', 'name'] }))).toEqual([{ id: 'viewer', name: 'viewer' }]);
    expect(await sdk().request(readRoles({ limit: 1, fields: ['id'], sort: ['-name'] }))).toEqual([{ id: 'viewer' }]);
    const collections = await sdk().request(readCollections());
    expect(collections.map((c) => c.collection)).toEqual(['articles', 'articles_tags', 'authors', 'categories', 'comments', 'tags']);
    const fields = await sdk().request(readFields());
    expect(fields.find((f) => f.collection === 'articles' && f.field === 'title')).toMatchObject({ type: 'string', schema: { max_length: 200 } });
    const relations = await sdk().request(readRelations());
    expect(relations.find((r) => r.collection === 'comments' && r.field === 'article')).toMatchObject({ related_collection: 'articles', meta: { one_field: 'comments' } });
    const snapshot = await sdk().request(schemaSnapshot());
    expect(snapshot).toMatchObject({ version: 1, vendor: 'postgres' });
    const spec = (await sdk().request(readOpenApiSpec())) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(spec.paths)).toContain('/items/articles');
    // ADMIN_TOKEN is the static token of the first administrator: a real user.
    expect(await sdk().request(readMe({ fields: ['email', 'role'] }))).toEqual({ email: 'admin@example.com', role: 'administrator' });
  });

  it('aggregates with @directus/sdk', async () => {
    const rows = await sdk().request(aggregate('articles', { aggregate: { count: '*', sum: 'views' }, groupBy: ['status'] }));
    expect(rows).toEqual([
      { status: 'draft', count: '1', sum: { views: '9' } },
      { status: 'published', count: '2', sum: { views: '6' } },
    ]);
  });

  it('answers meta, bracket syntax and SEARCH by keys over fetch', async () => {
    const response = await fetch(`${server.url}/items/articles?fields=id&filter[views][_gte]=5&meta=*&sort=id`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ meta: { total_count: 3, filter_count: 2 }, data: [{ id: 1 }, { id: 2 }] });
    const search = await fetch(`${server.url}/items/articles?access_token=${TOKEN}`, { method: 'SEARCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: [3, 1], query: { fields: ['title'], sort: ['title'] } }) });
    expect(await search.json()).toEqual({ data: [{ title: 'First' }, { title: 'Third' }] });
  });

  it('treats forbidden and missing alike; anonymous callers read what the public policy grants', async () => {
    const get = (url: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`${server.url}${url}`, { headers });
    for (const url of ['/items/nope', '/items/cairn_users', '/items/articles/999', '/items/articles/abc', '/items/articles?fields=id,secret']) {
      const response = await get(url);
      expect(response.status, url).toBe(403);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, url).toBe('FORBIDDEN');
    }
    const anonymous = await get('/items/articles?sort=id', {});
    expect(anonymous.status).toBe(200);
    const published = ((await anonymous.json()) as { data: Record<string, unknown>[] }).data;
    expect(published.map((row) => row.title)).toEqual(['First', 'Third']);
    expect(Object.keys(published[0]!).sort()).toEqual(['body', 'category', 'id', 'published_at', 'slug', 'tags', 'title']);
    expect((await get('/items/articles/2', {})).status).toBe(403);
    expect((await get('/items/articles?fields=views', {})).status).toBe(403);
    expect((await get('/items/authors', {})).status).toBe(403);
  });

  it('refuses bad tokens and malformed queries with their codes, never a 500', async () => {
    const code = async (url: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
      const response = await fetch(`${server.url}${url}`, { headers });
      return [response.status, ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code];
    };
    expect(await code('/items/articles', { authorization: 'Bearer wrong-token' })).toEqual([401, 'INVALID_CREDENTIALS']);
    expect(await code(`/items/articles?access_token=${TOKEN}`)).toEqual([400, 'INVALID_PAYLOAD']);
    expect(await code('/server/health', { authorization: 'Bearer wrong-token' })).toEqual([401, 'INVALID_CREDENTIALS']);
    expect(await code('/items/articles?filter={broken')).toEqual([400, 'INVALID_QUERY']);
    expect(await code('/items/articles?filter[views][_eq]=many')).toEqual([400, 'INVALID_QUERY']);
    expect(await code(`/items/articles?sort=${encodeURIComponent('title; drop table articles')}`)).toEqual([400, 'INVALID_QUERY']);
    expect(await code(`/items/articles?fields=${Array.from({ length: 20 }, () => 'author').join('.')}`)).toEqual([403, 'FORBIDDEN']);
    expect(await code('/items/articles?limit=-5')).toEqual([400, 'INVALID_QUERY']);
  });
});

describe.each(testBackends)('writing items over HTTP on $name', ({ name }) => {
  let root: string;
  let server: CairnServer;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-items-write-'));
    let env: Record<string, string> = { CAIRN_DATA_DIR: root, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' };
    if (name === 'postgres') {
      const database = await createPostgresDatabaseUrl();
      dropDatabase = database.drop;
      env = { ...env, DATABASE_URL: database.url };
    }
    server = await startCairnServer(env, { args: ['--project', TEMPLATE_DIR] });
  });
  afterAll(async () => {
    await server?.stop();
    await dropDatabase?.();
    await rm(root, { recursive: true, force: true });
  });

  const sdk = () => createDirectus(server.url).with(staticToken(TOKEN)).with(rest());

  it('creates, updates and deletes with @directus/sdk, re-reading with the request query', async () => {
    const author = await sdk().request(createItem('authors', { name: 'Ada' }, { fields: ['id', 'name'] }));
    expect(author).toEqual({ id: 1, name: 'Ada' });
    const created = await sdk().request(createItems('articles', [{ title: 'One', author: 1 }, { title: 'Two' }], { fields: ['id', 'title', { author: ['name'] }] }));
    expect(created).toEqual([
      { id: 1, title: 'One', author: { name: 'Ada' } },
      { id: 2, title: 'Two', author: null },
    ]);
    expect(await sdk().request(updateItem('articles', 2, { status: 'published' }, { fields: ['status'] }))).toEqual({ status: 'published' });
    expect(await sdk().request(updateItems('articles', [1, 2], { views: 7 }, { fields: ['id', 'views'] }))).toEqual([{ id: 1, views: 7 }, { id: 2, views: 7 }]);
    await sdk().request(deleteItem('articles', 2));
    await sdk().request(deleteItems('articles', [1]));
    expect(await sdk().request(readItems('articles', { fields: ['id'] }))).toEqual([]);
  });

  it('serves revisions and activity with the query language, and reverts to a revision', async () => {
    const author = await sdk().request(createItem('authors', { name: 'Grace' }, { fields: ['id'] }));
    await sdk().request(updateItem('authors', author.id, { name: 'Grace Hopper' }));
    const revisions = await sdk().request(readRevisions({ fields: ['id', 'delta', { activity: ['action'] }], filter: { collection: { _eq: 'authors' }, item: { _eq: String(author.id) } }, sort: ['id'] }));
    expect(revisions.map((r: Record<string, unknown>) => [(r.activity as { action: string }).action, r.delta])).toEqual([
      ['create', { name: 'Grace' }],
      ['update', { name: 'Grace Hopper' }],
    ]);
    const activity = await sdk().request(readActivities({ fields: ['action', 'collection', 'ip'], filter: { collection: { _eq: 'authors' } }, sort: ['-id'], limit: 1 }));
    expect(activity).toEqual([{ action: 'update', collection: 'authors', ip: expect.any(String) }]);

    const reverted = await fetch(`${server.url}/utils/revert/${(revisions[0] as { id: number }).id}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reverted.status).toBe(204);
    expect(await sdk().request(readItem('authors', author.id, { fields: ['name'] }))).toEqual({ name: 'Grace' });
    const anonymous = await fetch(`${server.url}/revisions`);
    expect(anonymous.status).toBe(403);
  });

  it('answers write errors with their codes and statuses', async () => {
    const post = async (url: string, body: string, method = 'POST') => {
      const response = await fetch(`${server.url}${url}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
      const payload = response.status === 204 ? null : ((await response.json()) as { errors?: { extensions: { code: string } }[] });
      return [response.status, payload?.errors?.[0]?.extensions.code ?? 'ok'];
    };
    expect(await post('/items/articles', '{"title":')).toEqual([400, 'INVALID_PAYLOAD']);
    expect(await post('/items/articles', JSON.stringify({ title: 'x', "title'); drop table articles; --": 1 }))).toEqual([400, 'INVALID_PAYLOAD']);
    expect(await post('/items/articles', JSON.stringify({ body: 'no title' }))).toEqual([400, 'FAILED_VALIDATION']);
    expect(await post('/items/articles', JSON.stringify({ title: 'x', author: 42 }))).toEqual([400, 'INVALID_FOREIGN_KEY']);
    expect(await post('/items/articles', JSON.stringify({ keys: [1], query: {}, data: {} }), 'PATCH')).toEqual([400, 'INVALID_PAYLOAD']);
    expect(await post('/items/articles', JSON.stringify([{ title: 'no key' }]), 'PATCH')).toEqual([400, 'INVALID_PAYLOAD']);
    expect(await post('/items/articles/abc', JSON.stringify({ title: 'x' }), 'PATCH')).toEqual([403, 'FORBIDDEN']);
    expect(await post('/items/articles', JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }))).toEqual([400, 'INVALID_PAYLOAD']);
  });
});
