/**
 * The OpenAPI 3.0 document of the REST API as one caller sees it
 * (GET /server/specs/oas, contract §8): for each collection the item routes
 * the caller's policies grant, with typed schemas of the fields it may read
 * (responses) and write (requests), and the system routes a client uses
 * (server, auth, /users/me). What the caller may not do is not in the
 * document at all. Field sets come from the same functions the query and
 * write layers use (readAccessFor, writeGrantsFor); row filters and
 * validation rules stay the services' business. Pure.
 */
import type { Collection, Field, KeyType, Model } from '../model/index.ts';
import { readAccessFor, writeGrantsFor, type WriteAction } from '../permissions/index.ts';
import type { Accountability } from './accountability.ts';
import { SELF_EDITABLE_FIELDS, USER_STATUSES } from './users.ts';

export const OPENAPI_VERSION = '3.0.3';

/** A JSON Schema object as OpenAPI 3.0 writes it (`nullable`, no `type` arrays). */
export type SchemaObject = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: typeof OPENAPI_VERSION;
  info: { title: string; version: string; description: string };
  security: Record<string, string[]>[];
  tags: { name: string; description?: string; 'x-collection'?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, SchemaObject>;
    parameters: Record<string, Record<string, unknown>>;
    responses: Record<string, Record<string, unknown>>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

/** What the caller may do with a collection: the fields per action, null where it may not act at all. */
interface CollectionView {
  read: ReadonlySet<string> | null;
  create: ReadonlySet<string> | null;
  update: ReadonlySet<string> | null;
  delete: boolean;
}

const JSON_TYPE = 'application/json';
const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: SchemaObject) => ({ [JSON_TYPE]: { schema } });
const dataOf = (schema: SchemaObject, withMeta = false): SchemaObject => ({
  type: 'object',
  required: ['data'],
  properties: { data: schema, ...(withMeta ? { meta: ref('schemas', 'Meta') } : {}) },
});
const ok = (description: string, schema: SchemaObject) => ({ description, content: json(schema) });
const NO_CONTENT = { description: 'Done; nothing to answer (or nothing of it the caller may read).' };
const ERRORS = {
  '400': ref('responses', 'BadRequestError'),
  '401': ref('responses', 'UnauthorizedError'),
  '403': ref('responses', 'ForbiddenError'),
};
const LIST_PARAMETERS = ['Fields', 'Filter', 'Search', 'Sort', 'Limit', 'Offset', 'Page', 'Meta', 'Aggregate', 'GroupBy', 'Deep'];

export function openApiSpec(options: { model: Model | null; accountability: Accountability; version: string }): OpenApiDocument {
  const { model, accountability, version } = options;
  const document: OpenApiDocument = {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Cairn',
      version,
      description: model
        ? `The REST API of project "${model.project.name}"${model.project.note ? ` (${model.project.note})` : ''}, as the caller that asked sees it: only the collections, operations and fields its policies grant.`
        : 'The REST API of a Cairn server that has no applied model yet.',
    },
    // A token, or none: anonymous requests get the public policies.
    security: [{ Bearer: [] }, {}],
    tags: [
      { name: 'Server', description: 'Ping, health, information and the API specifications.' },
      { name: 'Authentication', description: 'Logging in, refreshing and logging out.' },
      ...(accountability.user !== null ? [{ name: 'Users', description: 'The signed-in user.' }] : []),
    ],
    paths: {},
    components: {
      schemas: sharedSchemas(),
      parameters: sharedParameters(),
      responses: {
        BadRequestError: { description: 'The request is malformed (INVALID_PAYLOAD, INVALID_QUERY, FAILED_VALIDATION, …).', content: json(ref('schemas', 'Errors')) },
        UnauthorizedError: { description: 'The token is invalid or expired (INVALID_CREDENTIALS, TOKEN_EXPIRED, …).', content: json(ref('schemas', 'Errors')) },
        ForbiddenError: { description: 'The caller may not do this, or the item does not exist (FORBIDDEN).', content: json(ref('schemas', 'Errors')) },
        NotFoundError: { description: 'There is no such route (ROUTE_NOT_FOUND).', content: json(ref('schemas', 'Errors')) },
      },
      securitySchemes: {
        Bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /auth/login, or a static token, as `Authorization: Bearer <token>`.' },
      },
    },
  };
  addSystemPaths(document, accountability);
  if (model) addCollections(document, model, accountability);
  return document;
}

