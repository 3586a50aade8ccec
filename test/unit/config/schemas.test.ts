/**
 * The JSON Schemas of the config file kinds (platform/schemas/): they compile
 * under ajv's strict mode, accept every file of the template repository, and
 * reject a table of wrong documents with the error a user would need to see.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const schemaDir = path.join(root, 'platform', 'schemas');
const templateDir = path.join(root, 'schema-repo-template');

const KINDS = ['cairn', 'collection', 'policy', 'role', 'flow', 'extension'] as const;
type Kind = (typeof KINDS)[number];
type Doc = Record<string, unknown>;

function loadSchema(kind: Kind): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(schemaDir, `${kind}.schema.json`), 'utf8')) as Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = new Map<Kind, ValidateFunction>();
for (const kind of KINDS) validators.set(kind, ajv.compile(loadSchema(kind)));

function validator(kind: Kind): ValidateFunction {
  const validate = validators.get(kind);
  if (!validate) throw new Error(`no validator for ${kind}`);
  return validate;
}

function errorsOf(kind: Kind, doc: unknown): ErrorObject[] {
  const validate = validator(kind);
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

/** The template's files of one kind (base files only: overlays under environments/ are partial). */
function templateFiles(kind: Kind): string[] {
  const yamlIn = (dir: string): string[] =>
    readdirSync(path.join(templateDir, dir))
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => path.join(dir, name));
  switch (kind) {
    case 'cairn':
      return ['cairn.yaml'];
    case 'collection':
      return yamlIn('collections');
    case 'policy':
      return yamlIn('policies');
    case 'role':
      return yamlIn('roles');
    case 'flow':
      return yamlIn('flows');
    case 'extension':
      return readdirSync(path.join(templateDir, 'extensions')).map((name) => path.join('extensions', name, 'extension.yaml'));
  }
}

function readYaml(file: string): unknown {
  return parse(readFileSync(path.join(templateDir, file), 'utf8'));
}

function allYamlFiles(dir: string): string[] {
  return readdirSync(path.join(templateDir, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return allYamlFiles(relative);
    return entry.name.endsWith('.yaml') ? [relative] : [];
  });
}

const kindOfFolder: Record<string, Kind> = {
  collections: 'collection',
  policies: 'policy',
  roles: 'role',
  flows: 'flow',
  extensions: 'extension',
};

/** Which schema a template file must point its editor at. */
function kindOfFile(file: string): Kind {
  const parts = file.split(path.sep);
  if (parts[0] === 'environments') parts.splice(0, 2);
  if (parts.length === 1 && parts[0] === 'cairn.yaml') return 'cairn';
  const kind = kindOfFolder[parts[0] ?? ''];
  if (!kind) throw new Error(`unexpected file ${file}`);
  return kind;
}

interface Rejection {
  readonly name: string;
  readonly doc: unknown;
  readonly instancePath: string;
  readonly keyword: string;
}

function expectRejected(kind: Kind, { doc, instancePath, keyword }: Rejection): void {
  const errors = errorsOf(kind, doc);
  expect(errors.length, 'the document should be rejected').toBeGreaterThan(0);
  const found = errors.map((error) => ({ instancePath: error.instancePath, keyword: error.keyword }));
  expect(found).toContainEqual({ instancePath, keyword });
}

// ------------------------------------------------------------------ base documents

const cairnDoc = (extra: Doc = {}): Doc => ({ project: 'blog', environments: ['staging', 'production'], ...extra });

const collectionDoc = (fields: Doc = {}, extra: Doc = {}): Doc => ({
  collection: 'articles',
  fields: { title: { type: 'string', required: true, maxLength: 200 }, ...fields },
  ...extra,
});

const policyDoc = (permissions: Doc = {}, extra: Doc = {}): Doc => ({
  policy: 'editor',
  permissions: { articles: { read: { fields: '*' } }, ...permissions },
  ...extra,
});

const roleDoc = (extra: Doc = {}): Doc => ({ role: 'editor', policies: ['editor'], ...extra });

const eventTrigger = { type: 'event', mode: 'action', events: ['items.update'], collections: ['articles'] };
const logOperation = { key: 'log', type: 'log', message: 'hello' };
const flowDoc = (extra: Doc = {}): Doc => ({ flow: 'notify', trigger: eventTrigger, operations: [logOperation], ...extra });
const flowWithTrigger = (trigger: Doc): Doc => flowDoc({ trigger });
const flowWithOperation = (operation: Doc): Doc => flowDoc({ operations: [operation] });

