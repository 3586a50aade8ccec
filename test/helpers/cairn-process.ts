/** Runs the real `cairn` command (bin/cairn.js) as a child process, the way a user does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { createPostgresDatabaseUrl, type BackendName } from './test-databases.ts';

export const CAIRN_BIN = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

type Env = Record<string, string | undefined>;

/** The environment a child gets: this one without anything that would change Cairn's settings. */
function childEnv(env: Env): Env {
  const base: Env = { ...process.env };
  for (const name of ['PORT', 'HOST', 'DATABASE_URL', 'CAIRN_DATA_DIR', 'SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'ADMIN_TOKEN', 'LOG_LEVEL']) delete base[name];
  return { ...base, ...env };
}

export interface CairnServer {
  url: string;
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs: Record<string, unknown>[];
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startCairnServer(env: Env, options: { timeoutMs?: number; args?: string[] } = {}): Promise<CairnServer> {
  const child = spawn(process.execPath, [CAIRN_BIN, 'serve', ...(options.args ?? [])], {
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cairn serve did not start in time. stderr: ${stderr}`)), options.timeoutMs ?? 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.url === 'string' && String(entry.msg).includes('listening')) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`cairn serve exited with ${code} before listening. stderr: ${stderr}`));
    });
  });
  return {
    url,
    child,
    logs,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

export async function runCairn(args: string[], env: Env = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CAIRN_BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** Where an end-to-end server lives: its data directory and, on PostgreSQL, its database. */
export interface ServerHome {
  root: string;
  /** CAIRN_DATA_DIR, DATABASE_URL on PostgreSQL, and what the test asked for. */
  env: Record<string, string>;
  /** The database's URL on PostgreSQL; undefined on PGlite (the database is `<root>/data`). */
  databaseUrl: string | undefined;
  remove(): Promise<void>;
}

/**
 * A data directory (and a database on PostgreSQL) with `project` applied by a
 * first start, stopped again, so that the test can seed the database or run
 * the CLI before it serves: the embedded database is one process's at a time.
 */
export async function prepareServerHome(backend: BackendName, options: { prefix: string; env?: Record<string, string>; project?: (root: string) => Promise<string> }): Promise<ServerHome> {
  const root = await mkdtemp(path.join(os.tmpdir(), options.prefix));
  let env: Record<string, string> = { CAIRN_DATA_DIR: root, ...options.env };
  let database: { url: string; drop(): Promise<void> } | undefined;
  if (backend === 'postgres') {
    database = await createPostgresDatabaseUrl();
    env = { ...env, DATABASE_URL: database.url };
  }
  const project = options.project ? await options.project(root) : TEMPLATE_DIR;
  const first = await startCairnServer({ ...env, LOG_LEVEL: 'info' }, { args: ['--project', project] });
  await first.stop();
  return {
    root,
    env,
    databaseUrl: database?.url,
    async remove() {
      await database?.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
