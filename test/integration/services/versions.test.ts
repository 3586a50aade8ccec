/**
 * Content versions on the template's articles: save without touching main,
 * preview, compare, three-way merge, promote (one transaction with its audit
 * row), relational changes, stale versions and permissions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import {
  compareVersion,
  createItems,
  createVersions,
  deleteItems,
  promoteVersion,
  readAtVersion,
  readItem,
  readItems,
  saveToVersion,
  updateItems,
  type Accountability,
} from '../../../src/services/index.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

describe.each(testBackends)('content versions on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let model: Model;
  let editor: Accountability;
  let viewer: Accountability;
  // A real user: a promote is committed in its author's name (an admin without a user is refused).
  let admin: Accountability;
  const ADMIN = randomUUID();
  const EDITOR = randomUUID();

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    model = await applyTemplate(context.db);
    await context.models.reload();
    await context.db.knex('cairn_users').insert([
      { id: ADMIN, email: 'ad@example.org', first_name: 'Ad', last_name: 'Min', role: 'administrator' },
      { id: EDITOR, email: 'ed@example.org', first_name: 'Ed', last_name: 'Itor', role: 'editor' },
      { id: randomUUID(), email: 'vi@example.org', role: 'viewer' },
    ]);
    admin = accountabilityAs(model, { role: 'administrator', user: ADMIN });
    editor = accountabilityAs(model, { role: 'editor', user: EDITOR });
    viewer = accountabilityAs(model, { role: 'viewer', user: randomUUID() });
  });
  afterAll(() => database.drop());

  const article = async (data: Record<string, unknown>, as: Accountability = editor) => ((await createItems({ context, accountability: as, collection: 'articles', items: [data] })) as number[])[0]!;
  const main = async (key: number, fields = ['*']) => (await readItem({ context, accountability: admin, collection: 'articles', key: String(key), query: { fields } })).data as Record<string, unknown>;
  const version = async (key: number, versionKey = 'draft', as: Accountability = editor) => (await createVersions({ context, accountability: as, items: [{ key: versionKey, name: `Draft of ${key}`, collection: 'articles', item: key }] }))[0]!;
  const preview = (key: number, versionKey: string, fields: string[] = ['*'], as: Accountability = editor) =>
    readAtVersion({ context, accountability: as, collection: 'articles', versionKey, key: String(key), read: (scoped) => readItem({ context: scoped, accountability: as, collection: 'articles', key: String(key), query: { fields } }) }).then((r) => r.data as Record<string, unknown>);
  const code = (promise: Promise<unknown>) => promise.then(() => 'done', (error: { code?: string }) => error.code ?? String(error));

  it('saves changes into the version without touching main, previews them, and promotes them with an audit row', async () => {
    const key = await article({ title: 'Original', body: 'one' });
    const id = await version(key);
    await saveToVersion({ context, accountability: editor, id, payload: { title: 'Edited' } });
    await saveToVersion({ context, accountability: editor, id, payload: { body: 'two' } });
    expect(await main(key, ['title', 'body'])).toEqual({ title: 'Original', body: 'one' });
    expect(await preview(key, 'draft', ['title', 'body'])).toEqual({ title: 'Edited', body: 'two' });
    const compared = await compareVersion({ context, accountability: editor, id });
    expect(compared).toMatchObject({ outdated: false, current: { title: 'Edited', body: 'two', id: key }, main: { title: 'Original' } });
    const saves = await context.db.knex('cairn_activity').where({ collection: 'articles', item: String(key), action: 'version_save' }).count({ n: '*' });
    expect(Number(saves[0]!.n)).toBe(2);
    expect(await promoteVersion({ context, accountability: editor, id, mainHash: compared.mainHash })).toBe(key);
    expect(await main(key, ['title', 'body'])).toEqual({ title: 'Edited', body: 'two' });
    const [outbox] = await context.db.knex('cairn_audit_outbox').where({ collection: 'articles', item: String(key) });
    expect(outbox).toMatchObject({ action: 'promote', author_name: 'Ed Itor', author_email: 'ed@example.org', message: `Promote articles/${key} from version "Draft of ${key}"`, commit_sha: null });
    expect(outbox.content).toMatchObject({ id: key, title: 'Edited', body: 'two' });
    expect(outbox.trailers).toMatchObject({ 'Cairn-Version': id, 'Cairn-Revision': expect.stringMatching(/^\d+$/), 'Cairn-Activity': expect.stringMatching(/^\d+$/) });
    const revision = await context.db.knex('cairn_revisions').where({ id: outbox.trailers['Cairn-Revision'] }).first('delta');
    expect(revision.delta).toMatchObject({ title: 'Edited', body: 'two' });
  });

  it('refuses a stale promote, promotes chosen fields anyway, and merges three ways reporting conflicts', async () => {
    const key = await article({ title: 'Base', body: 'base body' });
    const id = await version(key);
    await saveToVersion({ context, accountability: editor, id, payload: { title: 'Version title', body: 'version body' } });
    const before = await compareVersion({ context, accountability: editor, id });
    await updateItems({ context, accountability: admin, collection: 'articles', keys: [key], data: { title: 'Main title' } });
    const after = await compareVersion({ context, accountability: editor, id, merge: true });
    expect(after.outdated).toBe(true);
    expect(after.merge!.conflicts).toEqual([{ field: 'title', base: 'Base', main: 'Main title', version: 'Version title' }]);
    expect(after.merge!.merged).toMatchObject({ title: 'Main title', body: 'version body' });
    expect(await code(promoteVersion({ context, accountability: editor, id, mainHash: before.mainHash }))).toBe('VERSION_HASH_MISMATCH');
    expect(await code(promoteVersion({ context, accountability: editor, id }))).toBe('VERSION_HASH_MISMATCH');
    expect((await main(key, ['title'])).title).toBe('Main title');
    await promoteVersion({ context, accountability: editor, id, fields: ['body'] });
    expect(await main(key, ['title', 'body'])).toEqual({ title: 'Main title', body: 'version body' });
  });

  it('stores relational changes in the delta and applies them faithfully: m2o switch, m2m and o2m {create, update, delete}', async () => {
    const [ada, bob] = (await createItems({ context, accountability: admin, collection: 'authors', items: [{ name: 'Ada' }, { name: 'Bob' }] })) as number[];
    const key = await article({ title: 'Related', author: ada, comments: [{ body: 'keep' }, { body: 'drop' }] }, admin);
    const [keep, drop] = ((await main(key, ['comments'])).comments as number[]).sort((a, b) => a - b);
    const id = await version(key, 'relations', admin);
    await saveToVersion({
      context,
      accountability: admin,
      id,
      payload: { author: bob, tags: [{ tags_id: { name: 'versioned-tag' } }], comments: { create: [{ body: 'new' }], update: [{ id: keep, body: 'kept, edited' }], delete: [drop] } },
    });
    const fields = ['author.name', 'tags.tags_id.name', 'comments.body'];
    const seen = await preview(key, 'relations', fields, admin);
    expect(seen.author).toEqual({ name: 'Bob' });
    expect(seen.tags).toEqual([{ tags_id: { name: 'versioned-tag' } }]);
    expect((seen.comments as { body: string }[]).map((c) => c.body).sort()).toEqual(['kept, edited', 'new']);
    // Main is untouched, and nothing of the preview leaked into the tables.
    const untouched = await main(key, fields);
    expect(untouched.author).toEqual({ name: 'Ada' });
    expect(untouched.tags).toEqual([]);
    expect((untouched.comments as { body: string }[]).map((c) => c.body).sort()).toEqual(['drop', 'keep']);
    expect(await readItems({ context, accountability: admin, collection: 'tags', query: { filter: { name: { _eq: 'versioned-tag' } } } })).toEqual({ data: [] });
    const { mainHash } = await compareVersion({ context, accountability: admin, id });
    await promoteVersion({ context, accountability: admin, id, mainHash });
    const published = await main(key, fields);
    expect(published.author).toEqual({ name: 'Bob' });
    expect(published.tags).toEqual([{ tags_id: { name: 'versioned-tag' } }]);
    expect((published.comments as { body: string }[]).map((c) => c.body).sort()).toEqual(['kept, edited', 'new']);
  });

  it('asks update permission to make or save a version, read permission to see one, and refuses what Directus refuses', async () => {
    const key = await article({ title: 'Permissions' });
    expect(await code(version(key, 'mine', viewer))).toBe('FORBIDDEN');
    const others = await article({ title: 'Not the editor’s' }, admin);
    expect(await code(version(others, 'theirs', editor))).toBe('FORBIDDEN');
    expect(await code(createVersions({ context, accountability: editor, items: [{ key: 'main', collection: 'articles', item: key }] }))).toBe('INVALID_PAYLOAD');
    expect(await code(createVersions({ context, accountability: admin, items: [{ key: 'x', collection: 'authors', item: 1 }] }))).toBe('UNPROCESSABLE_CONTENT');
    const id = await version(key, 'once');
    expect(await code(version(key, 'once'))).toBe('UNPROCESSABLE_CONTENT');
    // A field the editor may not update cannot be saved into a version either.
    expect(await code(saveToVersion({ context, accountability: editor, id, payload: { views: 5 } }))).toBe('FORBIDDEN');
    // The viewer cannot read drafts, so neither the version nor a preview of it.
    expect(await code(compareVersion({ context, accountability: viewer, id }))).toBe('FORBIDDEN');
    expect(await code(preview(key, 'once', ['title'], viewer))).toBe('FORBIDDEN');
    expect(await code(promoteVersion({ context, accountability: editor, id, mainHash: 'x' }))).toBe('UNPROCESSABLE_CONTENT');
  });

  it('queues the removal of a published item from the audit repository when it is deleted', async () => {
    const key = await article({ title: 'Short-lived' }, admin);
    const id = await version(key, 'publish', admin);
    await saveToVersion({ context, accountability: admin, id, payload: { title: 'Published once' } });
    await promoteVersion({ context, accountability: admin, id, mainHash: (await compareVersion({ context, accountability: admin, id })).mainHash });
    await deleteItems({ context, accountability: admin, collection: 'articles', keys: [key] });
    const rows = await context.db.knex('cairn_audit_outbox').where({ collection: 'articles', item: String(key) }).orderBy('id').select('action', 'content');
    expect(rows).toEqual([expect.objectContaining({ action: 'promote' }), { action: 'delete', content: null }]);
    // Never published: nothing to remove.
    const never = await article({ title: 'Never published' }, admin);
    await deleteItems({ context, accountability: admin, collection: 'articles', keys: [never] });
    expect(Number((await context.db.knex('cairn_audit_outbox').where({ collection: 'articles', item: String(never) }).count({ n: '*' }))[0]!.n)).toBe(0);
  });
});
