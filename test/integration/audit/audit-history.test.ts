/** An item's published history: auditHistory, GET /audit/:collection/:key, checked against git log. */
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import { auditHistory } from '../../../src/audit/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { applyTemplateWithAudit, git, queueOutboxRow } from '../../helpers/audit.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const ADMIN_TOKEN = 'audit-history-admin-token';

describe.each(testBackends)('audit history on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let root: string;
  let gitdir: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-audit-history-'));
    gitdir = path.join(root, 'audit.git');
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN } }));
    await applyTemplateWithAudit(database.db, { repository: gitdir });
    await context.models.reload();
    server = buildServer(context);
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
    await rm(root, { recursive: true, force: true });
  });

  const get = (url: string, token: string | null = ADMIN_TOKEN) =>
    server.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  it('is empty before the repository exists', async () => {
    const history = await auditHistory(context, 'articles', '1');
    expect(history).toEqual({ collection: 'articles', key: '1', path: 'content/articles/1.json', commits: [], diff: null });
  });

  it('lists the commits that changed the file, newest first, as git log -- <path> does', async () => {
    await queueOutboxRow(database.db, { item: '1', content: { id: 1, title: 'One', status: 'draft' }, message: 'Promote articles/1 from version "a"', created_at: '2026-03-01T10:00:00Z' });
    await queueOutboxRow(database.db, { item: '2', content: { id: 2, title: 'Two' } });
    await queueOutboxRow(database.db, { item: '1', content: { id: 1, title: 'One!', status: 'published', views: 3 }, author_name: 'Grace', author_email: 'grace@example.org', message: 'Promote articles/1 from version "b"' });
    // A promote that changed nothing is a commit, but not one that changed the file.
    await queueOutboxRow(database.db, { item: '1', content: { status: 'published', views: 3, id: 1, title: 'One!' } });
    expect(await context.audit.runOnce()).toMatchObject({ committed: 4 });

    const history = await auditHistory(context, 'articles', '1');
    const fromGit = (await git(gitdir, 'log', '--format=%H', 'main', '--', 'content/articles/1.json')).trim().split('\n');
    expect(history.commits.map((commit) => commit.sha)).toEqual(fromGit);
    expect(history.commits).toHaveLength(2);
    expect(history.commits[1]).toEqual({
      sha: fromGit[1],
      author: { name: 'Ada Lovelace', email: 'ada@example.org', date: '2026-03-01T10:00:00.000Z' },
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      message: 'Promote articles/1 from version "a"',
      trailers: { 'Cairn-Activity': '34', 'Cairn-Config-Commit': '', 'Cairn-Revision': '12', 'Cairn-Version': 'v-1', 'Cairn-Outbox': expect.stringMatching(/^\d+$/) },
    });
    expect(history.commits[0]!.author).toMatchObject({ name: 'Grace', email: 'grace@example.org' });
  });

  it('diffs the file between two commits, and by default the newest against the one before', async () => {
    const { commits } = await auditHistory(context, 'articles', '1');
    const [newest, oldest] = [commits[0]!.sha, commits[1]!.sha];
    const expected = { added: { views: 3 }, removed: {}, changed: { status: { from: 'draft', to: 'published' }, title: { from: 'One', to: 'One!' } } };
    expect((await auditHistory(context, 'articles', '1', { from: oldest, to: newest })).diff).toEqual({ from: oldest, to: newest, ...expected });
    expect((await auditHistory(context, 'articles', '1', { to: newest })).diff).toEqual({ from: oldest, to: newest, ...expected });
    expect((await auditHistory(context, 'articles', '1', { from: oldest.slice(0, 10) })).diff).toEqual({ from: oldest, to: newest, ...expected });
    // The first commit against nothing.
    expect((await auditHistory(context, 'articles', '1', { to: oldest })).diff).toEqual({ from: null, to: oldest, added: { id: 1, status: 'draft', title: 'One' }, removed: {}, changed: {} });
  });

  it('serves GET /audit/:collection/:key to the administrator', async () => {
    const response = await get('/audit/articles/1');
    expect(response.statusCode).toBe(200);
    const body = response.json() as { data: { path: string; commits: { sha: string }[]; diff: unknown } };
    expect(body.data.path).toBe('content/articles/1.json');
    expect(body.data.commits).toHaveLength(2);
    expect(body.data.diff).toBeNull();

    const [newest, oldest] = body.data.commits.map((commit) => commit.sha);
    const diffed = await get(`/audit/articles/1?from=${oldest}&to=${newest}`);
    expect(diffed.statusCode).toBe(200);
    expect((diffed.json() as { data: { diff: { changed: Record<string, unknown> } } }).data.diff.changed).toHaveProperty('title');
  });

  it('refuses anyone else, unknown collections, and malformed or unknown commit ids', async () => {
    const code = (response: Awaited<ReturnType<typeof get>>) => (response.json() as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;
    const anonymous = await get('/audit/articles/1', null);
    expect([anonymous.statusCode, code(anonymous)]).toEqual([403, 'FORBIDDEN']);
    const unknown = await get('/audit/nope/1');
    expect([unknown.statusCode, code(unknown)]).toEqual([403, 'FORBIDDEN']);
    const system = await get('/audit/cairn_users/1');
    expect(system.statusCode).toBe(403);
    const malformed = await get('/audit/articles/1?from=HEAD~1');
    expect([malformed.statusCode, code(malformed)]).toEqual([400, 'INVALID_QUERY']);
    const missing = await get(`/audit/articles/1?from=${'0'.repeat(40)}`);
    expect([missing.statusCode, code(missing)]).toEqual([400, 'GIT_REF_NOT_FOUND']);
  });
});
