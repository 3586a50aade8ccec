/**
 * GraphQL mutations on /graphql: Directus's root fields and answers, the
 * same writes as REST's services (rows, nested writes, history), a schema
 * with only the mutations and input fields the caller may use, refusals
 * with the catalogue's codes and nothing written, and one statement to
 * re-read what a mutation wrote.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { adminAccountability, createItems, readItem, readItems, updateItems } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { modelOf } from '../../helpers/models.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const ADMIN_TOKEN = 'graphql-mutations-admin-token';
const EDITOR_TOKEN = 'graphql-mutations-editor-token';
const OTHER_EDITOR_TOKEN = 'graphql-mutations-other-editor';
const VIEWER_TOKEN = 'graphql-mutations-viewer-token';

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions: Record<string, unknown>; path?: string[] }[] };

describe.each(testBackends)('GraphQL mutations on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let statements = 0;
  const admin = adminAccountability();
  let news: number;
  let published: number;
  let draft: number;
  let othersArticle: number;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN } }));
    await applyTemplate(context.db);
    await context.models.reload();
    server = buildServer(context);
    await createUser(context, { email: 'editor@example.org', role: 'editor', token: EDITOR_TOKEN });
    await createUser(context, { email: 'other@example.org', role: 'editor', token: OTHER_EDITOR_TOKEN });
    await createUser(context, { email: 'viewer@example.org', role: 'viewer', token: VIEWER_TOKEN });
    [news] = (await createItems({ context, accountability: admin, collection: 'tags', items: [{ name: 'news' }] })) as [number];
    [published, draft] = (await createItems({ context, accountability: admin, collection: 'articles', items: [{ title: 'Published', status: 'published' }, { title: 'Draft' }] })) as [number, number];
    const other = await post('mutation { create_articles_item(data: { title: "Not yours" }) { id } }', {}, OTHER_EDITOR_TOKEN);
    othersArticle = Number((other.body.data!.create_articles_item as { id: string }).id);
    context.db.knex.on('query', () => statements++);
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function post(query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN): Promise<{ status: number; body: Body }> {
    const response = await server.inject({ method: 'POST', url: '/graphql', headers: token === null ? {} : { authorization: `Bearer ${token}` }, payload: { query, variables } });
    return { status: response.statusCode, body: response.json() as Body };
  }
  const rest = async (collection: string, query: Record<string, unknown>) => (await readItems({ context, accountability: admin, collection, query })).data as Record<string, unknown>[];
  const count = async (table: string) => Number((await context.db.knex(table).count({ n: '*' }))[0]!.n);
  const history = (collection: string, item: string) =>
    context.db.knex('cairn_activity as a').leftJoin('cairn_revisions as r', 'r.activity', 'a.id').where({ 'a.collection': collection, 'a.item': item }).orderBy('a.id').select('a.action', 'r.delta');
  /** The statements a piece of work runs. */
  const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> => {
    // The template's action flow on articles updates runs after each write: its statements count in the window that started it.
    await context.flows.idle();
    const before = statements;
    const result = await work();
    await context.flows.idle();
    return { result, statements: statements - before };
  };
  const inputFields = async (type: string, token: string | null = ADMIN_TOKEN) => {
    const { body } = await post(`{ __type(name: "${type}") { inputFields { name type { kind name ofType { kind name } } } } }`, {}, token);
    const found = body.data!.__type as { inputFields: { name: string; type: { kind: string; name: string | null; ofType: { name: string } | null } }[] } | null;
    return found && Object.fromEntries(found.inputFields.map((field) => [field.name, field.type.kind === 'LIST' ? `[${field.type.ofType!.name}]` : field.type.name!]));
  };

  it('creates one item and many, answering them as the selection reads them, narrowed by the list arguments', async () => {
    const one = await post('mutation { create_authors_item(data: { name: "Grace", email: "grace@example.org" }) { id name email } }');
    expect(one.status).toBe(200);
    const grace = one.body.data!.create_authors_item as Record<string, unknown>;
    expect(grace).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'Grace', email: 'grace@example.org' });
    expect(await rest('authors', { filter: { id: { _eq: grace.id } }, fields: ['name', 'email'] })).toEqual([{ name: 'Grace', email: 'grace@example.org' }]);
    expect(await history('authors', grace.id as string)).toEqual([{ action: 'create', delta: expect.objectContaining({ name: 'Grace', email: 'grace@example.org' }) }]);

    const before = await count('authors');
    const many = await post('mutation Many($data: [create_authors_input!]) { create_authors_items(data: $data, filter: { name: { _neq: "M2" } }, sort: ["-name"], limit: 2) { name } }', {
      data: [{ name: 'M1' }, { name: 'M2' }, { name: 'M3' }, { name: 'M4' }],
    });
    expect(many.body).toEqual({ data: { create_authors_items: [{ name: 'M4' }, { name: 'M3' }] } });
    // Every item was written; only the answer is narrowed.
    expect(await count('authors')).toBe(before + 4);
    expect((await rest('authors', { filter: { name: { _starts_with: 'M' } }, sort: ['name'], fields: ['name'] })).map((row) => row.name)).toEqual(['M1', 'M2', 'M3', 'M4']);
  });

  it('updates one item, many with the same change, and a batch of changes; history records each', async () => {
    const [a, b] = (await createItems({ context, accountability: admin, collection: 'authors', items: [{ name: 'A' }, { name: 'B' }] })) as number[];
    const item = await post(`mutation { update_authors_item(id: "${a}", data: { bio: "Poet" }) { id name bio } }`);
    expect(item.body).toEqual({ data: { update_authors_item: { id: String(a), name: 'A', bio: 'Poet' } } });
    const items = await post(`mutation { update_authors_items(ids: ["${a}", "${b}"], data: { bio: "Same" }, sort: ["-id"]) { id bio } }`);
    expect(items.body).toEqual({ data: { update_authors_items: [{ id: String(b), bio: 'Same' }, { id: String(a), bio: 'Same' }] } });
    const batch = await post(`mutation { update_authors_batch(data: [{ id: "${a}", name: "A2" }, { id: "${b}", bio: "Other" }], sort: ["id"]) { id name bio } }`);
    expect(batch.body).toEqual({ data: { update_authors_batch: [{ id: String(a), name: 'A2', bio: 'Same' }, { id: String(b), name: 'B', bio: 'Other' }] } });
    expect(await rest('authors', { filter: { id: { _in: [a, b] } }, sort: ['id'], fields: ['name', 'bio'] })).toEqual([{ name: 'A2', bio: 'Same' }, { name: 'B', bio: 'Other' }]);
    expect((await history('authors', String(a))).map((row) => [row.action, row.delta])).toEqual([
      ['create', expect.objectContaining({ name: 'A' })],
      ['update', { bio: 'Poet' }],
      ['update', { bio: 'Same' }],
      ['update', { name: 'A2' }],
    ]);
    // A batch item without its key is refused (REST's message), and nothing of the batch is written.
    const keyless = await post(`mutation { update_authors_batch(data: [{ id: "${a}", name: "A3" }, { name: "nameless" }]) { id } }`);
    expect(keyless.status).toBe(200);
    expect(keyless.body.errors![0]!.extensions.code).toBe('INVALID_PAYLOAD');
    expect((await rest('authors', { filter: { id: { _eq: a } }, fields: ['name'] }))[0]!.name).toBe('A2');
  });

  it('deletes one item and many, answering the ids as strings; the rows go and the deletes are recorded', async () => {
    const [a, b, c] = (await createItems({ context, accountability: admin, collection: 'authors', items: [{ name: 'D1' }, { name: 'D2' }, { name: 'D3' }] })) as number[];
    const many = await post('mutation Gone($ids: [ID]!) { delete_authors_items(ids: $ids) { ids } }', { ids: [a, String(b)] });
    expect(many.body).toEqual({ data: { delete_authors_items: { ids: [String(a), String(b)] } } });
    const one = await post(`mutation { delete_authors_item(id: ${c}) { id } }`);
    expect(one.body).toEqual({ data: { delete_authors_item: { id: String(c) } } });
    expect(await rest('authors', { filter: { id: { _in: [a, b, c] } } })).toEqual([]);
    expect((await history('authors', String(c))).map((row) => row.action)).toEqual(['create', 'delete']);
  });

  it('writes nested items (m2o, o2m, m2m) exactly as REST does', async () => {
    const selection = 'title status author { name } comments(sort: ["body"]) { body } tags(sort: ["id"]) { tags_id { name } }';
    const fields = ['title', 'status', 'author.name', 'comments.body', 'tags.tags_id.name'];
    const deep = { comments: { _sort: ['body'] }, tags: { _sort: ['id'] } };
    const created = await post(`mutation Nested($data: create_articles_input!) { create_articles_item(data: $data) { id ${selection} } }`, {
      data: { title: 'Nested', author: { name: 'Nested author' }, comments: [{ body: 'c1' }, { body: 'c2' }], tags: [{ tags_id: { id: String(news) } }, { tags_id: { name: 'fresh-graphql' } }] },
    });
    expect(created.body.errors).toBeUndefined();
    const graphql = created.body.data!.create_articles_item as Record<string, unknown>;
    const [key] = await createItems({
      context,
      accountability: admin,
      collection: 'articles',
      items: [{ title: 'Nested', author: { name: 'Nested author' }, comments: [{ body: 'c1' }, { body: 'c2' }], tags: [{ tags_id: news }, { tags_id: { name: 'fresh-rest' } }] }],
    });
    const [viaGraphql, viaRest] = await Promise.all([graphql.id, key].map(async (id) => (await readItem({ context, accountability: admin, collection: 'articles', key: String(id), query: { fields, deep } })).data));
    const renamed = (item: unknown) => JSON.parse(JSON.stringify(item).replace(/fresh-(graphql|rest)/, 'fresh'));
    expect(renamed(viaGraphql)).toEqual(renamed(viaRest));
    expect(viaGraphql).toEqual({ title: 'Nested', status: 'draft', author: { name: 'Nested author' }, comments: [{ body: 'c1' }, { body: 'c2' }], tags: [{ tags_id: { name: 'news' } }, { tags_id: { name: 'fresh-graphql' } }] });
    // The answer is that same read.
    expect({ ...graphql, id: undefined }).toEqual({ ...(viaGraphql as object), id: undefined });
    // Nested writes are recorded, under the article's revision.
    const comments = await context.db.knex('cairn_activity').where({ collection: 'comments', action: 'create' }).whereIn('item', (await rest('comments', { filter: { article: { _eq: graphql.id } }, fields: ['id'] })).map((row) => String(row.id)));
    expect(comments).toHaveLength(2);
  });

  it('re-reads what a mutation wrote in one statement per root field, however many items and however deep the selection', async () => {
    const items = [{ name: 'S1' }, { name: 'S2' }, { name: 'S3' }];
    const write = await counted(() => createItems({ context, accountability: admin, collection: 'authors', items }));
    const mutation = await counted(() => post('mutation W($data: [create_authors_input!]) { create_authors_items(data: $data) { id name } }', { data: items }));
    expect(mutation.result.body.data!.create_authors_items).toHaveLength(3);
    expect(mutation.statements).toBe(write.statements + 1);

    const ids = [published, draft];
    const update = await counted(() => updateItems({ context, accountability: admin, collection: 'articles', keys: ids, data: { views: 1 } }));
    const deep = await counted(() =>
      post(`mutation { update_articles_items(ids: ["${published}", "${draft}"], data: { views: 2 }) { id author { name } comments { body } tags { tags_id { name } } } }`),
    );
    expect(deep.result.body.data!.update_articles_items).toHaveLength(2);
    expect(deep.statements).toBe(update.statements + 1);
    // Two root fields: two writes, two re-reads.
    const two = await counted(() =>
      post(`mutation { a: update_articles_items(ids: ["${published}", "${draft}"], data: { views: 3 }) { id } b: update_articles_items(ids: ["${published}", "${draft}"], data: { views: 4 }) { title } }`),
    );
    expect(two.statements).toBe(2 * (update.statements + 1));
  });

  it('shows a caller only the mutations it may use: others are a validation error (400)', async () => {
    const { body } = await post('{ __schema { mutationType { fields { name } } } }', {}, VIEWER_TOKEN);
    expect((body.data!.__schema as { mutationType: { fields: { name: string }[] } }).mutationType.fields.map((field) => field.name).sort()).toEqual(['create_comments_item', 'create_comments_items']);
    for (const query of [
      'mutation { create_articles_item(data: { title: "x" }) { id } }',
      'mutation { update_comments_item(id: "1", data: { body: "x" }) { id } }',
      'mutation { delete_comments_item(id: "1") { id } }',
      'mutation { create_authors_item(data: { name: "x" }) { id } }',
    ]) {
      const response = await post(query, {}, VIEWER_TOKEN);
      expect([response.status, response.body.errors![0]!.extensions.code], query).toEqual([400, 'GRAPHQL_VALIDATION']);
    }
    // The public may write nothing: there is no Mutation type at all.
    const anonymous = await post('{ __schema { mutationType { name } } }', {}, null);
    expect(anonymous.body.data!.__schema).toEqual({ mutationType: null });
    const editor = await post('{ __schema { mutationType { fields { name } } } }', {}, EDITOR_TOKEN);
    const editorFields = (editor.body.data!.__schema as { mutationType: { fields: { name: string }[] } }).mutationType.fields.map((field) => field.name);
    expect(editorFields).toEqual(expect.arrayContaining(['create_articles_item', 'update_articles_batch', 'update_tags_item', 'create_articles_tags_item', 'delete_articles_tags_items']));
    expect(editorFields.filter((field) => /^delete_(articles|tags|comments)_items?$/.test(field) || field.includes('authors'))).toEqual([]);
  });

  it('lists in the input types only the fields the caller may set, relations typed as Directus types them', async () => {
    expect(await inputFields('create_articles_input', EDITOR_TOKEN)).toEqual({
      // The key links an existing item where the input is nested; setting it on create is the guard's to refuse.
      id: 'ID',
      title: 'String', slug: 'String', body: 'String', status: 'String', published_at: 'String',
      // Editors may not create authors or categories: those are linked by key.
      author: 'ID', category: 'ID',
      tags: '[create_articles_tags_input]',
    });
    expect(await inputFields('update_articles_input', EDITOR_TOKEN)).toEqual({
      id: 'ID', title: 'String', slug: 'String', body: 'String', status: 'String', published_at: 'String', author: 'ID', category: 'ID', tags: '[update_articles_tags_input]',
    });
    // The junction's rows are granted by the m2m field; editors may create and update tags.
    expect(await inputFields('create_articles_tags_input', EDITOR_TOKEN)).toEqual({ id: 'ID', articles_id: 'create_articles_input', tags_id: 'create_tags_input' });
    expect(await inputFields('create_comments_input', VIEWER_TOKEN)).toEqual({ id: 'ID', article: 'ID', body: 'String', author_name: 'String' });
    expect(await inputFields('create_authors_input', VIEWER_TOKEN)).toBeNull();
    // The administrator sets every field but those Cairn fills in.
    expect(await inputFields('create_articles_input')).toEqual({
      id: 'ID', title: 'String', slug: 'String', body: 'String', status: 'String', views: 'Int', published_at: 'String',
      author: 'create_authors_input', category: 'create_categories_input', tags: '[create_articles_tags_input]', comments: '[create_comments_input]',
    });
    const unknown = await post('mutation { create_articles_item(data: { title: "x", views: 5 }) { id } }', {}, EDITOR_TOKEN);
    expect([unknown.status, unknown.body.errors![0]!.extensions.code]).toEqual([400, 'GRAPHQL_VALIDATION']);
  });

  it('answers a write the guard refuses with 200 and its code, and writes nothing', async () => {
    const [mine] = (await createItems({ context, accountability: admin, collection: 'articles', items: [{ title: 'Mine' }] })) as number[];
    const articles = await count('articles');
    const hijack = await post(`mutation { update_articles_item(id: "${othersArticle}", data: { title: "Hijacked" }) { id } }`, {}, EDITOR_TOKEN);
    expect(hijack.status).toBe(200);
    expect(hijack.body).toMatchObject({ data: { update_articles_item: null }, errors: [{ extensions: { code: 'FORBIDDEN' }, path: ['update_articles_item'] }] });
    const batch = await post(`mutation { update_articles_batch(data: [{ id: "${mine}", title: "Changed" }, { id: "${othersArticle}", title: "Stolen" }]) { id } }`, {}, EDITOR_TOKEN);
    expect(batch.body.errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect(await rest('articles', { filter: { id: { _in: [mine, othersArticle] } }, sort: ['-title'], fields: ['title'] })).toEqual([{ title: 'Not yours' }, { title: 'Mine' }]);
    // The key is in every input (it links nested items), but setting it on create is not granted to editors.
    const keyed = await post('mutation { create_articles_item(data: { id: "99999", title: "Keyed" }) { id } }', {}, EDITOR_TOKEN);
    expect(keyed.body.errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect(await count('articles')).toBe(articles);

    const comments = await count('comments');
    const invalid = await post(`mutation { create_comments_items(data: [{ article: "${published}", body: "Fine" }, { article: "${published}", body: "" }]) { id } }`, {}, VIEWER_TOKEN);
    expect(invalid.status).toBe(200);
    expect(invalid.body.errors![0]!.extensions).toMatchObject({ code: 'FAILED_VALIDATION', field: 'body' });
    // A required field left out: the services name it.
    const missing = await post(`mutation { create_comments_item(data: { article: "${published}" }) { id } }`, {}, VIEWER_TOKEN);
    expect(missing.body.errors![0]!.extensions).toMatchObject({ code: 'FAILED_VALIDATION', field: 'body' });
    expect(await count('comments')).toBe(comments);
  });

  it('answers null or [] when the caller may write what it may not read', async () => {
    const comments = await count('comments');
    // Viewers read comments of published articles only, but may comment on a draft.
    const one = await post(`mutation { create_comments_item(data: { article: "${draft}", body: "Early" }) { id body } }`, {}, VIEWER_TOKEN);
    expect(one.body).toEqual({ data: { create_comments_item: null } });
    const many = await post(`mutation { create_comments_items(data: [{ article: "${draft}", body: "Earlier" }]) { id } }`, {}, VIEWER_TOKEN);
    expect(many.body).toEqual({ data: { create_comments_items: [] } });
    expect(await count('comments')).toBe(comments + 2);
    const visible = await post(`mutation { create_comments_item(data: { article: "${published}", body: "Visible" }) { body } }`, {}, VIEWER_TOKEN);
    expect(visible.body).toEqual({ data: { create_comments_item: { body: 'Visible' } } });
  });

  it('links an existing item given as {id} without updating it, and creates and links nested rows it may write', async () => {
    // An editor may create articles, so a comment's article is create_articles_input; {id} links someone else's article.
    const linked = await post(`mutation { create_comments_item(data: { article: { id: "${othersArticle}" }, body: "Nice" }) { article { title } } }`, {}, EDITOR_TOKEN);
    expect(linked.body).toEqual({ data: { create_comments_item: null } });
    expect(await rest('comments', { filter: { body: { _eq: 'Nice' } }, fields: ['article'] })).toEqual([{ article: othersArticle }]);
    const tagged = await post(`mutation { create_articles_item(data: { title: "Tagged", tags: [{ tags_id: { name: "by-editor" } }, { tags_id: { id: "${news}" } }] }) { title status tags { tags_id { name } } } }`, {}, EDITOR_TOKEN);
    expect(tagged.body).toEqual({ data: { create_articles_item: { title: 'Tagged', status: 'draft', tags: [{ tags_id: { name: 'by-editor' } }, { tags_id: { name: 'news' } }] } } });
  });

  it('refuses mutations over GET, writing nothing', async () => {
    const authors = await count('authors');
    const response = await server.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('mutation { create_authors_item(data: { name: "GET" }) { id } }')}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.statusCode).toBe(405);
    expect(response.json().errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
    expect(await count('authors')).toBe(authors);
  });
});

