/**
 * Config served from the applied model in Directus's shapes: /collections,
 * /fields, /relations (checked against what PostgreSQL actually holds),
 * /access, /schema/snapshot; each caller sees only what it may read, and
 * every write points at the config repository.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { bootstrapAdmin } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const PASSWORD = 'correct horse battery';
type Row = Record<string, any>;

describe.each(testBackends)('config over the API on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  const as: Record<'admin' | 'editor' | 'viewer' | 'anonymous', Record<string, string>> = { admin: {}, editor: {}, viewer: {}, anonymous: {} };

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    await applyTemplate(context.db);
    await context.models.reload();
    await bootstrapAdmin(context.db, { email: 'admin@example.org', password: PASSWORD });
    await createUser(context, { email: 'editor@example.org', password: PASSWORD, role: 'editor' });
    await createUser(context, { email: 'viewer@example.org', password: PASSWORD, role: 'viewer' });
    server = buildServer(context);
    await server.ready();
    for (const who of ['admin', 'editor', 'viewer'] as const) {
      const response = await server.inject({ method: 'POST', url: '/auth/login', payload: { email: `${who}@example.org`, password: PASSWORD } });
      as[who] = { authorization: `Bearer ${response.json().data.access_token}` };
    }
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const get = (url: string, who: keyof typeof as = 'admin') => server.inject({ method: 'GET', url, headers: as[who] });
  const data = async (url: string, who: keyof typeof as = 'admin') => {
    const response = await get(url, who);
    expect(response.statusCode, `${url} as ${who}: ${response.body}`).toBe(200);
    return response.json().data;
  };
  const codeOf = (response: { json(): any }) => response.json().errors[0].extensions.code as string;

  it('lists collections in Directus shape: meta as directus_collections rows, schema as the inspector reports', async () => {
    const collections: Row[] = await data('/collections?limit=-1');
    expect(collections.map((c) => c.collection)).toEqual(['articles', 'articles_tags', 'authors', 'categories', 'comments', 'tags']);
    const articles = await data('/collections/articles');
    expect(articles).toEqual(collections[0]);
    expect(articles.schema).toEqual({ name: 'articles', schema: 'public', comment: 'Blog posts' });
    expect(articles.meta).toMatchObject({ collection: 'articles', singleton: false, versioning: true, archive_field: 'status', archive_value: 'archived', accountability: 'all', hidden: false, note: 'Blog posts' });
    expect(collections.find((c) => c.collection === 'articles_tags')!.meta.hidden).toBe(true);
    expect(collections.find((c) => c.collection === 'categories')!.meta.sort_field).toBe('sort');
    expect(collections.find((c) => c.collection === 'comments')!.meta.accountability).toBe('activity');
    // Key order as Directus writes it (json, not jsonb, in the statement).
    expect(Object.keys(articles.meta).slice(0, 3)).toEqual(['collection', 'icon', 'note']);
    expect(codeOf(await get('/collections/nope'))).toBe('FORBIDDEN');
    expect(codeOf(await get('/collections/cairn_users'))).toBe('FORBIDDEN');
  });

  it("describes every column as PostgreSQL holds it (type, length, nullability, key) and relational fields as Directus's aliases", async () => {
    const fields: Row[] = await data('/fields?limit=-1');
    const { rows: columns } = await context.db.query<Row>(
      `select c.relname as table, a.attname as name, format_type(a.atttypid, null) as data_type, a.attnotnull as not_null,
              case when a.atttypid = 'varchar'::regtype then a.atttypmod - 4 end as max_length
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and c.relname not like 'cairn\\_%'`,
      [],
    );
    const withColumns = fields.filter((f) => f.schema !== null);
    expect(withColumns.map((f) => `${f.collection}.${f.field}`).sort()).toEqual(columns.map((c) => `${c.table}.${c.name}`).sort());
    for (const column of columns) {
      const field = withColumns.find((f) => f.collection === column.table && f.field === column.name)!;
      expect(
        { data_type: field.schema.data_type, is_nullable: field.schema.is_nullable, max_length: field.schema.max_length },
        `${column.table}.${column.name}`,
      ).toEqual({ data_type: column.data_type, is_nullable: !column.not_null, max_length: column.max_length ?? null });
    }

    const articles: Row[] = await data('/fields/articles?limit=-1');
    const byName = new Map(articles.map((f) => [f.field, f]));
    expect(byName.get('id')).toMatchObject({ type: 'integer', meta: { hidden: true, readonly: true }, schema: { is_primary_key: true, has_auto_increment: true } });
    expect(byName.get('title')).toMatchObject({ type: 'string', meta: { required: true, interface: 'input' }, schema: { max_length: 200, is_nullable: false } });
    expect(byName.get('slug')!.schema).toMatchObject({ is_unique: true, is_indexed: true });
    expect(byName.get('status')).toMatchObject({ meta: { interface: 'select-dropdown', options: { choices: [{ text: 'draft', value: 'draft' }, { text: 'published', value: 'published' }, { text: 'archived', value: 'archived' }] } }, schema: { default_value: 'draft', is_indexed: true } });
    expect(byName.get('author')).toMatchObject({ type: 'integer', meta: { special: ['m2o'] }, schema: { foreign_key_table: 'authors', foreign_key_column: 'id' } });
    expect(byName.get('tags')).toMatchObject({ type: 'alias', meta: { special: ['m2m'], interface: 'list-m2m' }, schema: null });
    expect(byName.get('comments')).toMatchObject({ type: 'alias', meta: { special: ['o2m'] }, schema: null });
    expect(byName.get('date_created')).toMatchObject({ type: 'timestamp', meta: { special: ['date-created'], readonly: true }, schema: { default_value: 'CURRENT_TIMESTAMP' } });
    // The hidden position key is no field of the record, and cannot be named.
    expect(Object.keys(byName.get('title')!)).toEqual(['collection', 'field', 'type', 'meta', 'schema']);
    expect(codeOf(await get('/fields?filter[_position][_eq]=1'))).toBe('FORBIDDEN');

    expect(await data('/fields/articles/title')).toEqual(byName.get('title'));
    expect(codeOf(await get('/fields/articles/nope'))).toBe('FORBIDDEN');
    expect(codeOf(await get('/fields/nope'))).toBe('FORBIDDEN');
  });

  it('lists one relation per foreign key, with its constraint as PostgreSQL has it and the fields that read it back', async () => {
    const relations: Row[] = await data('/relations?limit=-1');
    const { rows: keys } = await context.db.query<Row>(
      `select con.conname as name, cl.relname as table, a.attname as column, ref.relname as related, con.confdeltype as on_delete
       from pg_constraint con join pg_class cl on cl.oid = con.conrelid join pg_class ref on ref.oid = con.confrelid
       join pg_namespace n on n.oid = cl.relnamespace join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
       where con.contype = 'f' and n.nspname = 'public' and cl.relname not like 'cairn\\_%'`,
      [],
    );
    const onDelete: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL' };
    expect(relations.map((r) => [r.collection, r.field, r.related_collection, r.schema.constraint_name, r.schema.on_delete]).sort()).toEqual(
      keys.map((k) => [k.table, k.column, k.related, k.name, onDelete[k.on_delete]]).sort(),
    );
    const find = (collection: string, field: string) => relations.find((r) => r.collection === collection && r.field === field)!;
    expect(find('comments', 'article').meta).toMatchObject({ many_collection: 'comments', many_field: 'article', one_collection: 'articles', one_field: 'comments', junction_field: null });
    expect(find('articles', 'author').meta.one_field).toBeNull();
    const junction = relations.filter((r) => r.collection === 'articles_tags');
    expect(junction.map((r) => [r.related_collection, r.meta.one_field !== null, r.meta.junction_field !== null])).toEqual(expect.arrayContaining([['articles', true, true], ['tags', false, true]]));
    expect(junction.find((r) => r.related_collection === 'articles')!.meta.one_field).toBe('tags');
    expect((await data('/relations/comments')).map((r: Row) => r.field)).toEqual(['article']);
    expect(await data('/relations/comments/article')).toEqual(find('comments', 'article'));
    expect(codeOf(await get('/relations/comments/body'))).toBe('FORBIDDEN');
  });

  it('shows each caller only what it may read: collections, fields and relations follow the read permissions', async () => {
    const collections = async (who: keyof typeof as) => (await data('/collections?fields=collection&limit=-1', who)).map((c: Row) => c.collection);
    expect(await collections('anonymous')).toEqual(['articles', 'articles_tags', 'categories', 'tags']);
    expect(await collections('viewer')).toEqual(['articles', 'articles_tags', 'authors', 'categories', 'comments', 'tags']);
    expect(codeOf(await get('/collections/authors', 'anonymous'))).toBe('FORBIDDEN');
    expect(codeOf(await get('/fields/authors', 'anonymous'))).toBe('FORBIDDEN');

    // The viewer reads authors without their email; the public reads only some article fields.
    expect((await data('/fields/authors?fields=field', 'viewer')).map((f: Row) => f.field).sort()).toEqual(['bio', 'id', 'name']);
    expect(codeOf(await get('/fields/authors/email', 'viewer'))).toBe('FORBIDDEN');
    expect((await data('/fields/articles?fields=field', 'anonymous')).map((f: Row) => f.field).sort()).toEqual(['body', 'category', 'id', 'published_at', 'slug', 'tags', 'title']);
    const publicRelations = (await data('/relations?limit=-1', 'anonymous')).map((r: Row) => `${r.collection}.${r.field}`);
    expect(publicRelations).toContain('articles.category');
    expect(publicRelations).not.toContain('articles.author');
    expect(publicRelations).not.toContain('comments.article');
    // Nothing about a hidden field leaks through a search, a filter or an aggregate either.
    expect(await data('/fields?search=email&fields=field', 'viewer')).toEqual([]);
    expect(await data('/fields?filter[field][_eq]=email&fields=field', 'viewer')).toEqual([]);
    expect(await data('/fields?filter[collection][_eq]=authors&aggregate[count]=*', 'viewer')).toEqual([{ count: '3' }]);
  });

  it('serves access rows and roles, policies and permissions related as Directus relates them', async () => {
    expect(await data('/access?sort=id')).toEqual([
      { id: 'administrator:administrator', role: 'administrator', policy: 'administrator', sort: 1 },
      { id: 'editor:editor', role: 'editor', policy: 'editor', sort: 1 },
      { id: 'viewer:viewer', role: 'viewer', policy: 'viewer', sort: 1 },
    ]);
    expect(await data('/access?fields=id', 'editor')).toEqual([{ id: 'editor:editor' }, { id: 'viewer:viewer' }]);
    expect(await data('/policies/editor?fields=roles.role.name,permissions.collection&deep[permissions][_filter][action][_eq]=update')).toEqual({
      roles: [{ role: { name: 'editor' } }],
      permissions: [{ collection: 'articles' }, { collection: 'tags' }],
    });
    expect(await data('/roles?filter[children][_some][name][_eq]=editor&fields=name')).toEqual([{ name: 'viewer' }]);
    expect(await data('/permissions/me?filter[collection][_eq]=authors&fields=id', 'editor')).toEqual([{ id: 'editor:authors:read' }, { id: 'viewer:authors:read' }]);
  });

  it('answers /graphql/system as REST does: roles, policies and permissions with the query language, the OpenAPI document', async () => {
    const gql = async (query: string, who: keyof typeof as) => {
      const response = await server.inject({ method: 'POST', url: '/graphql/system', headers: as[who], payload: { query } });
      expect(response.json().errors, response.body).toBeUndefined();
      return response.json().data;
    };
    for (const who of ['admin', 'editor'] as const) {
      const roles = await gql('{ roles(filter: { name: { _neq: "administrator" } }, sort: ["-name"]) { id parent { name } policies { policy { name } } } }', who);
      expect(roles.roles).toEqual(await data('/roles?filter[name][_neq]=administrator&sort=-name&fields=id,parent.name,policies.policy.name', who));
      const permissions = await gql('{ permissions(filter: { collection: { _eq: "tags" } }, sort: ["id"]) { id action fields } }', who);
      expect(permissions.permissions).toEqual(await data('/permissions?filter[collection][_eq]=tags&sort=id&fields=id,action,fields', who));
    }
    expect((await gql('{ roles_me { id } }', 'editor')).roles_me.map((role: Row) => role.id).sort()).toEqual(['editor', 'viewer']);
    for (const who of ['admin', 'viewer', 'anonymous'] as const) {
      expect((await gql('{ server_specs_oas }', who)).server_specs_oas).toEqual((await get('/server/specs/oas', who)).json());
    }
  });

  it("serves Directus's schema snapshot to administrators: sorted, keys sorted, no meta ids; partial with includeCollections", async () => {
    const snapshot = await data('/schema/snapshot');
    expect(snapshot).toMatchObject({ version: 1, directus: context.version, vendor: 'postgres', systemFields: [] });
    expect(Object.keys(snapshot)).toEqual(['collections', 'directus', 'fields', 'relations', 'systemFields', 'vendor', 'version']);
    expect(snapshot.collections.map((c: Row) => c.collection)).toEqual(['articles', 'articles_tags', 'authors', 'categories', 'comments', 'tags']);
    expect(snapshot.collections[0].schema).toEqual({ name: 'articles' });
    const title = snapshot.fields.find((f: Row) => f.collection === 'articles' && f.field === 'title');
    expect(title.meta.id).toBeUndefined();
    expect(Object.keys(title.meta)).toEqual([...Object.keys(title.meta)].sort());
    expect(Object.keys(title.schema)).toEqual(['data_type', 'default_value', 'foreign_key_column', 'foreign_key_table', 'generation_expression', 'has_auto_increment', 'is_generated', 'is_indexed', 'is_nullable', 'is_primary_key', 'is_unique', 'max_length', 'name', 'numeric_precision', 'numeric_scale', 'table']);
    const collectionsOfFields = snapshot.fields.map((f: Row) => f.collection);
    expect(collectionsOfFields).toEqual([...collectionsOfFields].sort());
    expect(snapshot.relations.map((r: Row) => `${r.collection}.${r.field}`)).toEqual((await data('/relations?limit=-1')).map((r: Row) => `${r.collection}.${r.field}`).sort());

    const partial = await data('/schema/snapshot?includeCollections=tags,authors');
    expect(partial.version).toBe(2);
    expect(partial.collections.map((c: Row) => c.collection)).toEqual(['authors', 'tags']);
    expect(new Set(partial.fields.map((f: Row) => f.collection))).toEqual(new Set(['authors', 'tags']));
    expect((await data('/schema/snapshot?excludeCollections=articles')).collections.map((c: Row) => c.collection)).not.toContain('articles');
    expect(codeOf(await get('/schema/snapshot?includeCollections=tags&excludeCollections=authors'))).toBe('INVALID_QUERY');

    const yaml = await get('/schema/snapshot?export=yaml');
    expect(yaml.headers['content-disposition']).toMatch(/^attachment; filename="snapshot-.*\.yaml"$/);
    expect(parse(yaml.body)).toEqual(snapshot);
    for (const who of ['editor', 'viewer', 'anonymous'] as const) expect(codeOf(await get('/schema/snapshot', who))).toBe('FORBIDDEN');
  });

  it('answers writes to collections, fields, relations and the schema with FORBIDDEN pointing at the config repository', async () => {
    for (const [method, url] of [['POST', '/collections'], ['PATCH', '/collections/articles'], ['DELETE', '/collections/articles'], ['POST', '/fields/articles'], ['PATCH', '/fields/articles/title'], ['DELETE', '/fields/articles/title'], ['POST', '/relations'], ['PATCH', '/relations/comments/article'], ['POST', '/schema/diff'], ['POST', '/schema/apply']] as const) {
      const response = await server.inject({ method, url, headers: as.admin, ...(method === 'DELETE' ? {} : { payload: {} }) });
      expect([response.statusCode, codeOf(response)], `${method} ${url}`).toEqual([403, 'FORBIDDEN']);
      expect(response.json().errors[0].message).toContain('config git repository');
    }
  });
});
