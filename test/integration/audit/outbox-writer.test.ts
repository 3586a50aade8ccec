/**
 * The audit outbox writer on a real database and a real bare repository,
 * checked with the git CLI: commits in id order with the right author,
 * committer, message, trailers and file; deletes; crash repair without a
 * second commit; rows visible out of id order; per-commit cost independent of
 * the history and a batch read no object twice; a crash before the branch
 * moved (dangling objects only); a batch stopped part-way; NOTIFY wake-up;
 * and (PostgreSQL) two writers on one database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditBranchMovedError,
  canonicalContent,
  commitOutboxRows,
  createCommitChain,
  createGitFs,
  createOutboxWriter,
  formatCommitMessage,
  openAuditRepository,
  readHead,
  type OutboxRow,
  type OutboxWriter,
} from '../../../src/audit/index.ts';
import { createLogger, createModelStore, type Context } from '../../../src/context/index.ts';
import { applyTemplateWithAudit, fsck, git, gitLog, outboxIds, queueOutboxRow } from '../../helpers/audit.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const silent = createLogger({ level: 'silent', pretty: false });

describe.each(testBackends)('audit outbox writer on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let root: string;
  let gitdir: string;

  const rowsOf = async () =>
    (await database.db.knex('cairn_audit_outbox').orderBy('id').select('id', 'commit_sha', 'committed_at')) as { id: string; commit_sha: string | null; committed_at: Date | null }[];
  const pending = async () => (await rowsOf()).filter((row) => row.commit_sha === null).length;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-audit-'));
    gitdir = path.join(root, 'audit.git');
    ({ context, database } = await createTestContext(name));
    await applyTemplateWithAudit(database.db, { repository: gitdir, branch: 'main', remote: null });
    await context.models.reload();
  });
  afterAll(async () => {
    await context.audit.stop();
    await database.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('creates the bare repository on first use and commits pending rows in id order, as git sees them', async () => {
    const first = { id: 1, title: 'First', author: { name: 'Ada', id: 3 }, tags: [2, 1] };
    const second = { id: 2, title: 'Second', body: null };
    const again = { ...first, title: 'First, edited' };
    const ids = [
      await queueOutboxRow(database.db, { item: '1', content: first, created_at: '2026-01-02T03:04:05Z', message: 'Promote articles/1 from version "draft"' }),
      await queueOutboxRow(database.db, { item: '2', content: second, author_name: 'Grace Hopper', author_email: 'grace@example.org', created_at: '2026-01-02T03:05:00Z' }),
      await queueOutboxRow(database.db, { item: '1', content: again, created_at: '2026-01-02T03:06:00Z', trailers: { 'Cairn-Version': 'v-2', 'Cairn-Revision': '15', 'Cairn-Activity': '40', 'Cairn-Config-Commit': 'abc123' } }),
    ];
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 3, repaired: 0 });

    expect((await git(gitdir, 'rev-parse', '--is-bare-repository')).trim()).toBe('true');
    expect((await git(gitdir, 'symbolic-ref', 'HEAD')).trim()).toBe('refs/heads/main');
    const log = await gitLog(gitdir);
    expect(outboxIds(log)).toEqual([...ids].reverse());
    expect(log[2]).toMatchObject({
      authorName: 'Ada Lovelace',
      authorEmail: 'ada@example.org',
      authorTime: Date.parse('2026-01-02T03:04:05Z') / 1000,
      committerName: 'Cairn',
      committerEmail: 'cairn@localhost',
      message: `Promote articles/1 from version "draft"\n\nCairn-Activity: 34\nCairn-Config-Commit:\nCairn-Revision: 12\nCairn-Version: v-1\nCairn-Outbox: ${ids[0]}\n`,
    });
    expect(log[1]).toMatchObject({ authorName: 'Grace Hopper', authorEmail: 'grace@example.org' });
    expect(log[0]!.message).toContain('Cairn-Config-Commit: abc123\n');
    // git itself reads the trailers.
    expect((await git(gitdir, 'log', '-1', '--format=%(trailers:key=Cairn-Outbox,valueonly)', 'main')).trim()).toBe(ids[2]);

    expect(await git(gitdir, 'show', 'main:content/articles/1.json')).toBe(canonicalContent(again));
    expect(await git(gitdir, 'show', `${log[2]!.sha}:content/articles/1.json`)).toBe(canonicalContent(first));
    expect((await git(gitdir, 'ls-tree', '-r', '--name-only', 'main')).trim().split('\n')).toEqual(['content/articles/1.json', 'content/articles/2.json']);
    expect((await git(gitdir, 'log', '--format=%H', 'main', '--', 'content/articles/1.json')).trim().split('\n')).toEqual([log[0]!.sha, log[2]!.sha]);

    const rows = await rowsOf();
    expect(rows.map((row) => row.commit_sha)).toEqual([log[2]!.sha, log[1]!.sha, log[0]!.sha]);
    expect(rows.every((row) => row.committed_at instanceof Date)).toBe(true);
    await fsck(gitdir);
  });

  it('removes the file for a delete, and folders left empty with it', async () => {
    await queueOutboxRow(database.db, { action: 'delete', item: '2' });
    await queueOutboxRow(database.db, { action: 'delete', item: '1' });
    expect(await context.audit.runOnce()).toMatchObject({ committed: 2 });
    expect((await git(gitdir, 'ls-tree', '-r', '--name-only', 'main')).trim()).toBe('');
    const [latest] = await gitLog(gitdir);
    expect(latest!.message.split('\n')[0]).toBe('Delete articles/1');
    expect((await git(gitdir, 'log', '--format=%s', 'main', '--', 'content/articles/2.json')).trim().split('\n')).toEqual(['Delete articles/2', expect.stringMatching(/^Promote/)]);
    await queueOutboxRow(database.db, { item: '1', content: { id: 1, title: 'Back' } });
    await context.audit.runOnce();
    expect((await git(gitdir, 'ls-tree', '-r', '--name-only', 'main')).trim()).toBe('content/articles/1.json');
    await fsck(gitdir);
  });

  it('marks a row committed before a crash (commit made, row not marked) without committing it again', async () => {
    const ids = [
      await queueOutboxRow(database.db, { item: '5', content: { id: 5 } }),
      await queueOutboxRow(database.db, { item: '6', content: { id: 6 } }),
      await queueOutboxRow(database.db, { item: '5', content: { id: 5, title: 'x' } }),
    ];
    await context.audit.runOnce();
    const before = await gitLog(gitdir);
    const marked = Object.fromEntries((await rowsOf()).map((row) => [row.id, row.commit_sha]));
    // The crash: the commits are in git, the marks never reached the database.
    await database.db.knex('cairn_audit_outbox').whereIn('id', ids).update({ commit_sha: null, committed_at: null });
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 0, repaired: 3 });
    expect(await gitLog(gitdir)).toEqual(before);
    for (const id of ids) expect((await rowsOf()).find((row) => row.id === id)!.commit_sha).toBe(marked[id]);

    // Only the last one lost its mark: the usual crash.
    await database.db.knex('cairn_audit_outbox').where({ id: ids[2] }).update({ commit_sha: null });
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 0, repaired: 1 });
    expect(await gitLog(gitdir)).toEqual(before);
  });

  it('commits a row that became visible after a later one, rather than taking it for done', async () => {
    const later = 1000;
    await queueOutboxRow(database.db, { id: later, item: '7', content: { id: 7 } });
    await context.audit.runOnce();
    // Its transaction took a lower id but committed after: the branch head's trailer is past it.
    await queueOutboxRow(database.db, { id: later - 1, item: '8', content: { id: 8 } });
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 1, repaired: 0 });
    expect(outboxIds(await gitLog(gitdir)).slice(0, 2)).toEqual([String(later - 1), String(later)]);
    // And a crash after that commit is still repaired exactly.
    await database.db.knex('cairn_audit_outbox').whereIn('id', [later, later - 1]).update({ commit_sha: null });
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 0, repaired: 2 });
    // A crash left the head's row unmarked, and a row with a lower id became visible meanwhile: neither is lost or doubled.
    await queueOutboxRow(database.db, { id: 2000, item: '10', content: { id: 10 } });
    await context.audit.runOnce();
    await database.db.knex('cairn_audit_outbox').where({ id: 2000 }).update({ commit_sha: null, committed_at: null });
    await queueOutboxRow(database.db, { id: 1990, item: '11', content: { id: 11 } });
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 1, repaired: 1 });
    expect(outboxIds(await gitLog(gitdir)).slice(0, 3)).toEqual(['1990', '2000', String(later - 1)]);
    expect(await pending()).toBe(0);
    const log = await gitLog(gitdir);
    expect(new Set(outboxIds(log)).size).toBe(log.length);
    await fsck(gitdir);
  });

  it('costs the same per commit however long the history: it touches the changed path only and never walks the history', async () => {
    const operations: { op: string; target: string }[] = [];
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    const models = createModelStore({ db: database.db, logger: silent });
    const writer = createOutboxWriter({ db: database.db, models, logger: silent, fs: createGitFs((op, target) => operations.push({ op, target })) });
    const objects = (op: string) => new Set(operations.filter((entry) => entry.op === op && /\/objects\/[0-9a-f]{2}\//.test(entry.target)).map((entry) => entry.target)).size;
    const outboxStatements = () => statements.filter((sql) => sql.includes('cairn_audit_outbox')).length;
    const perRound: { objectsRead: number; objectsWritten: number; statements: number }[] = [];
    database.db.knex.on('query', onQuery);
    try {
      // One row a round, then rounds of ten rows (one batch each).
      for (const rows of [...Array<number>(25).fill(1), ...Array<number>(6).fill(10)]) {
        for (let i = 0; i < rows; i++) await queueOutboxRow(database.db, { item: String(42 + i), content: { id: 42 + i, round: perRound.length } });
        operations.length = 0;
        statements.length = 0;
        expect(await writer.runOnce()).toMatchObject({ committed: rows });
        perRound.push({ objectsRead: objects('readFile'), objectsWritten: objects('writeFile'), statements: outboxStatements() });
      }
    } finally {
      database.db.knex.off('query', onQuery);
      await writer.stop();
    }
    // A writer's first round reads the head commit, the root tree, content/ and content/articles/, and writes a blob, three trees and a commit.
    // The database: the pending rows, the repair's lookup of the head's row, one update marking the batch.
    expect(perRound[0]).toEqual({ objectsRead: 4, objectsWritten: 5, statements: 3 });
    // The trees it wrote stay in memory: later rounds read only the head commit (the repair's look at its trailer).
    for (const round of perRound.slice(1, 25)) expect(round).toEqual({ objectsRead: 1, objectsWritten: 5, statements: 3 });
    // A batch of ten writes five objects per commit and still reads one object and takes three statements.
    for (const round of perRound.slice(25)) expect(round).toEqual({ objectsRead: 1, objectsWritten: 50, statements: 3 });
    await fsck(gitdir);
  });

  it('commits the rows again after a crash before the branch moved, leaving only dangling objects behind', async () => {
    const ids = [await queueOutboxRow(database.db, { item: '12', content: { id: 12 } }), await queueOutboxRow(database.db, { item: '13', content: { id: 13 } })];
    const before = await gitLog(gitdir);
    // The crash: the batch's objects were written (committed at another time, so they differ), the branch never moved.
    const repository = await openAuditRepository({ gitdir, branch: 'main' });
    const rows = (await database.db.knex('cairn_audit_outbox').whereIn('id', ids).orderBy('id').select('*')) as OutboxRow[];
    const chain = createCommitChain(repository, before[0]!.sha);
    for (const row of rows) {
      const author = { name: row.author_name, email: row.author_email, timestamp: 1 };
      await chain.commit({ parts: ['content', 'articles', `${row.item}.json`], content: canonicalContent(row.content), author, committer: { ...author, timestamp: 2 }, message: formatCommitMessage({ ...row, trailers: row.trailers ?? {}, outboxId: row.id }) });
    }
    await chain.flush();
    const lost = chain.head!;
    expect(await readHead(repository)).toBe(before[0]!.sha);

    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 2, repaired: 0 });
    const log = await gitLog(gitdir);
    expect(log.slice(2)).toEqual(before);
    expect(outboxIds(log.slice(0, 2))).toEqual([...ids].reverse());
    expect(log.map((commit) => commit.sha)).not.toContain(lost);
    expect((await rowsOf()).filter((row) => ids.includes(row.id)).map((row) => row.commit_sha)).toEqual([log[1]!.sha, log[0]!.sha]);
    // git fsck --strict: no error, only the unreachable objects reported as dangling.
    await fsck(gitdir);
    const full = await git(gitdir, 'fsck', '--strict', '--dangling');
    expect(full).toContain(`dangling commit ${lost}`);
    for (const line of full.trim().split('\n')) expect(line).toMatch(/^dangling (commit|tree|blob) [0-9a-f]{40}$/);
  });

  it('moves the branch once for a batch, and keeps the commits written when asked to stop part-way', async () => {
    const repository = await openAuditRepository({ gitdir, branch: 'main' });
    const head = await readHead(repository);
    const queued = [await queueOutboxRow(database.db, { item: '14', content: { id: 14 } }), await queueOutboxRow(database.db, { item: '15', content: { id: 15 } }), await queueOutboxRow(database.db, { item: '16', content: { id: 16 } })];
    const rows = (await database.db.knex('cairn_audit_outbox').whereIn('id', queued).orderBy('id').select('*')) as OutboxRow[];
    let asked = 0;
    const marks = await commitOutboxRows(repository, rows, head, () => ++asked > 1);
    expect(marks.map((mark) => mark.outboxId)).toEqual(queued.slice(0, 2));
    expect(await readHead(repository)).toBe(marks[1]!.commit);
    expect(outboxIds(await gitLog(gitdir)).slice(0, 2)).toEqual([queued[1], queued[0]]);
    // A writer whose head is stale is refused, and the branch stays.
    await expect(commitOutboxRows(repository, rows.slice(2), head)).rejects.toThrow(AuditBranchMovedError);
    expect(await readHead(repository)).toBe(marks[1]!.commit);
    // The next round repairs the two (the branch moved, the rows were never marked) and commits the third.
    expect(await context.audit.runOnce()).toEqual({ status: 'done', committed: 1, repaired: 2 });
    expect(outboxIds(await gitLog(gitdir)).slice(0, 3)).toEqual([...queued].reverse());
    expect(await pending()).toBe(0);
    await fsck(gitdir);
  });

  it('wakes on NOTIFY cairn_audit when started, and finishes the row in progress when stopped', async () => {
    const writer: OutboxWriter = createOutboxWriter({ db: database.db, models: context.models, logger: silent, pollIntervalMs: 3_600_000 });
    await writer.start();
    try {
      const before = (await gitLog(gitdir)).length;
      await queueOutboxRow(database.db, { item: '9', content: { id: 9 } });
      const deadline = Date.now() + 20_000;
      while ((await pending()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await pending()).toBe(0);
      expect((await gitLog(gitdir)).length).toBe(before + 1);
    } finally {
      await writer.stop();
    }
  });

  it.runIf(name === 'postgres')('never commits a row twice with two writers on one database (two servers)', async () => {
    const second = await database.reopen();
    const models = createModelStore({ db: second, logger: silent });
    const writers = [
      createOutboxWriter({ db: database.db, models: context.models, logger: silent }),
      createOutboxWriter({ db: second, models, logger: silent }),
    ];
    const before = await gitLog(gitdir);
    const queued: string[] = [];
    const statuses: string[] = [];
    // Rows arrive while both writers run rounds as fast as they can.
    const producing = (async () => {
      for (let i = 0; i < 40; i++) {
        queued.push(await queueOutboxRow(second, { item: String(100 + (i % 7)), content: { id: 100 + (i % 7), i } }));
        if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const racing = writers.map(async (writer) => {
      for (let i = 0; i < 30; i++) statuses.push((await writer.runOnce()).status);
    });
    await Promise.all([producing, ...racing]);
    for (let i = 0; i < 5 && (await pending()) > 0; i++) await Promise.all(writers.map((writer) => writer.runOnce()));
    await Promise.all(writers.map((writer) => writer.stop()));

    expect(await pending()).toBe(0);
    const log = await gitLog(gitdir);
    expect(log.length - before.length).toBe(queued.length);
    const trailers = outboxIds(log);
    expect(new Set(trailers).size).toBe(trailers.length);
    expect([...trailers.slice(0, queued.length)].reverse()).toEqual(queued);
    const bySha = new Map(log.map((commit, index) => [commit.sha, trailers[index]]));
    for (const row of await rowsOf()) expect(bySha.get(row.commit_sha!)).toBe(row.id);
    // Both kinds of round happened: the lock was contended, not merely taken in turn.
    expect(statuses).toContain('done');
    expect(statuses).toContain('busy');
    await fsck(gitdir);
  });

  it('leaves the repository fsck-clean with the branch where git expects it', async () => {
    const repository = await openAuditRepository({ gitdir, branch: 'main' });
    expect(await readHead(repository)).toBe((await git(gitdir, 'rev-parse', 'main')).trim());
    await fsck(gitdir);
  });
});
