/**
 * `cairn export` against real databases: export → (adopt.sql) → plan shows no
 * changes, for a schema Cairn created (the template) and for a hand-made
 * "foreign" one with its own constraint names, a serial key, a composite key,
 * an enum and a json column. Also the command itself, end to end.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerExportCommand } from '../../../src/cli/commands/export.ts';
import { TEMPLATE_DIR } from '../../../src/cli/commands/init.ts';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../../src/config/index.ts';
import { modelHash, type Model } from '../../../src/model/index.ts';
import { createPlan, exportRepository, introspect, planAndApply, type ExportResult, type Plan } from '../../../src/reconcile/index.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const source = { description: 'test', commit: null, ref: null, environment: null };


let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cairn-export-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

let counter = 0;
async function writeRepository(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `repo-${++counter}`);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** Writes the exported files and loads them the way `cairn plan` does; the repository must be valid. */
async function loadExported(files: Record<string, string>): Promise<Model> {
  const loaded = await loadConfig({ source: workingTreeSource(await writeRepository(files)), validator: createSchemaValidator() });
  expect(loaded.diagnostics).toEqual([]);
  return loaded.model!;
}

/** A foreign database: its own names, a serial key, a composite key, an enum and a json column. */
const FOREIGN = `
create type mood as enum ('happy', 'sad');

create table customers (
  customer_id serial constraint pk_customers primary key,
  email varchar(320) not null constraint uq_customer_email unique,
  name text not null,
  active boolean not null default true,
  mood mood,
  prefs json,
  score numeric(8,2) default 0,
  created_at timestamptz not null default now()
);
create index ix_customers_name on customers (name);
create index ix_customers_lower_email on customers (lower(email));

create table orders (
  id bigint generated always as identity constraint pk_orders primary key,
  customer integer not null constraint fk_orders_customer references customers (customer_id) on delete cascade,
  total numeric(10,2) not null default 0.00,
  placed_on date default '2024-01-01',
  tags text[] default '{}',
  meta jsonb default '{"source": "web"}',
  note varchar(20) default 'n/a'
);
create index ix_orders_placed on orders (placed_on);

create table order_lines (
  order_id bigint not null references orders on delete cascade,
  line integer not null,
  product varchar(255),
  primary key (order_id, line)
);

create table products (
  sku varchar(255) primary key,
  title text not null
);
create unique index ux_products_title on products (title);
alter table order_lines add constraint fk_lines_product foreign key (product) references products (sku);

create table notes (
  id uuid primary key,
  body text
);

insert into customers (email, name) values ('a@example.org', 'Ada'), ('b@example.org', 'Bea'), ('c@example.org', 'Cy');
delete from customers where name = 'Cy';
insert into orders (customer) values (1), (2);
`;

