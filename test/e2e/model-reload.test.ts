/** A running server picks up a new applied model without a restart; `serve --project` applies before serving. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { runCairn, startCairnServer } from '../helpers/cairn-process.ts';
import { createPostgresDatabaseUrl, testBackends } from '../helpers/test-databases.ts';

type Info = { data: { project: { project_name: string | null }; cairn: { model_hash: string | null; collections: string[] } } };

async function info(url: string): Promise<Info> {
  return (await (await fetch(`${url}/server/info`)).json()) as Info;
}

describe('cairn serve --project on the embedded database', () => {
  it('applies the repository, then serves its model', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-project-'));
    try {
      const server = await startCairnServer({ CAIRN_DATA_DIR: root }, { args: ['--project', TEMPLATE_DIR] });
      const body = await info(server.url);
      expect(body.data.project.project_name).toBe('blog');
      expect(body.data.cairn.collections).toEqual(['articles', 'authors', 'categories', 'comments', 'tags']);
      expect(body.data.cairn.model_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(server.logs.some((entry) => entry.msg === 'project applied')).toBe(true);
      expect(await server.stop()).toBe(0);
      // A second start finds nothing to apply.
      const again = await startCairnServer({ CAIRN_DATA_DIR: root }, { args: ['--project', TEMPLATE_DIR] });
      expect(again.logs.some((entry) => entry.msg === 'project applied')).toBe(false);
      expect((await info(again.url)).data.cairn.model_hash).toBe(body.data.cairn.model_hash);
      expect(await again.stop()).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.runIf(testBackends.some((b) => b.name === 'postgres'))('a running server on PostgreSQL', () => {
  it('sees the model a separate cairn apply wrote, without a restart', async () => {
    const database = await createPostgresDatabaseUrl();
    const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-reload-'));
    const env = { DATABASE_URL: database.url, CAIRN_DATA_DIR: root, SECRET: 'r'.repeat(40) };
    try {
      const server = await startCairnServer(env);
      expect((await info(server.url)).data.cairn.model_hash).toBeNull();
      const applied = await runCairn(['apply', TEMPLATE_DIR, '--auto-approve'], { ...env, LOG_LEVEL: 'warn' });
      expect(applied.code).toBe(0);
      // NOTIFY reaches the server after the apply commits; poll briefly (bounded), no timing asserted.
      let seen: Info | undefined;
      for (let i = 0; i < 100 && !seen?.data.cairn.model_hash; i++) {
        seen = await info(server.url);
        if (!seen.data.cairn.model_hash) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen!.data.cairn.collections).toEqual(['articles', 'authors', 'categories', 'comments', 'tags']);
      expect(server.logs.some((entry) => entry.msg === 'applied model loaded')).toBe(true);
      expect(await server.stop()).toBe(0);
    } finally {
      await database.drop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
