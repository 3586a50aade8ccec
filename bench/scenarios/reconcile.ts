/**
 * reconcile: the reconciler in-process on a generated 200-collection ×
 * 15-field model (m2o chains, o2m back-references, an m2m per ten
 * collections, one policy over everything), on PostgreSQL and on PGlite:
 * plan from empty, apply from empty (a fresh database each run), the no-op
 * plan once converged, a plan after one field change, and introspection on
 * its own with the number of statements it sends (counted on the wire side
 * of knex, at 0 and at 220 tables). Raw baselines doing the same work: the
 * plan's own SQL steps run through pg/PGlite in one transaction, and one
 * pg_catalog query listing the columns of the same tables.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../src/config/index.ts';
import { loadMigrations, migrate, openDatabase, type Database, type Migration } from '../../src/db/index.ts';
import type { Model } from '../../src/model/index.ts';
import { createPlan, introspect, planAndApply, type Plan } from '../../src/reconcile/index.ts';
import { recreateBenchDatabase } from '../lib/database.ts';
import type { Row, Scenario } from '../lib/scenario.ts';
import { generateRepository } from './validate.ts';

const COLLECTIONS = 200;
const FIELDS = 15;
const PLAN_RUNS = 5;
const APPLY_RUNS = 5;
/** The one field the "one field change" plan changes: made required (an ALTER … SET NOT NULL and a count of nulls). */
const CHANGED = { collection: 'c100', field: 'f8' };
const SOURCE = { description: 'bench', commit: null, ref: null, environment: null };

/** The same work without Cairn: a raw client on the same database. */
interface RawClient {
  query(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

/** A fresh, migrated database on one backend, opened either by Cairn or by a raw client (never both at once: PGlite is one process's). */
interface Target {
  open(): Promise<Database>;
  raw(): Promise<RawClient>;
  dispose(): Promise<void>;
}

interface Backend {
  name: string;
  fresh(): Promise<Target>;
  close(): Promise<void>;
}

interface Version {
  model: Model;
  hash: string;
}

/*
 * The baseline's "plan": one catalog query returning every column of every
 * table in the schema with its type, nullability and default — the least a
 * planner must read.
 */
const CATALOG_QUERY = `
select c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) as type, a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) as "default"
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where n.nspname = 'public' and c.relkind = 'r'
order by c.relname, a.attnum`;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}

/** Statements knex sends while fn runs. */
async function counted<T>(db: Database, fn: () => Promise<T>): Promise<{ statements: number; result: T }> {
  let statements = 0;
  const listener = () => statements++;
  db.knex.on('query', listener);
  try {
    const result = await fn();
    return { statements, result };
  } finally {
    db.knex.off('query', listener);
  }
}

async function migrated(db: Database, migrations: readonly Migration[]): Promise<void> {
  const report = await migrate(db, migrations);
  if (report.status !== 'ok') throw report.error ?? new Error('migration failed');
}

async function postgresBackend(benchUrl: string, migrations: readonly Migration[]): Promise<Backend> {
  // The harness's database is the way in: from it, scratch databases are recreated and dropped.
  const live = new Set<string>();
  const drop = async (name: string) => {
    const client = new pg.Client({ connectionString: benchUrl });
    await client.connect();
    await client.query(`drop database if exists "${name}" with (force)`).finally(() => client.end());
    live.delete(name);
  };
  let counter = 0;
  return {
    name: 'PostgreSQL',
    async fresh() {
      const name = `cairn_bench_reconcile_${++counter}`;
      const url = await recreateBenchDatabase(benchUrl, name);
      live.add(name);
      const db = await openDatabase({ url, poolMax: 2 });
      await migrated(db, migrations).finally(() => db.close());
      return {
        open: () => openDatabase({ url, poolMax: 2 }),
        async raw() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          return { query: (sql) => client.query(sql), close: () => client.end() };
        },
        dispose: () => drop(name),
      };
    },
    async close() {
      for (const name of [...live]) await drop(name);
    },
  };
}

