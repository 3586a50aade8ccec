/**
 * GET /server/specs/oas: the OpenAPI 3.0 document of what each caller may do,
 * validated with @seriousme/openapi-schema-validator (the OpenAPI 3.0 JSON
 * schema, plus every $ref resolving), for the administrator, the template's
 * editor and viewer, and the public; and the pure generator on a model with
 * every field type.
 */
import { createDirectus, readOpenApiSpec, rest, staticToken } from '@directus/sdk';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import type { Collection, Field, FieldType, Model } from '../../../src/model/index.ts';
import { adminAccountability, bootstrapAdmin, openApiSpec, type OpenApiDocument } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { applyTemplate, templateModel } from '../../helpers/template.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const PASSWORD = 'correct horse battery';
const LIST_PARAMETERS = ['fields', 'filter', 'search', 'sort', 'limit', 'offset', 'page', 'meta', 'aggregate', 'groupBy', 'deep'];

type Document = OpenApiDocument & { paths: Record<string, Record<string, { parameters?: { $ref: string }[]; responses: Record<string, unknown> }>> };

async function validate(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  return new Validator().validate(structuredClone(document) as Record<string, unknown>);
}

/** The HTTP methods of a path, without its path-level `parameters`. */
const methodsOf = (document: Document, path: string): string[] => Object.keys(document.paths[path] ?? {}).filter((key) => key !== 'parameters').sort();
/** The collections with item routes in the document. */
const collectionsOf = (document: Document): string[] => [...new Set(Object.keys(document.paths).filter((path) => path.startsWith('/items/')).map((path) => path.split('/')[2]!))].sort();
/** A schema's property names, sorted (the applied model's field order is its canonical one, not the files'). */
const propertiesOf = (document: Document, schema: string): string[] => Object.keys((document.components.schemas[schema]?.properties ?? {}) as object).sort();