const extensionDoc = (extra: Doc = {}): Doc => ({
  extension: 'slugify',
  type: 'hook',
  events: ['items.create'],
  collections: ['articles'],
  ...extra,
});

// ------------------------------------------------------------------ tests

describe('config JSON Schemas', () => {
  it('are draft-07 schemas with an $id, and compile in ajv strict mode', () => {
    expect(readdirSync(schemaDir).filter((name) => name.endsWith('.schema.json')).sort()).toEqual(
      KINDS.map((kind) => `${kind}.schema.json`).sort(),
    );
    for (const kind of KINDS) {
      const schema = loadSchema(kind);
      expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema['$id']).toBe(`https://cairn.dev/schemas/${kind}.schema.json`);
      // A fresh instance per schema: each one compiles on its own.
      expect(() => new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema)).not.toThrow();
    }
  });

  it('describe every property of the top-level objects (for editor hovers)', () => {
    const missing: string[] = [];
    const visit = (schema: unknown, where: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const node = schema as Record<string, unknown>;
      const properties = node['properties'];
      if (node['type'] === 'object' && typeof properties === 'object' && properties !== null) {
        for (const [key, value] of Object.entries(properties)) {
          if (typeof value !== 'object' || value === null) continue;
          const property = value as Record<string, unknown>;
          if (typeof property['description'] !== 'string' && typeof property['$ref'] !== 'string') missing.push(`${where}.${key}`);
          visit(property, `${where}.${key}`);
        }
      }
      for (const key of ['additionalProperties', 'items', 'definitions']) {
        const child = node[key];
        if (key === 'definitions' && typeof child === 'object' && child !== null) {
          for (const [name, definition] of Object.entries(child)) visit(definition, `${where}#${name}`);
        } else visit(child, where);
      }
    };
    for (const kind of KINDS) visit(loadSchema(kind), kind);
    expect(missing).toEqual([]);
  });
});

describe('the template repository', () => {
  for (const kind of KINDS) {
    it(`is valid: ${kind} files`, () => {
      const files = templateFiles(kind);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect({ file, errors: errorsOf(kind, readYaml(file)) }).toEqual({ file, errors: [] });
      }
    });
  }

  it('points every YAML file at its schema through a working relative path', () => {
    const files = ['cairn.yaml', ...['collections', 'policies', 'roles', 'flows', 'extensions', 'environments'].flatMap(allYamlFiles)];
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const firstLine = readFileSync(path.join(templateDir, file), 'utf8').split('\n')[0] ?? '';
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
      expect(match, `${file} must start with a yaml-language-server line`).not.toBeNull();
      const target = match?.[1] ?? '';
      const kind = kindOfFile(file);
      expect(path.posix.basename(target), file).toBe(`${kind}.schema.json`);
      expect(path.resolve(path.join(templateDir, path.dirname(file)), target), file).toBe(
        path.join(templateDir, '.schemas', `${kind}.schema.json`),
      );
      expect(existsSync(path.join(templateDir, path.dirname(file), target)), file).toBe(true);
    }
  });

  it('has the entry file of each extension', () => {
    for (const file of templateFiles('extension')) {
      const doc = readYaml(file) as Doc;
      const entry = typeof doc['entry'] === 'string' ? doc['entry'] : 'index.js';
      expect(existsSync(path.join(templateDir, path.dirname(file), entry)), file).toBe(true);
    }
  });
});

describe('cairn.schema.json', () => {
  it('accepts a full project file', () => {
    expect(
      errorsOf(
        'cairn',
        cairnDoc({
          note: 'x',
          database: { schema: 'content' },
          audit: { repository: '.cairn/audit.git', remote: '$env.AUDIT_REMOTE_URL', branch: 'main', push: false },
        }),
      ),
    ).toEqual([]);
  });

  const rejections: Rejection[] = [
    { name: 'misspelled key', doc: cairnDoc({ enviroments: ['staging'] }), instancePath: '', keyword: 'additionalProperties' },
    { name: 'missing project', doc: { environments: [] }, instancePath: '', keyword: 'required' },
    { name: 'project name with capitals', doc: cairnDoc({ project: 'Blog' }), instancePath: '/project', keyword: 'pattern' },
    { name: 'project name too long', doc: cairnDoc({ project: 'a'.repeat(64) }), instancePath: '/project', keyword: 'maxLength' },
    { name: 'schema not an identifier', doc: cairnDoc({ database: { schema: '1st' } }), instancePath: '/database/schema', keyword: 'pattern' },
    { name: 'unknown database key', doc: cairnDoc({ database: { url: 'postgres://' } }), instancePath: '/database', keyword: 'additionalProperties' },
    { name: 'push not a boolean', doc: cairnDoc({ audit: { push: 'yes' } }), instancePath: '/audit/push', keyword: 'type' },
    { name: 'misspelled audit key', doc: cairnDoc({ audit: { remotes: 'x' } }), instancePath: '/audit', keyword: 'additionalProperties' },
    { name: 'branch with a space', doc: cairnDoc({ audit: { branch: 'my branch' } }), instancePath: '/audit/branch', keyword: 'pattern' },
    { name: 'duplicate environment', doc: cairnDoc({ environments: ['staging', 'staging'] }), instancePath: '/environments', keyword: 'uniqueItems' },
    { name: 'environment name with capitals', doc: cairnDoc({ environments: ['Prod'] }), instancePath: '/environments/0', keyword: 'pattern' },
    { name: 'environments not a list', doc: cairnDoc({ environments: 'staging' }), instancePath: '/environments', keyword: 'type' },
  ];
  it.each(rejections)('rejects: $name', (rejection) => expectRejected('cairn', rejection));
});

