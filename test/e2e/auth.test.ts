/** Users and tokens end to end: `cairn users …` on the database, then a real `cairn serve` driven by @directus/sdk and fetch. */
import { authentication, createDirectus, readMe, rest, staticToken } from '@directus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareServerHome, runCairn, startCairnServer, type CairnServer, type ServerHome } from '../helpers/cairn-process.ts';
import { testBackends } from '../helpers/test-databases.ts';

const SECRET = 's'.repeat(40);

/** node's fetch keeps no cookies: this one does, as a browser with credentials: 'include' would. */
function cookieFetch(): { fetch: typeof fetch; jar: Map<string, string> } {
  const jar = new Map<string, string>();
  const wrapped: typeof fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  return { fetch: wrapped, jar };
}

describe.each(testBackends)('users and tokens end to end on $name', ({ name }) => {
  let home: ServerHome;
  let server: CairnServer;
  let env: Record<string, string>;
  let staticTokenValue: string;

  beforeAll(async () => {
    // Apply the template (so the editor role exists) and make the first admin; then administer users from the CLI.
    home = await prepareServerHome(name, { prefix: 'cairn-auth-', env: { SECRET, ADMIN_EMAIL: 'admin@example.org', ADMIN_PASSWORD: 'admin password', LOG_LEVEL: 'warn' } });
    env = home.env;
    const created = await runCairn(['users', 'create', '--email', 'ed@example.org', '--password', 'first password', '--role', 'editor', '--json'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'ed@example.org', role: 'editor' });
    const changed = await runCairn(['users', 'set-password', '--email', 'ED@example.org', '--password', 'second password'], env);
    expect([changed.code, changed.stdout]).toEqual([0, 'Password of ED@example.org changed.\n']);
    const token = await runCairn(['users', 'token', '--email', 'ed@example.org', '--name', 'ci', '--json'], env);
    expect(token.code).toBe(0);
    staticTokenValue = JSON.parse(token.stdout).token;
    server = await startCairnServer({ ...env, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('cairn users refuses an unknown role, a duplicate email and an unknown user, with exit 1 and one line', async () => {
    await server.stop();
    try {
      const role = await runCairn(['users', 'create', '--email', 'x@example.org', '--password', 'pw', '--role', 'wizard'], env);
      expect([role.code, role.stderr]).toEqual([1, expect.stringMatching(/^cairn: INVALID_PAYLOAD: .*"role"/)]);
      const duplicate = await runCairn(['users', 'create', '--email', 'Ed@Example.org', '--password', 'pw'], env);
      expect([duplicate.code, duplicate.stderr]).toEqual([1, expect.stringMatching(/^cairn: RECORD_NOT_UNIQUE: /)]);
      const unknown = await runCairn(['users', 'token', '--email', 'nobody@example.org'], env);
      expect([unknown.code, unknown.stderr]).toEqual([1, 'cairn: INVALID_PAYLOAD: Invalid payload. No user has the email "nobody@example.org".\n']);
    } finally {
      server = await startCairnServer({ ...env, LOG_LEVEL: 'info' });
    }
  });

  it('logs in, refreshes and logs out with authentication("json")', async () => {
    const client = createDirectus(server.url).with(rest()).with(authentication('json', { autoRefresh: false }));
    const login = await client.login({ email: 'ed@example.org', password: 'second password' });
    expect(login).toMatchObject({ access_token: expect.any(String), refresh_token: expect.stringMatching(/^[0-9a-f]{64}$/), expires: 900_000 });
    expect(await client.request(readMe({ fields: ['email', 'role'] }))).toEqual({ email: 'ed@example.org', role: 'editor' });
    const refreshed = await client.refresh();
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    expect(await client.request(readMe({ fields: ['email'] }))).toEqual({ email: 'ed@example.org' });
    await client.logout();
    const reuse = await fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: refreshed.refresh_token }) });
    expect(reuse.status).toBe(401);
  });

  it('logs in, refreshes and logs out with authentication("cookie") and a fetch that keeps cookies', async () => {
    const { fetch: jarFetch, jar } = cookieFetch();
    const client = createDirectus(server.url, { globals: { fetch: jarFetch } }).with(rest({ credentials: 'include' })).with(authentication('cookie', { autoRefresh: false, credentials: 'include' }));
    const login = await client.login({ email: 'ed@example.org', password: 'second password' });
    expect(login.refresh_token ?? null).toBeNull();
    const first = jar.get('cairn_refresh_token');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await client.request(readMe({ fields: ['email'] }))).toEqual({ email: 'ed@example.org' });
    await client.refresh();
    expect(jar.get('cairn_refresh_token')).not.toBe(first);
    expect(await client.request(readMe({ fields: ['email'] }))).toEqual({ email: 'ed@example.org' });
    await client.logout();
    expect(jar.has('cairn_refresh_token')).toBe(false);
  });

  it('sets an httpOnly refresh cookie that refreshes on its own with plain fetch', async () => {
    const response = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ed@example.org', password: 'second password', mode: 'cookie' }) });
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('cairn_refresh_token='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const refreshed = await fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { cookie: cookie.split(';')[0]! } });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(((await refreshed.json()) as { data: object }).data).sort()).toEqual(['access_token', 'expires']);
  });

  it('reads with the static token the CLI printed, via staticToken()', async () => {
    const client = createDirectus(server.url).with(staticToken(staticTokenValue)).with(rest());
    expect(await client.request(readMe({ fields: ['email'] }))).toEqual({ email: 'ed@example.org' });
    const wrong = createDirectus(server.url).with(staticToken(`${staticTokenValue}x`)).with(rest());
    await expect(wrong.request(readMe())).rejects.toMatchObject({ errors: [{ extensions: { code: 'INVALID_CREDENTIALS' } }] });
  });

  it('the bootstrap admin signs in and manages users over REST', async () => {
    const admin = createDirectus(server.url).with(rest()).with(authentication('json', { autoRefresh: false }));
    await admin.login({ email: 'admin@example.org', password: 'admin password' });
    const token = await admin.getToken();
    const users = await fetch(`${server.url}/users?fields=email&sort=email`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await users.json()) as { data: unknown }).data).toEqual([{ email: 'admin@example.org' }, { email: 'ed@example.org' }]);
  });
});
