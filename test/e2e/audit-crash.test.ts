/**
 * `cairn serve` killed with SIGKILL between an audit batch's commits (the
 * branch moved) and the marking of its outbox rows (held there by
 * CAIRN_AUDIT_PAUSE_AFTER_COMMIT_MS), then restarted: every row ends up with
 * exactly one commit, the rows the crash left unmarked are marked with the
 * commits already made, and a row queued meanwhile is committed after them.
 * Then `cairn history` reads the result the way an operator would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, openDatabase, type Database } from '../../src/db/index.ts';
import { applyTemplateWithAudit, fsck, gitLog, outboxIds, queueOutboxRow } from '../helpers/audit.ts';
import { runCairn, startCairnServer, type CairnServer } from '../helpers/cairn-process.ts';
import { createPostgresDatabaseUrl, testBackends } from '../helpers/test-databases.ts';

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(testBackends)('audit writer crash on $name', ({ name }) => {
  let root: string;
  let gitdir: string;
  let env: Record<string, string>;
  let dropDatabase: () => Promise<void> = async () => {};
  const servers: CairnServer[] = [];

  const openDb = async (): Promise<Database> =>
    name === 'postgres' ? openDatabase({ url: env.DATABASE_URL!, poolMax: 2 }) : openDatabase({ dataDir: path.join(env.CAIRN_DATA_DIR!, 'data') });

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-audit-crash-'));
    gitdir = path.join(root, 'audit.git');
    if (name === 'postgres') {
      const created = await createPostgresDatabaseUrl();
      dropDatabase = created.drop;
      env = { DATABASE_URL: created.url, CAIRN_DATA_DIR: path.join(root, 'cairn') };
    } else {
      env = { CAIRN_DATA_DIR: path.join(root, 'cairn') };
    }
    const db = await openDb();
    try {
      const report = await migrate(db, await loadMigrations());
      expect(report.status).toBe('ok');
      await applyTemplateWithAudit(db, { repository: gitdir });
      for (const [index, item] of ['1', '2', '1'].entries()) await queueOutboxRow(db, { item, content: { id: Number(item), title: `t${item}`, edit: index } });
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL');
    await dropDatabase();
    await rm(root, { recursive: true, force: true });
  });

  it('commits each row exactly once across a SIGKILL between commit and mark', async () => {
    const crashing = await startCairnServer({ ...env, CAIRN_AUDIT_PAUSE_AFTER_COMMIT_MS: '600000', SECRET: 'x'.repeat(32) });
    servers.push(crashing);
    await waitFor('the pause after the first batch', () => crashing.logs.some((entry) => String(entry.msg).includes('pausing before marking')));
    await crashing.stop('SIGKILL');

    // The three rows were one batch: three commits, the branch moved once, no row marked.
    const afterCrash = await gitLog(gitdir);
    expect(outboxIds(afterCrash)).toEqual(['3', '2', '1']);
    let db = await openDb();
    try {
      expect(await db.knex('cairn_audit_outbox').whereNull('commit_sha').count({ n: '*' })).toEqual([{ n: '3' }]);
      // A promote while the server was down: committed after the repair, on top of the three.
      await queueOutboxRow(db, { item: '2', content: { id: 2, title: 't2', edit: 3 } });
    } finally {
      await db.close();
    }

    const restarted = await startCairnServer({ ...env, SECRET: 'x'.repeat(32) });
    servers.push(restarted);
    await waitFor('four commits', async () => (await gitLog(gitdir).catch(() => [])).length === 4);
    // A graceful stop lets the writer finish the batch in progress (commit and mark).
    expect(await restarted.stop('SIGTERM')).toBe(0);
    expect(restarted.logs.filter((entry) => String(entry.msg).includes('marked without a new commit'))).toHaveLength(3);

    const log = await gitLog(gitdir);
    expect(outboxIds(log)).toEqual(['4', '3', '2', '1']);
    expect(log.slice(1)).toEqual(afterCrash);
    db = await openDb();
    try {
      const rows = (await db.knex('cairn_audit_outbox').orderBy('id').select('id', 'commit_sha')) as { id: string; commit_sha: string }[];
      expect(rows.map((row) => row.commit_sha)).toEqual([...log].reverse().map((commit) => commit.sha));
    } finally {
      await db.close();
    }
    await fsck(gitdir);
  });

  it('cairn history prints the item history from the applied model and the database', async () => {
    const json = await runCairn(['history', 'articles', '1', '--json'], env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const history = JSON.parse(json.stdout) as { path: string; commits: { sha: string; trailers: Record<string, string> }[]; diff: unknown };
    expect(history.path).toBe('content/articles/1.json');
    expect(history.commits.map((commit) => commit.trailers['Cairn-Outbox'])).toEqual(['3', '1']);

    const text = await runCairn(['history', 'articles', '1', '--to', history.commits[0]!.sha], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(history.commits[0]!.sha.slice(0, 12));
    expect(text.stdout).toContain('Ada Lovelace <ada@example.org>');
    expect(text.stdout).toContain('Changes');

    const unknown = await runCairn(['history', 'nope', '1'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^cairn: FORBIDDEN: The applied model has no collection "nope"/);
  });
});
