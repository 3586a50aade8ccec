/**
 * ADMIN_TOKEN is the static token of the admin user (as in Directus): start-up
 * stores it for the ADMIN_EMAIL user (else the oldest active administrator),
 * replaces it when it changes, removes it when unset, refuses it with a
 * warning when there is no such admin, and stays one row when servers start
 * at once. Requests made with it are that user, down to the audit commits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import { authenticate, createIdentityCache, hashToken } from '../../../src/auth/index.ts';
import { createLogger, loadSettings, type Context } from '../../../src/context/index.ts';
import type { Database } from '../../../src/db/index.ts';
import {
  ADMIN_TOKEN_NAME,
  adminAccountability,
  bootstrapAdminAccess,
  compareVersion,
  createItems,
  createVersions,
  promoteVersion,
  readItem,
  saveToVersion,
  type AdminAccessReport,
} from '../../../src/services/index.ts';
import { applyTemplateWithAudit, gitLog } from '../../helpers/audit.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const FIRST = 'admin-token-first-value';
const SECOND = 'admin-token-second-value';

type Row = Record<string, unknown>;

/** Another start-up on the same database, as `cairn serve` would run it: its own settings, logger and identity cache. */
async function startUp(context: Context, env: Record<string, string>, db: Database = context.db): Promise<{ context: Context; report: AdminAccessReport; logs: Row[] }> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination });
  const restarted: Context = { ...context, db, logger, settings: loadSettings({ LOG_LEVEL: 'info', ...env }), identity: createIdentityCache({ db, logger }) };
  const report = await bootstrapAdminAccess(restarted);
  return { context: restarted, report, logs: lines.map((line) => JSON.parse(line) as Row) };
}

/** The accountability a request with this token gets, or the error code it is refused with. */
const as = (context: Context, token: string) => authenticate(context, token, {}).then((who) => ({ user: who.user, role: who.role, admin: who.admin }), (error: { code?: string }) => error.code ?? String(error));
const adminTokenRows = (db: Database) => db.knex('cairn_tokens').where({ name: ADMIN_TOKEN_NAME }).select('token_hash', 'user_id', 'expires_at');
const userId = async (db: Database, email: string) => ((await db.knex('cairn_users').where({ email }).first('id')) as { id: string }).id;