function addCollections(document: OpenApiDocument, model: Model, accountability: Accountability): void {
  const views = collectionViews(model, accountability);
  const collections = Object.values(model.collections)
    .filter((collection) => {
      const view = views.get(collection.name)!;
      // A singleton has no DELETE route (and no POST: PATCH creates it).
      return view.read !== null || view.create !== null || view.update !== null || (view.delete && !collection.singleton);
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const names = schemaNames(collections.map((collection) => collection.name));
  // Relations point at a collection's response schema only where the caller may read it.
  const readSchemaOf = (collection: string) => (views.get(collection)?.read ? names.get(collection) : undefined);

  for (const collection of collections) {
    const view = views.get(collection.name)!;
    const name = names.get(collection.name)!;
    const schemas = document.components.schemas;
    if (view.read) schemas[name] = readSchema(model, collection, view.read, readSchemaOf);
    if (view.create && !collection.singleton) schemas[`${name}Create`] = writeSchema(model, collection, view.create, 'create');
    // A singleton's PATCH creates it the first time and updates it afterwards.
    const updateFields = collection.singleton ? union(view.create, view.update) : view.update;
    if (updateFields) schemas[`${name}Update`] = writeSchema(model, collection, updateFields, 'update');
    document.tags.push({ name, ...(collection.note ? { description: collection.note } : {}), 'x-collection': collection.name });
    addItemPaths(document, { collection, view, name, updateFields });
  }
}

/** The caller's view of every collection; the administrator's is everything. */
function collectionViews(model: Model, accountability: Accountability): Map<string, CollectionView> {
  // Field sets do not depend on the clock; `now` only feeds the filters, which are not used here.
  const read = readAccessFor({ model, accountability, now: new Date(0) });
  const write = writeGrantsFor(model, accountability);
  const views = new Map<string, CollectionView>();
  for (const collection of Object.values(model.collections)) {
    const all = new Set([collection.primaryKey.field, ...Object.keys(collection.fields)]);
    const writable = (action: WriteAction) => {
      if (!write) return all;
      const granted = write.fields(collection.name, action);
      return granted === 'all' ? all : granted;
    };
    views.set(collection.name, {
      read: read ? read.access.readable(collection.name) : all,
      create: writable('create'),
      update: writable('update'),
      delete: writable('delete') !== null,
    });
  }
  return views;
}

/** `Items<Name>` per collection (Directus's naming), unique with the Create/Update names derived from it. */
function schemaNames(collections: string[]): Map<string, string> {
  const used = new Set<string>();
  const names = new Map<string, string>();
  for (const collection of collections) {
    const base = `Items${collection.split(/[^A-Za-z0-9]+/).filter(Boolean).map((part) => part[0]!.toUpperCase() + part.slice(1)).join('')}`;
    let name = base;
    for (let n = 2; [name, `${name}Create`, `${name}Update`].some((taken) => used.has(taken)); n++) name = `${base}${n}`;
    for (const taken of [name, `${name}Create`, `${name}Update`]) used.add(taken);
    names.set(collection, name);
  }
  return names;
}

function union(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): ReadonlySet<string> | null {
  if (a === null || b === null) return a ?? b;
  return new Set([...a, ...b]);
}

/** A key as the API shows it (read) or takes it (write). */
function keySchema(type: KeyType, mode: 'read' | 'write'): SchemaObject {
  switch (type) {
    case 'integer':
      return { type: 'integer' };
    case 'bigInteger':
      return bigIntegerSchema(mode);
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'string':
      return { type: 'string', maxLength: 255 };
  }
}

// bigint and decimal read as strings (JavaScript numbers would lose digits); writes take numbers too.
function bigIntegerSchema(mode: 'read' | 'write'): SchemaObject {
  const text = { type: 'string', pattern: '^-?[0-9]+$' };
  return mode === 'read' ? text : { oneOf: [text, { type: 'integer' }] };
}

function decimalSchema(mode: 'read' | 'write'): SchemaObject {
  const text = { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
  return mode === 'read' ? text : { oneOf: [text, { type: 'number' }] };
}

/** A column's value: its type, length, enum and nullability. */
function scalarSchema(field: Field, mode: 'read' | 'write'): SchemaObject {
  let schema: SchemaObject;
  switch (field.type) {
    case 'string':
    case 'text':
      schema = { type: 'string', ...(field.maxLength !== null ? { maxLength: field.maxLength } : {}) };
      break;
    case 'hash':
      schema = mode === 'read' ? { type: 'string', description: 'Reads as "**********" when set, never as the hash.' } : { type: 'string' };
      break;
    case 'integer':
      schema = { type: 'integer' };
      break;
    case 'bigInteger':
      schema = bigIntegerSchema(mode);
      break;
    case 'float':
      schema = { type: 'number' };
      break;
    case 'decimal':
      schema = decimalSchema(mode);
      break;
    case 'boolean':
      schema = { type: 'boolean' };
      break;
    case 'date':
      schema = { type: 'string', format: 'date' };
      break;
    case 'timestamp':
      schema = { type: 'string', format: 'date-time' };
      break;
    case 'time':
      schema = { type: 'string', pattern: '^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?$' };
      break;
    case 'dateTime':
      // No time zone, so not RFC 3339's date-time.
      schema = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?$' };
      break;
    case 'uuid':
      schema = { type: 'string', format: 'uuid' };
      break;
    case 'csv':
      schema = mode === 'read' ? { type: 'array', items: { type: 'string' } } : { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string', description: 'Comma-separated.' }] };
      break;
    default:
      // json: any JSON value, null included.
      return described(field, {});
  }
  if (field.enum) schema = { ...schema, enum: field.nullable ? [...field.enum, null] : [...field.enum] };
  return described(field, field.nullable ? { ...schema, nullable: true } : schema);
}

const described = (field: Field, schema: SchemaObject): SchemaObject => (field.note ? { ...schema, description: field.note } : schema);

/** Either the key or the item itself (when the caller may read it), as `fields=rel.*` expands it. */
function keyOrItem(model: Model, collection: string, readSchemaOf: (collection: string) => string | undefined): SchemaObject {
  const key = keySchema(model.collections[collection]!.primaryKey.type, 'read');
  const item = readSchemaOf(collection);
  return item ? { oneOf: [key, ref('schemas', item)] } : key;
}

/** The item as the caller reads it: its readable fields; relations as keys, or the related item where readable. */
function readSchema(model: Model, collection: Collection, readable: ReadonlySet<string>, readSchemaOf: (collection: string) => string | undefined): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  if (readable.has(collection.primaryKey.field)) properties[collection.primaryKey.field] = keySchema(collection.primaryKey.type, 'read');
  for (const field of Object.values(collection.fields)) {
    if (!readable.has(field.name)) continue;
    const relation = field.relation;
    if (!relation) properties[field.name] = scalarSchema(field, 'read');
    else if (relation.kind === 'm2o') properties[field.name] = described(field, { ...keyOrItem(model, relation.related, readSchemaOf), ...(field.nullable ? { nullable: true } : {}) });
    else {
      // An o2m lists related items, an m2m its junction rows; neither shows where the caller may read none of them.
      const related = relation.kind === 'm2m' ? relation.junction : relation.related;
      if (readSchemaOf(related) === undefined) continue;
      properties[field.name] = described(field, { type: 'array', items: keyOrItem(model, related, readSchemaOf) });
    }
  }
  return { type: 'object', ...(collection.note ? { description: collection.note } : {}), 'x-collection': collection.name, properties };
}

/**
 * The body of a create or update: the fields the caller may set. Special
 * fields are left out (Cairn fills them in whatever is sent), and so is an
 * update's key (the URL names the item).
 */
function writeSchema(model: Model, collection: Collection, writable: ReadonlySet<string>, mode: 'create' | 'update'): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  const key = collection.primaryKey;
  if (mode === 'create' && writable.has(key.field)) {
    properties[key.field] = keySchema(key.type, 'write');
    if (key.type === 'string') required.push(key.field);
  }
  const nestedItem = { type: 'object', additionalProperties: true };
  for (const field of Object.values(collection.fields)) {
    if (!writable.has(field.name) || field.special !== null) continue;
    const relation = field.relation;
    let schema: SchemaObject;
    if (!relation) schema = scalarSchema(field, 'write');
    else if (relation.kind === 'm2o') {
      schema = described(field, { oneOf: [keySchema(model.collections[relation.related]!.primaryKey.type, 'write'), { ...nestedItem, description: 'A related item to create, or to update when it has its key.' }], ...(field.nullable ? { nullable: true } : {}) });
    } else {
      const related = model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
      const relatedKey = keySchema(related.primaryKey.type, 'write');
      schema = described(field, {
        oneOf: [
          { type: 'array', description: 'The complete new list: keys of existing items, or items to create or update.', items: { oneOf: [relatedKey, nestedItem] } },
          {
            type: 'object',
            description: 'Changes to the list.',
            additionalProperties: false,
            properties: { create: { type: 'array', items: nestedItem }, update: { type: 'array', items: nestedItem }, delete: { type: 'array', items: relatedKey } },
          },
        ],
      });
    }
    const writeDefault = 'default' in field && ['string', 'number', 'boolean'].includes(typeof field.default) && mode === 'create';
    properties[field.name] = writeDefault ? { ...schema, default: field.default } : schema;
    if (mode === 'create' && field.required && field.dbType !== null && !('default' in field)) required.push(field.name);
  }
  return { type: 'object', 'x-collection': collection.name, properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

function addItemPaths(document: OpenApiDocument, options: { collection: Collection; view: CollectionView; name: string; updateFields: ReadonlySet<string> | null }): void {
  const { collection, view, name, updateFields } = options;
  const tags = [name];
  const item = view.read ? ref('schemas', name) : undefined;
  const version = collection.versioning ? [ref('parameters', 'Version')] : [];
  const single = [ref('parameters', 'Fields'), ref('parameters', 'Meta'), ...version];
  const answer = (schema: SchemaObject | undefined, what: string) => (schema ? { '200': ok(what, dataOf(schema)), '204': NO_CONTENT } : { '204': NO_CONTENT });
  const collectionPath: Record<string, unknown> = {};
  const itemPath: Record<string, unknown> = {};

  if (collection.singleton) {
    if (view.read) collectionPath.get = { tags, operationId: `read${name}`, summary: `Read the ${collection.name} singleton.`, parameters: single, responses: { '200': ok('The item.', dataOf(item!)), ...ERRORS } };
    if (updateFields) {
      collectionPath.patch = {
        tags,
        operationId: `update${name}`,
        summary: `Update the ${collection.name} singleton (created the first time).`,
        parameters: [ref('parameters', 'Fields')],
        requestBody: { required: true, content: json(ref('schemas', `${name}Update`)) },
        responses: { ...answer(item, 'The item.'), ...ERRORS },
      };
    }
  } else {
    const keyParameter = { name: 'id', in: 'path', required: true, description: `The ${collection.primaryKey.field} of the item.`, schema: keySchema(collection.primaryKey.type, 'read') };
    const keys = { type: 'array', items: keySchema(collection.primaryKey.type, 'write') };
    const query = { type: 'object', description: 'A query (filter, search, sort, limit, …) selecting the items.' };
    if (view.read) {
      collectionPath.get = {
        tags,
        operationId: `read${name}`,
        summary: `List the items of ${collection.name}.`,
        parameters: [...LIST_PARAMETERS.map((parameter) => ref('parameters', parameter)), ...version],
        responses: { '200': ok('The items (or, with aggregate, the aggregated groups).', dataOf({ type: 'array', items: item! }, true)), ...ERRORS },
      };
      itemPath.get = { tags, operationId: `readSingle${name}`, summary: `Read one item of ${collection.name}.`, parameters: single, responses: { '200': ok('The item.', dataOf(item!)), ...ERRORS } };
    }
    if (view.create) {
      const create = ref('schemas', `${name}Create`);
      collectionPath.post = {
        tags,
        operationId: `create${name}`,
        summary: `Create one item of ${collection.name}, or several.`,
        parameters: [ref('parameters', 'Fields'), ref('parameters', 'Meta')],
        requestBody: { required: true, content: json({ oneOf: [create, { type: 'array', items: create }] }) },
        responses: { ...answer(item ? { oneOf: [item, { type: 'array', items: item }] } : undefined, 'The item created, or the items.'), ...ERRORS },
      };
    }
    if (view.update) {
      const update = ref('schemas', `${name}Update`);
      collectionPath.patch = {
        tags,
        operationId: `update${name}`,
        summary: `Update several items of ${collection.name}.`,
        parameters: [ref('parameters', 'Fields'), ref('parameters', 'Meta')],
        requestBody: {
          required: true,
          content: json({
            oneOf: [
              { type: 'array', description: 'Each item with its key and its changes.', items: { allOf: [update, { type: 'object', required: [collection.primaryKey.field], properties: { [collection.primaryKey.field]: keySchema(collection.primaryKey.type, 'write') } }] } },
              { type: 'object', required: ['keys', 'data'], properties: { keys, data: update }, additionalProperties: false },
              { type: 'object', required: ['query', 'data'], properties: { query, data: update }, additionalProperties: false },
            ],
          }),
        },
        responses: { ...answer(item ? { type: 'array', items: item } : undefined, 'The items updated.'), ...ERRORS },
      };
      itemPath.patch = {
        tags,
        operationId: `updateSingle${name}`,
        summary: `Update one item of ${collection.name}.`,
        parameters: [ref('parameters', 'Fields'), ref('parameters', 'Meta')],
        requestBody: { required: true, content: json(update) },
        responses: { ...answer(item, 'The item updated.'), ...ERRORS },
      };
    }
    if (view.delete) {
      collectionPath.delete = {
        tags,
        operationId: `delete${name}`,
        summary: `Delete several items of ${collection.name}.`,
        requestBody: {
          required: true,
          content: json({
            oneOf: [
              keys,
              { type: 'object', required: ['keys'], properties: { keys }, additionalProperties: false },
              { type: 'object', required: ['query'], properties: { query }, additionalProperties: false },
            ],
          }),
        },
        responses: { '204': NO_CONTENT, ...ERRORS },
      };
      itemPath.delete = { tags, operationId: `deleteSingle${name}`, summary: `Delete one item of ${collection.name}.`, responses: { '204': NO_CONTENT, ...ERRORS } };
    }
    if (Object.keys(itemPath).length > 0) document.paths[`/items/${collection.name}/{id}`] = { parameters: [keyParameter], ...itemPath };
  }
  if (Object.keys(collectionPath).length > 0) document.paths[`/items/${collection.name}`] = collectionPath;
}

function addSystemPaths(document: OpenApiDocument, accountability: Accountability): void {
  const server = ['Server'];
  const auth = ['Authentication'];
  const paths = document.paths;
  paths['/server/ping'] = {
    get: { tags: server, operationId: 'ping', summary: 'Ping the server.', security: [], responses: { '200': { description: 'The server answers.', content: { 'text/html': { schema: { type: 'string', example: 'pong' } } } } } },
  };
  paths['/server/info'] = { get: { tags: server, operationId: 'serverInfo', summary: 'The project and the applied model.', responses: { '200': ok('Information about the server.', dataOf(ref('schemas', 'ServerInfo'))), ...ERRORS } } };
  const health = { 'application/health+json': { schema: ref('schemas', 'Health') } };
  paths['/server/health'] = {
    get: {
      tags: server,
      operationId: 'serverHealth',
      summary: 'The health of the server and its database; the details only for administrators.',
      responses: { '200': { description: 'ok or warn.', content: health }, '503': { description: 'error.', content: health }, ...ERRORS },
    },
  };
  paths['/server/specs/oas'] = {
    get: { tags: server, operationId: 'oas', summary: 'This document: the REST API as the caller sees it.', responses: { '200': ok('An OpenAPI 3.0 document (not wrapped in data).', { type: 'object' }), ...ERRORS } },
  };
  paths['/server/specs/graphql/{scope}'] = {
    get: {
      tags: server,
      operationId: 'graphqlSdl',
      summary: 'The GraphQL schema as the caller sees it, as SDL.',
      parameters: [{ name: 'scope', in: 'path', required: true, schema: { type: 'string', enum: ['items', 'system'] } }],
      responses: { '200': { description: 'The schema, as an attachment.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...ERRORS, '404': ref('responses', 'NotFoundError') },
    },
  };
  const modeProperty = { type: 'string', enum: ['json', 'cookie', 'session'], description: 'Where the tokens go: the body (json), an httpOnly refresh cookie (cookie) or a session cookie (session).' };
  const tokens = ok('The new tokens (which of them are in the body depends on the mode).', dataOf(ref('schemas', 'AuthTokens')));
  paths['/auth/login'] = {
    post: {
      tags: auth,
      operationId: 'login',
      summary: 'Log in with email and password.',
      security: [],
      requestBody: {
        required: true,
        content: json({ type: 'object', required: ['email', 'password'], properties: { email: { type: 'string' }, password: { type: 'string', format: 'password' }, mode: { ...modeProperty, default: 'json' }, otp: { type: 'string' } } }),
      },
      responses: { '200': tokens, '400': ref('responses', 'BadRequestError'), '401': ref('responses', 'UnauthorizedError') },
    },
  };
  const refreshBody = { required: false, content: json({ type: 'object', properties: { refresh_token: { type: 'string', description: 'In json mode; cookie and session modes send the cookie.' }, mode: modeProperty } }) };
  paths['/auth/refresh'] = {
    post: { tags: auth, operationId: 'refresh', summary: 'Exchange a refresh token for new tokens.', security: [], requestBody: refreshBody, responses: { '200': tokens, '400': ref('responses', 'BadRequestError'), '401': ref('responses', 'UnauthorizedError') } },
  };
  paths['/auth/logout'] = {
    post: { tags: auth, operationId: 'logout', summary: 'End the session of a refresh token.', security: [], requestBody: refreshBody, responses: { '204': { description: 'Logged out.' }, '400': ref('responses', 'BadRequestError'), '401': ref('responses', 'UnauthorizedError') } },
  };
  // /users/me is only for a signed-in user: anyone else gets INVALID_CREDENTIALS.
  if (accountability.user !== null) {
    const me = ok('The signed-in user.', dataOf(ref('schemas', 'User')));
    const editable = Object.fromEntries(SELF_EDITABLE_FIELDS.map((field) => [field, field === 'password' ? { type: 'string', format: 'password' } : { type: 'string', ...(field === 'email' ? {} : { nullable: true }) }]));
    paths['/users/me'] = {
      get: { tags: ['Users'], operationId: 'readMe', summary: 'Read the signed-in user.', parameters: [ref('parameters', 'Fields')], responses: { '200': me, ...ERRORS } },
      patch: {
        tags: ['Users'],
        operationId: 'updateMe',
        summary: 'Change your own names, email or password.',
        parameters: [ref('parameters', 'Fields')],
        requestBody: { required: true, content: json({ type: 'object', properties: editable, additionalProperties: false }) },
        responses: { '200': me, ...ERRORS },
      },
    };
  }
}

function sharedSchemas(): Record<string, SchemaObject> {
  const nullableString = { type: 'string', nullable: true };
  const timestamp = { type: 'string', format: 'date-time', nullable: true };
  return {
    Errors: {
      type: 'object',
      description: "Directus's error envelope.",
      required: ['errors'],
      properties: {
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message', 'extensions'],
            properties: { message: { type: 'string' }, extensions: { type: 'object', required: ['code'], properties: { code: { type: 'string', example: 'FORBIDDEN' } }, additionalProperties: true } },
          },
        },
      },
    },
    Meta: {
      type: 'object',
      description: 'What ?meta= asked for.',
      properties: { total_count: { type: 'integer', description: 'Items in the collection the caller may read.' }, filter_count: { type: 'integer', description: 'Items matching the filter and search.' } },
    },
    ServerInfo: {
      type: 'object',
      properties: {
        project: { type: 'object', properties: { project_name: nullableString } },
        cairn: { type: 'object', properties: { model_hash: nullableString, applied_at: timestamp, collections: { type: 'array', items: { type: 'string' } } } },
      },
    },
    Health: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['ok', 'warn', 'error'] },
        releaseId: { type: 'string' },
        serviceId: { type: 'string' },
        checks: { type: 'object', additionalProperties: { type: 'array', items: { type: 'object' } } },
      },
    },
    AuthTokens: {
      type: 'object',
      properties: {
        access_token: { type: 'string', nullable: true, description: 'Not in session mode.' },
        refresh_token: { type: 'string', description: 'Only in json mode.' },
        expires: { type: 'integer', description: 'Milliseconds until the access token expires.' },
      },
    },
    User: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        email: { type: 'string' },
        password: { ...nullableString, description: '"**********" when set.' },
        first_name: nullableString,
        last_name: nullableString,
        role: nullableString,
        policies: { type: 'array', items: { type: 'string' } },
        status: { type: 'string', enum: [...USER_STATUSES] },
        token: { ...nullableString, description: '"**********" when set.' },
        last_access: timestamp,
        created_at: timestamp,
        updated_at: timestamp,
      },
    },
  };
}