describe.each(testBackends)('cairn export on $name', ({ name }) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  const plan = (model: Model) => createPlan({ db: database.db, model, modelHash: modelHash(model), source });
  const exportNow = async (project = 'adopted'): Promise<ExportResult> => exportRepository((await introspect(database.db, { schema: 'public' })).state, { project });

  it('round trip from Cairn itself: apply the template, export, plan: no changes', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const loaded = await loadConfig({ source: workingTreeSource(TEMPLATE_DIR), validator: createSchemaValidator() });
    // The schema half of the template: export writes collections only (the extension's code, for one, is not in the database).
    const template: Model = { ...loaded.model!, policies: {}, roles: {}, flows: {}, extensions: {} };
    const { report } = await planAndApply({ db: database.db, model: template, modelHash: modelHash(template), source, appliedBy: 'test' });
    expect(report.status).toBe('applied');

    const exported = await exportNow('blog');
    expect(exported.adopt).toEqual([]);
    expect(exported.warnings).toEqual([]);
    expect(Object.keys(exported.files)).toEqual([
      'cairn.yaml',
      'collections/articles.yaml',
      'collections/articles_tags.yaml',
      'collections/authors.yaml',
      'collections/categories.yaml',
      'collections/comments.yaml',
      'collections/tags.yaml',
    ]);
    const model = await loadExported(exported.files);
    const planned = await plan(model);
    expect(planned.changes).toEqual([]);
    expect(planned.steps).toEqual([]);
    expect(planned.blockers).toEqual([]);
    expect(planned.unmanaged).toEqual({ tables: [], columns: [] });
  });

  it('round trip with the whole template: the tables plan to no change', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const loaded = await loadConfig({ source: workingTreeSource(TEMPLATE_DIR), validator: createSchemaValidator() });
    const template = loaded.model!;
    expect((await planAndApply({ db: database.db, model: template, modelHash: modelHash(template), source, appliedBy: 'test' })).report.status).toBe('applied');
    const model = await loadExported((await exportNow('blog')).files);
    const planned = await plan(model);
    // Roles, policies, flows and extensions are not exported: only config rows may differ.
    expect(planned.steps.filter((s) => s.phase !== 'config')).toEqual([]);
    expect(planned.changes.filter((c) => !/^(role|policy|access|permission|flow|extension)\./.test(c.kind))).toEqual([]);
  });

  it('a foreign database: export names what it leaves out, adopt.sql renames, then plan: no changes; apply adopts it', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await database.db.knex.raw(FOREIGN);
    const before = (await introspect(database.db, { schema: 'public' })).state;
    const exported = await exportNow();
    // Export never touches the schema.
    expect((await introspect(database.db, { schema: 'public' })).state).toEqual(before);

    expect(Object.keys(exported.files)).toEqual(['adopt.sql', 'cairn.yaml', 'collections/customers.yaml', 'collections/notes.yaml', 'collections/orders.yaml', 'collections/products.yaml']);
    expect(exported.warnings).toEqual([
      'order_lines: not exported: its primary key spans several columns (order_id, line); Cairn needs a single-column key',
      'customers.mood: not exported: its type mood has no Cairn field type; the column stays as it is, unmanaged',
      'customers.prefs: not exported: its type json has no Cairn field type; the column stays as it is, unmanaged',
      'customers: index ix_customers_lower_email (on expressions, partial, or not a plain btree) is kept in the database but not managed by Cairn',
    ]);
    const customers = exported.files['collections/customers.yaml']!;
    expect(customers).toContain('primaryKey: { field: customer_id, type: integer }');
    expect(customers).toContain('email: { type: string, maxLength: 320, required: true, unique: true }');
    expect(customers).toContain('name: { type: text, required: true, index: true }');
    expect(customers).toContain('created_at: { type: timestamp, nullable: false, special: date-created }');
    expect(exported.files['collections/orders.yaml']).toContain('customer: { type: m2o, related: customers, onDelete: cascade, required: true }');
    expect(exported.files['collections/orders.yaml']).toContain('meta: { type: json, default: { source: web } }');
    expect(exported.files['collections/products.yaml']).toContain('title: { type: text, required: true, unique: true }');

    const model = await loadExported(exported.files);
    const unadopted = await plan(model);
    expect(unadopted.changes.length).toBeGreaterThan(0);

    // What the operator does with adopt.sql: one transaction.
    await database.db.knex.transaction(async (trx) => {
      for (const step of exported.adopt) await trx.raw(step.sql);
    });
    const adopted = await plan(model);
    expect(adopted.changes).toEqual([]);
    expect(adopted.steps.filter((s) => s.phase !== 'config')).toEqual([]);
    expect(adopted.blockers).toEqual([]);
    expect(adopted.unmanaged).toEqual({ tables: ['order_lines'], columns: ['customers.mood', 'customers.prefs'] });
    // Exporting again now needs nothing more.
    expect((await exportNow()).adopt).toEqual([]);

    // The serial key became an identity that continues after the highest key (3 was used, then deleted).
    const [inserted] = await database.db.knex('customers').insert({ email: 'd@example.org', name: 'Dee' }).returning('customer_id');
    expect(inserted.customer_id).toBe(4);
    const [note] = await database.db.knex('notes').insert({ body: 'x' }).returning('id');
    expect(note.id).toMatch(/^[0-9a-f-]{36}$/);

    // The first apply records the model: the tables are Cairn's from then on, and the plan stays empty.
    const { report } = await planAndApply({ db: database.db, model, modelHash: modelHash(model), source, appliedBy: 'test' });
    expect(report.status).toBe('applied');
    expect((await plan(model)).changes).toEqual([]);
  });

  it('a schema other than public: cairn.yaml names it, and serial sequences are found there', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await database.db.knex.raw(`
      create schema shop;
      create table shop.items (id serial primary key, label varchar(80) not null default 'new', parent integer references shop.items on delete set null);
      insert into shop.items (label) values ('a'), ('b');
    `);
    const exported = exportRepository((await introspect(database.db, { schema: 'shop' })).state, { project: 'shop' });
    expect(exported.warnings).toEqual([]);
    expect(exported.files['cairn.yaml']).toContain('database: { schema: shop }');
    expect(exported.files['collections/items.yaml']).toContain('parent: { type: m2o, related: items, onDelete: set null }');
    const model = await loadExported(exported.files);
    expect(model.project.schema).toBe('shop');
    await database.db.knex.transaction(async (trx) => {
      for (const step of exported.adopt) await trx.raw(step.sql);
    });
    expect((await plan(model)).changes).toEqual([]);
    expect(await database.db.knex.withSchema('shop').table('items').insert({ label: 'c' }).returning('id')).toEqual([{ id: 3 }]);
  });

  it('runs as a command: writes the repository, the schemas and adopt.sql, and refuses a directory that is not empty', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await database.db.knex.raw(FOREIGN);
    const env: Record<string, string | undefined> = name === 'postgres' ? { DATABASE_URL: database.url } : { DATABASE_URL: undefined, CAIRN_DATA_DIR: path.dirname(database.dataDir!) };
    // The command opens the database itself; PGlite allows one process-wide handle at a time.
    if (name === 'pglite') await database.db.close();
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
    const run = async (...args: string[]) => {
      const program = new Command().exitOverride();
      registerExportCommand(program);
      await program.parseAsync(['node', 'cairn', 'export', ...args]);
    };
    const dir = path.join(root, `cli-${name}`, 'My Shop');
    try {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await run(dir);
      await expect(run(dir)).rejects.toMatchObject({ code: 'INIT_TARGET_NOT_EMPTY' });
    } finally {
      write.mockRestore();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (name === 'pglite') database = { ...database, db: await (await import('../../../src/db/index.ts')).openDatabase({ dataDir: database.dataDir! }) };
    }
    const text = output.join('');
    expect(text).toContain(`Exported 4 collections from the schema public to ${dir}.`);
    expect(text).toContain('customers.mood: not exported');
    expect(text).toContain('adopt.sql gives constraints and indexes');
    expect(text).toContain('cairn plan');
    expect((await readdir(dir)).sort()).toEqual(['.schemas', 'adopt.sql', 'cairn.yaml', 'collections']);
    expect(await readFile(path.join(dir, 'cairn.yaml'), 'utf8')).toContain('project: my-shop');
    expect((await readdir(path.join(dir, '.schemas'))).sort()).toContain('collection.schema.json');
    const loaded = await loadConfig({ source: workingTreeSource(dir), validator: createSchemaValidator() });
    expect(loaded.diagnostics).toEqual([]);
    // adopt.sql as written runs as one script (here: through the driver's simple query protocol).
    await database.db.knex.raw(await readFile(path.join(dir, 'adopt.sql'), 'utf8'));
    expect((await plan(loaded.model!)).changes).toEqual([]);
  });
});