describe.each(testBackends)('GET /server/specs/oas on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let model: Model;
  const tokens: Record<'admin' | 'editor' | 'viewer', string> = { admin: '', editor: '', viewer: '' };

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    model = await applyTemplate(context.db);
    await context.models.reload();
    await bootstrapAdmin(context.db, { email: 'admin@example.org', password: PASSWORD });
    await createUser(context, { email: 'editor@example.org', password: PASSWORD, role: 'editor' });
    await createUser(context, { email: 'viewer@example.org', password: PASSWORD, role: 'viewer' });
    server = buildServer(context);
    await server.ready();
    for (const who of ['admin', 'editor', 'viewer'] as const) {
      const response = await server.inject({ method: 'POST', url: '/auth/login', payload: { email: `${who}@example.org`, password: PASSWORD } });
      expect(response.statusCode).toBe(200);
      tokens[who] = response.json().data.access_token;
    }
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const specOf = async (who: 'admin' | 'editor' | 'viewer' | 'anonymous'): Promise<Document> => {
    const response = await server.inject({ method: 'GET', url: '/server/specs/oas', headers: who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who]}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    return response.json();
  };

  it('answers a valid OpenAPI 3.0 document, not wrapped in data, for the administrator, editor, viewer and the public', async () => {
    for (const who of ['admin', 'editor', 'viewer', 'anonymous'] as const) {
      const document = await specOf(who);
      expect(await validate(document), who).toEqual({ valid: true });
      expect(document).not.toHaveProperty('data');
      expect(document.openapi).toMatch(/^3\.0\.\d+$/);
      expect(document.info).toMatchObject({ title: 'Cairn', version: context.version });
      expect(document.info.description).toContain('"blog"');
    }
  });

  it('the validator is not a rubber stamp: it refuses a dangling $ref and a schema of no OpenAPI type', async () => {
    const document = await specOf('viewer');
    const dangling = structuredClone(document);
    (dangling.components.schemas.ItemsArticles!.properties as Record<string, unknown>).author = { $ref: '#/components/schemas/ItemsNowhere' };
    expect((await validate(dangling)).valid).toBe(false);
    const badType = structuredClone(document);
    (badType.components.schemas.ItemsArticles!.properties as Record<string, unknown>).title = { type: 'text' };
    expect((await validate(badType)).valid).toBe(false);
  });

  it("the administrator's document has every collection of the template, with all item routes and all fields", async () => {
    const document = await specOf('admin');
    expect(collectionsOf(document)).toEqual(Object.keys(model.collections).sort());
    expect(document.tags.filter((tag) => tag['x-collection']).map((tag) => tag['x-collection']).sort()).toEqual(Object.keys(model.collections).sort());
    for (const collection of Object.values(model.collections)) {
      expect(methodsOf(document, `/items/${collection.name}`), collection.name).toEqual(['delete', 'get', 'patch', 'post']);
      expect(methodsOf(document, `/items/${collection.name}/{id}`), collection.name).toEqual(['delete', 'get', 'patch']);
      const schema = Object.entries(document.components.schemas).find(([, s]) => s['x-collection'] === collection.name && !('additionalProperties' in s))![0];
      expect(propertiesOf(document, schema), collection.name).toEqual([collection.primaryKey.field, ...Object.keys(collection.fields)].sort());
    }
    // The system routes a client uses.
    for (const path of ['/server/ping', '/server/info', '/server/health', '/server/specs/oas', '/auth/login', '/auth/refresh', '/auth/logout', '/users/me']) expect(document.paths, path).toHaveProperty([path]);
    expect(methodsOf(document, '/users/me')).toEqual(['get', 'patch']);
  });

  it('lists take the query parameters as shared components; SEARCH, no OpenAPI method, is left out', async () => {
    const document = await specOf('admin');
    const list = document.paths['/items/tags']!.get!;
    const parameters = list.parameters!.map((parameter) => parameter.$ref.replace('#/components/parameters/', ''));
    expect(parameters.map((parameter) => (document.components.parameters[parameter] as { name: string }).name)).toEqual(LIST_PARAMETERS);
    // Articles have versioning: their reads also take ?version=.
    expect(document.paths['/items/articles']!.get!.parameters!.map((parameter) => parameter.$ref)).toContain('#/components/parameters/Version');
    expect(document.paths['/items/tags']!.get!.parameters!.map((parameter) => parameter.$ref)).not.toContain('#/components/parameters/Version');
    for (const [path, item] of Object.entries(document.paths)) expect(Object.keys(item), path).not.toContain('search');
    // Directus's envelopes: {data, meta} and {errors: [{message, extensions: {code}}]}.
    expect((list.responses['200'] as { content: Record<string, { schema: unknown }> }).content['application/json']!.schema).toEqual({
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'array', items: { $ref: '#/components/schemas/ItemsTags' } }, meta: { $ref: '#/components/schemas/Meta' } },
    });
    expect(list.responses['403']).toEqual({ $ref: '#/components/responses/ForbiddenError' });
    const errors = document.components.schemas.Errors as { properties: { errors: { items: { required: string[]; properties: { extensions: { required: string[] } } } } } };
    expect(errors.properties.errors.items.required).toEqual(['message', 'extensions']);
    expect(errors.properties.errors.items.properties.extensions.required).toEqual(['code']);
  });

  it('a viewer gets no POST, PATCH or DELETE it has no grant for, and no field it cannot read', async () => {
    const viewer = await specOf('viewer');
    expect(collectionsOf(viewer)).toEqual(['articles', 'articles_tags', 'authors', 'categories', 'comments', 'tags']);
    for (const collection of ['articles', 'authors', 'categories', 'tags']) {
      expect(methodsOf(viewer, `/items/${collection}`), collection).toEqual(['get']);
      expect(methodsOf(viewer, `/items/${collection}/{id}`), collection).toEqual(['get']);
    }
    // policies/viewer.yaml: comments may be created (article, body, author_name), not changed or deleted.
    expect(methodsOf(viewer, '/items/comments')).toEqual(['get', 'post']);
    expect(methodsOf(viewer, '/items/comments/{id}')).toEqual(['get']);
    expect(propertiesOf(viewer, 'ItemsCommentsCreate')).toEqual(['article', 'body', 'author_name'].sort());
    expect([...(viewer.components.schemas.ItemsCommentsCreate!.required as string[])].sort()).toEqual(['article', 'body']);
    expect(viewer.components.schemas).not.toHaveProperty('ItemsArticlesCreate');
    expect(viewer.components.schemas).not.toHaveProperty('ItemsArticlesUpdate');
    // authors: read { fields: [id, name, bio] } — not email.
    expect(propertiesOf(viewer, 'ItemsAuthors')).toEqual(['id', 'name', 'bio'].sort());

    // The editor (role editor, parent viewer) may create and update articles, with its granted fields, but not delete them; and it reads authors' email.
    const editor = await specOf('editor');
    expect(methodsOf(editor, '/items/articles')).toEqual(['get', 'patch', 'post']);
    expect(methodsOf(editor, '/items/articles/{id}')).toEqual(['get', 'patch']);
    expect(propertiesOf(editor, 'ItemsArticlesCreate')).toEqual(['title', 'slug', 'body', 'status', 'published_at', 'author', 'category', 'tags'].sort());
    expect(propertiesOf(editor, 'ItemsAuthors')).toContain('email');
    expect(methodsOf(editor, '/items/tags')).toEqual(['get', 'patch', 'post']);
  });

  it('the public sees only what the public policy grants, and no /users/me', async () => {
    const document = await specOf('anonymous');
    // policies/public.yaml reads articles, categories and tags (and so the articles↔tags junction), nothing else, and writes nothing.
    expect(collectionsOf(document)).toEqual(['articles', 'articles_tags', 'categories', 'tags']);
    for (const path of Object.keys(document.paths).filter((path) => path.startsWith('/items/'))) expect(methodsOf(document, path), path).toEqual(['get']);
    expect(propertiesOf(document, 'ItemsArticles')).toEqual(['id', 'title', 'slug', 'body', 'published_at', 'category', 'tags'].sort());
    expect(propertiesOf(document, 'ItemsCategories')).toEqual(['id', 'name', 'slug', 'sort'].sort());
    expect(propertiesOf(document, 'ItemsTags')).toEqual(['id', 'name']);
    expect(Object.keys(document.components.schemas).filter((schema) => schema.startsWith('Items')).sort()).toEqual(['ItemsArticles', 'ItemsArticlesTags', 'ItemsCategories', 'ItemsTags']);
    expect(document.paths).not.toHaveProperty(['/users/me']);
  });

  it('the schemas follow the model: types, lengths, enums, nullability and relations', async () => {
    const document = await specOf('admin');
    const articles = document.components.schemas.ItemsArticles!.properties as Record<string, unknown>;
    expect(articles.id).toEqual({ type: 'integer' });
    expect(articles.title).toEqual({ type: 'string', maxLength: 200 });
    expect(articles.status).toEqual({ type: 'string', maxLength: 255, enum: ['draft', 'published', 'archived'] });
    expect(articles.published_at).toEqual({ type: 'string', format: 'date-time', nullable: true });
    expect(articles.user_created).toEqual({ type: 'string', format: 'uuid', nullable: true });
    expect(articles.author).toEqual({ oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/ItemsAuthors' }], nullable: true });
    expect(articles.tags).toEqual({ type: 'array', items: { oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/ItemsArticlesTags' }] } });
    expect(articles.comments).toEqual({ type: 'array', items: { oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/ItemsComments' }] } });
    // Requests: special fields are Cairn's to fill in; required fields without a default are required on create.
    const create = document.components.schemas.ItemsArticlesCreate!;
    expect(Object.keys(create.properties as object)).not.toContain('date_created');
    expect(Object.keys(create.properties as object)).not.toContain('user_created');
    expect(create.required).toEqual(['title']);
    expect((create.properties as Record<string, unknown>).status).toMatchObject({ default: 'draft' });
    expect(Object.keys(document.components.schemas.ItemsArticlesUpdate!.properties as object)).not.toContain('id');
    // The viewer's articles → author relation points at its own (email-less) authors schema.
    const viewer = await specOf('viewer');
    expect((viewer.components.schemas.ItemsArticles!.properties as Record<string, unknown>).author).toEqual(articles.author);
    const publicArticles = (await specOf('anonymous')).components.schemas.ItemsArticles!.properties as Record<string, unknown>;
    expect(publicArticles).not.toHaveProperty('author');
    expect(publicArticles.category).toEqual({ oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/ItemsCategories' }], nullable: true });
  });

  it('@directus/sdk readOpenApiSpec() gets the raw document', async () => {
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const document = (await createDirectus(url).with(staticToken(tokens.viewer)).with(rest()).request(readOpenApiSpec())) as unknown as Document;
    expect(document.openapi).toMatch(/^3\.0/);
    expect(methodsOf(document, '/items/comments')).toEqual(['get', 'post']);
  });

  it('each caller gets its own document from the cache, and a newly applied model shows at once', async () => {
    const before = await specOf('admin');
    expect(collectionsOf(await specOf('anonymous'))).not.toContain('authors');
    expect(await specOf('admin')).toEqual(before);
    const notes: Collection = { ...structuredClone(model.collections.tags!), name: 'notes', note: null, renamedFrom: null };
    await serveModel(context, { ...model, collections: { ...model.collections, notes } });
    const after = await specOf('admin');
    expect(collectionsOf(after)).toEqual([...collectionsOf(before), 'notes'].sort());
    expect(await validate(after)).toEqual({ valid: true });
    expect(collectionsOf(await specOf('viewer'))).not.toContain('notes');
  });
});

describe('openApiSpec on every field type', () => {
  const field = (name: string, type: FieldType, extra: Partial<Field> = {}): Field => ({
    name, type, dbType: 'text', required: false, nullable: true, unique: false, maxLength: null, precision: null, scale: null,
    enum: null, note: null, special: null, index: false, renamedFrom: null, relation: null, ...extra,
  });

  it('maps each type as the API shows it, and a singleton gets only GET and PATCH', async () => {
    const { model } = await templateModel();
    const fields = [
      field('big', 'bigInteger'), field('price', 'decimal', { nullable: false }), field('ratio', 'float'), field('flag', 'boolean'),
      field('day', 'date'), field('at', 'time'), field('local', 'dateTime'), field('data', 'json'), field('labels', 'csv'),
      field('secret', 'hash'), field('ref', 'uuid'), field('size', 'string', { enum: ['s', 'm'] }),
    ];
    const settings: Collection = {
      ...structuredClone(model.collections.tags!),
      name: 'settings',
      singleton: true,
      primaryKey: { field: 'id', type: 'uuid', dbType: 'uuid' },
      fields: Object.fromEntries(fields.map((f) => [f.name, f])),
    };
    const document = openApiSpec({ model: { ...model, collections: { ...model.collections, settings } }, accountability: adminAccountability(), version: '9.9.9' }) as Document;
    expect(await validate(document)).toEqual({ valid: true });
    expect(document.info.version).toBe('9.9.9');
    expect(document.components.schemas.ItemsSettings!.properties).toEqual({
      id: { type: 'string', format: 'uuid' },
      big: { type: 'string', pattern: '^-?[0-9]+$', nullable: true },
      price: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' },
      ratio: { type: 'number', nullable: true },
      flag: { type: 'boolean', nullable: true },
      day: { type: 'string', format: 'date', nullable: true },
      at: { type: 'string', pattern: expect.any(String), nullable: true },
      local: { type: 'string', pattern: expect.any(String), nullable: true },
      data: {},
      labels: { type: 'array', items: { type: 'string' }, nullable: true },
      secret: { type: 'string', description: expect.any(String), nullable: true },
      ref: { type: 'string', format: 'uuid', nullable: true },
      size: { type: 'string', enum: ['s', 'm', null], nullable: true },
    });
    expect(methodsOf(document, '/items/settings')).toEqual(['get', 'patch']);
    expect(document.paths).not.toHaveProperty(['/items/settings/{id}']);
    expect(document.components.schemas).not.toHaveProperty('ItemsSettingsCreate');
    // Writes take bigints and decimals as numbers too.
    expect((document.components.schemas.ItemsSettingsUpdate!.properties as Record<string, unknown>).big).toEqual({ oneOf: [{ type: 'string', pattern: '^-?[0-9]+$' }, { type: 'integer' }], nullable: true });
  });

  it('without an applied model, only the system routes', async () => {
    const document = openApiSpec({ model: null, accountability: adminAccountability(), version: '1.0.0' }) as Document;
    expect(await validate(document)).toEqual({ valid: true });
    expect(collectionsOf(document)).toEqual([]);
    expect(document.paths).toHaveProperty(['/auth/login']);
  });
});