describe('collection.schema.json', () => {
  it('accepts every field type with every option it allows', () => {
    const doc = collectionDoc(
      {
        s: { type: 'string', note: 'n', required: true, nullable: false, unique: true, index: true, default: 'a', maxLength: 10, enum: ['a', 'b'], renamedFrom: 'old_s' },
        t: { type: 'text', default: '' },
        b: { type: 'boolean', nullable: false, default: false },
        i: { type: 'integer', default: 0, enum: [0, 1, 2] },
        bi: { type: 'bigInteger', default: 9007199254740991 },
        f: { type: 'float', default: 1.5 },
        d: { type: 'decimal', precision: 10, scale: 2, default: 19.99 },
        da: { type: 'date', default: '2024-01-31', special: 'date-created' },
        ti: { type: 'time', default: '12:30:00' },
        dt: { type: 'dateTime', default: '2024-01-31T12:30:00', special: 'date-updated' },
        ts: { type: 'timestamp', default: '2024-01-31T12:30:00Z', special: 'date-created' },
        j: { type: 'json', default: { a: [1] } },
        u: { type: 'uuid', special: 'user-created', unique: true },
        u2: { type: 'uuid', default: '6f1c0b7e-3a4e-4d2f-9b8a-1c2d3e4f5a6b' },
        h: { type: 'hash', required: true },
        c: { type: 'csv', default: ['a', 'b'] },
        author: { type: 'm2o', related: 'authors', onDelete: 'cascade', required: true, unique: true, index: true },
        comments: { type: 'o2m', related: 'comments', foreignKey: 'article', note: 'n' },
        tags: { type: 'm2m', related: 'tags' },
        links: { type: 'm2m', related: 'articles', through: 'article_links', sourceField: 'from', targetField: 'to' },
      },
      {
        note: 'Blog posts',
        primaryKey: { field: 'id', type: 'uuid' },
        singleton: false,
        sortField: 'i',
        archive: { field: 's', value: 'b' },
        versioning: true,
        accountability: 'activity',
        renamedFrom: 'posts',
      },
    );
    expect(errorsOf('collection', doc)).toEqual([]);
  });

  const rejections: Rejection[] = [
    { name: 'misspelled top-level key', doc: collectionDoc({}, { colection: 'x' }), instancePath: '', keyword: 'additionalProperties' },
    { name: 'missing collection name', doc: { fields: {} }, instancePath: '', keyword: 'required' },
    { name: 'collection name not an identifier', doc: collectionDoc({}, { collection: 'blog-posts' }), instancePath: '/collection', keyword: 'pattern' },
    { name: 'collection name too long', doc: collectionDoc({}, { collection: 'a'.repeat(64) }), instancePath: '/collection', keyword: 'maxLength' },
    { name: 'field name not an identifier', doc: collectionDoc({ '1st': { type: 'text' } }), instancePath: '/fields', keyword: 'propertyNames' },
    { name: 'misspelled field option', doc: collectionDoc({ body: { type: 'string', maxLenght: 20 } }), instancePath: '/fields/body', keyword: 'additionalProperties' },
    { name: 'missing field type', doc: collectionDoc({ body: { required: true } }), instancePath: '/fields/body', keyword: 'required' },
    { name: 'unknown field type', doc: collectionDoc({ body: { type: 'varchar' } }), instancePath: '/fields/body/type', keyword: 'enum' },
    { name: 'maxLength on text', doc: collectionDoc({ body: { type: 'text', maxLength: 20 } }), instancePath: '/fields/body/maxLength', keyword: 'false schema' },
    { name: 'precision on string', doc: collectionDoc({ body: { type: 'string', precision: 5 } }), instancePath: '/fields/body/precision', keyword: 'false schema' },
    { name: 'enum on boolean', doc: collectionDoc({ ok: { type: 'boolean', enum: [true] } }), instancePath: '/fields/ok/enum', keyword: 'false schema' },
    { name: 'integer values in a string enum', doc: collectionDoc({ st: { type: 'string', enum: [1, 2] } }), instancePath: '/fields/st/enum/0', keyword: 'type' },
    { name: 'maxLength 0', doc: collectionDoc({ st: { type: 'string', maxLength: 0 } }), instancePath: '/fields/st/maxLength', keyword: 'minimum' },
    { name: 'boolean default on a boolean field given as a string', doc: collectionDoc({ ok: { type: 'boolean', default: 'yes' } }), instancePath: '/fields/ok/default', keyword: 'type' },
    { name: 'fractional default on an integer field', doc: collectionDoc({ n: { type: 'integer', default: 1.5 } }), instancePath: '/fields/n/default', keyword: 'type' },
    { name: 'default on hash', doc: collectionDoc({ pw: { type: 'hash', default: 'secret' } }), instancePath: '/fields/pw/default', keyword: 'false schema' },
    { name: 'date default not a date', doc: collectionDoc({ day: { type: 'date', default: 'today' } }), instancePath: '/fields/day/default', keyword: 'pattern' },
    { name: 'special on a string', doc: collectionDoc({ by: { type: 'string', special: 'user-created' } }), instancePath: '/fields/by/special', keyword: 'false schema' },
    { name: 'user-created on a timestamp', doc: collectionDoc({ at: { type: 'timestamp', special: 'user-created' } }), instancePath: '/fields/at/special', keyword: 'enum' },
    { name: 'date-created on a uuid', doc: collectionDoc({ by: { type: 'uuid', special: 'date-created' } }), instancePath: '/fields/by/special', keyword: 'enum' },
    { name: 'm2o without related', doc: collectionDoc({ author: { type: 'm2o' } }), instancePath: '/fields/author', keyword: 'required' },
    { name: 'o2m without foreignKey', doc: collectionDoc({ comments: { type: 'o2m', related: 'comments' } }), instancePath: '/fields/comments', keyword: 'required' },
    { name: 'unknown onDelete', doc: collectionDoc({ author: { type: 'm2o', related: 'authors', onDelete: 'delete' } }), instancePath: '/fields/author/onDelete', keyword: 'enum' },
    { name: 'onDelete on o2m', doc: collectionDoc({ comments: { type: 'o2m', related: 'comments', foreignKey: 'article', onDelete: 'cascade' } }), instancePath: '/fields/comments/onDelete', keyword: 'false schema' },
    { name: 'required on m2m', doc: collectionDoc({ tags: { type: 'm2m', related: 'tags', required: true } }), instancePath: '/fields/tags/required', keyword: 'false schema' },
    { name: 'foreignKey on m2o', doc: collectionDoc({ author: { type: 'm2o', related: 'authors', foreignKey: 'id' } }), instancePath: '/fields/author/foreignKey', keyword: 'false schema' },
    { name: 'sourceField without through', doc: collectionDoc({ tags: { type: 'm2m', related: 'tags', sourceField: 'article' } }), instancePath: '/fields/tags', keyword: 'dependencies' },
    { name: 'required and nullable', doc: collectionDoc({ st: { type: 'string', required: true, nullable: true } }), instancePath: '/fields/st/nullable', keyword: 'const' },
    { name: 'unknown primary key type', doc: collectionDoc({}, { primaryKey: { field: 'id', type: 'serial' } }), instancePath: '/primaryKey/type', keyword: 'enum' },
    { name: 'unknown accountability', doc: collectionDoc({}, { accountability: 'full' }), instancePath: '/accountability', keyword: 'enum' },
    { name: 'archive without value', doc: collectionDoc({}, { archive: { field: 'status' } }), instancePath: '/archive', keyword: 'required' },
    { name: 'versioning not a boolean', doc: collectionDoc({}, { versioning: 'yes' }), instancePath: '/versioning', keyword: 'type' },
  ];
  it.each(rejections)('rejects: $name', (rejection) => expectRejected('collection', rejection));
});

