/**
 * GraphQL's query side beyond lists and by-id reads, on both backends: typed
 * filter inputs (in documents and as variables), function fields, one
 * relation read twice under two aliases with different arguments,
 * `_aggregated`, versions (`_by_version`, `version:`), singletons, @skip and
 * @include, and the bounds a document must stay within (depth, complexity,
 * root fields, introspection switched off).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { adminAccountability, createItems, createVersions, readItems, saveToVersion } from '../../../src/services/index.ts';
import { modelOf } from '../../helpers/models.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const ADMIN_TOKEN = 'graphql-admin-token-for-tests';

describe.each(testBackends)('GraphQL queries on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let statements = 0;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN, GRAPHQL_MAX_DEPTH: '6', GRAPHQL_MAX_COMPLEXITY: '200', GRAPHQL_MAX_ROOT_FIELDS: '5' } }));
    await applyTemplate(context.db);
    await context.models.reload();
    server = buildServer(context);
    const admin = adminAccountability();
    const [ada, grace] = await createItems({ context, accountability: admin, collection: 'authors', items: [{ name: 'Ada' }, { name: 'Grace' }] });
    const [db, web] = await createItems({ context, accountability: admin, collection: 'tags', items: [{ name: 'db' }, { name: 'web' }] });
    await createItems({
      context,
      accountability: admin,
      collection: 'articles',
      items: [
        { title: 'Postgres tips', status: 'published', views: 10, author: ada, published_at: '2024-01-02T10:00:00Z', comments: [{ body: 'Great' }, { body: 'Thanks' }, { body: 'Meh' }], tags: [{ tags_id: db }, { tags_id: web }] },
        { title: 'Draft about web', status: 'draft', views: 0, author: grace, tags: [{ tags_id: web }] },
        { title: 'Old news', status: 'archived', views: 3, published_at: '2020-05-05T00:00:00Z' },
      ],
    });
    context.db.knex.on('query', () => statements++);
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const post = (query: string, variables: Record<string, unknown> = {}) =>
    server.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { query, variables } });
  const data = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await post(query, variables);
    expect(response.json().errors, query).toBeUndefined();
    expect(response.statusCode).toBe(200);
    return response.json().data;
  };
  const refusal = async (query: string) => {
    const response = await post(query);
    expect(response.statusCode, query).toBe(400);
    expect(response.json().errors[0].extensions.code).toBe('GRAPHQL_VALIDATION');
    return response.json().errors[0].extensions.graphqlErrors.map((error: { message: string }) => error.message).join(' ');
  };

  it('takes typed filters, in the document and as a variable of type <c>_filter', async () => {
    expect(await data('{ articles(filter: { _or: [{ views: { _gte: 5 } }, { author: { name: { _eq: "Grace" } } }] }, sort: ["id"]) { id } }')).toEqual({ articles: [{ id: '1' }, { id: '2' }] });
    const variable = await data('query ($f: articles_filter) { articles(filter: $f) { id } }', { f: { comments: { _some: { body: { _eq: 'Meh' } } }, status: { _in: ['published', 'archived'] } } });
    expect(variable).toEqual({ articles: [{ id: '1' }] });
    // Through an m2o: its key's own operators as well as the related fields.
    expect(await data('{ articles(filter: { author: { _null: true } }) { id } }')).toEqual({ articles: [{ id: '3' }] });
    expect(await data('{ articles(filter: { tags: { tags_id: { _eq: "1" } } }) { id } }')).toEqual({ articles: [{ id: '1' }] });
    // An operator the field type does not have is not in its input type.
    expect(await refusal('{ articles(filter: { views: { _contains: "1" } }) { id } }')).toContain('_contains');
    expect(await refusal('{ articles(filter: { nope: { _eq: 1 } }) { id } }')).toContain('nope');
  });

  it('reads and filters on function fields', async () => {
    const result = await data('{ articles(filter: { published_at_func: { year: { _eq: 2024 } } }) { id published_at_func { year month } comments_func { count } tags_func { count } } }');
    expect(result).toEqual({ articles: [{ id: '1', published_at_func: { year: 2024, month: 1 }, comments_func: { count: 3 }, tags_func: { count: 2 } }] });
  });

  it('reads one relation twice under two aliases with their own arguments, nested too, in one statement', async () => {
    const before = statements;
    const result = await data(`{
      articles(filter: { id: { _eq: 1 } }) {
        first: comments(sort: ["id"], limit: 1) { body }
        last: comments(sort: ["-id"], limit: 1) { body }
        comments(filter: { body: { _eq: "Thanks" } }) { body }
        tags { all: tags_id { name } }
        author { name alias_name: name }
      }
    }`);
    expect(statements - before).toBe(1);
    expect(result).toEqual({ articles: [{ first: [{ body: 'Great' }], last: [{ body: 'Meh' }], comments: [{ body: 'Thanks' }], tags: [{ all: { name: 'db' } }, { all: { name: 'web' } }], author: { name: 'Ada', alias_name: 'Ada' } }] });
    const nested = await data('{ comments(filter: { body: { _eq: "Great" } }) { article { top: comments(sort: ["-id"], limit: 1) { body } all: comments { body } } } }');
    expect(nested).toEqual({ comments: [{ article: { top: [{ body: 'Meh' }], all: [{ body: 'Great' }, { body: 'Thanks' }, { body: 'Meh' }] } }] });
  });

  it('aggregates with _aggregated, grouped or not, `group` repeating the grouped values', async () => {
    expect(await data('{ articles_aggregated { countAll count { id author } sum { views } max { views } avg { views } } }')).toEqual({
      articles_aggregated: [{ countAll: 3, count: { id: 3, author: 2 }, sum: { views: 13 }, max: { views: 10 }, avg: { views: 13 / 3 } }],
    });
    const grouped = await data('{ articles_aggregated(groupBy: ["status"], filter: { views: { _gt: 0 } }, sort: ["status"]) { group countAll sum { views } } }');
    expect(grouped).toEqual({ articles_aggregated: [{ group: { status: 'archived' }, countAll: 1, sum: { views: 3 } }, { group: { status: 'published' }, countAll: 1, sum: { views: 10 } }] });
    const byYear = await data('{ articles_aggregated(groupBy: ["year(published_at)"]) { group countAll } }');
    expect(byYear.articles_aggregated).toContainEqual({ group: { published_at_year: 2024 }, countAll: 1 });
    expect(await refusal('{ articles_aggregated { sum { title } } }')).toContain('title');
  });

  it('reads an item at a version with _by_version and _by_id(version:), the item itself unchanged', async () => {
    const admin = adminAccountability();
    const [id] = await createVersions({ context, accountability: admin, items: [{ key: 'draft', name: 'Draft', collection: 'articles', item: '1' }] });
    await saveToVersion({ context, accountability: admin, id: id!, payload: { title: 'Postgres tips, revised' } });
    expect(await data('{ articles_by_version(id: "1", version: "draft") { title } }')).toEqual({ articles_by_version: { title: 'Postgres tips, revised' } });
    expect(await data('{ articles_by_id(id: "1", version: "draft") { title } }')).toEqual({ articles_by_id: { title: 'Postgres tips, revised' } });
    expect(await data('{ articles_by_id(id: "1") { title } }')).toEqual({ articles_by_id: { title: 'Postgres tips' } });
    const missing = (await post('{ articles_by_version(id: "2", version: "draft") { title } }')).json();
    expect(missing).toMatchObject({ data: { articles_by_version: null }, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
  });

  it('honours @skip and @include, and fragments, in what it reads', async () => {
    const result = await data('query ($no: Boolean!) { articles(filter: { id: { _eq: 1 } }) { ...T author @skip(if: $no) { name } views @include(if: $no) } } fragment T on articles { title }', { no: true });
    expect(result).toEqual({ articles: [{ title: 'Postgres tips', views: 10 }] });
    const rest = await readItems({ context, accountability: adminAccountability(), collection: 'articles', query: { fields: ['title', 'views'], filter: { id: { _eq: 1 } } } });
    expect(result.articles).toEqual(rest.data);
  });

  it('refuses documents past the depth, complexity and root field bounds before reading anything', async () => {
    const before = statements;
    expect(await refusal('{ articles { comments { article { comments { article { comments { article { id } } } } } } } }')).toContain('GRAPHQL_MAX_DEPTH');
    expect(await refusal(`{ ${Array.from({ length: 6 }, (_, i) => `a${i}: articles { id }`).join(' ')} }`)).toContain('GRAPHQL_MAX_ROOT_FIELDS');
    // A fragment bomb: each level doubles, 2^12 fields once spread; measured without spreading.
    const levels = Array.from({ length: 12 }, (_, i) => `fragment F${i} on articles { ${i === 11 ? 'id title' : `c1: comments { article { ...F${i + 1} } } c2: comments { article { ...F${i + 1} } }`} }`);
    expect(await refusal(`{ articles { ...F0 } } ${levels.join(' ')}`)).toMatch(/GRAPHQL_MAX_(DEPTH|COMPLEXITY)/);
    const wide = Array.from({ length: 9 }, (_, i) => `fragment W${i} on articles { ${i === 8 ? 'id title views' : `x${i}a: author { name } ...W${i + 1} y${i}: title z${i}: views`} }`);
    expect(await refusal(`{ articles { ...W0 a: title b: title c: views ${Array.from({ length: 200 }, (_, i) => `t${i}: title`).join(' ')} } } ${wide.join(' ')}`)).toContain('GRAPHQL_MAX_COMPLEXITY');
    expect(statements - before).toBe(0);
    // Within the bounds, introspection included (its own depth is the schema's, not counted).
    expect((await data('{ __schema { queryType { name } } }')).__schema.queryType.name).toBe('Query');
  });
});

describe.each(testBackends)('GraphQL settings and singletons on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN, GRAPHQL_INTROSPECTION: 'false' } }));
    const model = modelOf({ settings: { singleton: true, versioning: true, fields: { site_name: { type: 'string', default: 'My blog' }, per_page: { type: 'integer', default: 10 } } } });
    await serveModel(context, model);
    server = buildServer(context);
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const post = (query: string) => server.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { query } });

  it('refuses introspection when GRAPHQL_INTROSPECTION is false, and still answers queries', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "settings") { name } }']) {
      const response = await post(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().errors[0].extensions.graphqlErrors[0].message, query).toContain('introspection');
    }
    expect((await post('{ settings { site_name } }')).json()).toEqual({ data: { settings: { site_name: 'My blog' } } });
    // The SDL says what introspection would: refused too.
    const sdl = await server.inject({ method: 'GET', url: '/server/specs/graphql', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect([sdl.statusCode, sdl.json().errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('serves a singleton as one object, with a version', async () => {
    const admin = adminAccountability();
    await createItems({ context, accountability: admin, collection: 'settings', items: [{ site_name: 'Cairn' }] });
    const [id] = await createVersions({ context, accountability: admin, items: [{ key: 'next', name: 'Next', collection: 'settings', item: '1' }] });
    await saveToVersion({ context, accountability: admin, id: id!, payload: { per_page: 25 } });
    expect((await post('{ settings { site_name per_page } }')).json()).toEqual({ data: { settings: { site_name: 'Cairn', per_page: 10 } } });
    expect((await post('{ settings(version: "next") { per_page } settings_by_version(version: "next") { site_name } }')).json()).toEqual({
      data: { settings: { per_page: 25 }, settings_by_version: { site_name: 'Cairn' } },
    });
    expect((await post('{ settings_by_id(id: "1") { site_name } }')).statusCode).toBe(400);
  });
});