function sharedParameters(): Record<string, Record<string, unknown>> {
  const jsonObject = (description: string) => ({ description, content: json({ type: 'object' }) });
  const list = (description: string) => ({ description, explode: false, schema: { type: 'array', items: { type: 'string' } } });
  return {
    Fields: { name: 'fields', in: 'query', ...list('The fields to return; dot paths reach into relations, `*` is every field.') },
    Filter: { name: 'filter', in: 'query', ...jsonObject('Only the items matching these filter rules.') },
    Search: { name: 'search', in: 'query', description: 'Only the items with this text in one of their string fields.', schema: { type: 'string' } },
    Sort: { name: 'sort', in: 'query', ...list('The fields to sort by; `-field` sorts descending.') },
    Limit: { name: 'limit', in: 'query', description: 'How many items to return; -1 for all.', schema: { type: 'integer', minimum: -1 } },
    Offset: { name: 'offset', in: 'query', description: 'How many items to skip.', schema: { type: 'integer', minimum: 0 } },
    Page: { name: 'page', in: 'query', description: 'The page of `limit` items to return.', schema: { type: 'integer', minimum: 1 } },
    Meta: { name: 'meta', in: 'query', description: 'total_count, filter_count, or * for both.', schema: { type: 'string' } },
    Aggregate: { name: 'aggregate', in: 'query', ...jsonObject('Aggregate functions (count, sum, avg, min, max, …) by field.') },
    GroupBy: { name: 'groupBy', in: 'query', ...list('The fields to group aggregates by.') },
    Deep: { name: 'deep', in: 'query', ...jsonObject('Query options for nested relations.') },
    Version: { name: 'version', in: 'query', description: 'Read the item as this content version has it.', schema: { type: 'string' } },
  };
}
