/** The database contract both backends must meet: same SQL, same result shapes, same errors. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/index.ts';
import { DatabaseLockedError } from '../../../src/errors/index.ts';
import { createPgliteDataDir, createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

describe.each(testBackends)('database on $name', ({ name }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(name);
    await database.db.knex.raw(`
      create table things (id bigint generated always as identity primary key, label text unique, data jsonb, amount numeric(10,2));
      create table others (id serial primary key)`);
  });
  afterAll(() => database.drop());

  it('reports its driver', () => {
    expect(database.db.driver).toBe(name === 'pglite' ? 'pglite' : 'pg');
  });

  it('returns bigint and numeric as strings and jsonb as values, like node-postgres', async () => {
    const [row] = await database.db
      .knex('things')
      .insert({ label: 'a', data: JSON.stringify({ tags: ['x', 'y'], n: 1 }), amount: '12.50' })
      .returning('*');
    expect(row).toEqual({ id: '1', label: 'a', data: { tags: ['x', 'y'], n: 1 }, amount: '12.50' });
    const [count] = await database.db.knex('things').count({ n: '*' });
    expect(count).toEqual({ n: '1' });
  });

  it('returns affected row counts from update and delete', async () => {
    await database.db.knex('things').insert([{ label: 'b' }, { label: 'c' }]);
    expect(await database.db.knex('things').whereIn('label', ['b', 'c']).update({ amount: 1 })).toBe(2);
    expect(await database.db.knex('things').whereIn('label', ['b', 'c']).del()).toBe(2);
  });

  it('runs a multi-statement script in one raw call', async () => {
    await database.db.knex.raw('create table script_a (x int); insert into script_a values (1), (2); create index on script_a (x);');
    const { rows } = await database.db.knex.raw('select sum(x)::int as total from script_a');
    expect(rows).toEqual([{ total: 3 }]);
  });

  it('rolls a failed transaction back, savepoints included', async () => {
    await expect(
      database.db.knex.transaction(async (trx) => {
        await trx('things').insert({ label: 'in-trx' });
        await trx.transaction(async (inner) => {
          await inner('things').insert({ label: 'inner' });
        });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await database.db.knex('things').whereIn('label', ['in-trx', 'inner']).count({ n: '*' })).toEqual([{ n: '0' }]);

    await database.db.knex.transaction(async (trx) => {
      await trx('things').insert({ label: 'kept' });
      await trx.transaction(async (inner) => {
        await inner('things').insert({ label: 'dropped' });
        throw new Error('inner only');
      }).catch(() => undefined);
    });
    const labels = (await database.db.knex('things').whereIn('label', ['kept', 'dropped']).pluck('label')) as string[];
    expect(labels).toEqual(['kept']);
  });

  it('lets other queries wait for a transaction instead of failing', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.db.knex.transaction(async (trx) => {
      await trx('others').insert({});
      await held;
    });
    const outside = database.db.knex('others').count({ n: '*' });
    setTimeout(release, 50);
    await transaction;
    expect(await outside).toEqual([{ n: '1' }]);
  });

  it('surfaces PostgreSQL error codes', async () => {
    await database.db.knex('things').insert({ label: 'dupe' });
    await expect(database.db.knex('things').insert({ label: 'dupe' })).rejects.toMatchObject({ code: '23505', constraint: 'things_label_key' });
    await expect(database.db.knex.raw('select * from no_such_table')).rejects.toMatchObject({ code: '42P01' });
  });

  it('binds values instead of splicing them', async () => {
    const hostile = "x'); drop table things; --";
    await database.db.knex('things').insert({ label: hostile });
    const { rows } = await database.db.knex.raw('select label from things where label = ?', [hostile]);
    expect(rows).toEqual([{ label: hostile }]);
  });
});

describe('embedded database directory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-db-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps data across close and reopen', async () => {
    const { root: dirRoot, dataDir } = await createPgliteDataDir();
    const first = await openDatabase({ dataDir });
    await first.knex.raw('create table kept (v text)');
    await first.knex('kept').insert({ v: 'persisted' });
    await first.close();
    const second = await openDatabase({ dataDir });
    expect((await second.knex('kept').pluck('v')) as string[]).toEqual(['persisted']);
    await second.close();
    await rm(dirRoot, { recursive: true, force: true });
  });

  it('refuses a second opener of the same directory while the first is alive', async () => {
    const { root: dirRoot, dataDir } = await createPgliteDataDir();
    const first = await openDatabase({ dataDir });
    const error = await openDatabase({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseLockedError);
    expect(error).toMatchObject({ code: 'DATABASE_LOCKED', details: { dataDir, pid: process.pid } });
    await first.close();
    const again = await openDatabase({ dataDir });
    await again.close();
    await rm(dirRoot, { recursive: true, force: true });
  });

  it('takes over a lock left by a process that is gone', async () => {
    const { root: dirRoot, dataDir } = await createPgliteDataDir();
    await writeFile(`${dataDir}.lock`, '2147483646');
    const db = await openDatabase({ dataDir });
    expect((await db.knex.raw('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await db.close();
    await rm(dirRoot, { recursive: true, force: true });
  });

  it('opens an in-memory database for memory://', async () => {
    const db = await openDatabase({ url: 'memory://' });
    expect(db.location).toBe('memory://');
    await db.close();
  });

  it('refuses URLs it does not understand', async () => {
    await expect(openDatabase({ url: 'mysql://root@localhost/x' })).rejects.toThrow('Unsupported database URL');
  });
});