describe.each(testBackends)('GraphQL mutations of a singleton and of a collection written but not read, on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  const ADMIN = 'singleton-admin-token-for-tests';
  const SENDER = 'singleton-sender-token-for-tests';

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN: ADMIN } }));
    const model = modelOf(
      {
        settings: { singleton: true, fields: { site_name: { type: 'string', default: 'My blog' }, per_page: { type: 'integer', default: 10 } } },
        products: {
          fields: {
            price: { type: 'decimal', precision: 10, scale: 2 },
            stock: { type: 'bigInteger' },
            labels: { type: 'csv' },
            specs: { type: 'json' },
            launch: { type: 'date' },
            ref: { type: 'uuid' },
            active: { type: 'boolean' },
          },
        },
        inbox: { fields: { message: { type: 'text', required: true } } },
      },
      {
        policies: [{ policy: 'sender', permissions: { inbox: { create: { fields: ['message'] } }, settings: { create: { fields: ['per_page'] }, update: { fields: ['per_page'] } } } }],
        roles: [{ role: 'sender', policies: ['sender'] }],
      },
    );
    await serveModel(context, model);
    server = buildServer(context);
    await createUser(context, { email: 'sender@example.org', role: 'sender', token: SENDER });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const post = async (query: string, token = ADMIN) => {
    const response = await server.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${token}` }, payload: { query } });
    return { status: response.statusCode, body: response.json() as Body };
  };
  const rows = (table: string) => context.db.knex(table).orderBy('id').select('*');

  it('writes a singleton with update_c, creating it the first time, and has no other mutations for it', async () => {
    const sender = await post('mutation { update_settings(data: { per_page: 5 }) }', SENDER);
    expect(sender.body).toEqual({ data: { update_settings: true } });
    expect(await rows('settings')).toEqual([{ id: 1, site_name: 'My blog', per_page: 5 }]);
    const first = await post('mutation { update_settings(data: { per_page: 20 }) { id site_name per_page } }');
    expect(first.body).toEqual({ data: { update_settings: { id: '1', site_name: 'My blog', per_page: 20 } } });
    const again = await post('mutation { update_settings(data: { site_name: "Renamed" }) { site_name per_page } }');
    expect(again.body).toEqual({ data: { update_settings: { site_name: 'Renamed', per_page: 20 } } });
    expect(await rows('settings')).toEqual([{ id: 1, site_name: 'Renamed', per_page: 20 }]);
    for (const query of ['mutation { create_settings_item(data: { per_page: 1 }) { id } }', 'mutation { update_settings_item(id: "1", data: { per_page: 1 }) { id } }', 'mutation { delete_settings_item(id: "1") { id } }']) {
      expect((await post(query)).status, query).toBe(400);
    }
    // Sender may set per_page only.
    expect((await post('mutation { update_settings(data: { site_name: "x" }) }', SENDER)).status).toBe(400);
  });

  it('takes each field type as the services do: decimals as written, 64-bit integers as strings, csv as lists, json as is', async () => {
    const created = await post(`mutation {
      create_products_item(data: { price: "12.50", stock: "9007199254740991", labels: ["a", "b"], specs: { size: [1, 2] }, launch: "2024-05-01", ref: "6c0f5f7e-8a52-4d0c-9b0e-0d5a1c2b3e4f", active: true }) {
        id price stock labels specs launch ref active
      }
    }`);
    expect(created.body).toEqual({
      data: { create_products_item: { id: '1', price: 12.5, stock: '9007199254740991', labels: ['a', 'b'], specs: { size: [1, 2] }, launch: '2024-05-01', ref: '6c0f5f7e-8a52-4d0c-9b0e-0d5a1c2b3e4f', active: true } },
    });
    const [row] = await context.db.knex('products').select(context.db.knex.raw('price::text as price, stock::text as stock'));
    expect(row).toEqual({ price: '12.50', stock: '9007199254740991' });
    const updated = await post('mutation { update_products_item(id: "1", data: { price: 3, stock: 7 }) { price stock } }');
    expect(updated.body).toEqual({ data: { update_products_item: { price: 3, stock: '7' } } });
  });

  it('answers true for a collection the caller may write but not read', async () => {
    const one = await post('mutation { create_inbox_item(data: { message: "Hello" }) }', SENDER);
    expect(one.body).toEqual({ data: { create_inbox_item: true } });
    const many = await post('mutation { create_inbox_items(data: [{ message: "A" }, { message: "B" }]) }', SENDER);
    expect(many.body).toEqual({ data: { create_inbox_items: true } });
    expect((await rows('inbox')).map((row: { message: string }) => row.message)).toEqual(['Hello', 'A', 'B']);
    // Boolean has no selection, and there is nothing else the sender may do with the inbox.
    for (const query of ['mutation { create_inbox_item(data: { message: "x" }) { id } }', 'mutation { delete_inbox_item(id: "1") { id } }', '{ inbox { id } }']) {
      expect((await post(query, SENDER)).status, query).toBe(400);
    }
    expect(await rows('inbox')).toHaveLength(3);
  });
});
