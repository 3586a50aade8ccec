/**
 * A `cairn apply` process killed with SIGKILL at random moments of a long
 * apply (150 collections, ~1100 steps) leaves the database holding the old
 * state or the new one — schema, config rows and cairn_config record alike —
 * never a mix. Two kinds of run: from an empty (migrated) database, and a
 * change (one more indexed field in every collection) over a completed apply.
 * Between kills the database is recreated from a template saved at the
 * starting point, so each kill hits a whole apply.
 *
 * The delays come from a seeded PRNG (CAIRN_CRASH_SEED replays the sequence)
 * and are stratified over 0–125 % of the slowest measured full run, so every
 * part of the run is hit — start-up, planning, the steps, COMMIT, exit — and
 * some kills come after COMMIT even when the machine is slower than measured.
 *
 * PostgreSQL only. On PGlite the killed process owns the database files
 * itself; that was checked by hand (the directory reopens, replays its WAL
 * and holds the old or the new state) rather than in a slow test here.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../bench/scenarios/validate.ts';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../src/config/index.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import type { Model } from '../../src/model/index.ts';
import { configStateFromModel, desiredState, introspect, readConfigState, type ConfigState, type DatabaseState } from '../../src/reconcile/index.ts';
import { CAIRN_BIN } from '../helpers/cairn-process.ts';
import { createPostgresDatabaseUrl } from '../helpers/test-databases.ts';

const COLLECTIONS = 150;
const FIELDS = 15;
const FROM_SCRATCH_KILLS = 14;
const CHANGE_KILLS = 7;
/** Kills are spread over this multiple of a measured full run, so some land after COMMIT even when a run is slower than the measured one. */
const SPREAD = 1.25;
/** This process's own connections, told apart from the child's in pg_stat_activity. */
const CHECKER = 'cairn-crash-check';

interface Version {
  dir: string;
  model: Model;
  hash: string;
  state: DatabaseState;
  config: ConfigState;
}

/** What an apply changes: the schema, the config rows and the record of applies. */
interface Snapshot {
  state: DatabaseState;
  config: ConfigState;
  /** model_hash of each cairn_config row, oldest first. */
  hashes: string[];
}

type Outcome = 'old' | 'new';

/** mulberry32: small, seedable, good enough to spread kill times. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n delays, one drawn in each of n equal slices of [0, span), in random order. */
function stratifiedDelays(n: number, span: number, random: () => number): number[] {
  const delays = Array.from({ length: n }, (_, i) => Math.round(((i + random()) / n) * span));
  for (let i = delays.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [delays[i], delays[j]] = [delays[j]!, delays[i]!];
  }
  return delays;
}

async function loadVersion(dir: string): Promise<Version> {
  const loaded = await loadConfig({ source: workingTreeSource(dir), validator: createSchemaValidator() });
  if (!loaded.model || !loaded.hash) throw new Error(`generated repository ${dir} is invalid: ${JSON.stringify(loaded.diagnostics.slice(0, 3))}`);
  return { dir, model: loaded.model, hash: loaded.hash, state: desiredState(loaded.model), config: configStateFromModel(loaded.model) };
}

/** The same repository with one more field, indexed, in every collection: two steps per table. */
async function addFieldEverywhere(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  const collections = path.join(to, 'collections');
  for (const file of await readdir(collections)) {
    const doc = parse(await readFile(path.join(collections, file), 'utf8')) as { fields: Record<string, unknown> };
    doc.fields.added = { type: 'string', index: true };
    await writeFile(path.join(collections, file), stringify(doc));
  }
}

interface Run {
  /** Milliseconds from spawn to exit. */
  durationMs: number;
  /** Set when the process ended by itself. */
  code: number | null;
  killed: boolean;
  /** Where the run was when it ended: `start-up`, `step 412/824`, `the close after COMMIT`. */
  phase: string;
  /** From spawn to the line printed after COMMIT, when it was printed. */
  committedAtMs: number | null;
  stderr: string;
}