describe('policy.schema.json', () => {
  it('accepts an admin policy, and every action with its options', () => {
    expect(errorsOf('policy', { policy: 'admins', adminAccess: true, appAccess: true })).toEqual([]);
    const doc = policyDoc(
      {
        comments: {
          create: { fields: ['body'], validation: { body: { _nnull: true } }, presets: { status: 'new' } },
          read: { fields: ['id', 'body'], filter: { status: { _eq: 'ok' } } },
          update: { fields: '*', filter: { user_created: { _eq: '$CURRENT_USER' } }, validation: {}, presets: {} },
          delete: { filter: { status: { _eq: 'new' } } },
        },
      },
      { note: 'n', public: false, adminAccess: false, appAccess: true, ipAccess: ['10.0.0.0/8', '192.168.1.10', '::1', '10.0.0.1-10.0.0.9'] },
    );
    expect(errorsOf('policy', doc)).toEqual([]);
  });

  const rejections: Rejection[] = [
    { name: 'misspelled key', doc: { policy: 'editor', permisions: {} }, instancePath: '', keyword: 'additionalProperties' },
    { name: 'missing policy name', doc: { permissions: {} }, instancePath: '', keyword: 'required' },
    { name: 'policy name with capitals', doc: policyDoc({}, { policy: 'Editor' }), instancePath: '/policy', keyword: 'pattern' },
    { name: 'public not a boolean', doc: policyDoc({}, { public: 'yes' }), instancePath: '/public', keyword: 'type' },
    { name: 'adminAccess with permissions', doc: policyDoc({}, { adminAccess: true }), instancePath: '/permissions', keyword: 'false schema' },
    { name: 'public admin policy', doc: { policy: 'anyone', adminAccess: true, public: true }, instancePath: '/public', keyword: 'const' },
    { name: 'ipAccess entry not an address', doc: policyDoc({}, { ipAccess: ['localhost'] }), instancePath: '/ipAccess/0', keyword: 'pattern' },
    { name: 'empty ipAccess', doc: policyDoc({}, { ipAccess: [] }), instancePath: '/ipAccess', keyword: 'minItems' },
    { name: 'collection name not an identifier', doc: policyDoc({ 'blog-posts': { read: { fields: '*' } } }), instancePath: '/permissions', keyword: 'propertyNames' },
    { name: 'unknown action', doc: policyDoc({ articles: { share: { fields: '*' } } }), instancePath: '/permissions/articles', keyword: 'additionalProperties' },
    { name: 'no action', doc: policyDoc({ articles: {} }), instancePath: '/permissions/articles', keyword: 'minProperties' },
    { name: 'filter on create', doc: policyDoc({ articles: { create: { fields: '*', filter: { id: { _eq: 1 } } } } }), instancePath: '/permissions/articles/create', keyword: 'additionalProperties' },
    { name: 'validation on read', doc: policyDoc({ articles: { read: { fields: '*', validation: {} } } }), instancePath: '/permissions/articles/read', keyword: 'additionalProperties' },
    { name: 'presets on delete', doc: policyDoc({ articles: { delete: { presets: {} } } }), instancePath: '/permissions/articles/delete', keyword: 'additionalProperties' },
    { name: 'read without fields', doc: policyDoc({ articles: { read: { filter: {} } } }), instancePath: '/permissions/articles/read', keyword: 'required' },
    { name: 'fields as a word other than *', doc: policyDoc({ articles: { read: { fields: 'all' } } }), instancePath: '/permissions/articles/read/fields', keyword: 'const' },
    { name: 'field name not an identifier', doc: policyDoc({ articles: { read: { fields: ['author.name'] } } }), instancePath: '/permissions/articles/read/fields/0', keyword: 'pattern' },
    { name: 'empty fields list', doc: policyDoc({ articles: { read: { fields: [] } } }), instancePath: '/permissions/articles/read/fields', keyword: 'minItems' },
    { name: 'filter as a string', doc: policyDoc({ articles: { read: { fields: '*', filter: 'status = published' } } }), instancePath: '/permissions/articles/read/filter', keyword: 'type' },
  ];
  it.each(rejections)('rejects: $name', (rejection) => expectRejected('policy', rejection));
});

