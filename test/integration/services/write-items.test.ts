/** Writes through the items service on the template model: validation, history in the same transaction, events after commit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, ItemsEvent } from '../../../src/context/index.ts';
import { adminAccountability, createItems, deleteItems, publicAccountability, readItem, updateBatch, updateItems } from '../../../src/services/index.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

describe.each(testBackends)('writing items on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  const admin = adminAccountability({ ip: '127.0.0.1', userAgent: 'test' });
  const events: [string, ItemsEvent][] = [];

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    await applyTemplate(context.db);
    await context.models.reload();
    for (const event of ['items.create', 'items.update', 'items.delete'] as const) context.events.on(event, (data) => events.push([event, data]));
  });
  afterAll(() => database.drop());

  const asAdmin = () => ({ context, accountability: admin });
  const history = async (collection: string, item: string | number) =>
    database.db.knex('cairn_activity as a').leftJoin('cairn_revisions as r', 'r.activity', 'a.id').where({ 'a.collection': collection, 'a.item': String(item) }).orderBy('a.id').select('a.action', 'a.ip', 'a.user_agent', 'r.data', 'r.delta');

  it('creates items with an activity row and a revision each, and emits after commit', async () => {
    const [ada] = await createItems({ ...asAdmin(), collection: 'authors', items: [{ name: 'Ada', email: 'ada@example.org' }] });
    const keys = await createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'One', author: ada }, { title: 'Two', status: 'published' }] });
    expect(keys).toEqual([1, 2]);
    const rows = await history('articles', 1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'create', ip: '127.0.0.1', user_agent: 'test', delta: { title: 'One', author: ada } });
    expect(rows[0].data).toMatchObject({ id: 1, title: 'One', status: 'draft', views: 0, author: ada });
    expect(rows[0].data.date_created).toEqual(expect.any(String));
    // One event per created item, as Directus emits them.
    expect(events.filter(([event]) => event === 'items.create').map(([, data]) => data.keys)).toEqual([[ada], [1], [2]]);
  });

  it('updates with a delta and the full snapshot, sets date-updated, and deletes with an activity row only', async () => {
    await updateItems({ ...asAdmin(), collection: 'articles', keys: [1], data: { views: 5 } });
    const [, update] = await history('articles', 1);
    expect(update).toMatchObject({ action: 'update', delta: expect.objectContaining({ views: 5 }) });
    expect(update.data).toMatchObject({ id: 1, title: 'One', views: 5 });
    expect(update.data.date_updated).toEqual(expect.any(String));
    await deleteItems({ ...asAdmin(), collection: 'articles', keys: [2] });
    expect(await history('articles', 2)).toEqual([expect.objectContaining({ action: 'create' }), { action: 'delete', ip: '127.0.0.1', user_agent: 'test', data: null, delta: null }]);
  });

  it('keeps exactly one revision per change under 50 concurrent updates of one item, each delta consistent with its data', async () => {
    const [key] = await createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'Counter' }] });
    await Promise.all(Array.from({ length: 50 }, (_, i) => updateItems({ ...asAdmin(), collection: 'articles', keys: [key!], data: { views: i + 1 } })));
    const updates = (await history('articles', key!)).filter((row) => row.action === 'update');
    expect(updates).toHaveLength(50);
    for (const row of updates) expect(row.data.views).toBe(row.delta.views);
    expect(new Set(updates.map((row) => row.delta.views)).size).toBe(50);
  });

  it('writes nested relations in one transaction: m2o objects, o2m lists, m2m junction rows, and the detailed form', async () => {
    const [key] = await createItems({
      ...asAdmin(),
      collection: 'articles',
      items: [{ title: 'Nested', author: { name: 'New author' }, comments: [{ body: 'first', author_name: 'a' }], tags: [{ tags_id: { name: 'fresh' } }] }],
    });
    const read = async () => (await readItem({ ...asAdmin(), collection: 'articles', key: String(key), query: { fields: 'author.name,comments.body,tags.tags_id.name' } })).data as Record<string, unknown>;
    expect(await read()).toEqual({ author: { name: 'New author' }, comments: [{ body: 'first' }], tags: [{ tags_id: { name: 'fresh' } }] });

    const [comment] = (await database.db.knex('comments').where({ article: key }).pluck('id')) as number[];
    await updateItems({ ...asAdmin(), collection: 'articles', keys: [key!], data: { comments: { create: [{ body: 'second', author_name: 'b' }], update: [{ id: comment, body: 'first, edited' }], delete: [] } } });
    expect((await read()).comments).toEqual([{ body: 'first, edited' }, { body: 'second' }]);

    // A full list replaces: comments not listed go (their link to the article is required), tags not listed are unlinked.
    await updateItems({ ...asAdmin(), collection: 'articles', keys: [key!], data: { comments: [comment], tags: [] } });
    expect(await read()).toMatchObject({ comments: [{ body: 'first, edited' }], tags: [] });
    expect(await database.db.knex('tags').where({ name: 'fresh' }).count({ n: '*' })).toEqual([{ n: '1' }]);

    // Nested revisions point at the revision of the item they were written through.
    const revisions = await database.db.knex('cairn_revisions').where({ collection: 'comments' }).orderBy('id').select('parent');
    expect(revisions.every((r: { parent: string | null }) => r.parent !== null)).toBe(true);
  });

  it('refuses bad payloads with the field named and writes nothing', async () => {
    const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: { code?: string }) => error.code);
    const before = await database.db.knex('cairn_activity').count({ n: '*' });
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', nope: 1 }] }))).toBe('INVALID_PAYLOAD');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ body: 'no title' }] }))).toBe('FAILED_VALIDATION');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x'.repeat(201) }] }))).toBe('VALUE_TOO_LONG');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', status: 'secret' }] }))).toBe('FAILED_VALIDATION');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', views: 'many' }] }))).toBe('INVALID_PAYLOAD');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', views: 2 ** 40 }] }))).toBe('VALUE_OUT_OF_RANGE');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', author: 999 }] }))).toBe('INVALID_FOREIGN_KEY');
    expect(await code(createItems({ ...asAdmin(), collection: 'authors', items: [{ name: 'Dup', email: 'ada@example.org' }] }))).toBe('RECORD_NOT_UNIQUE');
    // All or nothing: the second item fails, the first is not kept either.
    expect(await code(createItems({ ...asAdmin(), collection: 'tags', items: [{ name: 'kept?' }, { name: 'kept?' }] }))).toBe('RECORD_NOT_UNIQUE');
    expect(await database.db.knex('tags').where({ name: 'kept?' }).count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await code(updateBatch({ ...asAdmin(), collection: 'articles', changes: [{ key: 1, data: { title: 'ok' } }, { key: 1, data: { status: 'nope' } }] }))).toBe('FAILED_VALIDATION');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', comments: [{ body: 'ok', author_name: 'a' }, { nope: 1 }] }] }))).toBe('INVALID_PAYLOAD');
    expect(await code(createItems({ ...asAdmin(), collection: 'articles', items: [{ title: 'x', comments: { create: [], drop: [] } }] }))).toBe('INVALID_PAYLOAD');
    expect(await database.db.knex('cairn_activity').count({ n: '*' })).toEqual(before);
  });

  it('runs filter hooks before persisting: they may change a payload or veto the write', async () => {
    const stopUpper = context.events.filter('items.create', (payload, meta) => (meta.collection === 'tags' ? { ...payload, name: String(payload.name).toUpperCase() } : payload));
    const stopVeto = context.events.filter('items.update', (payload) => {
      if (payload.name === 'forbidden') throw new Error('vetoed by a hook');
      return payload;
    });
    try {
      const [key] = await createItems({ ...asAdmin(), collection: 'tags', items: [{ name: 'shout' }] });
      expect(await database.db.knex('tags').where({ id: key }).first('name')).toEqual({ name: 'SHOUT' });
      await expect(updateItems({ ...asAdmin(), collection: 'tags', keys: [key!], data: { name: 'forbidden' } })).rejects.toThrow('vetoed by a hook');
      expect(await database.db.knex('tags').where({ id: key }).first('name')).toEqual({ name: 'SHOUT' });
    } finally {
      stopUpper();
      stopVeto();
    }
  });

  it('lets no one but the administrator write until permissions land', async () => {
    const anonymous = publicAccountability();
    await expect(createItems({ context, accountability: anonymous, collection: 'articles', items: [{ title: 'x' }] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(readItem({ context, accountability: anonymous, collection: 'articles', key: '1', query: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
