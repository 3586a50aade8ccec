/**
 * The query language on every list route: the same generated cases (fields,
 * filter, sort, limit/offset/page, meta, search, aggregate, SEARCH,
 * refusals) on /items/:collection and on each system collection, config
 * served from the applied model included.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { bootstrapAdmin } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { queryLanguageCases, type QueryLanguageRoute } from '../../helpers/query-language-cases.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const PASSWORD = 'correct horse battery';
const byId = (row: Record<string, unknown>) => String(row.id);
const byField = (row: Record<string, unknown>) => `${row.collection}.${row.field}`;

const ROUTES: QueryLanguageRoute[] = [
  { route: '/items/tags', order: 'id', identity: byId, text: 'name' },
  { route: '/items/authors', order: 'id', identity: byId, text: 'name' },
  { route: '/roles', order: 'id', identity: byId, text: 'name' },
  { route: '/policies', order: 'id', identity: byId, text: 'name' },
  { route: '/access', order: 'id', identity: byId, text: 'role' },
  { route: '/permissions', order: 'id', identity: byId, text: 'collection' },
  { route: '/users', order: 'id', identity: byId, text: 'email' },
  { route: '/activity', order: 'id', identity: byId, text: 'collection' },
  { route: '/revisions', order: 'id', identity: byId, text: 'collection' },
  { route: '/versions', order: 'id', identity: byId, text: 'key' },
  { route: '/collections', order: 'collection', identity: (row) => String(row.collection), text: 'collection' },
  { route: '/fields', order: 'collection,field', identity: byField, text: 'field' },
  { route: '/relations', order: 'collection,field', identity: byField, text: 'related_collection' },
];

describe.each(testBackends)('the query language on every list route, on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let admin: Record<string, string>;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    await applyTemplate(context.db);
    await context.models.reload();
    await bootstrapAdmin(context.db, { email: 'admin@example.org', password: PASSWORD });
    await createUser(context, { email: 'editor@example.org', password: PASSWORD, role: 'editor' });
    await createUser(context, { email: 'viewer@example.org', password: PASSWORD, role: 'viewer' });
    server = buildServer(context);
    await server.ready();
    const login = await server.inject({ method: 'POST', url: '/auth/login', payload: { email: 'admin@example.org', password: PASSWORD } });
    admin = { authorization: `Bearer ${login.json().data.access_token}` };
    const post = async (url: string, payload: unknown) => {
      const response = await server.inject({ method: 'POST', url, headers: admin, payload: payload as object });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().data;
    };
    await post('/items/tags', [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma' }, { name: 'delta' }]);
    await post('/items/authors', [{ name: 'Ada', email: 'ada@example.org' }, { name: 'Brian', email: 'brian@example.org' }, { name: 'Ada', email: 'ada2@example.org' }]);
    const articles = await post('/items/articles', [{ title: 'One' }, { title: 'Two' }, { title: 'Three' }]);
    await post('/versions', [
      { key: 'draft', name: 'Draft', collection: 'articles', item: String(articles[0].id) },
      { key: 'draft', name: 'Draft', collection: 'articles', item: String(articles[1].id) },
      { key: 'review', name: 'Review', collection: 'articles', item: String(articles[2].id) },
    ]);
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const client = {
    get: (url: string) => server.inject({ method: 'GET', url, headers: admin }),
    search: (url: string, body: unknown) => server.inject({ method: 'SEARCH' as 'GET', url, headers: admin, payload: body as object }),
  };
  for (const route of ROUTES) queryLanguageCases(route, client);
});
