/** /graphql over the items service: the caller's schema, one statement per root field, REST's answers, REST's permissions. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { adminAccountability, createItems, readItems } from '../../../src/services/index.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const ADMIN_TOKEN = 'graphql-admin-token-for-tests';

describe.each(testBackends)('GraphQL on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let statements = 0;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN } }));
    await applyTemplate(context.db);
    await context.models.reload();
    server = buildServer(context);
    const admin = adminAccountability();
    const [ada] = await createItems({ context, accountability: admin, collection: 'authors', items: [{ name: 'Ada', email: 'ada@private.example' }] });
    await createItems({
      context,
      accountability: admin,
      collection: 'articles',
      items: [
        { title: 'Published', status: 'published', views: 3, author: ada, comments: [{ body: 'First!' }, { body: 'Second' }] },
        { title: 'Draft', status: 'draft', views: 9, author: ada },
      ],
    });
    // ADMIN_TOKEN is the admin user's static token: the first request caches the token and the user (and touches last_used_at).
    expect((await server.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).statusCode).toBe(200);
    context.db.knex.on('query', () => statements++);
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const post = (query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN) =>
    server.inject({ method: 'POST', url: '/graphql', headers: token === null ? {} : { authorization: `Bearer ${token}` }, payload: { query, variables } });

  it('answers a nested query with the data REST gives, in one statement per root field, ids as strings', async () => {
    const before = statements;
    const response = await post(`{ articles(sort: ["id"], filter: { status: { _eq: "published" } }) { id title author { name } comments(sort: ["-id"], limit: 1) { body } } }`);
    expect(statements - before).toBe(1);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ data: { articles: [{ id: '1', title: 'Published', author: { name: 'Ada' }, comments: [{ body: 'Second' }] }] } });
    const rest = await readItems({ context, accountability: adminAccountability(), collection: 'articles', query: { fields: ['title', 'author.name'], filter: { status: { _eq: 'published' } }, sort: ['id'] } });
    expect(rest.data).toEqual([{ title: 'Published', author: { name: 'Ada' } }]);
  });

  it('reads by id with variables, and answers two root fields with two statements', async () => {
    const before = statements;
    const response = await post('query One($id: ID!) { articles_by_id(id: $id) { title views } authors { name } }', { id: '2' });
    expect(response.json()).toEqual({ data: { articles_by_id: { title: 'Draft', views: 9 }, authors: [{ name: 'Ada' }] } });
    expect(statements - before).toBe(2);
  });

  it('gives the public a schema without what it may not read: asking for it is a validation error (400)', async () => {
    const published = await post('{ articles { title } }', {}, null);
    expect(published.json()).toEqual({ data: { articles: [{ title: 'Published' }] } });
    for (const query of ['{ articles { views } }', '{ authors { name } }', '{ articles { author { email } } }']) {
      // The administrator's accepted document is kept for its own schema only.
      expect((await post(query)).statusCode, query).toBe(200);
      const response = await post(query, {}, null);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().errors[0].extensions.code, query).toBe('GRAPHQL_VALIDATION');
    }
    const types = (await post('{ __schema { types { name } } }', {}, null)).json().data.__schema.types.map((type: { name: string }) => type.name);
    expect(types).toContain('articles');
    expect(types).not.toContain('authors');
  });

  it('answers errors while resolving with 200 and the catalogue code, and refuses a broken document with 400', async () => {
    const response = await post('{ articles_by_id(id: "999") { title } }');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ data: { articles_by_id: null }, errors: [{ extensions: { code: 'FORBIDDEN' }, path: ['articles_by_id'] }] });
    const broken = await post('{ articles { ');
    expect([broken.statusCode, broken.json().errors[0].extensions.code]).toEqual([400, 'GRAPHQL_VALIDATION']);
    const bomb = await post(`{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: articles { id }`).join(' ')} }`);
    expect([bomb.statusCode, bomb.json().errors[0].extensions.code]).toEqual([400, 'GRAPHQL_VALIDATION']);
    const invalidFilter = await post('{ articles(filter: { views: { _eq: "many" } }) { id } }');
    expect(invalidFilter.json().errors[0].extensions.code).toBe('INVALID_QUERY');
  });

  it('takes queries over GET, not mutations', async () => {
    const response = await server.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ articles(limit: 1) { id } }')}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.json()).toEqual({ data: { articles: [{ id: '1' }] } });
    // Only the operation that would run decides: a query picked from a document that also holds a mutation runs.
    const document = encodeURIComponent('query Read { articles(limit: 1) { id } } mutation Write { delete_articles_item(id: "1") { id } }');
    const get = (operationName: string) => server.inject({ method: 'GET', url: `/graphql?query=${document}&operationName=${operationName}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect((await get('Read')).json()).toEqual({ data: { articles: [{ id: '1' }] } });
    const write = await get('Write');
    expect([write.statusCode, write.json().errors[0].extensions.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect((await get('Read')).json()).toEqual({ data: { articles: [{ id: '1' }] } });
  });
});
