/**
 * Permissions end to end: users signed in with @directus/sdk's authentication()
 * against a real `cairn serve` of the template, reading and writing as the
 * viewer and editor roles allow, and nothing more.
 */
import { authentication, createDirectus, createItem, readItem, readItems, readRevisions, rest, updateItem } from '@directus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareServerHome, runCairn, startCairnServer, type CairnServer, type ServerHome } from '../helpers/cairn-process.ts';
import { testBackends } from '../helpers/test-databases.ts';

const SECRET = 'p'.repeat(40);
const ADMIN_TOKEN = 'admin-token-for-the-permission-e2e';

interface Blog {
  articles: { id: number; title: string; status: string; views: number; body: string | null; author: number | Blog['authors'][number] | null }[];
  comments: { id: number; article: number; body: string }[];
  authors: { id: number; name: string; email: string | null }[];
}

describe.each(testBackends)('permissions end to end on $name', ({ name }) => {
  let home: ServerHome;
  let server: CairnServer;
  let published: number;
  let draft: number;

  const client = () => createDirectus<Blog>(server.url).with(authentication('json')).with(rest());
  const signedIn = async (email: string) => {
    const sdk = client();
    await sdk.login({ email, password: 'a long enough password' });
    return sdk;
  };
  const admin = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (response) => {
      expect(response.status, await response.clone().text()).toBe(200);
      return ((await response.json()) as { data: Record<string, unknown> }).data;
    });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'done',
      (error: { errors?: { extensions?: { code?: string } }[] }) => error.errors?.[0]?.extensions?.code ?? String(error),
    );

  beforeAll(async () => {
    home = await prepareServerHome(name, { prefix: 'cairn-permissions-', env: { SECRET, ADMIN_TOKEN, LOG_LEVEL: 'warn' } });
    const { env } = home;
    for (const [email, role] of [['viewer@example.org', 'viewer'], ['editor@example.org', 'editor'], ['editor2@example.org', 'editor']]) {
      const created = await runCairn(['users', 'create', '--email', email!, '--password', 'a long enough password', '--role', role!], env);
      expect(created.code, created.stderr).toBe(0);
    }
    server = await startCairnServer({ ...env, LOG_LEVEL: 'info' });
    const author = await admin('/items/authors', { name: 'Ada', email: 'ada@private.example' });
    published = (await admin('/items/articles', { title: 'Out', status: 'published', author: author.id })).id as number;
    draft = (await admin('/items/articles', { title: 'Not yet', status: 'draft', body: 'embargoed' })).id as number;
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('lets a signed-in viewer read what is published, never drafts or emails', async () => {
    const viewer = await signedIn('viewer@example.org');
    expect((await viewer.request(readItems('articles', { fields: ['id', 'title'] }))).map((row) => row.id)).toEqual([published]);
    expect(await codeOf(viewer.request(readItem('articles', draft)))).toBe('FORBIDDEN');
    expect(await codeOf(viewer.request(readItems('authors', { fields: ['email'] })))).toBe('FORBIDDEN');
    expect(await codeOf(viewer.request(readItems('articles', { filter: { author: { email: { _contains: 'private' } } } })))).toBe('FORBIDDEN');
    const revisions = await viewer.request(readRevisions({ fields: ['item', 'data'], filter: { collection: { _eq: 'authors' } } }));
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.data).not.toHaveProperty('email');
  });

  it('lets the viewer comment, with the validation rule enforced, and nothing else', async () => {
    const viewer = await signedIn('viewer@example.org');
    const comment = await viewer.request(createItem('comments', { article: published, body: 'Nice read' }));
    expect(comment).toMatchObject({ article: published, body: 'Nice read' });
    expect(await codeOf(viewer.request(createItem('comments', { article: published, body: '' })))).toBe('FAILED_VALIDATION');
    expect(await codeOf(viewer.request(updateItem('articles', published, { title: 'Mine now' })))).toBe('FORBIDDEN');
    expect(await codeOf(viewer.request(createItem('articles', { title: 'Sneaky' })))).toBe('FORBIDDEN');
  });

  it('lets an editor write their own articles (status preset to draft) and not another editor’s', async () => {
    const editor = await signedIn('editor@example.org');
    const other = await signedIn('editor2@example.org');
    const mine = await editor.request(createItem('articles', { title: 'By the editor' }));
    expect(mine.status).toBe('draft');
    expect((await editor.request(updateItem('articles', mine.id, { title: 'Renamed' }))).title).toBe('Renamed');
    expect(await codeOf(other.request(updateItem('articles', mine.id, { title: 'Taken over' })))).toBe('FORBIDDEN');
    expect(await codeOf(editor.request(updateItem('articles', mine.id, { views: 1_000_000 })))).toBe('FORBIDDEN');
    // The editor reads drafts through its own policy; the viewer still does not see this one.
    const viewer = await signedIn('viewer@example.org');
    expect(await codeOf(viewer.request(readItem('articles', mine.id)))).toBe('FORBIDDEN');
  });
});
