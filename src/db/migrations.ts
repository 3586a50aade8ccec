/**
 * The platform migration runner. Migrations are SQL files in
 * platform/migrations named `NNNN_name.sql`. All pending ones run in one
 * transaction under an advisory lock, so concurrent starters serialise and a
 * failure leaves the database as it was. A database that holds a migration
 * this build does not know (a newer Cairn touched it) is refused, as is one
 * whose applied migrations were edited since.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import {
  MigrationChangedError,
  MigrationFailedError,
  MigrationUnknownError,
  type CairnError,
} from '../errors/index.ts';
import type { Database } from './open-database.ts';

export const PLATFORM_MIGRATIONS_DIR = fileURLToPath(new URL('../../platform/migrations/', import.meta.url));

/** pg_advisory_xact_lock(classid, objid): 'Cair' as int4, then one objid per Cairn lock. */
export const ADVISORY_LOCK_CLASS = 0x43616972;
export const MIGRATION_LOCK_ID = 1;

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export type MigrationStepStatus = 'applied' | 'already-applied' | 'failed' | 'rolled-back' | 'not-run';

export interface MigrationStep {
  version: string;
  name: string;
  status: MigrationStepStatus;
  durationMs: number;
}

export interface MigrationReport {
  status: 'ok' | 'refused' | 'failed';
  steps: MigrationStep[];
  durationMs: number;
  error?: CairnError;
}

const FILE_NAME = /^(\d{4,})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(dir: string = PLATFORM_MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new TypeError(`Migration file name must look like 0001_name.sql: ${file}`);
      const sql = await readFile(path.join(dir, file), 'utf8');
      return { version: match[1]!, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function migrate(db: Database, migrations: readonly Migration[]): Promise<MigrationReport> {
  const started = performance.now();
  const steps: MigrationStep[] = migrations.map((m) => ({ version: m.version, name: m.name, status: 'not-run', durationMs: 0 }));
  const finish = (status: MigrationReport['status'], error?: CairnError): MigrationReport => ({
    status,
    steps,
    durationMs: Math.round(performance.now() - started),
    ...(error ? { error } : {}),
  });

  try {
    const outcome = await db.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?, ?)', [ADVISORY_LOCK_CLASS, MIGRATION_LOCK_ID]);
      await ensureLedger(trx);
      const applied = new Map(
        (await trx('cairn_migrations').select('version', 'checksum')).map((row: { version: string; checksum: string }) => [row.version, row.checksum]),
      );
      const known = new Set(migrations.map((m) => m.version));
      const unknown = [...applied.keys()].filter((version) => !known.has(version)).sort();
      if (unknown.length > 0) return new MigrationUnknownError({ versions: unknown });
      const changed = migrations.filter((m) => applied.has(m.version) && applied.get(m.version) !== m.checksum);
      if (changed.length > 0) return new MigrationChangedError({ versions: changed.map((m) => m.version) });

      for (const [index, migration] of migrations.entries()) {
        const step = steps[index]!;
        if (applied.has(migration.version)) {
          step.status = 'already-applied';
          continue;
        }
        const stepStarted = performance.now();
        try {
          await trx.raw(migration.sql);
        } catch (error) {
          step.status = 'failed';
          step.durationMs = Math.round(performance.now() - stepStarted);
          throw new MigrationFailedError({ version: migration.version, reason: (error as Error).message }, { cause: error });
        }
        step.durationMs = Math.round(performance.now() - stepStarted);
        step.status = 'applied';
        await trx('cairn_migrations').insert({
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
          duration_ms: step.durationMs,
        });
      }
      return undefined;
    });
    return outcome ? finish('refused', outcome) : finish('ok');
  } catch (error) {
    if (!(error instanceof MigrationFailedError)) throw error;
    // The transaction rolled back: what looked applied in it is gone again.
    for (const step of steps) if (step.status === 'applied') step.status = 'rolled-back';
    return finish('failed', error);
  }
}

async function ensureLedger(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`
    create table if not exists cairn_migrations (
      version     text primary key,
      name        text        not null,
      checksum    text        not null,
      applied_at  timestamptz not null default now(),
      duration_ms integer     not null
    )`);
}
