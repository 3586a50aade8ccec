/** /auth/login, /auth/refresh, /auth/logout and how requests carry tokens, through fastify inject on a real database. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import { signAccessToken } from '../../../src/auth/index.ts';
import { createLoginLimits, loadSettings, type Context } from '../../../src/context/index.ts';
import { adminAccountability, updateUsers } from '../../../src/services/index.ts';
import { claimsOf, createUser } from '../../helpers/auth.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const PASSWORD = 'correct horse battery';

describe.each(testBackends)('authentication on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let editor: string;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, {
      listen: true,
      env: { ACCESS_TOKEN_TTL: '10m', REFRESH_TOKEN_TTL: '2d', SESSION_TTL: '3h', LOGIN_RATE_LIMIT_PER_EMAIL: '3', LOGIN_RATE_LIMIT_PER_IP: '1000' },
    }));
    await applyTemplate(context.db);
    await context.models.reload();
    editor = await createUser(context, { email: 'Editor@Example.org', password: PASSWORD, role: 'editor', first_name: 'Ed' });
    server = buildServer(context);
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const login = (payload: Record<string, unknown>, options: { remoteAddress?: string } = {}) =>
    server.inject({ method: 'POST', url: '/auth/login', payload, ...options });
  const me = (headers: Record<string, string>, url = '/users/me') => server.inject({ method: 'GET', url, headers });
  const jsonLogin = async (email = 'editor@example.org') => {
    const response = await login({ email, password: PASSWORD });
    expect(response.statusCode).toBe(200);
    return response.json().data as { access_token: string; refresh_token: string; expires: number };
  };
  const codeOf = (response: { json(): { errors: { extensions: { code: string } }[] } }) => response.json().errors[0]!.extensions.code;

  it('logs in (json, the default mode): access token, 64-character refresh token, expires in ms; a session row holds only the hash', async () => {
    const response = await login({ email: 'EDITOR@example.org', password: PASSWORD, otp: 'ignored' });
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(Object.keys(data).sort()).toEqual(['access_token', 'expires', 'refresh_token']);
    expect(data.expires).toBe(600_000);
    expect(data.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    const claims = claimsOf(data.access_token);
    expect(claims).toMatchObject({ iss: 'cairn', id: editor, role: 'editor', app_access: true, admin_access: false });
    expect(claims.session).toBeUndefined();
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    const sessions = await context.db.knex('cairn_sessions').where({ user_id: editor });
    expect(sessions.map((row) => row.token_hash)).toContain(sha256(data.refresh_token));
    expect(JSON.stringify(sessions)).not.toContain(data.refresh_token);
    const activity = await context.db.knex('cairn_activity').where({ action: 'login', collection: 'cairn_users', item: editor });
    expect(activity.length).toBeGreaterThan(0);
    expect(activity[0]).toMatchObject({ user: editor, ip: '127.0.0.1' });
    expect((await context.db.knex('cairn_users').where({ id: editor }).first()).last_access).not.toBeNull();
  });

  it('authenticates with the access token by header (any case) or query, and refuses both at once', async () => {
    const { access_token } = await jsonLogin();
    const byHeader = await me({ authorization: `bearer ${access_token}` });
    expect(byHeader.statusCode).toBe(200);
    expect(byHeader.json().data).toMatchObject({ id: editor, email: 'Editor@Example.org', role: 'editor', password: '**********', token: null });
    expect((await me({}, `/users/me?access_token=${access_token}`)).statusCode).toBe(200);
    const both = await me({ authorization: `Bearer ${access_token}` }, `/users/me?access_token=${access_token}`);
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0]).toEqual({
      message: 'Invalid payload. The request uses more than one method for including an access token.',
      extensions: { code: 'INVALID_PAYLOAD', reason: 'The request uses more than one method for including an access token' },
    });
  });

  it('answers garbage and foreign JWTs with INVALID_TOKEN, expired ones with TOKEN_EXPIRED, unknown opaque tokens with INVALID_CREDENTIALS — even on public routes', async () => {
    const foreign = await signAccessToken('another-secret-that-is-long-enough-too', { id: editor, role: 'editor', app_access: true, admin_access: false }, 60_000);
    const expired = await signAccessToken(context.secret, { id: editor, role: 'editor', app_access: true, admin_access: false }, -60_000);
    for (const [token, status, code] of [
      ['aaa.bbb.ccc', 403, 'INVALID_TOKEN'],
      [foreign, 403, 'INVALID_TOKEN'],
      [expired, 401, 'TOKEN_EXPIRED'],
      ['no-such-static-token-anywhere', 401, 'INVALID_CREDENTIALS'],
    ] as const) {
      for (const url of ['/users/me', '/roles']) {
        const response = await me({ authorization: `Bearer ${token}` }, url);
        expect([response.statusCode, codeOf(response)], `${token} on ${url}`).toEqual([status, code]);
      }
    }
    expect(codeOf(await me({ authorization: 'Basic dXNlcjpwYXNz' }))).toBe('INVALID_CREDENTIALS');
  });

  it('answers an unknown email, a wrong password and a suspended user identically', async () => {
    await createUser(context, { email: 'sleeper@example.org', password: PASSWORD, status: 'suspended' });
    const unknown = await login({ email: 'nobody@example.org', password: PASSWORD });
    const wrong = await login({ email: 'editor@example.org', password: 'not the password' });
    const suspended = await login({ email: 'sleeper@example.org', password: PASSWORD });
    for (const response of [unknown, wrong, suspended]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).toBe(unknown.body);
    }
    expect(unknown.json()).toEqual({ errors: [{ message: 'Invalid user credentials.', extensions: { code: 'INVALID_CREDENTIALS' } }] });
    expect(codeOf(await login({ email: 'not-an-email', password: 'x' }))).toBe('INVALID_PAYLOAD');
    expect(codeOf(await login({ email: 'editor@example.org', password: PASSWORD, mode: 'carrier-pigeon' }))).toBe('INVALID_PAYLOAD');
  });

  it('cookie mode: the refresh token travels in an httpOnly cookie, and refresh works from the cookie alone', async () => {
    const response = await login({ email: 'editor@example.org', password: PASSWORD, mode: 'cookie' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().data).sort()).toEqual(['access_token', 'expires']);
    const cookie = response.cookies.find((c) => c.name === 'cairn_refresh_token')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 2 * 86_400 });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.value).toMatch(/^[0-9a-f]{64}$/);
    const refreshed = await server.inject({ method: 'POST', url: '/auth/refresh', cookies: { cairn_refresh_token: cookie.value } });
    expect(refreshed.statusCode).toBe(200);
    expect(Object.keys(refreshed.json().data).sort()).toEqual(['access_token', 'expires']);
    const next = refreshed.cookies.find((c) => c.name === 'cairn_refresh_token')!;
    expect(next.value).not.toBe(cookie.value);
    const out = await server.inject({ method: 'POST', url: '/auth/logout', cookies: { cairn_refresh_token: next.value } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'cairn_refresh_token')).toMatchObject({ value: '' });
  });

  it('session mode: a session cookie (a JWT naming its session) authenticates, refreshes, and dies with logout', async () => {
    const response = await login({ email: 'editor@example.org', password: PASSWORD, mode: 'session' });
    expect(response.json()).toEqual({ data: { expires: 3 * 3_600_000 } });
    const cookie = response.cookies.find((c) => c.name === 'cairn_session_token')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', maxAge: 3 * 3600 });
    expect(claimsOf(cookie.value)).toMatchObject({ id: editor, session: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await server.inject({ method: 'GET', url: '/users/me', cookies: { cairn_session_token: cookie.value } })).json().data.id).toBe(editor);

    const refreshed = await server.inject({ method: 'POST', url: '/auth/refresh', payload: { mode: 'session' }, cookies: { cairn_session_token: cookie.value } });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.cookies.find((c) => c.name === 'cairn_session_token')!;
    expect(claimsOf(next.value).session).not.toBe(claimsOf(cookie.value).session);

    const out = await server.inject({ method: 'POST', url: '/auth/logout', payload: { mode: 'session' }, cookies: { cairn_session_token: next.value } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'cairn_session_token')).toMatchObject({ value: '' });
    for (const value of [cookie.value, next.value]) {
      const after = await server.inject({ method: 'GET', url: '/users/me', cookies: { cairn_session_token: value } });
      expect(codeOf(after)).toBe('INVALID_CREDENTIALS');
    }
  });

  it('rotates refresh tokens within a family, and a rotated token presented again revokes the whole family', async () => {
    const first = await jsonLogin();
    const refreshed = await server.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: first.refresh_token } });
    expect(refreshed.statusCode).toBe(200);
    const second = refreshed.json().data;
    expect(Object.keys(second).sort()).toEqual(['access_token', 'expires', 'refresh_token']);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const rows = await context.db.knex('cairn_sessions').whereIn('token_hash', [sha256(first.refresh_token), sha256(second.refresh_token)]);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((row) => row.family)).size).toBe(1);
    expect(rows.find((row) => row.token_hash === sha256(first.refresh_token)).rotated_at).not.toBeNull();

    const reused = await server.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: first.refresh_token } });
    expect([reused.statusCode, codeOf(reused)]).toEqual([401, 'INVALID_CREDENTIALS']);
    expect(await context.db.knex('cairn_sessions').where({ family: rows[0].family })).toEqual([]);
    const victim = await server.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: second.refresh_token } });
    expect(codeOf(victim)).toBe('INVALID_CREDENTIALS');
  });

  it('refuses an expired refresh token and a missing one', async () => {
    const { refresh_token } = await jsonLogin();
    await context.db.knex('cairn_sessions').where({ token_hash: sha256(refresh_token) }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(codeOf(await server.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token } }))).toBe('INVALID_CREDENTIALS');
    const missing = await server.inject({ method: 'POST', url: '/auth/refresh', payload: {} });
    expect([missing.statusCode, missing.json().errors[0].message]).toEqual([400, 'Invalid payload. The refresh token is required in either the payload or cookie.']);
  });

  it('logs out: the family is deleted, activity says logout, and a missing token is a 400', async () => {
    const { refresh_token } = await jsonLogin();
    const out = await server.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token } });
    expect([out.statusCode, out.body]).toEqual([204, '']);
    expect(await context.db.knex('cairn_sessions').where({ token_hash: sha256(refresh_token) })).toEqual([]);
    expect(codeOf(await server.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token } }))).toBe('INVALID_CREDENTIALS');
    expect((await context.db.knex('cairn_activity').where({ action: 'logout', item: editor })).length).toBeGreaterThan(0);
    expect((await server.inject({ method: 'POST', url: '/auth/logout', payload: {} })).statusCode).toBe(400);
  });

  it('a cached user costs no SQL statement per request', async () => {
    const { access_token } = await jsonLogin();
    // The OpenAPI document is built from the model and the caller's policies alone: no SQL of its own.
    expect((await me({ authorization: `Bearer ${access_token}` }, '/server/specs/oas')).statusCode).toBe(200);
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    context.db.knex.on('query', onQuery);
    try {
      const response = await me({ authorization: `Bearer ${access_token}` }, '/server/specs/oas');
      expect(response.statusCode).toBe(200);
      // The editor's own document: it may create articles.
      expect(response.json().paths['/items/articles'].post).toBeDefined();
    } finally {
      context.db.knex.off('query', onQuery);
    }
    expect(statements).toEqual([]);
  });

  it('suspending a user stops their access token at once and refresh answers USER_SUSPENDED', async () => {
    const victim = await createUser(context, { email: 'victim@example.org', password: PASSWORD, role: 'viewer' });
    const { access_token, refresh_token } = await jsonLogin('victim@example.org');
    expect((await me({ authorization: `Bearer ${access_token}` })).statusCode).toBe(200);
    await updateUsers({ context, accountability: adminAccountability(), keys: [victim], data: { status: 'suspended' } });
    const refused = await me({ authorization: `Bearer ${access_token}` });
    expect([refused.statusCode, codeOf(refused)]).toEqual([401, 'INVALID_CREDENTIALS']);
    const refresh = await server.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token } });
    expect([refresh.statusCode, codeOf(refresh)]).toEqual([401, 'USER_SUSPENDED']);
  });

  it('drops a user changed by another process when its NOTIFY arrives', async () => {
    const other = await createUser(context, { email: 'elsewhere@example.org', password: PASSWORD, role: 'viewer' });
    const { access_token } = await jsonLogin('elsewhere@example.org');
    expect((await me({ authorization: `Bearer ${access_token}` })).statusCode).toBe(200);
    // As another server would: change the row and NOTIFY, without touching this process's cache.
    const db = await database.reopen();
    await db.knex.transaction(async (trx) => {
      await trx('cairn_users').where({ id: other }).update({ status: 'suspended' });
      await trx.raw('select pg_notify(?, ?)', ['cairn_users', other]);
    });
    let status = 200;
    for (let attempt = 0; attempt < 100 && status === 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await me({ authorization: `Bearer ${access_token}` })).statusCode;
    }
    expect(status).toBe(401);
  });

  it('limits failed logins per email and attempts per client address (429 REQUESTS_EXCEEDED)', async () => {
    await createUser(context, { email: 'target@example.org', password: PASSWORD });
    for (let i = 0; i < 3; i++) expect(codeOf(await login({ email: 'target@example.org', password: `guess ${i}` }))).toBe('INVALID_CREDENTIALS');
    const limited = await login({ email: 'TARGET@example.org', password: PASSWORD });
    expect([limited.statusCode, codeOf(limited)]).toEqual([429, 'REQUESTS_EXCEEDED']);
    // Another user is not affected.
    expect((await login({ email: 'editor@example.org', password: PASSWORD })).statusCode).toBe(200);

    const strict = buildServer({ ...context, loginLimits: createLoginLimits(loadSettings({ LOGIN_RATE_LIMIT_PER_IP: '2' })) });
    try {
      const attempt = (remoteAddress: string) => strict.inject({ method: 'POST', url: '/auth/login', payload: { email: 'editor@example.org', password: PASSWORD }, remoteAddress });
      expect((await attempt('10.0.0.1')).statusCode).toBe(200);
      expect((await attempt('10.0.0.1')).statusCode).toBe(200);
      expect(codeOf(await attempt('10.0.0.1'))).toBe('REQUESTS_EXCEEDED');
      expect((await attempt('10.0.0.2')).statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('anonymous requests carry the public policies', async () => {
    const response = await server.inject({ method: 'GET', url: '/permissions/me' });
    expect(response.statusCode).toBe(200);
    expect(new Set(response.json().data.map((row: { policy: string }) => row.policy))).toEqual(new Set(['public']));
  });
});