async function pgliteBackend(migrations: readonly Migration[]): Promise<Backend> {
  // initdb once (seconds), then each fresh database is a copy of the migrated directory.
  const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-reconcile-'));
  const template = path.join(root, 'template', 'data');
  const db = await openDatabase({ dataDir: template });
  await migrated(db, migrations).finally(() => db.close());
  let counter = 0;
  return {
    name: 'PGlite',
    async fresh() {
      const dir = path.join(root, `run-${++counter}`);
      const dataDir = path.join(dir, 'data');
      await cp(template, dataDir, { recursive: true });
      return {
        open: () => openDatabase({ dataDir }),
        async raw() {
          const { PGlite } = await import('@electric-sql/pglite');
          const pglite = new PGlite(dataDir);
          await pglite.waitReady;
          return { query: (sql) => pglite.exec(sql), close: () => pglite.close() };
        },
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

async function withDb<T>(target: Target, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await target.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function withRaw<T>(target: Target, fn: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await target.raw();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function loadVersion(dir: string): Promise<Version> {
  const loaded = await loadConfig({ source: workingTreeSource(dir), validator: createSchemaValidator() });
  if (!loaded.model || !loaded.hash) throw new Error(`the generated repository is invalid: ${loaded.diagnostics.length} problems`);
  return { model: loaded.model, hash: loaded.hash };
}

const plan = (db: Database, version: Version): Promise<Plan> => createPlan({ db, model: version.model, modelHash: version.hash, source: SOURCE });

/** Every measurement on one backend, as rows. */
async function measure(backend: Backend, base: Version, changed: Version): Promise<{ rows: Row[]; notes: string[] }> {
  const rows: Row[] = [];
  const row = (operation: string, cairn: number[], raw: number[], baseline: string, extra: { statements: number; changes: number | string; steps: number | string }): void => {
    rows.push({
      backend: backend.name,
      operation,
      'cairn ms': Math.round(median(cairn)),
      'raw ms': Math.round(median(raw)),
      'ratio cairn/raw': (median(cairn) / median(raw)).toFixed(1),
      'raw baseline': baseline,
      statements: extra.statements,
      changes: extra.changes,
      steps: extra.steps,
    });
  };
  const catalogQuery = async (target: Target): Promise<number[]> =>
    withRaw(target, async (client) => {
      const runs: number[] = [];
      for (let i = 0; i < PLAN_RUNS; i++) runs.push((await timed(() => client.query(CATALOG_QUERY))).ms);
      return runs;
    });

  // From empty: plan, and introspection's statement count with no user table.
  const empty = await backend.fresh();
  const fromEmpty = await withDb(empty, async (db) => {
    const runs: number[] = [];
    let planned: Plan | undefined;
    let statements = 0;
    for (let i = 0; i < PLAN_RUNS; i++) {
      const run = await timed(() => counted(db, () => plan(db, base)));
      runs.push(run.ms);
      planned = run.result.result;
      statements = run.result.statements;
    }
    const introspected = await counted(db, () => introspect(db, { schema: base.model.project.schema }));
    return { runs, plan: planned!, statements, introspection: { statements: introspected.statements, reported: introspected.result.queries, tables: Object.keys(introspected.result.state.tables).length } };
  });
  row('plan from empty', fromEmpty.runs, await catalogQuery(empty), '1 catalog query', { statements: fromEmpty.statements, changes: fromEmpty.plan.changes.length, steps: fromEmpty.plan.steps.length });
  await empty.dispose();

  // Apply from empty, a fresh database each run, Cairn and raw in turn so drift in the machine's load hits both;
  // Cairn's last database stays as the converged one.
  const applyRuns: number[] = [];
  const rawApplyRuns: number[] = [];
  let converged: Target | undefined;
  let applyStatements = 0;
  for (let i = 0; i < APPLY_RUNS; i++) {
    const target = await backend.fresh();
    await withDb(target, async (db) => {
      const run = await timed(() => counted(db, () => planAndApply({ db, model: base.model, modelHash: base.hash, source: SOURCE, appliedBy: 'bench' })));
      if (run.result.result.report.status !== 'applied') throw new Error(`apply ${run.result.result.report.status}: ${JSON.stringify(run.result.result.report.error)}`);
      applyRuns.push(run.ms);
      applyStatements = run.result.statements;
    });
    if (i < APPLY_RUNS - 1) await target.dispose();
    else converged = target;

    const rawTarget = await backend.fresh();
    rawApplyRuns.push(
      await withRaw(rawTarget, async (client) => {
        const run = await timed(async () => {
          await client.query('begin');
          for (const step of fromEmpty.plan.steps) await client.query(step.sql);
          await client.query('commit');
        });
        return run.ms;
      }),
    );
    await rawTarget.dispose();
  }
  row('apply from empty', applyRuns, rawApplyRuns, 'same steps, 1 transaction', { statements: applyStatements, changes: fromEmpty.plan.changes.length, steps: fromEmpty.plan.steps.length });

  // Converged: the no-op plan, the plan after one field change, introspection alone.
  const target = converged!;
  const atConverged = await withDb(target, async (db) => {
    const series = async (version: Version) => {
      const runs: number[] = [];
      let last: { statements: number; result: Plan } | undefined;
      for (let i = 0; i < PLAN_RUNS; i++) {
        const run = await timed(() => counted(db, () => plan(db, version)));
        runs.push(run.ms);
        last = run.result;
      }
      return { runs, plan: last!.result, statements: last!.statements };
    };
    const noop = await series(base);
    if (noop.plan.changes.length > 0) throw new Error(`the converged plan is not empty: ${noop.plan.changes.map((c) => c.id).join(', ')}`);
    const change = await series(changed);
    const introspectRuns: number[] = [];
    let introspection = { statements: 0, reported: 0, tables: 0 };
    for (let i = 0; i < PLAN_RUNS; i++) {
      const run = await timed(() => counted(db, () => introspect(db, { schema: base.model.project.schema })));
      introspectRuns.push(run.ms);
      introspection = { statements: run.result.statements, reported: run.result.result.queries, tables: Object.keys(run.result.result.state.tables).length };
    }
    return { noop, change, introspectRuns, introspection };
  });
  const convergedCatalog = await catalogQuery(target);
  row('no-op plan (converged)', atConverged.noop.runs, convergedCatalog, '1 catalog query', { statements: atConverged.noop.statements, changes: 0, steps: 0 });
  row('plan after one field change', atConverged.change.runs, convergedCatalog, '1 catalog query', {
    statements: atConverged.change.statements,
    changes: atConverged.change.plan.changes.length,
    steps: atConverged.change.plan.steps.length,
  });
  row(`introspect (${atConverged.introspection.tables} tables)`, atConverged.introspectRuns, convergedCatalog, '1 catalog query', {
    statements: atConverged.introspection.statements,
    changes: '-',
    steps: '-',
  });
  await target.dispose();

  const { introspection: none } = fromEmpty;
  const full = atConverged.introspection;
  if (none.statements !== full.statements) throw new Error(`introspection sent ${none.statements} statements for ${none.tables} tables but ${full.statements} for ${full.tables}`);
  return {
    rows,
    notes: [
      `${backend.name}: introspection sends ${none.statements} statement for ${none.tables} user tables and ${full.statements} for ${full.tables} (it reports ${full.reported}); ` +
        `a plan adds the applied model and the config rows, and one count per data check`,
    ],
  };
}

export const reconcile: Scenario = {
  name: 'reconcile',
  description: `plan/apply/no-op plan/one-change plan and introspection on ${COLLECTIONS} collections × ${FIELDS} fields, PostgreSQL and PGlite, vs raw SQL`,
  async run(bench) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-reconcile-repo-'));
    const backends: Backend[] = [];
    try {
      const baseDir = path.join(root, 'base');
      const changedDir = path.join(root, 'changed');
      await generateRepository(baseDir, { collections: COLLECTIONS, fields: FIELDS });
      await cp(baseDir, changedDir, { recursive: true });
      const file = path.join(changedDir, 'collections', `${CHANGED.collection}.yaml`);
      const doc = parse(await readFile(file, 'utf8')) as { fields: Record<string, Record<string, unknown>> };
      doc.fields[CHANGED.field] = { ...doc.fields[CHANGED.field], required: true };
      await writeFile(file, stringify(doc));
      const [base, changed] = await Promise.all([loadVersion(baseDir), loadVersion(changedDir)]);

      const migrations = await loadMigrations();
      backends.push(await postgresBackend(bench.databaseUrl, migrations), await pgliteBackend(migrations));
      const rows: Row[] = [];
      const summary: string[] = [];
      for (const backend of backends) {
        const measured = await measure(backend, base, changed);
        rows.push(...measured.rows);
        summary.push(...measured.notes);
      }
      summary.push(
        `medians: ${PLAN_RUNS} runs for plans and introspection, ${APPLY_RUNS} for applies (a fresh migrated database each); ` +
          `statements = what knex sent during the operation; the one field change makes ${CHANGED.collection}.${CHANGED.field} required`,
      );
      return { scenario: 'reconcile', settings: { collections: COLLECTIONS, fields: FIELDS, planRuns: PLAN_RUNS, applyRuns: APPLY_RUNS }, rows, summary };
    } finally {
      for (const backend of backends) await backend.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};
