/**
 * exportRepository() on hand-made states: how column types, nullability,
 * defaults, keys, relations, uniques and indexes map to collection files;
 * what is left out with a warning; the renames adopt.sql holds; and, without
 * a database, that a state Cairn itself would create exports to a repository
 * that loads cleanly and plans back to the very same state.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createSchemaValidator, loadConfig, type ConfigSource } from '../../../src/config/index.ts';
import { desiredState, diff, exportRepository, renderAdoptSql, type ColumnState, type DatabaseState, type TableState } from '../../../src/reconcile/index.ts';
import { modelOf as model } from '../../helpers/models.ts';

function column(name: string, type: string, extra: Partial<ColumnState> = {}): ColumnState {
  return { name, type, nullable: true, default: null, identity: null, ...extra };
}

function table(name: string, columns: ColumnState[], extra: Partial<TableState> = {}): TableState {
  return {
    name,
    columns: Object.fromEntries(columns.map((c) => [c.name, c])),
    primaryKey: { name: `${name}_pkey`, columns: [columns[0]!.name] },
    uniques: {},
    foreignKeys: {},
    indexes: {},
    ...extra,
  };
}

const id = (extra: Partial<ColumnState> = {}) => column('id', 'integer', { nullable: false, identity: 'by default', ...extra });

function stateOf(...tables: TableState[]): DatabaseState {
  return { schema: 'public', tables: Object.fromEntries(tables.map((t) => [t.name, t])) };
}

/** The parsed collection document of one exported table. */
function collectionDoc(files: Record<string, string>, name: string): Record<string, any> {
  const text = files[`collections/${name}.yaml`];
  expect(text, `collections/${name}.yaml`).toBeDefined();
  return parse(text!) as Record<string, any>;
}

function memorySource(files: Record<string, string>): ConfigSource {
  return {
    description: 'export',
    commit: undefined,
    ref: undefined,
    listFiles: async () => Object.keys(files).sort(),
    readText: async (path) => files[path]!,
  };
}


describe('column types', () => {
  const mapped: [string, Record<string, unknown>][] = [
    ['character varying(200)', { type: 'string', maxLength: 200 }],
    ['character varying(255)', { type: 'string', maxLength: 255 }],
    ['text', { type: 'text' }],
    ['boolean', { type: 'boolean' }],
    ['integer', { type: 'integer' }],
    ['bigint', { type: 'bigInteger' }],
    ['double precision', { type: 'float' }],
    ['numeric(10,2)', { type: 'decimal', precision: 10, scale: 2 }],
    ['date', { type: 'date' }],
    ['time without time zone', { type: 'time' }],
    ['timestamp without time zone', { type: 'dateTime' }],
    ['timestamp with time zone', { type: 'timestamp' }],
    ['jsonb', { type: 'json' }],
    ['uuid', { type: 'uuid' }],
    ['text[]', { type: 'csv' }],
  ];
  it.each(mapped)('%s → %o', (type, field) => {
    const { files, warnings, adopt } = exportRepository(stateOf(table('things', [id(), column('value', type)])), { project: 'p' });
    expect(collectionDoc(files, 'things').fields.value).toEqual(field);
    expect(warnings).toEqual([]);
    expect(adopt).toEqual([]);
  });

  const unsupported = ['json', 'smallint', 'real', 'mood', 'public.mood', 'numeric', 'character varying', 'character(2)', 'timestamp(3) with time zone', 'integer[]', 'bytea', 'interval'];
  it.each(unsupported)('%s: the column is left out, with a warning naming table.column and the type', (type) => {
    const { files, warnings } = exportRepository(stateOf(table('things', [id(), column('value', type), column('kept', 'text')])), { project: 'p' });
    expect(collectionDoc(files, 'things').fields).toEqual({ kept: { type: 'text' } });
    expect(warnings).toEqual([`things.value: not exported: its type ${type} has no Cairn field type; the column stays as it is, unmanaged`]);
  });

  it('says when a left-out column will make creating items fail', () => {
    const { warnings } = exportRepository(stateOf(table('things', [id(), column('value', 'smallint', { nullable: false })])), { project: 'p' });
    expect(warnings[0]).toContain('NOT NULL without a default: creating items through Cairn fails');
  });

  it('leaves out identity columns that are not the key', () => {
    const { files, warnings } = exportRepository(stateOf(table('things', [id(), column('position', 'bigint', { nullable: false, identity: 'by default' })])), { project: 'p' });
    expect(collectionDoc(files, 'things').fields).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^things\.position: not exported: it is an identity column \(bigint\)/)]);
  });
});

