/**
 * Fresh, isolated databases for tests: PGlite always, and real PostgreSQL too
 * when TEST_DATABASE_URL is set. Each call gets its own database (a copied
 * PGlite directory, or a new PostgreSQL database) that drop() removes.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadMigrations, migrate, openDatabase, type Database } from '../../src/db/index.ts';

export type BackendName = 'pglite' | 'postgres';

export const testBackends: { name: BackendName }[] = [
  { name: 'pglite' },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres' as const }] : []),
];

export interface TestDatabase {
  db: Database;
  /** postgres:// URL of this database (postgres backend only). */
  url: string | undefined;
  /** PGlite data directory (pglite backend only). */
  dataDir: string | undefined;
  /** Another handle on the same database: a second pool (postgres) or the same one (PGlite has one session). */
  reopen(): Promise<Database>;
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(backend: BackendName, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const created = backend === 'pglite' ? await createPgliteDatabase() : await createPostgresDatabase();
  if (options.migrated) {
    const report = await migrate(created.db, await loadMigrations());
    if (report.status !== 'ok') throw report.error ?? new Error('migration failed');
  }
  return created;
}

/** A fresh, empty PGlite data directory (copied from the run's template) that the caller opens itself. */
export async function createPgliteDataDir(): Promise<{ root: string; dataDir: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-test-'));
  const dataDir = path.join(root, 'data');
  await cp(inject('pgliteTemplateDir'), dataDir, { recursive: true });
  return { root, dataDir };
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const { root, dataDir } = await createPgliteDataDir();
  const db = await openDatabase({ dataDir });
  return {
    db,
    url: undefined,
    dataDir,
    reopen: async () => db,
    async drop() {
      await db.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `cairn_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdminClient(adminUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handles: Database[] = [];
  const open = async () => {
    const handle = await openDatabase({ url: url.toString(), poolMax: 5 });
    handles.push(handle);
    return handle;
  };
  const db = await open();
  return {
    db,
    url: url.toString(),
    dataDir: undefined,
    reopen: open,
    async drop() {
      await Promise.all(handles.map((handle) => handle.close()));
      await withAdminClient(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** A fresh PostgreSQL database for a child process; returns its URL and a drop function. */
export async function createPostgresDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const created = await createPostgresDatabase();
  await created.db.close();
  return { url: created.url!, drop: created.drop };
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
