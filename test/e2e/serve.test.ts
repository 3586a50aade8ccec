/** `cairn serve` as a real process, over real HTTP, on the embedded database and on PostgreSQL. */
import http from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, openDatabase } from '../../src/db/index.ts';
import { runCairn, startCairnServer } from '../helpers/cairn-process.ts';
import { createPostgresDatabaseUrl, testBackends } from '../helpers/test-databases.ts';

type HealthBody = { checks: Record<string, { status: string }[]> };
type ErrorBody = { errors: { extensions: { code: string } }[] };

const packageVersion = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

describe('cairn command', () => {
  it('prints its version', async () => {
    const result = await runCairn(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(packageVersion);
  });

  it('has help for the program and for serve', async () => {
    const top = await runCairn(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('serve');
    const serve = await runCairn(['serve', '--help']);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toContain('--port');
  });

  it('refuses bad settings with one clear line and no stack trace', async () => {
    const result = await runCairn(['serve'], { PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cairn: INVALID_SETTINGS: Invalid settings: /);
    expect(result.stderr).toContain('PORT: expected a whole number from 0 to 65535, got "eighty"');
    expect(result.stderr).toContain('LOG_LEVEL: expected one of');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown command', async () => {
    const result = await runCairn(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('cairn serve on the embedded database', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-serve-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('starts on a fresh directory, prints the URL and the admin credentials, serves, and stops cleanly', async () => {
    const server = await startCairnServer({ CAIRN_DATA_DIR: root });
    const admin = server.logs.find((entry) => entry.adminEmail);
    expect(admin).toMatchObject({ adminEmail: 'admin@example.com', adminPassword: expect.stringMatching(/^[\w-]{24}$/) });
    expect(String(admin!.msg)).toContain(String(admin!.adminPassword));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ping = await fetch(`${server.url}/server/ping`);
    expect(await ping.text()).toBe('pong');
    const health = await fetch(`${server.url}/server/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as HealthBody).checks['pglite:responseTime']![0]!.status).toBe('ok');
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).errors[0]!.extensions.code).toBe('ROUTE_NOT_FOUND');

    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.logs.some((entry) => entry.msg === 'stopped')).toBe(true);
    expect((await stat(path.join(root, 'secret'))).mode & 0o777).toBe(0o600);
    await expect(stat(path.join(root, 'data.lock'))).rejects.toThrow();
  });

  it('restarts on the same directory without creating another admin, keeping the secret', async () => {
    const secret = await readFile(path.join(root, 'secret'), 'utf8');
    const server = await startCairnServer({ CAIRN_DATA_DIR: root });
    expect(server.logs.some((entry) => entry.adminEmail)).toBe(false);
    expect(server.logs.some((entry) => String(entry.msg).startsWith('SECRET is not set'))).toBe(false);
    expect(await (await fetch(`${server.url}/server/ping`)).text()).toBe('pong');
    expect(await server.stop('SIGINT')).toBe(0);
    expect(await readFile(path.join(root, 'secret'), 'utf8')).toBe(secret);
  });

  it('finishes a request that is in flight when SIGTERM arrives', async () => {
    const server = await startCairnServer({ CAIRN_DATA_DIR: root });
    const { port } = new URL(server.url);
    const body = JSON.stringify({ slow: 'x'.repeat(1000) });
    // A request whose body is still arriving when the signal comes: the server must answer it, not drop it.
    const answered = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/server/ping', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, body: text }));
        },
      );
      request.on('error', reject);
      request.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => request.end(body.slice(10)), 300);
      }, 300);
    });
    const response = await answered;
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe('ROUTE_NOT_FOUND');
    expect(await new Promise((resolve) => server.child.once('exit', resolve))).toBe(0);
  });

  it('refuses to start while another process holds the data directory', async () => {
    const first = await startCairnServer({ CAIRN_DATA_DIR: root });
    const second = await runCairn(['serve'], { CAIRN_DATA_DIR: root, PORT: '0', HOST: '127.0.0.1' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`cairn: DATABASE_LOCKED: The embedded database at ${path.join(root, 'data')} is in use by another Cairn process (pid ${first.child.pid})`);
    expect(await first.stop()).toBe(0);
  });

  it('refuses to start on a database migrated by a newer Cairn', async () => {
    const db = await openDatabase({ dataDir: path.join(root, 'data') });
    await migrate(db, await loadMigrations());
    await db.knex('cairn_migrations').insert({ version: '9999', name: 'newer', checksum: 'x', duration_ms: 0 });
    await db.close();
    const result = await runCairn(['serve'], { CAIRN_DATA_DIR: root, PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cairn: MIGRATION_UNKNOWN: The database was migrated by a newer Cairn (unknown migrations: 9999)');
  });
});

describe.runIf(testBackends.some((backend) => backend.name === 'postgres'))('cairn serve on PostgreSQL', () => {
  it('migrates, bootstraps the admin from the environment and serves', async () => {
    const database = await createPostgresDatabaseUrl();
    const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-serve-pg-'));
    try {
      const server = await startCairnServer({
        DATABASE_URL: database.url,
        CAIRN_DATA_DIR: root,
        SECRET: 's'.repeat(48),
        ADMIN_EMAIL: 'ops@example.org',
        ADMIN_PASSWORD: 'correct horse battery',
      });
      const admin = server.logs.find((entry) => entry.adminEmail);
      expect(admin).toMatchObject({ adminEmail: 'ops@example.org' });
      expect(admin).not.toHaveProperty('adminPassword');
      expect(JSON.stringify(server.logs)).not.toContain('correct horse battery');
      const health = (await (await fetch(`${server.url}/server/health`)).json()) as HealthBody;
      expect(health.checks['pg:responseTime']![0]!.status).toBe('ok');
      expect(await server.stop()).toBe(0);
      // With SECRET set, nothing is written to the data directory.
      await expect(stat(path.join(root, 'secret'))).rejects.toThrow();
    } finally {
      await database.drop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
