/**
 * Pushing the audit branch to a real git remote over smart HTTP: git's own
 * `git http-backend` behind a small node HTTP server (CGI). The writer's
 * commits do not wait for the push; a remote that fails is retried with
 * backoff until it takes the branch.
 */
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWriter, resolveRemoteUrl } from '../../../src/audit/index.ts';
import { createModelStore, type Logger } from '../../../src/context/index.ts';
import { applyTemplateWithAudit, git, queueOutboxRow } from '../../helpers/audit.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-databases.ts';

/** A git smart-HTTP server for the bare repositories under `root`; `failNext` makes the next n requests fail with 503. */
function gitHttpServer(root: string) {
  const state: { failNext: number; requests: number; hold: Promise<void> | null } = { failNext: 0, requests: 0, hold: null };
  const server = http.createServer(async (request, response) => {
    state.requests += 1;
    if (state.hold) await state.hold;
    if (state.failNext > 0) {
      state.failNext -= 1;
      response.writeHead(503).end('try later');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: '/nonexistent',
        REMOTE_USER: 'cairn-test',
        REMOTE_ADDR: '127.0.0.1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        ...(request.headers['content-length'] ? { CONTENT_LENGTH: request.headers['content-length'] } : {}),
        ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] } : {}),
        ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
      },
    });
    request.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('close', () => {
      const output = Buffer.concat(chunks);
      const end = output.indexOf('\r\n\r\n');
      const head = output.subarray(0, end).toString('latin1');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else if (key !== '') headers[key] = value;
      }
      response.writeHead(status, headers).end(output.subarray(end + 4));
    });
  });
  return {
    state,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function recordingLogger(): { logger: Logger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const logger = {
    info() {},
    debug() {},
    error() {},
    warn(fields: Record<string, unknown>, message: string) {
      warnings.push({ ...fields, msg: message });
    },
  } as unknown as Logger;
  return { logger, warnings };
}

describe('pushing the audit branch over HTTP (git http-backend)', () => {
  let root: string;
  let database: TestDatabase;
  let remote: ReturnType<typeof gitHttpServer>;
  let base: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-audit-push-'));
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(root, 'remote.git')]);
    remote = gitHttpServer(root);
    base = await remote.listen();
    database = await createTestDatabase('pglite', { migrated: true });
  });
  afterAll(async () => {
    await remote.close();
    await database.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('pushes after commits, retries a failing remote with backoff, and never holds up the commits', async () => {
    const remoteDir = path.join(root, 'remote.git');
    await git(remoteDir, 'config', 'http.receivepack', 'true');
    process.env.CAIRN_TEST_AUDIT_REMOTE = `${base}/remote.git`;
    await applyTemplateWithAudit(database.db, { repository: path.join(root, 'local.git'), remote: '$env.CAIRN_TEST_AUDIT_REMOTE', push: true });
    expect(resolveRemoteUrl('$env.CAIRN_TEST_AUDIT_REMOTE')).toBe(`${base}/remote.git`);

    const { logger, warnings } = recordingLogger();
    const models = createModelStore({ db: database.db, logger });
    const writer = createOutboxWriter({ db: database.db, models, logger, pushBaseDelayMs: 100 });
    try {
      remote.state.failNext = 2;
      await queueOutboxRow(database.db, { item: '1', content: { id: 1 } });
      expect(await writer.runOnce()).toMatchObject({ committed: 1 });
      const local = (await git(path.join(root, 'local.git'), 'rev-parse', 'main')).trim();

      const deadline = Date.now() + 20_000;
      const remoteHead = async () => (await git(remoteDir, 'rev-parse', '--verify', '--quiet', 'refs/heads/main').catch(() => '')).trim();
      while ((await remoteHead()) !== local && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await remoteHead()).toBe(local);
      expect(warnings.filter((warning) => warning.msg === 'could not push the audit branch; will retry').map((warning) => warning.attempt)).toEqual([1, 2]);
      expect(JSON.stringify(warnings)).not.toContain('password');

      // Later commits are pushed as fast-forwards, and a remote that hangs holds up nothing.
      let release!: () => void;
      remote.state.hold = new Promise<void>((resolve) => (release = resolve));
      await queueOutboxRow(database.db, { item: '2', content: { id: 2 } });
      expect(await writer.runOnce()).toMatchObject({ committed: 1 });
      await queueOutboxRow(database.db, { item: '3', content: { id: 3 } });
      expect(await writer.runOnce()).toMatchObject({ committed: 1 });
      remote.state.hold = null;
      release();
      await writer.runOnce();
      const next = (await git(path.join(root, 'local.git'), 'rev-parse', 'main')).trim();
      while ((await remoteHead()) !== next && Date.now() < deadline + 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await remoteHead()).toBe(next);
      await git(remoteDir, 'fsck', '--strict', '--no-dangling');
    } finally {
      await writer.stop();
      delete process.env.CAIRN_TEST_AUDIT_REMOTE;
    }
  });
});
