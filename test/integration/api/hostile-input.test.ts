/** Hostile requests against the items API: every one gets a 4xx with a code, never a 500, and nothing is written. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const TOKEN = 'hostile-input-admin-token';

describe.each(testBackends)('hostile input on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN: TOKEN } }));
    await applyTemplate(context.db);
    await context.models.reload();
    await database.db.knex('authors').insert({ name: 'Ada' });
    await database.db.knex('articles').insert({ title: 'One', author: 1 });
    server = buildServer(context);
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: string, contentType = 'application/json') => {
    const response = await server.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}`, ...(payload === undefined ? {} : { 'content-type': contentType }) }, ...(payload === undefined ? {} : { payload }) });
    const code = response.statusCode === 204 ? null : (response.json() as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code;
    return [response.statusCode, code ?? 'ok'] as const;
  };
  const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { _and: [nest(depth - 1, leaf)] });

  it.each([
    ['malformed JSON', 'POST', '/items/articles', '{"title": "x"', 400, 'INVALID_PAYLOAD'],
    ['a body over 1 MB', 'POST', '/items/articles', JSON.stringify({ title: 'x', body: 'y'.repeat(1_100_000) }), 400, 'INVALID_PAYLOAD'],
    ['a prototype-poisoning body', 'POST', '/items/articles', '{"title":"x","__proto__":{"admin":true}}', 400, 'INVALID_PAYLOAD'],
    ['an unknown field', 'POST', '/items/articles', JSON.stringify({ title: 'x', no_such_field: 1 }), 400, 'INVALID_PAYLOAD'],
    ['SQL in a field name of a payload', 'POST', '/items/articles', JSON.stringify({ 'title" = 1; drop table articles; --': 'x' }), 400, 'INVALID_PAYLOAD'],
    ['a scalar body', 'POST', '/items/articles', '42', 400, 'INVALID_PAYLOAD'],
    ['a wrong content type', 'POST', '/items/articles', 'title=x', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a batch update with both keys and query', 'PATCH', '/items/articles', JSON.stringify({ keys: [1], query: {}, data: {} }), 400, 'INVALID_PAYLOAD'],
    ['a delete by a query that is not an object', 'DELETE', '/items/articles', JSON.stringify({ query: 'all' }), 400, 'INVALID_PAYLOAD'],
  ] as const)('%s', async (_label, method, url, payload, status, code) => {
    expect(await send(method, url, payload, payload === 'title=x' ? 'application/x-www-form-urlencoded' : 'application/json')).toEqual([status, code]);
  });

  it.each([
    ['SQL in the collection name', '/items/articles%22%3B%20drop%20table%20articles', 403, 'FORBIDDEN'],
    ['a system table', '/items/cairn_users', 403, 'FORBIDDEN'],
    ['SQL in fields', `/items/articles?fields=${encodeURIComponent('id,(select 1)')}`, 403, 'FORBIDDEN'],
    ['SQL in sort', `/items/articles?sort=${encodeURIComponent('id desc; drop table articles')}`, 400, 'INVALID_QUERY'],
    ['SQL in a filter key', `/items/articles?filter=${encodeURIComponent(JSON.stringify({ 'id = id or 1': { _eq: 1 } }))}`, 400, 'INVALID_QUERY'],
    ['SQL in a filter operator', `/items/articles?filter=${encodeURIComponent(JSON.stringify({ id: { '; drop': 1 } }))}`, 400, 'INVALID_QUERY'],
    ['SQL in a key', `/items/articles/${encodeURIComponent("1' or '1'='1")}`, 403, 'FORBIDDEN'],
    ['a nesting bomb in fields', `/items/articles?fields=${Array.from({ length: 30 }, (_, i) => (i % 2 ? 'article' : 'comments')).join('.')}`, 400, 'INVALID_QUERY'],
    ['a nesting bomb in filter', `/items/articles?filter=${encodeURIComponent(JSON.stringify(nest(500, { id: { _eq: 1 } })))}`, 400, 'INVALID_QUERY'],
    ['a limit no column can hold', '/items/articles?limit=99999999999999999999', 400, 'INVALID_QUERY'],
    ['a negative offset', '/items/articles?offset=-1', 400, 'INVALID_QUERY'],
    ['an array parameter past the qs limit', `/items/articles?${Array.from({ length: 600 }, (_, i) => `fields[${i}]=id`).join('&')}`, 400, 'INVALID_QUERY'],
    ['a uuid filter with a bad uuid', `/items/articles?filter[user_created][_eq]=not-a-uuid`, 400, 'INVALID_QUERY'],
    ['a date filter with a bad date', `/items/articles?filter[published_at][_gt]=yesterday`, 400, 'INVALID_QUERY'],
    ['a date the calendar does not have', `/items/articles?filter[published_at][_gt]=2024-02-30`, 400, 'INVALID_QUERY'],
    ['an integer filter out of range', `/items/articles?filter[views][_eq]=99999999999`, 400, 'INVALID_QUERY'],
  ] as const)('%s', async (_label, url, status, code) => {
    expect(await send('GET', url)).toEqual([status, code]);
  });

  it('left the data as it was', async () => {
    expect(await database.db.knex('articles').pluck('title')).toEqual(['One']);
  });
});