describe('role.schema.json', () => {
  it('accepts a role with a parent and no policies of its own', () => {
    expect(errorsOf('role', { role: 'chief', note: 'n', parent: 'editor' })).toEqual([]);
  });

  const rejections: Rejection[] = [
    { name: 'misspelled key', doc: roleDoc({ polices: ['editor'] }), instancePath: '', keyword: 'additionalProperties' },
    { name: 'missing role name', doc: { policies: [] }, instancePath: '', keyword: 'required' },
    { name: 'role name with capitals', doc: roleDoc({ role: 'Editor' }), instancePath: '/role', keyword: 'pattern' },
    { name: 'role name too long', doc: roleDoc({ role: 'r'.repeat(64) }), instancePath: '/role', keyword: 'maxLength' },
    { name: 'policies not a list', doc: roleDoc({ policies: 'editor' }), instancePath: '/policies', keyword: 'type' },
    { name: 'duplicate policy', doc: roleDoc({ policies: ['editor', 'editor'] }), instancePath: '/policies', keyword: 'uniqueItems' },
    { name: 'policy name with a space', doc: roleDoc({ policies: ['chief editor'] }), instancePath: '/policies/0', keyword: 'pattern' },
    { name: 'parent not a name', doc: roleDoc({ parent: 7 }), instancePath: '/parent', keyword: 'type' },
    { name: 'note not text', doc: roleDoc({ note: ['a'] }), instancePath: '/note', keyword: 'type' },
  ];
  it.each(rejections)('rejects: $name', (rejection) => expectRejected('role', rejection));
});

