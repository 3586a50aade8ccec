/**
 * Reads under the template's policies (public, viewer, editor through its
 * viewer parent): rows, fields, relations, filters, sorts, aggregates, counts
 * and history, each limited to what the caller may read, inside the SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import { adminAccountability, createItems, readItem, readItems, readItemsJson, type Accountability } from '../../../src/services/index.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';
import { modelOf } from '../../helpers/models.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const USER = '6c0f5f7e-8a52-4d0c-9b0e-0d5a1c2b3e4f';

describe.each(testBackends)('reading under permissions on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let model: Model;
  let publicCaller: Accountability;
  let viewer: Accountability;
  let editor: Accountability;
  const admin = adminAccountability();

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    model = await applyTemplate(context.db);
    await context.models.reload();
    publicCaller = accountabilityAs(model, { role: null });
    viewer = accountabilityAs(model, { role: 'viewer', user: USER });
    editor = accountabilityAs(model, { role: 'editor', user: USER });
    const as = { context, accountability: admin };
    const [ada, bob] = await createItems({ ...as, collection: 'authors', items: [{ name: 'Ada', email: 'ada@secret.example' }, { name: 'Bob', email: 'bob@secret.example' }] });
    const [news, tech] = await createItems({ ...as, collection: 'tags', items: [{ name: 'news' }, { name: 'tech' }] });
    await createItems({
      ...as,
      collection: 'articles',
      items: [
        { title: 'Published one', status: 'published', views: 10, author: ada, published_at: '2024-01-01T00:00:00Z', tags: [{ tags_id: news }], comments: [{ body: 'Nice', author_name: 'x' }] },
        { title: 'Draft TOPSECRET', body: 'hidden plans', status: 'draft', views: 999, author: bob, tags: [{ tags_id: tech }], comments: [{ body: 'secret comment', author_name: 'y' }] },
        { title: 'Published two', status: 'published', views: 20, author: bob, published_at: '2024-02-01T00:00:00Z' },
      ],
    });
  });
  afterAll(() => database.drop());

  const list = async (accountability: Accountability, collection: string, query: Record<string, unknown> = {}) =>
    (await readItems({ context, accountability, collection, query })).data as Record<string, unknown>[];
  const refused = async (accountability: Accountability, collection: string, query: Record<string, unknown>) => {
    const outcome = await readItems({ context, accountability, collection, query }).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    expect(outcome, JSON.stringify(query)).toBe('FORBIDDEN');
  };

  it('shows the public only published articles, with only the fields its policy grants', async () => {
    const rows = await list(publicCaller, 'articles', { sort: 'id' });
    expect(rows.map((row) => row.title)).toEqual(['Published one', 'Published two']);
    expect(Object.keys(rows[0]!).sort()).toEqual(['body', 'category', 'id', 'published_at', 'slug', 'tags', 'title']);
    expect(rows[0]!.tags).toHaveLength(1);
  });

  it('refuses every way of touching a field the caller may not read', async () => {
    for (const query of [
      { fields: 'status' },
      { fields: 'author.name' },
      { filter: { status: { _eq: 'draft' } } },
      { filter: { views: { _gt: 100 } } },
      { filter: { author: { name: { _eq: 'Bob' } } } },
      { filter: { comments: { _some: { body: { _contains: 'secret' } } } } },
      { sort: '-views' },
      { sort: 'author.name' },
      { aggregate: { sum: 'views' } },
      { aggregate: { count: 'id' }, groupBy: 'status' },
      { fields: 'year(date_created)' },
      { fields: 'count(comments)' },
      { alias: { v: 'views' }, fields: 'v' },
      { fields: 'comments.body' },
      { deep: { comments: { _filter: { body: { _eq: 'x' } } } }, fields: 'id' },
    ]) {
      await refused(publicCaller, 'articles', query);
    }
    await refused(publicCaller, 'authors', {});
    await refused(publicCaller, 'comments', {});
    await refused(viewer, 'authors', { fields: 'email' });
    await refused(viewer, 'articles', { filter: { author: { email: { _contains: 'secret' } } } });
    await refused(viewer, 'articles', { sort: 'author.email' });
  });

  it('never matches hidden rows by search, counts them, or aggregates them', async () => {
    expect(await list(publicCaller, 'articles', { search: 'TOPSECRET' })).toEqual([]);
    expect(await list(publicCaller, 'articles', { search: 'hidden' })).toEqual([]);
    const counted = await readItems({ context, accountability: publicCaller, collection: 'articles', query: { meta: '*', limit: 1 } });
    expect(counted.meta).toEqual({ total_count: 2, filter_count: 2 });
    expect(await list(publicCaller, 'articles', { aggregate: { count: '*' } })).toEqual([{ count: '2' }]);
    expect(await list(viewer, 'articles', { aggregate: { sum: 'views', max: 'views' } })).toEqual([{ sum: { views: '30' }, max: { views: 20 } }]);
    expect(await list(viewer, 'articles', { aggregate: { count: '*' }, groupBy: 'status' })).toEqual([{ status: 'published', count: '2' }]);
    expect((await list(viewer, 'articles', { fields: 'id,count(comments)', sort: 'id' })).map((row) => row.comments_count)).toEqual([1, 0]);
  });

  it('reads a hidden item as forbidden, exactly as a missing one', async () => {
    const missing = readItem({ context, accountability: publicCaller, collection: 'articles', key: '999', query: {} });
    const hidden = readItem({ context, accountability: publicCaller, collection: 'articles', key: '2', query: {} });
    const [a, b] = await Promise.allSettled([missing, hidden]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    const [first, second] = [(a as PromiseRejectedResult).reason, (b as PromiseRejectedResult).reason];
    expect(first.code).toBe('FORBIDDEN');
    expect([second.code, second.message, second.details]).toEqual([first.code, first.message, first.details]);
  });

  it('applies the related collection’s permissions to nested fields, `*` included', async () => {
    const rows = await list(viewer, 'articles', { fields: 'id,author.*,comments.body', sort: 'id' });
    expect(rows).toEqual([
      { id: 1, author: { id: 1, name: 'Ada', bio: null }, comments: [{ body: 'Nice' }] },
      { id: 3, author: { id: 2, name: 'Bob', bio: null }, comments: [] },
    ]);
    // Comments of the draft stay hidden even when listed directly, through the m2o rule.
    expect((await list(viewer, 'comments', { fields: 'body' })).map((row) => row.body)).toEqual(['Nice']);
  });

  it('unions policies along the role chain: the editor reads drafts through its own policy', async () => {
    expect((await list(editor, 'articles', { fields: 'title', sort: 'id' })).map((row) => row.title)).toEqual(['Published one', 'Draft TOPSECRET', 'Published two']);
    // authors: the editor's policy grants every field, the viewer's not email; the union wins.
    expect((await list(editor, 'authors', { fields: 'email', sort: 'id' })).map((row) => row.email)).toEqual(['ada@secret.example', 'bob@secret.example']);
  });

  it('shows history only for items the caller may read, without fields it may not read', async () => {
    const revisions = (await readItems({ context, accountability: viewer, collection: 'cairn_revisions', query: { filter: { collection: { _eq: 'authors' } }, sort: 'id' }, system: true })).data as Record<string, unknown>[];
    expect(revisions).toHaveLength(2);
    for (const revision of revisions) {
      expect(revision.data).not.toHaveProperty('email');
      expect(revision.data).toHaveProperty('name');
      expect(revision.delta).not.toHaveProperty('email');
    }
    const articleHistory = (await readItems({ context, accountability: viewer, collection: 'cairn_activity', query: { filter: { collection: { _eq: 'articles' } }, fields: 'item' }, system: true })).data as Record<string, unknown>[];
    expect(articleHistory.map((row) => row.item).sort()).toEqual(['1', '3']);
    await expect(readItems({ context, accountability: viewer, collection: 'cairn_activity', query: { fields: 'ip' }, system: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(readItems({ context, accountability: publicCaller, collection: 'cairn_activity', query: {}, system: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const searched = (await readItems({ context, accountability: viewer, collection: 'cairn_revisions', query: { search: 'TOPSECRET' }, system: true })).data;
    expect(searched).toEqual([]);
  });

  it('answers the same JSON text path as the parsed one', async () => {
    const text = await readItemsJson({ context, accountability: publicCaller, collection: 'articles', query: { fields: 'id,title', sort: 'id' } });
    expect(JSON.parse(text)).toEqual({ data: [{ id: 1, title: 'Published one' }, { id: 3, title: 'Published two' }] });
  });
});

describe.each(testBackends)('fields granted per row (case/when) on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let caller: Accountability;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    const model = modelOf(
      { notes: { fields: { title: { type: 'string' }, secret: { type: 'string' }, status: { type: 'string' } } } },
      {
        policies: [
          { policy: 'titles', permissions: { notes: { read: { fields: ['id', 'title'] } } } },
          { policy: 'open', permissions: { notes: { read: { fields: '*', filter: { status: { _eq: 'open' } } } } } },
        ],
        roles: [{ role: 'reader', policies: ['titles', 'open'] }],
      },
    );
    await serveModel(context, model);
    caller = accountabilityAs(model, { role: 'reader', user: USER });
    await createItems({
      context,
      accountability: adminAccountability(),
      collection: 'notes',
      items: [
        { title: 'a', secret: 's-open', status: 'open' },
        { title: 'b', secret: 's-closed', status: 'closed' },
      ],
    });
  });
  afterAll(() => database.drop());

  const read = async (query: Record<string, unknown>) => (await readItems({ context, accountability: caller, collection: 'notes', query })).data as Record<string, unknown>[];

  it('shows a field only on rows a permission granting it grants', async () => {
    expect(await read({ sort: 'id' })).toEqual([
      { id: 1, title: 'a', secret: 's-open', status: 'open' },
      { id: 2, title: 'b', secret: null, status: null },
    ]);
  });

  it('filters, searches, sorts and aggregates on the value the caller sees, never the hidden one', async () => {
    expect((await read({ filter: { secret: { _eq: 's-closed' } } })).length).toBe(0);
    expect((await read({ filter: { secret: { _null: true } }, fields: 'id' })).map((row) => row.id)).toEqual([2]);
    expect((await read({ filter: { status: { _eq: 'closed' } } })).length).toBe(0);
    expect(await read({ search: 's-closed' })).toEqual([]);
    expect(await read({ aggregate: { countDistinct: 'secret' } })).toEqual([{ countDistinct: { secret: '1' } }]);
    expect(await read({ aggregate: { count: '*' }, groupBy: 'status' })).toEqual([
      { status: 'open', count: '1' },
      { status: null, count: '1' },
    ]);
  });
});

describe.each(testBackends)('count() of a relation under permissions on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let caller: Accountability;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    const model = modelOf(
      {
        owners: { fields: { name: { type: 'string' }, pets: { type: 'o2m', related: 'pets', foreignKey: 'owner' } } },
        pets: { fields: { name: { type: 'string' }, hidden: { type: 'boolean' }, owner: { type: 'm2o', related: 'owners' } } },
      },
      {
        policies: [{ policy: 'seen', permissions: { owners: { read: { fields: '*' } }, pets: { read: { fields: '*', filter: { hidden: { _eq: false } } } } } }],
        roles: [{ role: 'reader', policies: ['seen'] }],
      },
    );
    await serveModel(context, model);
    caller = accountabilityAs(model, { role: 'reader', user: USER });
    await createItems({
      context,
      accountability: adminAccountability(),
      collection: 'owners',
      items: [
        { name: 'one visible, two hidden', pets: [{ name: 'a', hidden: false }, { name: 'b', hidden: true }, { name: 'c', hidden: true }] },
        { name: 'two visible', pets: [{ name: 'd', hidden: false }, { name: 'e', hidden: false }] },
      ],
    });
  });
  afterAll(() => database.drop());

  const names = async (accountability: Accountability, filter: Record<string, unknown>) =>
    ((await readItems({ context, accountability, collection: 'owners', query: { filter, fields: ['name'], sort: ['id'] } })).data as { name: string }[]).map((row) => row.name);

  it('counts only the related items the caller may read, as count(pets) in fields does', async () => {
    expect(await names(adminAccountability(), { 'count(pets)': { _gte: 3 } })).toEqual(['one visible, two hidden']);
    expect(await names(caller, { 'count(pets)': { _gte: 2 } })).toEqual(['two visible']);
    expect(await names(caller, { 'count(pets)': 1 })).toEqual(['one visible, two hidden']);
    const counted = (await readItems({ context, accountability: caller, collection: 'owners', query: { fields: ['count(pets)'], sort: ['id'] } })).data;
    expect(counted).toEqual([{ pets_count: 1 }, { pets_count: 2 }]);
  });
});