describe.each(testBackends)('ADMIN_TOKEN on $name', ({ name }) => {
  describe('as the admin user', () => {
    let context: Context;
    let database: TestDatabase;
    let server: FastifyInstance;
    let root: string;
    let gitdir: string;

    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'cairn-admin-token-'));
      gitdir = path.join(root, 'audit.git');
      ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN: FIRST, ADMIN_EMAIL: 'ops@example.org' } }));
      await applyTemplateWithAudit(context.db, { repository: gitdir });
      await context.models.reload();
      server = buildServer(context);
      await server.ready();
    });
    afterAll(async () => {
      await server.close();
      await database.drop();
      await rm(root, { recursive: true, force: true });
    });

    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, token = FIRST) =>
      server.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

    it('is stored hashed as a static token of the ADMIN_EMAIL user, the first admin', async () => {
      const ops = await userId(context.db, 'ops@example.org');
      expect(await context.db.knex('cairn_users').select('email', 'role')).toEqual([{ email: 'ops@example.org', role: 'administrator' }]);
      expect(await adminTokenRows(context.db)).toEqual([{ token_hash: hashToken(FIRST), user_id: ops, expires_at: null }]);
      expect(JSON.stringify(await context.db.knex('cairn_tokens').select('*'))).not.toContain(FIRST);
      expect(await as(context, FIRST)).toEqual({ user: ops, role: 'administrator', admin: true });
    });

    it('reads /users/me and users_me as that user', async () => {
      const ops = await userId(context.db, 'ops@example.org');
      const me = await call('GET', '/users/me?fields=id,email,role');
      expect([me.statusCode, me.json()]).toEqual([200, { data: { id: ops, email: 'ops@example.org', role: 'administrator' } }]);
      const graphql = await call('POST', '/graphql/system', { query: '{ users_me { id email } }' });
      expect(graphql.json()).toEqual({ data: { users_me: { id: ops, email: 'ops@example.org' } } });
    });

    it('promotes in the name of that user: the audit commit is authored by them', async () => {
      expect((await call('PATCH', '/users/me', { first_name: 'Grace', last_name: 'Hopper' })).statusCode).toBe(200);
      const article = (await call('POST', '/items/articles', { title: 'Draft' })).json().data as { id: number };
      const version = (await call('POST', '/versions', { key: 'next', name: 'Next', collection: 'articles', item: String(article.id) })).json().data as { id: string };
      expect((await call('POST', `/versions/${version.id}/save`, { title: 'Promoted' })).statusCode).toBe(200);
      const { mainHash } = (await call('GET', `/versions/${version.id}/compare`)).json().data as { mainHash: string };
      const promoted = await call('POST', `/versions/${version.id}/promote`, { mainHash });
      expect([promoted.statusCode, promoted.json()]).toEqual([200, { data: article.id }]);
      expect(await context.audit.runOnce()).toMatchObject({ status: 'done', committed: 1 });
      const [commit] = await gitLog(gitdir);
      expect(commit).toMatchObject({ authorName: 'Grace Hopper', authorEmail: 'ops@example.org' });
      expect(commit!.message).toMatch(`Promote articles/${article.id} from version "Next"`);
    });

    it('refuses an audited change that no user makes (a service called as adminAccountability())', async () => {
      const admin = adminAccountability();
      const [key] = (await createItems({ context, accountability: admin, collection: 'articles', items: [{ title: 'Nobody’s' }] })) as number[];
      const [id] = await createVersions({ context, accountability: admin, items: [{ key: 'anon', collection: 'articles', item: key }] });
      await saveToVersion({ context, accountability: admin, id: id!, payload: { title: 'Promoted by nobody' } });
      const { mainHash } = await compareVersion({ context, accountability: admin, id: id! });
      const refused = await promoteVersion({ context, accountability: admin, id: id!, mainHash }).then(
        () => 'promoted',
        (error: { code?: string; message: string }) => [error.code, error.message],
      );
      expect(refused).toEqual(['FORBIDDEN', expect.stringContaining('takes a signed-in user')]);
      // Rolled back: main unchanged, nothing queued.
      expect((await readItem({ context, accountability: admin, collection: 'articles', key: String(key), query: { fields: ['title'] } })).data).toEqual({ title: 'Nobody’s' });
      expect(await context.db.knex('cairn_audit_outbox').where({ item: String(key) }).select('id')).toEqual([]);
    });
  });

  describe('across restarts', () => {
    let context: Context;
    let database: TestDatabase;
    let first: string;

    beforeAll(async () => {
      // Listening, as a running server does: another server's start-up reaches its cache by NOTIFY.
      ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN: FIRST }, listen: true }));
      first = await userId(context.db, 'admin@example.com');
    });
    afterAll(() => database.drop());

    it('rotates: another ADMIN_TOKEN replaces the old one, on this server and on the one already running', async () => {
      expect(await as(context, FIRST)).toEqual({ user: first, role: 'administrator', admin: true });
      const restarted = await startUp(context, { ADMIN_TOKEN: SECOND });
      expect(restarted.report.adminToken).toEqual({ status: 'active', user: { id: first, email: 'admin@example.com' }, changed: true });
      expect(restarted.report.created).toBeUndefined();
      expect(await as(restarted.context, FIRST)).toBe('INVALID_CREDENTIALS');
      expect(await as(restarted.context, SECOND)).toEqual({ user: first, role: 'administrator', admin: true });
      await expect.poll(() => as(context, FIRST)).toBe('INVALID_CREDENTIALS');
      expect(await adminTokenRows(context.db)).toEqual([{ token_hash: hashToken(SECOND), user_id: first, expires_at: null }]);
    });

    it('keeps the row as it is when the value did not change', async () => {
      await context.db.knex('cairn_tokens').where({ name: ADMIN_TOKEN_NAME }).update({ last_used_at: '2026-01-02T03:04:05Z' });
      const again = await startUp(context, { ADMIN_TOKEN: SECOND });
      expect(again.report.adminToken).toMatchObject({ status: 'active', changed: false });
      const [row] = await context.db.knex('cairn_tokens').where({ name: ADMIN_TOKEN_NAME }).select('last_used_at');
      expect(new Date(row.last_used_at).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    });

    it('follows ADMIN_EMAIL to another admin, not the oldest', async () => {
      expect(await as(context, SECOND)).toMatchObject({ user: first });
      await context.db.knex('cairn_users').insert({ email: 'second@example.org', role: 'administrator' });
      const second = await userId(context.db, 'second@example.org');
      const restarted = await startUp(context, { ADMIN_TOKEN: SECOND, ADMIN_EMAIL: 'Second@Example.org' });
      expect(restarted.report.adminToken).toMatchObject({ status: 'active', user: { id: second } });
      expect(await as(restarted.context, SECOND)).toEqual({ user: second, role: 'administrator', admin: true });
      await expect.poll(() => as(context, SECOND).then((who) => (typeof who === 'string' ? who : who.user))).toBe(second);
      expect(await adminTokenRows(context.db)).toEqual([{ token_hash: hashToken(SECOND), user_id: second, expires_at: null }]);
    });

    it('is removed when ADMIN_TOKEN is unset', async () => {
      const restarted = await startUp(context, {});
      expect(restarted.report.adminToken).toEqual({ status: 'unset', removed: 1 });
      expect(restarted.logs).toContainEqual(expect.objectContaining({ msg: 'ADMIN_TOKEN is unset: its static token was removed' }));
      expect(await adminTokenRows(context.db)).toEqual([]);
      expect(await as(restarted.context, SECOND)).toBe('INVALID_CREDENTIALS');
      await expect.poll(() => as(context, SECOND)).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('with no admin to give it to', () => {
    let context: Context;
    let database: TestDatabase;

    beforeAll(async () => {
      ({ context, database } = await createTestContext(name));
      await context.db.knex('cairn_users').insert([
        { email: 'editor@example.org', role: 'editor' },
        { email: 'gone@example.org', role: 'administrator', status: 'suspended' },
      ]);
    });
    afterAll(() => database.drop());

    const refusedWith = async (env: Record<string, string>, reason: string) => {
      const started = await startUp(context, { ADMIN_TOKEN: FIRST, ...env });
      expect(started.report.created).toBeUndefined();
      expect(started.report.adminToken).toEqual({ status: 'refused', reason: expect.stringContaining(reason) });
      const escaped = reason.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      const warning = new RegExp(`^ADMIN_TOKEN is set but .*${escaped}.*: the token is not accepted$`);
      expect(started.logs).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(warning) }));
      expect(await adminTokenRows(context.db)).toEqual([]);
      expect(await as(started.context, FIRST)).toBe('INVALID_CREDENTIALS');
    };

    it('refuses the token with a warning when no active user has the administrator role', async () => {
      await refusedWith({}, 'no active user has the role "administrator"');
    });

    it('refuses it when ADMIN_EMAIL names nobody, a user who is no administrator, or one who is not active', async () => {
      await refusedWith({ ADMIN_EMAIL: 'nobody@example.org' }, 'no user has the email ADMIN_EMAIL (nobody@example.org)');
      await refusedWith({ ADMIN_EMAIL: 'editor@example.org' }, 'is no administrator');
      await refusedWith({ ADMIN_EMAIL: 'gone@example.org' }, 'is suspended');
    });

    it('removes a token given earlier once its admin no longer qualifies', async () => {
      await context.db.knex('cairn_users').where({ email: 'gone@example.org' }).update({ status: 'active' });
      const granted = await startUp(context, { ADMIN_TOKEN: FIRST });
      expect(await as(granted.context, FIRST)).toMatchObject({ user: await userId(context.db, 'gone@example.org') });
      await context.db.knex('cairn_users').where({ email: 'gone@example.org' }).update({ status: 'suspended' });
      await refusedWith({}, 'no active user');
    });
  });

  describe.runIf(name === 'postgres')('several servers starting at once', () => {
    let database: TestDatabase;
    afterEach(() => database.drop());

    it('bootstrap one admin and leave one token row, whatever the values they race with', async () => {
      let context: Context;
      ({ context, database } = await createTestContext(name));
      // Three pools on one database: three servers.
      const handles = [context.db, await database.reopen(), await database.reopen()];
      const race = (token: (i: number) => string) => Promise.all(handles.map(async (db, i) => (await startUp(context, { ADMIN_TOKEN: token(i) }, db)).report));

      const reports = await race(() => FIRST);
      expect(reports.filter((report) => report.created !== undefined)).toHaveLength(1);
      const admin = await userId(database.db, 'admin@example.com');
      for (const report of reports) expect(report.adminToken).toMatchObject({ status: 'active', user: { id: admin } });
      expect(await database.db.knex('cairn_users').count({ n: '*' })).toEqual([{ n: '1' }]);
      expect(await adminTokenRows(database.db)).toEqual([{ token_hash: hashToken(FIRST), user_id: admin, expires_at: null }]);

      // A rolling restart with a new value, all at once: one row, the value of whoever came last.
      const rotated = await race((i) => `${SECOND}-${i}`);
      const rows = await adminTokenRows(database.db);
      expect(rows).toHaveLength(1);
      expect(rotated.filter((report) => report.adminToken.status === 'active' && report.adminToken.changed)).toHaveLength(3);
      expect(handles.map((_, i) => hashToken(`${SECOND}-${i}`))).toContain(rows[0]!.token_hash);
    });
  });
});
