import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, type Migration } from '../../../src/db/index.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const SYSTEM_TABLES = [
  'cairn_access',
  'cairn_activity',
  'cairn_audit_outbox',
  'cairn_config',
  'cairn_extensions',
  'cairn_flow_runs',
  'cairn_flow_schedule',
  'cairn_flows',
  'cairn_migrations',
  'cairn_permissions',
  'cairn_policies',
  'cairn_revisions',
  'cairn_roles',
  'cairn_sessions',
  'cairn_tokens',
  'cairn_users',
  'cairn_versions',
];

let platform: Migration[];
beforeAll(async () => {
  platform = await loadMigrations();
});

async function tables(database: TestDatabase): Promise<string[]> {
  const { rows } = await database.db.knex.raw(
    "select tablename from pg_tables where schemaname = 'public' and tablename like 'cairn\\_%' order by tablename",
  );
  return rows.map((row: { tablename: string }) => row.tablename);
}

describe('loadMigrations', () => {
  it('reads the platform migrations in order with checksums', () => {
    expect(platform.length).toBeGreaterThan(0);
    expect(platform.map((m) => m.version)).toEqual([...platform.map((m) => m.version)].sort());
    for (const migration of platform) expect(migration.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects badly named files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-mig-'));
    await writeFile(path.join(dir, 'first.sql'), 'select 1');
    await expect(loadMigrations(dir)).rejects.toThrow('0001_name.sql');
    await rm(dir, { recursive: true });
  });
});

describe.each(testBackends)('migrate on $name', ({ name }) => {
  let database: TestDatabase;
  afterEach(() => database?.drop());

  it('applies every migration to a fresh database and records each', async () => {
    database = await createTestDatabase(name);
    const report = await migrate(database.db, platform);
    expect(report.status).toBe('ok');
    expect(report.steps.map((s) => s.status)).toEqual(platform.map(() => 'applied'));
    expect(await tables(database)).toEqual(SYSTEM_TABLES);
    const recorded = await database.db.knex('cairn_migrations').orderBy('version').select('version', 'checksum');
    expect(recorded).toEqual(platform.map((m) => ({ version: m.version, checksum: m.checksum })));
  });

  it('creates the indexes the activity and revision lookups need', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const { rows } = await database.db.knex.raw(
      `select t.relname as "table", array_agg(a.attname::text order by k.ord) as columns
         from pg_index i
         join pg_class t on t.oid = i.indrelid
         join lateral unnest(i.indkey) with ordinality as k(attnum, ord) on true
         join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
        where t.relname in ('cairn_activity', 'cairn_revisions')
        group by t.relname, i.indexrelid`,
    );
    const indexes = rows.map((row: { table: string; columns: string[] }) => `${row.table}(${row.columns.join(',')})`);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'cairn_activity(collection,item)',
        'cairn_activity(timestamp)',
        'cairn_revisions(activity)',
        'cairn_revisions(collection,item)',
      ]),
    );
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const before = await database.db.knex('cairn_migrations').select('*').orderBy('version');
    const report = await migrate(database.db, platform);
    expect(report.status).toBe('ok');
    expect(report.steps.every((s) => s.status === 'already-applied')).toBe(true);
    expect(await database.db.knex('cairn_migrations').select('*').orderBy('version')).toEqual(before);
  });

  it('lets two concurrent runners both succeed, applying each migration once', async () => {
    database = await createTestDatabase(name);
    const other = await database.reopen();
    const [a, b] = await Promise.all([migrate(database.db, platform), migrate(other, platform)]);
    expect([a.status, b.status]).toEqual(['ok', 'ok']);
    const appliedBy = (report: typeof a) => report.steps.filter((s) => s.status === 'applied').length;
    expect(appliedBy(a) + appliedBy(b)).toBe(platform.length);
    expect(await database.db.knex('cairn_migrations').count({ n: '*' })).toEqual([{ n: String(platform.length) }]);
  });

  it('refuses a database that holds a migration it does not know, applying nothing', async () => {
    database = await createTestDatabase(name);
    const [first] = platform;
    await migrate(database.db, [first!]);
    await database.db.knex('cairn_migrations').insert({ version: '9999', name: 'from_the_future', checksum: 'x', duration_ms: 1 });
    const report = await migrate(database.db, platform);
    expect(report.status).toBe('refused');
    expect(report.error).toMatchObject({ code: 'MIGRATION_UNKNOWN', details: { versions: ['9999'] } });
    expect(report.steps.filter((s) => s.status === 'applied')).toEqual([]);
    const recorded = (await database.db.knex('cairn_migrations').orderBy('version').pluck('version')) as string[];
    expect(recorded).toEqual([first!.version, '9999']);
  });

  it('refuses when an applied migration was edited afterwards', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const edited = platform.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'f'.repeat(64) } : m));
    const report = await migrate(database.db, edited);
    expect(report.status).toBe('refused');
    expect(report.error).toMatchObject({ code: 'MIGRATION_CHANGED', details: { versions: [platform[0]!.version] } });
  });

  it('applies nothing when one pending migration fails', async () => {
    database = await createTestDatabase(name);
    const broken: Migration[] = [
      ...platform,
      { version: '9001', name: 'good', sql: 'create table cairn_probe_good (x int);', checksum: 'a'.repeat(64) },
      { version: '9002', name: 'bad', sql: 'create table cairn_probe_bad (x no_such_type);', checksum: 'b'.repeat(64) },
      { version: '9003', name: 'later', sql: 'select 1;', checksum: 'c'.repeat(64) },
    ];
    const report = await migrate(database.db, broken);
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ code: 'MIGRATION_FAILED', details: { version: '9002' } });
    expect(report.steps.map((s) => s.status)).toEqual([...platform.map(() => 'rolled-back'), 'rolled-back', 'failed', 'not-run']);
    expect(await tables(database)).toEqual([]);
  });
});