describe('nullability', () => {
  it('NOT NULL without a default is required; with a default it is nullable: false', () => {
    const { files } = exportRepository(
      stateOf(table('things', [id(), column('a', 'text', { nullable: false }), column('b', 'text', { nullable: false, default: "'x'::text" }), column('c', 'text')])),
      { project: 'p' },
    );
    expect(collectionDoc(files, 'things').fields).toEqual({
      a: { type: 'text', required: true },
      b: { type: 'text', nullable: false, default: 'x' },
      c: { type: 'text' },
    });
  });
});

describe('defaults', () => {
  const mapped: [string, string, Record<string, unknown>][] = [
    ['character varying(20)', "'draft'::character varying", { default: 'draft' }],
    ['character varying(20)', "'it''s'::character varying", { default: "it's" }],
    ['text', "''::text", { default: '' }],
    ['integer', '0', { default: 0 }],
    ['integer', "'-1'::integer", { default: -1 }],
    ['bigint', "'9007199254740991'::bigint", { default: 9007199254740991 }],
    ['double precision', '1.5', { default: 1.5 }],
    ['numeric(10,2)', '0.00', { default: 0 }],
    ['numeric(5,1)', "'-2.5'::numeric", { default: -2.5 }],
    ['boolean', 'true', { default: true }],
    ['boolean', 'false', { default: false }],
    ['jsonb', `'{"a": 1}'::jsonb`, { default: { a: 1 } }],
    ['jsonb', "'[]'::jsonb", { default: [] }],
    ['text[]', "'{}'::text[]", { default: [] }],
    ['date', "'2024-01-01'::date", { default: '2024-01-01' }],
    ['time without time zone', "'12:00:00'::time without time zone", { default: '12:00:00' }],
    ['timestamp without time zone', "'2024-01-01 10:00:00'::timestamp without time zone", { default: '2024-01-01 10:00:00' }],
    ['timestamp with time zone', "'2024-01-01 00:00:00+00'::timestamp with time zone", { default: '2024-01-01 00:00:00+00' }],
    ['uuid', "'00000000-0000-4000-8000-000000000000'::uuid", { default: '00000000-0000-4000-8000-000000000000' }],
    ['timestamp with time zone', 'now()', { special: 'date-created' }],
    ['timestamp without time zone', 'CURRENT_TIMESTAMP', { special: 'date-created' }],
    ['date', 'now()', { special: 'date-created' }],
    ['uuid', 'gen_random_uuid()', { special: 'uuid' }],
  ];
  it.each(mapped)('%s default %s → %o', (type, expression, options) => {
    const { files, warnings } = exportRepository(stateOf(table('things', [id(), column('value', type, { default: expression })])), { project: 'p' });
    const field = collectionDoc(files, 'things').fields.value;
    expect(field).toMatchObject(options);
    expect('default' in field).toBe('default' in options);
    expect(warnings).toEqual([]);
  });

  const refused: [string, string][] = [
    ['integer', "nextval('counter_seq'::regclass)"],
    ['text', "lower('X'::text)"],
    ['date', 'CURRENT_DATE'],
    ['bigint', "'9007199254740993'::bigint"],
    ['numeric(30,20)', '0.12345678901234567890'],
    ['character varying(2)', "'toolong'::character varying"],
    ['text', 'now()'],
    ['timestamp with time zone', "(now() + '1 day'::interval)"],
  ];
  it.each(refused)('%s default %s: the column is left out rather than planned with another default', (type, expression) => {
    const { files, warnings } = exportRepository(stateOf(table('things', [id(), column('value', type, { default: expression })])), { project: 'p' });
    expect(collectionDoc(files, 'things').fields).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^things\.value: not exported: its default cannot be expressed: .*; the column stays as it is, unmanaged$/);
  });
});

