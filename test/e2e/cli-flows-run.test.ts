/** `cairn flows run` as a user (or CI) runs it: real processes on an applied project, dry runs that leave no trace. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { runCairn } from '../helpers/cairn-process.ts';
import { createPgliteDataDir, createPostgresDatabaseUrl, testBackends } from '../helpers/test-databases.ts';

/** A port nobody listens on: opened, then closed (a request there fails at once). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function writeProject(repo: string, hookUrl: string): Promise<void> {
  await mkdir(path.join(repo, 'collections'), { recursive: true });
  await mkdir(path.join(repo, 'flows'), { recursive: true });
  await writeFile(path.join(repo, 'cairn.yaml'), 'project: flows-run\n');
  await writeFile(path.join(repo, 'collections', 'cli_notes.yaml'), 'collection: cli_notes\nfields:\n  title: { type: string }\n');
  // Creates a note, reads it back, then tells a hook nobody listens on (the reject path logs that).
  await writeFile(
    path.join(repo, 'flows', 'make-note.yaml'),
    `flow: make-note
trigger: { type: webhook, method: POST }
operations:
  - key: create
    type: item-create
    collection: cli_notes
    payload: { title: "{{ $trigger.title }}" }
    resolve: read
  - key: read
    type: item-read
    collection: cli_notes
    keys: "{{ create }}"
    query: { fields: [id, title] }
    resolve: notify
  - key: notify
    type: request
    method: POST
    url: "${hookUrl}"
    body: { title: "{{ read[0].title }}" }
    reject: notify_failed
  - key: notify_failed
    type: log
    message: "the hook could not be reached"
`,
  );
  await writeFile(path.join(repo, 'flows', 'must-be-ok.yaml'), 'flow: must-be-ok\ntrigger: { type: flow }\noperations:\n  - key: check\n    type: condition\n    filter: { $trigger: { ok: { _eq: true } } }\n');
  await writeFile(path.join(repo, 'flows', 'hook-down.yaml'), `flow: hook-down\ntrigger: { type: flow }\noperations:\n  - key: call\n    type: request\n    url: "${hookUrl}"\n`);
}

describe.each(testBackends)('cairn flows run on $name', ({ name }) => {
  let root: string;
  let repo: string;
  let env: Record<string, string>;
  let open: () => Promise<Database>;
  let cleanup: () => Promise<void>;

  /** Counts rows with the CLI's process gone: the embedded database is one process's at a time. */
  async function rows(table: string): Promise<Record<string, unknown>[]> {
    const db = await open();
    try {
      return (await db.knex(table).select('*').orderBy('id')) as Record<string, unknown>[];
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-flows-run-'));
    repo = path.join(root, 'repo');
    await writeProject(repo, `http://127.0.0.1:${await closedPort()}/hook`);
    await writeFile(path.join(root, 'note.payload.json'), JSON.stringify({ title: 'hello' }));
    await writeFile(path.join(root, 'not-ok.yaml'), 'ok: false\n');
    if (name === 'postgres') {
      const database = await createPostgresDatabaseUrl();
      env = { DATABASE_URL: database.url, CAIRN_DATA_DIR: path.join(root, 'state') };
      open = () => openDatabase({ url: database.url, poolMax: 1 });
      cleanup = database.drop;
    } else {
      const { root: dataRoot, dataDir } = await createPgliteDataDir();
      env = { CAIRN_DATA_DIR: dataRoot };
      open = () => openDatabase({ dataDir });
      cleanup = () => rm(dataRoot, { recursive: true, force: true });
      expect(path.join(dataRoot, 'data')).toBe(dataDir);
    }
    const applied = await runCairn(['apply', repo, '--auto-approve'], env);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  });
  afterAll(async () => {
    await cleanup?.();
    await rm(root, { recursive: true, force: true });
  });

  it('--dry-run prints each step, sends nothing and leaves no row and no run behind', async () => {
    const result = await runCairn(['flows', 'run', 'make-note', '--dry-run', '--payload', path.join(root, 'note.payload.json')], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[1\] create \(item-create\) resolve/);
    expect(result.stdout).toMatch(/options +\{"payload":\{"title":"hello"\},"collection":"cli_notes"\}/);
    expect(result.stdout).toMatch(/\[2\] read \(item-read\) resolve .*\n.*\n +output +\[\{"id":\d+,"title":"hello"\}\]/);
    // The request resolved with what it would have sent: it was not sent (the port is closed).
    expect(result.stdout).toMatch(/\[3\] notify \(request\) resolve .*\n.*\n +output +\{"dryRun":true,"method":"POST"/);
    expect(result.stdout).not.toContain('notify_failed');
    expect(result.stdout).toMatch(/Flow "make-note" resolved after 3 steps \(dry run: rolled back/);
    expect(await rows('cli_notes')).toEqual([]);
    expect(await rows('cairn_flow_runs')).toEqual([]);
  });

  it('without --dry-run, keeps the row, sends the request and logs one run', async () => {
    const result = await runCairn(['flows', 'run', 'make-note', '--payload', path.join(root, 'note.payload.json')], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[3\] notify \(request\) reject .*\n.*\n +error +\{"message":"POST http:\/\/127\.0\.0\.1:\d+\/hook failed/);
    expect(result.stdout).toMatch(/\[4\] notify_failed \(log\) resolve/);
    const runs = await rows('cairn_flow_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ flow: 'make-note', status: 'resolved' });
    expect(result.stdout).toContain(`Flow "make-note" resolved after 4 steps (run ${runs[0]!.id})`);
    expect((await rows('cli_notes')).map((row) => row.title)).toEqual(['hello']);
  });

  it('a failed run exits 1 with its catalogue error; a YAML payload becomes $trigger', async () => {
    const result = await runCairn(['flows', 'run', 'must-be-ok', '--payload', path.join(root, 'not-ok.yaml')], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[1\] check \(condition\) reject/);
    expect(result.stdout).toMatch(/Flow "must-be-ok" failed after 1 step \(run \d+\)/);
    expect(result.stderr).toBe('cairn: FAILED_VALIDATION: Validation failed for field "$trigger.ok" (_eq).\n');
  });

  it('--json prints the outcome as one document; an error outside the catalogue is FLOW_FAILED', async () => {
    const result = await runCairn(['flows', 'run', 'hook-down', '--json'], env);
    expect(result.code).toBe(1);
    const outcome = JSON.parse(result.stdout) as { status: string; dryRun: boolean; id: number; steps: { key: string; status: string }[]; error: { message: string } };
    expect(outcome).toMatchObject({ flow: 'hook-down', dryRun: false, status: 'failed', id: expect.any(Number) });
    expect(outcome.steps.map((step) => [step.key, step.status])).toEqual([['call', 'reject']]);
    expect(outcome.error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/hook failed/);
    expect(result.stderr).toMatch(new RegExp(`^cairn: FLOW_FAILED: Flow "hook-down" failed \\(run ${outcome.id}\\): GET http://127\\.0\\.0\\.1:\\d+/hook failed`));
  });

  it('an unknown flow is INVALID_PAYLOAD, with a suggestion', async () => {
    const result = await runCairn(['flows', 'run', 'make-nte', '--dry-run'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('cairn: INVALID_PAYLOAD: Invalid payload. The applied config has no flow "make-nte"; did you mean "make-note"?\n');
  });
});
