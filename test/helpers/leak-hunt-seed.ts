/**
 * The model and data of the leak hunts (REST: test/integration/services/permission-leak-hunt.test.ts,
 * GraphQL: test/integration/api/graphql-leak-hunt.test.ts): two databases with the same rows a
 * non-administrator may see and different rows and values it may not.
 */
import fc from 'fast-check';
import type { Context } from '../../src/context/index.ts';
import type { Model } from '../../src/model/index.ts';
import { adminAccountability, createItems, deleteItems, updateItems, type Accountability } from '../../src/services/index.ts';
import { modelOf } from './models.ts';

export type Variant = 'A' | 'B';

/**
 * The hunts' model. Beyond authors, articles and comments: authors.articles (an o2m from a
 * collection read whole into one read by rule) and articles.tags (an m2m, whose generated junction
 * takes its permissions from articles). Two callers: `reader`, whose one permission per collection
 * hides internal_note everywhere, and `reviewer`, who also reads internal_note of articles in
 * review. With `adminOnly`, authors.secret_code and payroll, which only the administrator reads
 * (authors' readable fields are then listed): names that must never reach a caller's schema.
 */
export function leakHuntModel(options: { adminOnly?: boolean } = {}): Model {
  const adminOnly = options.adminOnly ?? false;
  return modelOf(
    {
      authors: {
        fields: {
          name: { type: 'string' },
          email: { type: 'string' },
          ...(adminOnly ? { secret_code: { type: 'string' } } : {}),
          articles: { type: 'o2m', related: 'articles', foreignKey: 'author' },
        },
      },
      tags: { fields: { name: { type: 'string' } } },
      articles: {
        fields: {
          title: { type: 'string' },
          status: { type: 'string' },
          views: { type: 'integer' },
          internal_note: { type: 'text' },
          author: { type: 'm2o', related: 'authors' },
          comments: { type: 'o2m', related: 'comments', foreignKey: 'article' },
          tags: { type: 'm2m', related: 'tags' },
        },
      },
      comments: { fields: { body: { type: 'string' }, article: { type: 'm2o', related: 'articles' } } },
      ...(adminOnly ? { payroll: { fields: { salary: { type: 'integer' }, employee: { type: 'm2o', related: 'authors' } } } } : {}),
    },
    {
      policies: [
        {
          policy: 'reader',
          permissions: {
            articles: { read: { fields: ['id', 'title', 'status', 'views', 'author', 'comments', 'tags'], filter: { status: { _neq: 'draft' } } } },
            comments: { read: { fields: '*', filter: { article: { status: { _neq: 'draft' } } } } },
            authors: { read: { fields: adminOnly ? ['id', 'name', 'email', 'articles'] : '*' } },
            tags: { read: { fields: '*' } },
          },
        },
        { policy: 'review-notes', permissions: { articles: { read: { fields: ['id', 'internal_note'], filter: { status: { _eq: 'review' } } } } } },
      ],
      roles: [
        { role: 'reader', policies: ['reader'] },
        { role: 'reviewer', policies: ['reader', 'review-notes'] },
      ],
    },
  );
}

/** The administrator seeding, from a different place in each: where a change came from is hidden from non-administrators. */
export function adminFrom(variant: Variant): Accountability {
  return variant === 'A' ? adminAccountability({ ip: '10.0.0.1', userAgent: 'SECRET agent', origin: 'https://secret.example' }) : adminAccountability({ ip: '192.168.9.9', userAgent: 'curl', origin: null });
}

/**
 * What both databases hold alike, in the same order (so keys match), but for internal_note, which
 * differs except on the article in review (the reviewer reads that one).
 */