describe('tables and keys', () => {
  it('leaves out tables without a single-column primary key of a Cairn key type, and names that Cairn refuses', () => {
    const { files, warnings } = exportRepository(
      stateOf(
        table('no_key', [column('a', 'text')], { primaryKey: null }),
        table('pairs', [column('a', 'integer', { nullable: false }), column('b', 'integer', { nullable: false })], { primaryKey: { name: 'pairs_pkey', columns: ['a', 'b'] } }),
        table('coded', [column('code', 'text', { nullable: false })]),
        table('short_codes', [column('code', 'character varying(10)', { nullable: false })]),
        table('Bad-Name', [id()]),
        table('ok', [id()]),
      ),
      { project: 'p' },
    );
    expect(Object.keys(files)).toEqual(['cairn.yaml', 'collections/ok.yaml']);
    expect(warnings).toEqual([
      'Bad-Name: not exported: "Bad-Name" is not a name Cairn accepts (a letter or _, then letters, digits or _)',
      "coded: not exported: its primary key code is text; Cairn keys are integer, bigint, uuid or character varying(255)",
      'no_key: not exported: it has no primary key',
      "pairs: not exported: its primary key spans several columns (a, b); Cairn needs a single-column key",
      "short_codes: not exported: its primary key code is character varying(10); Cairn keys are integer, bigint, uuid or character varying(255)",
    ]);
  });

  it('maps the key types: integer and bigint identities, uuid, varchar(255)', () => {
    const { files, adopt } = exportRepository(
      stateOf(
        table('a', [id()]),
        table('b', [column('key', 'bigint', { nullable: false, identity: 'by default' })]),
        table('c', [column('uid', 'uuid', { nullable: false, default: 'gen_random_uuid()' })]),
        table('d', [column('code', 'character varying(255)', { nullable: false })]),
      ),
      { project: 'p' },
    );
    expect(['a', 'b', 'c', 'd'].map((name) => collectionDoc(files, name).primaryKey)).toEqual([
      { field: 'id', type: 'integer' },
      { field: 'key', type: 'bigInteger' },
      { field: 'uid', type: 'uuid' },
      { field: 'code', type: 'string' },
    ]);
    expect(adopt).toEqual([]);
  });

  it('turns serial keys into identities, continuing the sequence, in adopt.sql', () => {
    const { adopt } = exportRepository(stateOf(table('orders', [id({ identity: null, default: "nextval('orders_id_seq'::regclass)" })])), { project: 'p' });
    expect(adopt.map((s) => s.sql)).toEqual([
      'alter table "public"."orders" alter column "id" drop default',
      'alter sequence "public".orders_id_seq owned by none',
      'alter table "public"."orders" alter column "id" add generated by default as identity',
      `select setval(pg_get_serial_sequence('"public"."orders"', 'id'), greatest(coalesce(max("id"), 0), (select case when is_called then last_value else last_value - 1 end from "public".orders_id_seq)) + 1, false) from "public"."orders"`,
      'drop sequence "public".orders_id_seq',
    ]);
    const { adopt: qualified } = exportRepository(stateOf(table('orders', [id({ identity: null, default: "nextval('shop.\"Seq\"'::regclass)" })])), { project: 'p' });
    expect(qualified[1]!.sql).toBe('alter sequence shop."Seq" owned by none');
  });

  it('adjusts the other key forms: identity always, no default, a uuid without gen_random_uuid()', () => {
    const { adopt } = exportRepository(
      stateOf(
        table('a', [id({ identity: 'always' })]),
        table('b', [id({ identity: null })]),
        table('c', [column('id', 'uuid', { nullable: false })]),
      ),
      { project: 'p' },
    );
    expect(adopt.map((s) => s.sql)).toEqual([
      'alter table "public"."a" alter column "id" set generated by default',
      'alter table "public"."b" alter column "id" add generated by default as identity',
      `select setval(pg_get_serial_sequence('"public"."b"', 'id'), greatest(coalesce(max("id"), 0), 0) + 1, false) from "public"."b"`,
      'alter table "public"."c" alter column "id" set default gen_random_uuid()',
    ]);
  });

  it('writes cairn.yaml with the schema when it is not public, and the schema line first in every file', () => {
    const { files } = exportRepository({ schema: 'content', tables: { a: table('a', [id()]) } }, { project: 'shop' });
    expect(parse(files['cairn.yaml']!)).toEqual({ project: 'shop', database: { schema: 'content' } });
    expect(files['cairn.yaml']!.split('\n')[0]).toBe('# yaml-language-server: $schema=.schemas/cairn.schema.json');
    expect(files['collections/a.yaml']!.split('\n')[0]).toBe('# yaml-language-server: $schema=../.schemas/collection.schema.json');
    expect(parse(exportRepository(stateOf(table('a', [id()])), { project: 'shop' }).files['cairn.yaml']!)).toEqual({ project: 'shop' });
  });

  it('quotes string defaults a YAML 1.1 reader would take for dates, times or booleans', () => {
    const { files } = exportRepository(
      stateOf(table('things', [id(), column('day', 'date', { default: "'2024-01-01'::date" }), column('at', 'time without time zone', { default: "'12:00:00'::time without time zone" }), column('flag', 'text', { default: "'yes'::text" }), column('word', 'text', { default: "'draft'::text" })])),
      { project: 'p' },
    );
    expect(files['collections/things.yaml']).toContain('day: { type: date, default: "2024-01-01" }');
    expect(files['collections/things.yaml']).toContain('at: { type: time, default: "12:00:00" }');
    expect(files['collections/things.yaml']).toContain('flag: { type: text, default: "yes" }');
    expect(files['collections/things.yaml']).toContain('word: { type: text, default: draft }');
  });

  it('refuses a project name cairn.yaml would refuse', () => {
    expect(() => exportRepository(stateOf(), { project: 'My Shop' })).toThrow(/not a project name/);
  });
});

