/** The editorial round trip with @directus/sdk against a real `cairn serve` of the template: version, save, preview, compare, promote. */
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import {
  authentication,
  compareContentVersion,
  createContentVersion,
  createDirectus,
  createItem,
  promoteContentVersion,
  readContentVersions,
  readItem,
  rest,
  saveToContentVersion,
} from '@directus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { prepareServerHome, runCairn, startCairnServer, type CairnServer, type ServerHome } from '../helpers/cairn-process.ts';
import { testBackends } from '../helpers/test-databases.ts';

interface Blog {
  articles: { id: number; title: string; body: string | null; status: string; tags: unknown[] }[];
  tags: { id: number; name: string }[];
}

describe.each(testBackends)('content versions end to end on $name', ({ name }) => {
  let home: ServerHome;
  let server: CairnServer;
  const git = async (...args: string[]) => (await promisify(execFile)('git', ['--git-dir', path.join(home.root, 'audit.git'), ...args])).stdout;
  /** The audit writer commits after the promote's transaction: wait (bounded) for the commit. */
  const auditLog = async (expected: number): Promise<string[]> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const subjects = await git('log', '--format=%s%x09%an <%ae>').then((out) => out.trim().split('\n').filter(Boolean), () => [] as string[]);
      if (subjects.length >= expected) return subjects;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('no audit commit appeared');
  };

  const editor = async () => {
    const sdk = createDirectus<Blog>(server.url).with(authentication('json')).with(rest());
    await sdk.login({ email: 'editor@example.org', password: 'a long enough password' });
    return sdk;
  };

  beforeAll(async () => {
    // The template, with its audit repository in the test's directory rather than the server's working directory.
    home = await prepareServerHome(name, {
      prefix: 'cairn-versions-',
      env: { SECRET: 'v'.repeat(40), LOG_LEVEL: 'info' },
      project: async (root) => {
        const project = path.join(root, 'project');
        await cp(TEMPLATE_DIR, project, { recursive: true });
        const projectFile = path.join(project, 'cairn.yaml');
        await writeFile(projectFile, (await readFile(projectFile, 'utf8')).replace('repository: .cairn/audit.git', `repository: ${path.join(root, 'audit.git')}`));
        return project;
      },
    });
    const { env } = home;
    const created = await runCairn(['users', 'create', '--email', 'editor@example.org', '--password', 'a long enough password', '--role', 'editor', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    server = await startCairnServer(env);
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('creates a version, saves to it, previews it with readItem, compares and promotes it', async () => {
    const sdk = await editor();
    const article = await sdk.request(createItem('articles', { title: 'Launch notes', body: 'First cut' }));
    const version = await sdk.request(createContentVersion({ key: 'rewrite', name: 'Rewrite', collection: 'articles', item: String(article.id) }));
    expect(version).toMatchObject({ key: 'rewrite', name: 'Rewrite', collection: 'articles', item: String(article.id) });
    const saved = await sdk.request(saveToContentVersion(version.id, { body: 'Second cut', tags: [{ tags_id: { name: 'launch' } }] }));
    expect(saved).toMatchObject({ id: article.id, title: 'Launch notes', body: 'Second cut' });

    expect(await sdk.request(readItem('articles', article.id, { fields: ['body'] }))).toEqual({ body: 'First cut' });
    const previewed = await sdk.request(readItem('articles', article.id, { fields: ['body', { tags: [{ tags_id: ['name'] }] }] as never, version: 'rewrite' }));
    expect(previewed).toEqual({ body: 'Second cut', tags: [{ tags_id: { name: 'launch' } }] });

    const comparison = await sdk.request(compareContentVersion(version.id));
    expect(comparison).toMatchObject({ outdated: false, current: { body: 'Second cut' }, main: { body: 'First cut' } });
    expect(await sdk.request(promoteContentVersion(version.id, comparison.mainHash))).toBe(article.id);
    expect(await sdk.request(readItem('articles', article.id, { fields: ['body'] }))).toEqual({ body: 'Second cut' });
    expect((await sdk.request(readContentVersions({ filter: { item: { _eq: String(article.id) } } }))).map((v) => v.key)).toEqual(['rewrite']);

    // The promote is a commit in the audit repository, authored by the editor, readable by the git CLI.
    expect(await auditLog(1)).toEqual([`Promote articles/${article.id} from version "Rewrite"\teditor@example.org <editor@example.org>`]);
    const published = JSON.parse(await git('show', `main:content/articles/${article.id}.json`)) as Record<string, unknown>;
    expect(published).toMatchObject({ id: article.id, title: 'Launch notes', body: 'Second cut' });
    await promisify(execFile)('git', ['--git-dir', path.join(home.root, 'audit.git'), 'fsck', '--strict']);

    // Its published history over HTTP: for the editor who may read the item, not for the public (a draft).
    const history = await fetch(`${server.url}/audit/articles/${article.id}`, { headers: { authorization: `Bearer ${await sdk.getToken()}` } });
    expect(history.status).toBe(200);
    const { data } = (await history.json()) as { data: { commits: { message: string; trailers: Record<string, string> }[] } };
    expect(data.commits).toHaveLength(1);
    expect(data.commits[0]!.trailers).toMatchObject({ 'Cairn-Version': version.id });
    expect((await fetch(`${server.url}/audit/articles/${article.id}`)).status).toBe(403);
  });

  it('refuses a stale promote with VERSION_HASH_MISMATCH over HTTP', async () => {
    const sdk = await editor();
    const article = await sdk.request(createItem('articles', { title: 'Racing' }));
    const version = await sdk.request(createContentVersion({ key: 'slow', collection: 'articles', item: String(article.id) }));
    await sdk.request(saveToContentVersion(version.id, { title: 'Racing, edited' }));
    const { mainHash } = await sdk.request(compareContentVersion(version.id));
    await fetch(`${server.url}/items/articles/${article.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${await sdk.getToken()}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Racing, changed in main' }) });
    const response = await fetch(`${server.url}/versions/${version.id}/promote`, { method: 'POST', headers: { authorization: `Bearer ${await sdk.getToken()}`, 'content-type': 'application/json' }, body: JSON.stringify({ mainHash }) });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('VERSION_HASH_MISMATCH');
  });
});