describe('flow.schema.json', () => {
  it('accepts every trigger type', () => {
    const triggers: Doc[] = [
      { ...eventTrigger, mode: 'filter', events: ['items.create', 'items.update', 'items.delete'] },
      { type: 'schedule', cron: '*/15 * * * *' },
      { type: 'schedule', cron: '0 0 3 * * *' },
      { type: 'webhook', method: 'POST', async: true },
      { type: 'webhook' },
      { type: 'manual', collections: ['articles'], requireConfirmation: true },
      { type: 'flow' },
    ];
    for (const trigger of triggers) expect(errorsOf('flow', flowWithTrigger(trigger))).toEqual([]);
  });

  it('accepts every operation type with its options', () => {
    const doc = flowDoc({
      note: 'n',
      status: 'inactive',
      accountability: 'none',
      operations: [
        { key: 'check', type: 'condition', filter: { $trigger: { payload: { status: { _eq: 'published' } } } }, resolve: 'shape', reject: 'fail' },
        { key: 'shape', type: 'transform', json: { id: '{{ $trigger.keys[0] }}' }, resolve: 'create' },
        { key: 'create', type: 'item-create', collection: 'logs', payload: { message: 'x' }, emitEvents: true, permissions: '$full' },
        { key: 'read', type: 'item-read', collection: 'articles', keys: [1, 2], query: { fields: ['id', 'title'], sort: ['-id'], limit: 10 }, permissions: 'editor' },
        { key: 'read_all', type: 'item-read', collection: 'articles' },
        { key: 'update', type: 'item-update', collection: 'articles', keys: '{{ $trigger.keys }}', payload: { views: 0 }, permissions: '$trigger' },
        { key: 'update_many', type: 'item-update', collection: 'articles', query: { filter: { status: { _eq: 'draft' } } }, payload: '{{ shape }}' },
        { key: 'delete', type: 'item-delete', collection: 'articles', keys: 3, emitEvents: false, permissions: '$public' },
        { key: 'call', type: 'request', method: 'PATCH', url: 'https://example.com/hook', headers: { 'Content-Type': 'application/json' }, body: { a: 1 } },
        { key: 'child', type: 'trigger-flow', flow: 'other-flow', payload: [{ a: 1 }], iterationMode: 'serial' },
        { key: 'wait', type: 'sleep', milliseconds: 1000 },
        { key: 'fail', type: 'throw', message: 'Not allowed', code: 'INVALID_PAYLOAD', status: 400 },
        { key: 'run', type: 'exec', extension: 'my-operation', options: { a: 1 } },
        { key: 'done', type: 'log', message: 'done: {{ $last }}' },
      ],
    });
    expect(errorsOf('flow', doc)).toEqual([]);
  });

  const rejections: Rejection[] = [
    { name: 'misspelled key', doc: flowDoc({ operation: [] }), instancePath: '', keyword: 'additionalProperties' },
    { name: 'missing trigger', doc: { flow: 'x', operations: [logOperation] }, instancePath: '', keyword: 'required' },
    { name: 'flow name with capitals', doc: flowDoc({ flow: 'Notify' }), instancePath: '/flow', keyword: 'pattern' },
    { name: 'unknown status', doc: flowDoc({ status: 'paused' }), instancePath: '/status', keyword: 'enum' },
    { name: 'unknown trigger type', doc: flowWithTrigger({ type: 'cron', cron: '* * * * *' }), instancePath: '/trigger/type', keyword: 'enum' },
    { name: 'event trigger without mode', doc: flowWithTrigger({ type: 'event', events: ['items.create'], collections: ['articles'] }), instancePath: '/trigger', keyword: 'required' },
    { name: 'unknown event mode', doc: flowWithTrigger({ ...eventTrigger, mode: 'before' }), instancePath: '/trigger/mode', keyword: 'enum' },
    { name: 'unknown event', doc: flowWithTrigger({ ...eventTrigger, events: ['items.promote'] }), instancePath: '/trigger/events/0', keyword: 'enum' },
    { name: 'no events', doc: flowWithTrigger({ ...eventTrigger, events: [] }), instancePath: '/trigger/events', keyword: 'minItems' },
    { name: 'cron on an event trigger', doc: flowWithTrigger({ ...eventTrigger, cron: '* * * * *' }), instancePath: '/trigger/cron', keyword: 'false schema' },
    { name: 'schedule without cron', doc: flowWithTrigger({ type: 'schedule' }), instancePath: '/trigger', keyword: 'required' },
    { name: 'cron with 4 fields', doc: flowWithTrigger({ type: 'schedule', cron: '0 3 * *' }), instancePath: '/trigger/cron', keyword: 'pattern' },
    { name: 'collections on a schedule trigger', doc: flowWithTrigger({ type: 'schedule', cron: '0 3 * * *', collections: ['articles'] }), instancePath: '/trigger/collections', keyword: 'false schema' },
    { name: 'webhook method PUT', doc: flowWithTrigger({ type: 'webhook', method: 'PUT' }), instancePath: '/trigger/method', keyword: 'enum' },
    { name: 'webhook async as a string', doc: flowWithTrigger({ type: 'webhook', async: 'true' }), instancePath: '/trigger/async', keyword: 'type' },
    { name: 'manual trigger without collections', doc: flowWithTrigger({ type: 'manual' }), instancePath: '/trigger', keyword: 'required' },
    { name: 'mode on a flow trigger', doc: flowWithTrigger({ type: 'flow', mode: 'action' }), instancePath: '/trigger/mode', keyword: 'false schema' },
    { name: 'no operations', doc: flowDoc({ operations: [] }), instancePath: '/operations', keyword: 'minItems' },
    { name: 'operation without key', doc: flowWithOperation({ type: 'log', message: 'x' }), instancePath: '/operations/0', keyword: 'required' },
    { name: 'operation key with capitals', doc: flowWithOperation({ ...logOperation, key: 'Log' }), instancePath: '/operations/0/key', keyword: 'pattern' },
    { name: 'unknown operation type', doc: flowWithOperation({ key: 'mail', type: 'mail', to: 'a@b.c' }), instancePath: '/operations/0/type', keyword: 'enum' },
    { name: 'misspelled operation option', doc: flowWithOperation({ ...logOperation, mesage: 'x' }), instancePath: '/operations/0', keyword: 'additionalProperties' },
    { name: 'request without url', doc: flowWithOperation({ key: 'call', type: 'request', method: 'POST' }), instancePath: '/operations/0', keyword: 'required' },
    { name: 'url on a log operation', doc: flowWithOperation({ ...logOperation, url: 'https://example.com' }), instancePath: '/operations/0/url', keyword: 'false schema' },
    { name: 'payload on a condition', doc: flowWithOperation({ key: 'c', type: 'condition', filter: {}, payload: {} }), instancePath: '/operations/0/payload', keyword: 'false schema' },
    { name: 'permissions on a request', doc: flowWithOperation({ key: 'call', type: 'request', url: 'https://example.com', permissions: '$full' }), instancePath: '/operations/0/permissions', keyword: 'false schema' },
    { name: 'unknown request method', doc: flowWithOperation({ key: 'call', type: 'request', url: 'https://example.com', method: 'FETCH' }), instancePath: '/operations/0/method', keyword: 'enum' },
    { name: 'request url not http', doc: flowWithOperation({ key: 'call', type: 'request', url: 'ftp://example.com' }), instancePath: '/operations/0/url', keyword: 'pattern' },
    { name: 'sleep too long', doc: flowWithOperation({ key: 'wait', type: 'sleep', milliseconds: 3600001 }), instancePath: '/operations/0/milliseconds', keyword: 'maximum' },
    { name: 'throw with a 3xx status', doc: flowWithOperation({ key: 'fail', type: 'throw', message: 'x', status: 302 }), instancePath: '/operations/0/status', keyword: 'minimum' },
    { name: 'resolve after throw', doc: flowWithOperation({ key: 'fail', type: 'throw', message: 'x', resolve: 'next' }), instancePath: '/operations/0/resolve', keyword: 'false schema' },
    { name: 'item-update by keys and query', doc: flowWithOperation({ key: 'u', type: 'item-update', collection: 'articles', payload: {}, keys: [1], query: {} }), instancePath: '/operations/0', keyword: 'oneOf' },
    { name: 'item-delete by neither keys nor query', doc: flowWithOperation({ key: 'd', type: 'item-delete', collection: 'articles' }), instancePath: '/operations/0', keyword: 'oneOf' },
    { name: 'item-create without payload', doc: flowWithOperation({ key: 'c', type: 'item-create', collection: 'articles' }), instancePath: '/operations/0', keyword: 'required' },
    { name: 'unknown query key', doc: flowWithOperation({ key: 'r', type: 'item-read', collection: 'articles', query: { where: {} } }), instancePath: '/operations/0/query', keyword: 'additionalProperties' },
    { name: 'unknown iterationMode', doc: flowWithOperation({ key: 't', type: 'trigger-flow', flow: 'other', iterationMode: 'sequential' }), instancePath: '/operations/0/iterationMode', keyword: 'enum' },
    { name: 'exec without extension', doc: flowWithOperation({ key: 'x', type: 'exec', options: {} }), instancePath: '/operations/0', keyword: 'required' },
  ];
  it.each(rejections)('rejects: $name', (rejection) => expectRejected('flow', rejection));
});

