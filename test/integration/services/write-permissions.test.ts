/**
 * Writes under the template's policies: allowed fields, presets, validation,
 * item filters before and after, nested writes, all-or-nothing batches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import { adminAccountability, createItems, deleteItems, readItem, revertRevision, updateBatch, updateItems, type Accountability } from '../../../src/services/index.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';

const EDITOR = '11111111-1111-4111-8111-111111111111';
const OTHER_EDITOR = '22222222-2222-4222-8222-222222222222';
const VIEWER = '33333333-3333-4333-8333-333333333333';

describe.each(testBackends)('writing under permissions on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let model: Model;
  let editor: Accountability;
  let otherEditor: Accountability;
  let viewer: Accountability;
  let publicCaller: Accountability;
  const admin = adminAccountability();
  let othersArticle: number;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    model = await applyTemplate(context.db);
    await context.models.reload();
    await context.db.knex('cairn_users').insert([
      { id: EDITOR, email: 'editor@example.org', role: 'editor' },
      { id: OTHER_EDITOR, email: 'other@example.org', role: 'editor' },
      { id: VIEWER, email: 'viewer@example.org', role: 'viewer' },
    ]);
    editor = accountabilityAs(model, { role: 'editor', user: EDITOR });
    otherEditor = accountabilityAs(model, { role: 'editor', user: OTHER_EDITOR });
    viewer = accountabilityAs(model, { role: 'viewer', user: VIEWER });
    publicCaller = accountabilityAs(model, { role: null });
    othersArticle = ((await createItems({ context, accountability: otherEditor, collection: 'articles', items: [{ title: 'Not yours' }] })) as number[])[0]!;
  });
  afterAll(() => database.drop());

  const row = async (collection: string, key: number) => (await readItem({ context, accountability: admin, collection, key: String(key), query: {} })).data as Record<string, unknown>;
  const code = (promise: Promise<unknown>) => promise.then(() => 'done', (error: { code?: string }) => error.code);

  it('creates with presets under the payload and the creator recorded; refuses fields the policy does not grant', async () => {
    const [key] = (await createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'Mine' }] })) as number[];
    expect(await row('articles', key!)).toMatchObject({ title: 'Mine', status: 'draft', user_created: EDITOR });
    const [chosen] = (await createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'Mine too', status: 'published' }] })) as number[];
    expect((await row('articles', chosen!)).status).toBe('published');
    expect(await code(createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'x', views: 1_000_000 }] }))).toBe('FORBIDDEN');
    expect(await code(createItems({ context, accountability: publicCaller, collection: 'articles', items: [{ title: 'x' }] }))).toBe('FORBIDDEN');
    expect(await code(createItems({ context, accountability: viewer, collection: 'authors', items: [{ name: 'x' }] }))).toBe('FORBIDDEN');
  });

  it('updates only rows within the item filter, before and after, and only granted fields', async () => {
    const [key] = (await createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'Draft' }] })) as number[];
    await updateItems({ context, accountability: editor, collection: 'articles', keys: [key!], data: { title: 'Renamed' } });
    expect((await row('articles', key!)).title).toBe('Renamed');
    expect(await code(updateItems({ context, accountability: editor, collection: 'articles', keys: [othersArticle], data: { title: 'Hijacked' } }))).toBe('FORBIDDEN');
    expect((await row('articles', othersArticle)).title).toBe('Not yours');
    expect(await code(updateItems({ context, accountability: editor, collection: 'articles', keys: [key!], data: { views: 5 } }))).toBe('FORBIDDEN');
    // A key that does not exist is refused like one the caller may not touch.
    expect(await code(updateItems({ context, accountability: editor, collection: 'articles', keys: [999_999], data: { title: 'x' } }))).toBe('FORBIDDEN');
    expect(await code(deleteItems({ context, accountability: editor, collection: 'articles', keys: [key!] }))).toBe('FORBIDDEN');
  });

  it('is all-or-nothing: one forbidden item in a batch leaves every item as it was', async () => {
    const [a, b] = (await createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'A' }, { title: 'B' }] })) as number[];
    const outcome = await code(
      updateBatch({
        context,
        accountability: editor,
        collection: 'articles',
        changes: [
          { key: a!, data: { title: 'A2' } },
          { key: othersArticle, data: { title: 'stolen' } },
          { key: b!, data: { title: 'B2' } },
        ],
      }),
    );
    expect(outcome).toBe('FORBIDDEN');
    expect([(await row('articles', a!)).title, (await row('articles', b!)).title, (await row('articles', othersArticle)).title]).toEqual(['A', 'B', 'Not yours']);
  });

  it('checks nested writes against the related collection’s permissions', async () => {
    const [key] = (await createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'Tagged', tags: [{ tags_id: { name: 'fresh' } }] }] })) as number[];
    expect((await row('articles', key!)).tags).toHaveLength(1);
    const counts = async () => Promise.all(['articles', 'comments', 'authors'].map(async (table) => Number((await context.db.knex(table).count({ n: '*' }))[0]!.n)));
    const before = await counts();
    // comments is not among the fields the editor may set on an article.
    expect(await code(createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'x', comments: [{ body: 'hi' }] }] }))).toBe('FORBIDDEN');
    // authors may be read, not created, by editors: an m2o object that would create one is refused.
    expect(await code(createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'x', author: { name: 'New author' } }] }))).toBe('FORBIDDEN');
    // Refused whole: neither the article nor its nested rows were written.
    expect(await counts()).toEqual(before);
  });

  it('enforces the validation rule on the written row and names the failing field', async () => {
    const [published] = (await createItems({ context, accountability: admin, collection: 'articles', items: [{ title: 'Open', status: 'published' }] })) as number[];
    const failure = await createItems({ context, accountability: viewer, collection: 'comments', items: [{ article: published, body: '' }] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'FAILED_VALIDATION', details: { field: 'body', type: 'nempty' } });
    const [comment] = (await createItems({ context, accountability: viewer, collection: 'comments', items: [{ article: published, body: 'Fine' }] })) as number[];
    expect((await row('comments', comment!)).body).toBe('Fine');
    expect(Number((await context.db.knex('comments').where({ body: '' }).count({ n: '*' }))[0]!.n)).toBe(0);
  });

  it('links an m2o given as {key} alone without updating the related item (no update permission needed)', async () => {
    // Editors may update only their own articles: commenting on someone else's must not count as updating it.
    const revisions = async () => Number((await context.db.knex('cairn_revisions').where({ collection: 'articles', item: String(othersArticle) }).count({ n: '*' }))[0]!.n);
    const before = await revisions();
    const [comment] = (await createItems({ context, accountability: editor, collection: 'comments', items: [{ article: { id: othersArticle }, body: 'Linked' }] })) as number[];
    expect((await row('comments', comment!)).article).toBe(othersArticle);
    expect(await revisions()).toBe(before);
    // With a change beside the key it is still an update of the related item, refused here.
    expect(await code(createItems({ context, accountability: editor, collection: 'comments', items: [{ article: { id: othersArticle, title: 'Hijacked' }, body: 'x' }] }))).toBe('FORBIDDEN');
    expect((await row('articles', othersArticle)).title).toBe('Not yours');
  });

  it('reverts only for callers who may read the revision and update the item', async () => {
    const [key] = (await createItems({ context, accountability: editor, collection: 'articles', items: [{ title: 'Before' }] })) as number[];
    await updateItems({ context, accountability: editor, collection: 'articles', keys: [key!], data: { title: 'After' } });
    const [first] = await context.db.knex('cairn_revisions').where({ collection: 'articles', item: String(key) }).orderBy('id').pluck('id');
    expect(await code(revertRevision({ context, accountability: viewer, revision: String(first) }))).toBe('FORBIDDEN');
    await revertRevision({ context, accountability: editor, revision: String(first) });
    expect((await row('articles', key!)).title).toBe('Before');
  });
});