function runCairn(args: string[], env: Record<string, string>, killAfterMs: number | null): Promise<Run> {
  const base = { ...process.env };
  for (const name of ['PORT', 'HOST', 'DATABASE_URL', 'CAIRN_DATA_DIR', 'SECRET', 'LOG_LEVEL']) delete base[name];
  const started = performance.now();
  const child = spawn(process.execPath, [CAIRN_BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let stderr = '';
  let committedAtMs: number | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4096);
    if (committedAtMs === null && tail.includes('Apply complete')) committedAtMs = performance.now() - started;
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = killAfterMs === null ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const steps = [...tail.matchAll(/\[(\d+)\/(\d+)\]/g)].at(-1);
      const phase = committedAtMs !== null ? 'the close after COMMIT' : steps ? `step ${steps[1]}/${steps[2]}` : 'start-up';
      resolve({ durationMs: performance.now() - started, code, killed: signal === 'SIGKILL', phase, committedAtMs, stderr });
    });
  });
}

const runApply = (dir: string, env: Record<string, string>, killAfterMs: number | null) => runCairn(['apply', dir, '--auto-approve'], env, killAfterMs);

describe.runIf(process.env.TEST_DATABASE_URL)('cairn apply killed with SIGKILL on PostgreSQL', () => {
  let root: string;
  let database: { url: string; drop(): Promise<void> };
  let checker: Database;
  let admin: pg.Client;
  let databaseName: string;
  const templates = new Set<string>();
  let v1: Version;
  let v2: Version;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-crash-'));
    await generateRepository(path.join(root, 'v1'), { collections: COLLECTIONS, fields: FIELDS });
    await addFieldEverywhere(path.join(root, 'v1'), path.join(root, 'v2'));
    [v1, v2] = await Promise.all([loadVersion(path.join(root, 'v1')), loadVersion(path.join(root, 'v2'))]);
    database = await createPostgresDatabaseUrl();
    databaseName = new URL(database.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    checker = await openChecker();
    env = { DATABASE_URL: database.url, CAIRN_DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'warn' };
  });

  afterAll(async () => {
    await checker?.close();
    await database?.drop();
    if (admin) {
      for (const template of templates) await admin.query(`drop database if exists "${template}" with (force)`);
      await admin.end();
    }
    if (root) await rm(root, { recursive: true, force: true });
  });

  const openChecker = () => {
    const url = new URL(database.url);
    url.searchParams.set('application_name', CHECKER);
    return openDatabase({ url: url.toString(), poolMax: 1 });
  };

  /** Keeps the database as it is now as a template to come back to (PostgreSQL copies it; nobody may be connected). */
  async function saveAs(stage: 'empty' | 'v1'): Promise<void> {
    await checker.close();
    const template = `${databaseName}_${stage}`;
    await admin.query(`create database "${template}" template "${databaseName}"`);
    templates.add(template);
    checker = await openChecker();
  }

  /** The database recreated from a saved stage: exactly as it was, system tables and all. */
  async function restore(stage: 'empty' | 'v1'): Promise<void> {
    await checker.close();
    await admin.query(`drop database "${databaseName}" with (force)`);
    await admin.query(`create database "${databaseName}" template "${databaseName}_${stage}"`);
    checker = await openChecker();
  }

  /** Waits for the killed client's server backend to notice and end, so nothing is still in flight. */
  async function waitForOtherBackends(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await checker.knex.raw(
        'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name <> ?',
        [CHECKER],
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error('the killed apply left a backend running for 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function readDatabase(): Promise<Snapshot> {
    const { state } = await introspect(checker, { schema: v1.model.project.schema });
    const config = await readConfigState(checker.knex);
    const hashes = (await checker.knex('cairn_config').orderBy('id').pluck('model_hash')) as string[];
    return { state, config, hashes };
  }

  /** old or new, exactly; anything else fails with what was found. */
  async function classify(old: Snapshot, next: Snapshot): Promise<Outcome> {
    const found = await readDatabase();
    if (isDeepStrictEqual(found, old)) return 'old';
    if (isDeepStrictEqual(found, next)) return 'new';
    const tables = Object.keys(found.state.tables);
    const columns = tables.reduce((n, t) => n + Object.keys(found.state.tables[t]!.columns).length, 0);
    const parts = (['state', 'config', 'hashes'] as const).map(
      (part) => `${part} ${isDeepStrictEqual(found[part], old[part]) ? 'old' : isDeepStrictEqual(found[part], next[part]) ? 'new' : 'neither'}`,
    );
    throw new Error(
      `a mix of old and new (${parts.join(', ')}): ${tables.length} tables, ${columns} columns, ${found.config.permissions.length} permissions, cairn_config hashes ${JSON.stringify(found.hashes)}`,
    );
  }

  it('leaves the old or the new schema, never a mix, wherever the kill lands', { timeout: 180_000 }, async () => {
    // A plan first migrates the system tables and warms tsx's cache, so the runs measured next are typical ones.
    expect((await runCairn(['plan', v1.dir], env, null)).code).toBe(2);
    const empty = await readDatabase();
    expect(Object.keys(empty.state.tables)).toEqual([]);
    expect(empty.hashes).toEqual([]);
    await saveAs('empty');
    const atV1: Snapshot = { state: v1.state, config: v1.config, hashes: [v1.hash] };
    const atV2: Snapshot = { state: v2.state, config: v2.config, hashes: [v1.hash, v2.hash] };
    // Full runs, to know how long they take: from scratch twice (the first run on a new database is often the
    // slower, and a span too short would never reach COMMIT), the change once; the slowest sets the span.
    const fromScratch = [await runApply(v1.dir, env, null)];
    expect(fromScratch[0]!.code, fromScratch[0]!.stderr).toBe(0);
    expect(await classify(empty, atV1)).toBe('new');
    await saveAs('v1');
    const change = await runApply(v2.dir, env, null);
    expect(change.code, change.stderr).toBe(0);
    expect(await classify(atV1, atV2)).toBe('new');
    await restore('empty');
    fromScratch.push(await runApply(v1.dir, env, null));
    expect(fromScratch[1]!.code, fromScratch[1]!.stderr).toBe(0);
    expect(await classify(empty, atV1)).toBe('new');
    const scratchMs = Math.max(...fromScratch.map((run) => run.durationMs));

    const seed = Number(process.env.CAIRN_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));
    const random = prng(seed);
    const plans = [
      ...stratifiedDelays(CHANGE_KILLS, change.durationMs * SPREAD, random).map((delay) => ({ kind: 'change' as const, delay })),
      ...stratifiedDelays(FROM_SCRATCH_KILLS, scratchMs * SPREAD, random).map((delay) => ({ kind: 'from scratch' as const, delay })),
    ];
    const ms = (run: Run) => `${Math.round(run.durationMs)} ms (COMMIT seen at ${Math.round(run.committedAtMs ?? 0)} ms)`;
    console.log(`seed ${seed} (CAIRN_CRASH_SEED=${seed} to replay); full runs: from scratch ${fromScratch.map(ms).join(' and ')}, change ${ms(change)}`);

    const tally = { before: 0, afterKilled: 0, afterExited: 0 };
    let current: 'empty' | 'v1' | 'v2' = 'v1';
    for (const [index, { kind, delay }] of plans.entries()) {
      // Bring the database to the starting point of this kind of run.
      const start = kind === 'from scratch' ? 'empty' : 'v1';
      if (current !== start) await restore(start);
      const run = await runApply(kind === 'from scratch' ? v1.dir : v2.dir, env, delay);
      if (!run.killed) expect(run.code, `apply ended by itself with ${run.code}: ${run.stderr}`).toBe(0);
      await waitForOtherBackends();
      const outcome = kind === 'from scratch' ? await classify(empty, atV1) : await classify(atV1, atV2);
      current = outcome === 'old' ? start : kind === 'from scratch' ? 'v1' : 'v2';
      // A process that finished, or was killed after printing its report, must have left the new state.
      // (One killed before could have been between sending COMMIT and printing: old or new are both right.)
      if (!run.killed || run.phase === 'the close after COMMIT') expect(outcome).toBe('new');
      if (outcome === 'old') tally.before++;
      else if (run.killed) tally.afterKilled++;
      else tally.afterExited++;
      console.log(
        `#${index + 1} ${kind}: kill at ${delay} ms → ${run.killed ? `killed during ${run.phase}` : `had already exited (${Math.round(run.durationMs)} ms)`} → ${outcome} state`,
      );
    }

    console.log(
      `kills: ${plans.length}; before COMMIT (old state): ${tally.before}; after COMMIT: ${tally.afterKilled + tally.afterExited}` +
        ` (${tally.afterKilled} killed while closing, ${tally.afterExited} found the process already gone)`,
    );
    expect(tally.before).toBeGreaterThan(0);
    expect(tally.afterKilled + tally.afterExited).toBeGreaterThan(0);
  });
});
