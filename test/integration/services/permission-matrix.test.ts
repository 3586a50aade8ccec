/**
 * The template's permission matrix: public, viewer, editor (viewer's child)
 * and the administrator × its collections × read, create, update, delete,
 * each cell an actual service call whose outcome must match the table.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import { adminAccountability, createItems, deleteItems, readItems, updateItems, type Accountability } from '../../../src/services/index.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

type Who = 'public' | 'viewer' | 'editor' | 'admin';
type Action = 'read' | 'create' | 'update' | 'delete';
const COLLECTIONS = ['articles', 'authors', 'categories', 'tags', 'comments'] as const;
type Name = (typeof COLLECTIONS)[number];

/** ✓ allowed, ✗ forbidden; from schema-repo-template/policies and roles (editor inherits viewer). */
const EXPECTED: Record<Who, Record<Name, string>> = {
  //          read create update delete
  public: { articles: '✓✗✗✗', authors: '✗✗✗✗', categories: '✓✗✗✗', tags: '✓✗✗✗', comments: '✗✗✗✗' },
  viewer: { articles: '✓✗✗✗', authors: '✓✗✗✗', categories: '✓✗✗✗', tags: '✓✗✗✗', comments: '✓✓✗✗' },
  editor: { articles: '✓✓✓✗', authors: '✓✗✗✗', categories: '✓✗✗✗', tags: '✓✓✓✗', comments: '✓✓✗✗' },
  admin: { articles: '✓✓✓✓', authors: '✓✓✓✓', categories: '✓✓✓✓', tags: '✓✓✓✓', comments: '✓✓✓✓' },
};
const ACTIONS: Action[] = ['read', 'create', 'update', 'delete'];

describe.each(testBackends)('the template permission matrix on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let model: Model;
  const callers = {} as Record<Who, Accountability>;
  /** Per caller and collection, an item the caller owns (so an owner-only rule can pass). */
  const owned = {} as Record<Who, Record<Name, number>>;
  let article: number;
  let counter = 0;

  const payload = (collection: Name): Record<string, unknown> => {
    const n = ++counter;
    switch (collection) {
      case 'articles':
        return { title: `Title ${n}` };
      case 'authors':
        return { name: `Author ${n}` };
      case 'categories':
        return { name: `Category ${n}`, slug: `category-${n}` };
      case 'tags':
        return { name: `tag-${n}` };
      case 'comments':
        return { article, body: `Comment ${n}` };
    }
  };
  const updatable = (collection: Name): Record<string, unknown> => ({ articles: { title: 'Changed' }, authors: { name: 'Changed' }, categories: { name: 'Changed' }, tags: { name: `changed-${++counter}` }, comments: { body: 'Changed' } })[collection];

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    model = await applyTemplate(context.db);
    await context.models.reload();
    const admin = adminAccountability();
    callers.admin = admin;
    for (const who of ['viewer', 'editor'] as const) {
      const id = randomUUID();
      await context.db.knex('cairn_users').insert({ id, email: `${who}@example.org`, role: who });
      callers[who] = accountabilityAs(model, { role: who, user: id });
    }
    callers.public = accountabilityAs(model, { role: null });
    article = ((await createItems({ context, accountability: admin, collection: 'articles', items: [{ title: 'Published', status: 'published' }] })) as number[])[0]!;
    for (const who of Object.keys(callers) as Who[]) {
      owned[who] = {} as Record<Name, number>;
      for (const collection of COLLECTIONS) {
        const [key] = (await createItems({ context, accountability: admin, collection, items: [payload(collection)] })) as number[];
        // Owned by the caller, published: every row rule of the template can be met.
        if (collection === 'articles') await context.db.knex('articles').where({ id: key }).update({ user_created: callers[who].user, status: 'published' });
        owned[who][collection] = key!;
      }
    }
  });
  afterAll(() => database.drop());

  const attempt = async (who: Who, collection: Name, action: Action): Promise<string> => {
    const accountability = callers[who];
    const call = {
      read: () => readItems({ context, accountability, collection, query: { limit: 1 } }),
      create: () => createItems({ context, accountability, collection, items: [payload(collection)] }),
      update: () => updateItems({ context, accountability, collection, keys: [owned[who][collection]], data: updatable(collection) }),
      delete: () => deleteItems({ context, accountability, collection, keys: [owned[who][collection]] }),
    }[action];
    return call().then(
      () => '✓',
      (error: { code?: string }) => (error.code === 'FORBIDDEN' ? '✗' : `error ${error.code ?? String(error)}`),
    );
  };

  it('matches the table in every cell', async () => {
    const actual = {} as Record<Who, Record<Name, string>>;
    for (const who of ['public', 'viewer', 'editor', 'admin'] as const) {
      actual[who] = {} as Record<Name, string>;
      for (const collection of COLLECTIONS) {
        let cells = '';
        for (const action of ACTIONS) cells += await attempt(who, collection, action);
        actual[who][collection] = cells;
      }
    }
    expect(actual).toEqual(EXPECTED);
  });
});