export async function seedVisible(context: Context, variant: Variant): Promise<void> {
  const as = { context, accountability: adminFrom(variant) };
  const note = (a: string | null, b: string | null) => (variant === 'A' ? a : b);
  const [ada, bob, cy] = await createItems({ ...as, collection: 'authors', items: [{ name: 'Ada', email: 'ada@example.com' }, { name: 'Bob', email: 'bob@example.com' }, { name: 'Cy', email: null }] });
  const [news, tech] = await createItems({ ...as, collection: 'tags', items: [{ name: 'news' }, { name: 'tech' }, { name: 'misc' }] });
  await createItems({
    ...as,
    collection: 'articles',
    items: [
      { title: 'Hello world', status: 'published', views: 10, internal_note: note('SECRET note 1', 'plain note 1'), author: ada, comments: [{ body: 'Nice post' }, { body: 'Thanks' }], tags: [{ tags_id: news }, { tags_id: tech }] },
      { title: 'Second', status: 'archived', views: 20, internal_note: note('SECRET 999', null), author: bob, comments: [{ body: 'old news' }], tags: [{ tags_id: tech }] },
      { title: 'Third', status: 'published', views: 0, internal_note: note('x', 'y'), author: null },
      { title: 'Fourth', status: 'review', views: 5, internal_note: 'review note 1000', author: cy },
    ],
  });
  await createItems({ ...as, collection: 'comments', items: [{ body: 'standalone', article: 3 }, { body: 'second thoughts', article: 1 }] });
  // The same changes in both, with different hidden values: the history of visible items carries them.
  await updateItems({ ...as, collection: 'articles', keys: [1], data: { internal_note: note('SECRET update', 'update') } });
  await updateItems({ ...as, collection: 'articles', keys: [2], data: { views: 21, internal_note: note('SECRET 1000', 'b') } });
  await updateItems({ ...as, collection: 'articles', keys: [4], data: { title: 'Fourth!', internal_note: 'review note, edited' } });
  await updateItems({ ...as, collection: 'comments', keys: [2], data: { body: 'Thanks a lot' } });
}

/** What only one database holds, all of it hidden; created last so that visible keys match. */
export async function seedHidden(context: Context, variant: Variant): Promise<void> {
  const as = { context, accountability: adminFrom(variant) };
  if (variant === 'A') {
    await createItems({
      ...as,
      collection: 'articles',
      items: [
        { title: 'SECRET draft one', status: 'draft', views: 999, internal_note: 'SECRET note', author: 1, comments: [{ body: 'SECRET comment' }], tags: [{ tags_id: 1 }] },
        { title: 'SECRET draft two', status: 'draft', views: 1000, internal_note: 'top SECRET', author: 2, comments: [{ body: 'SECRET reply' }, { body: 'Nice post' }], tags: [{ tags_id: 3 }, { tags_id: 2 }] },
        // A draft repeating visible values: counts and distinct counts must not see it.
        { title: 'Hello world', status: 'draft', views: 10, internal_note: 'review note 1000', author: 3 },
        { title: 'SECRET no status', status: null, views: 999, internal_note: 'SECRET' },
      ],
    });
    await updateItems({ ...as, collection: 'articles', keys: [5], data: { views: 1000, title: 'SECRET draft one, edited' } });
    await createItems({ ...as, collection: 'comments', items: [{ body: 'SECRET orphan', article: null }] });
    // Once visible, now gone: its history must go with it.
    const [gone] = await createItems({ ...as, collection: 'articles', items: [{ title: 'SECRET deleted', status: 'review', views: 999, internal_note: 'SECRET', author: 1, tags: [{ tags_id: 3 }] }] });
    await deleteItems({ ...as, collection: 'articles', keys: [gone!] });
  } else {
    await createItems({ ...as, collection: 'articles', items: [{ title: 'b draft', status: 'draft', views: 7, internal_note: 'b hidden', author: 3, comments: [{ body: 'b comment' }], tags: [{ tags_id: 2 }] }] });
  }
}

/**
 * Generated filters of one collection: a leaf condition, or below `depth` 0 also _and/_or of
 * deeper filters and two leaves in one object (an implicit _and). `deeper` gives the filters one
 * level down.
 */
export function combinedFilters(leaf: fc.Arbitrary<Record<string, unknown>>, deeper: () => fc.Arbitrary<Record<string, unknown>>, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(deeper(), { minLength: 1, maxLength: 3 }).map((children) => ({ _and: children })) },
    { weight: 1, arbitrary: fc.array(deeper(), { minLength: 1, maxLength: 3 }).map((children) => ({ _or: children })) },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ ...a, ...b })) },
  );
}