describe('extension.schema.json', () => {
  it('accepts an endpoint and an operation bundle', () => {
    expect(errorsOf('extension', { extension: 'stats', type: 'endpoint', route: '/stats/v1', entry: 'src/main.mjs' })).toEqual([]);
    expect(
      errorsOf('extension', {
        extension: 'score',
        type: 'operation',
        limits: { memoryMb: 256, timeoutMs: 10000 },
        grants: { items: { articles: ['read', 'update'] }, requests: ['https://api.example.com/'], env: ['SCORE_KEY'] },
      }),
    ).toEqual([]);
  });

  const rejections: Rejection[] = [
    { name: 'misspelled key', doc: extensionDoc({ grant: {} }), instancePath: '', keyword: 'additionalProperties' },
    { name: 'missing type', doc: { extension: 'slugify' }, instancePath: '', keyword: 'required' },
    { name: 'extension name with capitals', doc: extensionDoc({ extension: 'Slugify' }), instancePath: '/extension', keyword: 'pattern' },
    { name: 'unknown type', doc: extensionDoc({ type: 'filter' }), instancePath: '/type', keyword: 'enum' },
    { name: 'hook without events', doc: { extension: 'slugify', type: 'hook', collections: ['articles'] }, instancePath: '', keyword: 'required' },
    { name: 'route on a hook', doc: extensionDoc({ route: '/slugify' }), instancePath: '/route', keyword: 'false schema' },
    { name: 'events on an endpoint', doc: { extension: 'stats', type: 'endpoint', events: ['items.create'] }, instancePath: '/events', keyword: 'false schema' },
    { name: 'collections on an operation', doc: { extension: 'score', type: 'operation', collections: ['articles'] }, instancePath: '/collections', keyword: 'false schema' },
    { name: 'route without a leading slash', doc: { extension: 'stats', type: 'endpoint', route: 'stats' }, instancePath: '/route', keyword: 'pattern' },
    { name: 'entry outside the folder', doc: extensionDoc({ entry: '../other/index.js' }), instancePath: '/entry', keyword: 'pattern' },
    { name: 'memory over 256 MB', doc: extensionDoc({ limits: { memoryMb: 512 } }), instancePath: '/limits/memoryMb', keyword: 'maximum' },
    { name: 'timeout of 0', doc: extensionDoc({ limits: { timeoutMs: 0 } }), instancePath: '/limits/timeoutMs', keyword: 'minimum' },
    { name: 'unknown limit', doc: extensionDoc({ limits: { cpu: 1 } }), instancePath: '/limits', keyword: 'additionalProperties' },
    { name: 'unknown item action', doc: extensionDoc({ grants: { items: { articles: ['write'] } } }), instancePath: '/grants/items/articles/0', keyword: 'enum' },
    { name: 'duplicate item action', doc: extensionDoc({ grants: { items: { articles: ['read', 'read'] } } }), instancePath: '/grants/items/articles', keyword: 'uniqueItems' },
    { name: 'request grant not http', doc: extensionDoc({ grants: { requests: ['api.example.com'] } }), instancePath: '/grants/requests/0', keyword: 'pattern' },
    { name: 'env grant in lower case', doc: extensionDoc({ grants: { env: ['slug_salt'] } }), instancePath: '/grants/env/0', keyword: 'pattern' },
  ];
  it.each(rejections)('rejects: $name', (rejection) => expectRejected('extension', rejection));
});