describe('relations, uniques and indexes', () => {
  const authors = () => table('authors', [id(), column('email', 'text')]);

  it('a foreign key to an exported key is an m2o field; NOT NULL is required, or nullable: false with set null', () => {
    const posts = table('posts', [id(), column('author', 'integer'), column('editor', 'integer', { nullable: false }), column('reviewer', 'integer', { nullable: false })], {
      foreignKeys: {
        posts_author_fkey: { name: 'posts_author_fkey', columns: ['author'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'set null' },
        posts_editor_fkey: { name: 'posts_editor_fkey', columns: ['editor'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'cascade' },
        posts_reviewer_fkey: { name: 'posts_reviewer_fkey', columns: ['reviewer'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'set null' },
      },
    });
    const { files, warnings } = exportRepository(stateOf(authors(), posts), { project: 'p' });
    expect(collectionDoc(files, 'posts').fields).toEqual({
      author: { type: 'm2o', related: 'authors', onDelete: 'set null' },
      editor: { type: 'm2o', related: 'authors', onDelete: 'cascade', required: true },
      reviewer: { type: 'm2o', related: 'authors', onDelete: 'set null', nullable: false },
    });
    expect(warnings).toEqual([]);
  });

  it('a foreign key Cairn cannot express stays, unmanaged, and its column is a plain field', () => {
    const posts = table('posts', [id(), column('legacy', 'integer'), column('big', 'bigint'), column('email', 'text'), column('gone', 'integer')], {
      foreignKeys: {
        fk_legacy: { name: 'fk_legacy', columns: ['legacy'], referencedTable: 'legacy', referencedColumns: ['id'], onDelete: 'no action' },
        fk_big: { name: 'fk_big', columns: ['big'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'no action' },
        fk_email: { name: 'fk_email', columns: ['email'], referencedTable: 'authors', referencedColumns: ['email'], onDelete: 'no action' },
        fk_gone: { name: 'fk_gone', columns: ['gone'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'set default' },
      },
    });
    const legacy = table('legacy', [column('a', 'integer'), column('b', 'integer')], { primaryKey: { name: 'legacy_pkey', columns: ['a', 'b'] } });
    const { files, warnings, adopt } = exportRepository(stateOf(authors(), legacy, posts), { project: 'p' });
    expect(collectionDoc(files, 'posts').fields).toEqual({ legacy: { type: 'integer' }, big: { type: 'bigInteger' }, email: { type: 'text' }, gone: { type: 'integer' } });
    expect(adopt.filter((s) => s.table === 'posts')).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^legacy: not exported/),
      'posts.legacy: the foreign key fk_legacy is not exported as an m2o field (legacy is not exported)',
      'posts.big: the foreign key fk_big is not exported as an m2o field (the column is bigint and the key it references integer)',
      'posts.email: the foreign key fk_email is not exported as an m2o field (it references authors.email, not its primary key)',
      'posts.gone: the foreign key fk_gone is not exported as an m2o field (its on delete set default has no Cairn equivalent)',
      'posts: foreign key fk_legacy (legacy → legacy) is kept in the database but not managed by Cairn',
      'posts: foreign key fk_big (big → authors) is kept in the database but not managed by Cairn',
      'posts: foreign key fk_email (email → authors) is kept in the database but not managed by Cairn',
      'posts: foreign key fk_gone (gone → authors) is kept in the database but not managed by Cairn',
    ]);
  });

  it("renames constraints and indexes to Cairn's names in adopt.sql; multi-column ones stay, unmanaged", () => {
    const shop = table('customers', [id(), column('email', 'text'), column('code', 'text'), column('name', 'text'), column('city', 'text'), column('team', 'integer')], {
      primaryKey: { name: 'pk_customers', columns: ['id'] },
      uniques: {
        uq_email: { name: 'uq_email', columns: ['email'] },
        uq_name_city: { name: 'uq_name_city', columns: ['name', 'city'] },
      },
      foreignKeys: { fk_team: { name: 'fk_team', columns: ['team'], referencedTable: 'teams', referencedColumns: ['id'], onDelete: 'cascade' } },
      indexes: {
        ix_name: { name: 'ix_name', columns: ['name'], unique: false },
        ux_code: { name: 'ux_code', columns: ['code'], unique: true },
        ix_name_city: { name: 'ix_name_city', columns: ['name', 'city'], unique: false },
        ix_lower: { name: 'ix_lower', columns: [], unique: false },
      },
    });
    const { files, warnings, adopt } = exportRepository(stateOf(shop, table('teams', [id()])), { project: 'p' });
    expect(collectionDoc(files, 'customers').fields).toEqual({
      email: { type: 'text', unique: true },
      code: { type: 'text', unique: true },
      name: { type: 'text', index: true },
      city: { type: 'text' },
      team: { type: 'm2o', related: 'teams', onDelete: 'cascade' },
    });
    expect(adopt.map((s) => s.sql)).toEqual([
      'alter table "public"."customers" rename constraint "pk_customers" to "customers_pkey"',
      'alter table "public"."customers" rename constraint "uq_email" to "customers_email_key"',
      'alter table "public"."customers" add constraint "customers_code_key" unique using index "ux_code"',
      'alter index "public"."ix_name" rename to "customers_name_idx"',
      'alter table "public"."customers" rename constraint "fk_team" to "customers_team_fkey"',
    ]);
    expect(warnings).toEqual([
      'customers: unique constraint uq_name_city (name, city) is kept in the database but not managed by Cairn',
      'customers: index ix_name_city (name, city) is kept in the database but not managed by Cairn',
      'customers: index ix_lower (on expressions, partial, or not a plain btree) is kept in the database but not managed by Cairn',
    ]);
    const sql = renderAdoptSql(adopt);
    expect(sql).toMatch(/^-- adopt\.sql/);
    expect(sql).toContain('begin;\n\n-- customers.id: primary key pk_customers → customers_pkey\nalter table "public"."customers" rename constraint "pk_customers" to "customers_pkey";\n');
    expect(sql.trimEnd().endsWith('commit;')).toBe(true);
    expect(files['adopt.sql']).toBe(sql);
  });

  it('never renames onto a name another object holds', () => {
    const things = table('things', [id(), column('name', 'text')], { indexes: { ix: { name: 'ix', columns: ['name'], unique: false } } });
    const squatter = table('things_name_idx', [id()]);
    const { files, warnings, adopt } = exportRepository(stateOf(things, squatter), { project: 'p' });
    expect(collectionDoc(files, 'things').fields).toEqual({ name: { type: 'text' } });
    expect(adopt).toEqual([]);
    expect(warnings).toContain('things.name: Cairn would name its index things_name_idx, and that name is taken by another object; ix is not exported');
  });
});

describe('round trip without a database: a state Cairn would create', () => {
  const original = model({
    authors: { fields: { name: { type: 'string', required: true, maxLength: 100 }, email: { type: 'string', unique: true, maxLength: 254 }, bio: { type: 'text' } } },
    posts: {
      primaryKey: { field: 'uid', type: 'uuid' },
      fields: {
        title: { type: 'string', required: true, maxLength: 200 },
        status: { type: 'string', nullable: false, default: 'draft', index: true },
        views: { type: 'bigInteger', default: 0 },
        price: { type: 'decimal', precision: 8, scale: 2, default: 9.99 },
        rating: { type: 'float' },
        featured: { type: 'boolean', nullable: false, default: false },
        meta: { type: 'json', default: { tags: [] } },
        labels: { type: 'csv', default: [] },
        publish_on: { type: 'date' },
        publish_at: { type: 'time', default: '09:00:00' },
        local_time: { type: 'dateTime' },
        created: { type: 'timestamp', special: 'date-created', nullable: false },
        token: { type: 'uuid', special: 'uuid' },
        author: { type: 'm2o', related: 'authors', onDelete: 'cascade', required: true },
        editor: { type: 'm2o', related: 'authors', index: true, unique: true },
        tags: { type: 'm2m', related: 'tags' },
      },
    },
    tags: { primaryKey: { field: 'code', type: 'string' }, fields: { label: { type: 'text' } } },
  });
  const state = desiredState(original);
  for (const t of Object.values(state.tables)) for (const fk of Object.values(t.foreignKeys)) fk.referencedColumns = state.tables[fk.referencedTable]!.primaryKey!.columns;
  const result = exportRepository(state, { project: 'blog' });

  it('needs no adopt.sql and warns about nothing', () => {
    expect(result.adopt).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(Object.keys(result.files)).toEqual(['cairn.yaml', 'collections/authors.yaml', 'collections/posts.yaml', 'collections/posts_tags.yaml', 'collections/tags.yaml']);
  });

  it('loads with no diagnostics and plans back to the same state: no changes', async () => {
    const loaded = await loadConfig({ source: memorySource(result.files), validator: createSchemaValidator() });
    expect(loaded.diagnostics).toEqual([]);
    const exported = loaded.model!;
    expect(desiredState(exported)).toEqual(desiredState(original));
    expect(diff({ desired: desiredState(exported), actual: state, managed: null, model: exported })).toEqual({ changes: [], steps: [], unmanaged: { tables: [], columns: [] }, blockers: [] });
  });

  it('writes one field per line, as in the template', () => {
    expect(result.files['collections/posts.yaml']).toContain('  author: { type: m2o, related: authors, onDelete: cascade, required: true }\n');
    expect(result.files['collections/posts.yaml']).toContain('primaryKey: { field: uid, type: uuid }\n');
  });
});
