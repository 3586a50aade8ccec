/**
 * A leak hunt for the read permissions compiled into SQL: two databases with
 * the same model and the same data a caller may see, differing only in what
 * it may not see (draft articles, their comments and tag links, a hidden
 * field, orphan and deleted rows, and the history of all of these).
 * Thousands of generated reads — fields, filters on hidden fields and through
 * relations, sorts, search, aggregates, counts, deep, alias, paging, reads by
 * key, history — run as the caller on both must answer the same: the same
 * JSON, or the same refusal. Any difference is a leak; any other error a bug.
 *
 * Two callers: `reader`, whose one permission per collection hides
 * internal_note everywhere, and `reviewer`, who also reads internal_note of
 * articles in review, so that the field is shown on some rows only (the
 * per-row case/when masking) and the parser lets queries name it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import { adminAccountability, readItem, readItems, readItemsJson, type Accountability } from '../../../src/services/index.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';
import { combinedFilters, leakHuntModel, seedHidden, seedVisible } from '../../helpers/leak-hunt-seed.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const USER = '3f1c2b9a-5d4e-4a8b-9c7d-1e2f3a4b5c6d';
/** Generated reads per caller and backend (LEAK_HUNT_RUNS=20000 for a longer hunt). */
const RUNS = Number(process.env.LEAK_HUNT_RUNS ?? 1500);

const model: Model = leakHuntModel();

// ---------------------------------------------------------------------------------------------
// The generated reads

type Kind = 'integer' | 'string' | 'json' | 'uuid' | 'm2o' | 'many';
interface FieldSpec {
  name: string;
  kind: Kind;
  /** For m2o, the related collection; for o2m and m2m, the collection of the related rows (an m2m's junction). */
  related?: string;
}

const HISTORY = ['cairn_revisions', 'cairn_activity'];

/** Every field a query may name, hidden ones included (timestamps left out: they differ between the databases). */
const FIELDS: Record<string, FieldSpec[]> = {
  articles: [
    { name: 'id', kind: 'integer' },
    { name: 'title', kind: 'string' },
    { name: 'status', kind: 'string' },
    { name: 'views', kind: 'integer' },
    { name: 'internal_note', kind: 'string' },
    { name: 'author', kind: 'm2o', related: 'authors' },
    { name: 'comments', kind: 'many', related: 'comments' },
    { name: 'tags', kind: 'many', related: 'articles_tags' },
  ],
  comments: [
    { name: 'id', kind: 'integer' },
    { name: 'body', kind: 'string' },
    { name: 'article', kind: 'm2o', related: 'articles' },
  ],
  authors: [
    { name: 'id', kind: 'integer' },
    { name: 'name', kind: 'string' },
    { name: 'email', kind: 'string' },
    { name: 'articles', kind: 'many', related: 'articles' },
  ],
  tags: [
    { name: 'id', kind: 'integer' },
    { name: 'name', kind: 'string' },
  ],
  articles_tags: [
    { name: 'id', kind: 'integer' },
    { name: 'articles_id', kind: 'm2o', related: 'articles' },
    { name: 'tags_id', kind: 'm2o', related: 'tags' },
  ],
  cairn_revisions: [
    { name: 'id', kind: 'integer' },
    { name: 'activity', kind: 'm2o', related: 'cairn_activity' },
    { name: 'collection', kind: 'string' },
    { name: 'item', kind: 'string' },
    { name: 'data', kind: 'json' },
    { name: 'delta', kind: 'json' },
    { name: 'parent', kind: 'm2o', related: 'cairn_revisions' },
    { name: 'version', kind: 'uuid' },
  ],
  cairn_activity: [
    { name: 'id', kind: 'integer' },
    { name: 'action', kind: 'string' },
    { name: 'user', kind: 'uuid' },
    { name: 'ip', kind: 'string' },
    { name: 'collection', kind: 'string' },
    { name: 'item', kind: 'string' },
    { name: 'comment', kind: 'string' },
    { name: 'revisions', kind: 'many', related: 'cairn_revisions' },
  ],
};

/** Field selections per collection: readable ones, hidden and unknown ones too. */
const FIELD_PATHS: Record<string, string[]> = {
  articles: ['*', '*.*', 'id', 'title', 'status', 'views', 'internal_note', 'author', 'author.name', 'author.*', 'author.email', 'author.articles.internal_note', 'comments', 'comments.body', 'comments.*', 'comments.article.internal_note', 'count(comments)', 'tags', 'tags.*', 'tags.tags_id.name', 'count(tags)', 'tags.articles_id.title', 'nope'],
  comments: ['*', '*.*', 'id', 'body', 'article', 'article.title', 'article.internal_note', 'article.*', 'article.comments.body', 'article.author.email', 'article.tags.tags_id.*', 'count(article)'],
  authors: ['*', '*.*', 'id', 'name', 'email', 'articles', 'articles.title', 'articles.*', 'articles.internal_note', 'articles.comments.body', 'count(articles)', 'articles.comments.*'],
  tags: ['*', 'id', 'name', '*.*'],
  articles_tags: ['*', '*.*', 'id', 'articles_id', 'tags_id.name', 'articles_id.title', 'articles_id.internal_note', 'articles_id.*'],
  cairn_revisions: ['*', 'id', 'collection', 'item', 'data', 'delta', 'parent', 'version', 'activity', 'activity.action', 'activity.item', 'activity.*', 'activity.ip', 'parent.data', 'parent.*', '*.*'],
  cairn_activity: ['*', 'id', 'action', 'collection', 'item', 'comment', 'user', 'ip', 'origin', 'revisions', 'revisions.data', 'revisions.delta', 'revisions.*', 'count(revisions)', '*.*'],
};

const SORTS: Record<string, string[]> = {
  articles: ['id', 'title', 'status', 'views', 'internal_note', 'author', 'author.name', 'author.email', 'comments'],
  comments: ['id', 'body', 'article', 'article.title', 'article.views', 'article.internal_note', 'article.author.name'],
  authors: ['id', 'name', 'email'],
  tags: ['id', 'name'],
  articles_tags: ['id', 'articles_id', 'tags_id', 'articles_id.title', 'articles_id.internal_note', 'tags_id.name'],
  cairn_revisions: ['id', 'collection', 'item', 'activity', 'activity.action', 'activity.item', 'parent', 'parent.item'],
  cairn_activity: ['id', 'action', 'collection', 'item', 'ip'],
};

const AGGREGATED: Record<string, string[]> = {
  articles: ['id', 'views', 'title', 'internal_note', 'status', 'author'],
  comments: ['id', 'body', 'article'],
  authors: ['id', 'name', 'email'],
  tags: ['id', 'name'],
  articles_tags: ['id', 'articles_id', 'tags_id'],
  cairn_revisions: ['id', 'collection', 'item', 'activity'],
  cairn_activity: ['id', 'action', 'item', 'ip'],
};

/** Fields sum, avg, min and max take. */
const NUMERIC_FIELDS = new Set(['articles.id', 'articles.views', 'comments.id', 'authors.id', 'tags.id', 'articles_tags.id', 'cairn_revisions.id', 'cairn_activity.id']);

const GROUPS: Record<string, string[]> = {
  articles: ['status', 'author', 'internal_note', 'views', 'title'],
  comments: ['article', 'body'],
  authors: ['name', 'email'],
  tags: ['name'],
  articles_tags: ['articles_id', 'tags_id'],
  cairn_revisions: ['collection', 'item'],
  cairn_activity: ['action', 'collection', 'item'],
};

/** Relations `deep` may reach, per collection. */
const DEEP: Record<string, { field: string; related: string }[]> = {
  articles: [
    { field: 'comments', related: 'comments' },
    { field: 'tags', related: 'articles_tags' },
  ],
  authors: [{ field: 'articles', related: 'articles' }],
  cairn_activity: [{ field: 'revisions', related: 'cairn_revisions' }],
};

const STRINGS = ['10.0.0.1', 'SECRET agent', 'SECRET', 'secret', 'SECRET draft one', 'SECRET note', 'top SECRET', 'b draft', 'b hidden', 'hidden', 'note', 'review note', 'review note 1000', 'x', 'y', 'draft', 'published', 'archived', 'review', 'Hello world', 'Hello', 'Nice post', 'Ada', 'ada@example.com', 'news', 'misc', 'articles', 'comments', 'articles_tags', 'create', 'update', 'delete', '1', '5', '9', '%', '_', '999'];
const NUMBERS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 20, 21, 500, 999, 1000, -1];
const SEARCHES = ['10.0.0.1', 'agent', 'https', '192', 'SECRET', 'secret', 'draft', 'hidden', 'note', 'review', 'b', 'Hello', 'Nice', 'misc', '999', '1000', '7', '5', '10', '1', 'x', 'y', 'articles', 'update', '%', 'a_'];
const STRING_OPS = ['_eq', '_neq', '_contains', '_icontains', '_starts_with', '_in', '_null', '_nnull', '_gt', '_lt'];
const NUMBER_OPS = ['_eq', '_neq', '_gt', '_lt', '_in', '_null', '_nnull'];

interface Case {
  collection: string;
  how: 'list' | 'json' | 'key';
  key: string;
  query: Record<string, unknown>;
}

/**
 * The reads generated for a caller. `refused` matches the names the caller may not read (hidden,
 * unknown or misused): they are tried everywhere, but less often than the rest, so that most reads
 * get past the parser and run.
 */
function readsFor(refused: RegExp): fc.Arbitrary<Case> {
  const bool = fc.boolean();
  const stringValue = fc.constantFrom(...STRINGS);
  const numberValue = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...NUMBERS) }, { weight: 1, arbitrary: fc.constantFrom('999', 'x') });

  const pick = (names: string[]): fc.Arbitrary<string> => {
    const no = names.filter((n) => refused.test(n));
    const yes = names.filter((n) => !refused.test(n));
    return no.length === 0 ? fc.constantFrom(...yes) : fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...yes) }, { weight: 1, arbitrary: fc.constantFrom(...no) });
  };
  /** Present in about `percent` % of the queries. */
  const sometimes = <T,>(arbitrary: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary });

  const operand = (operator: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => {
    if (operator === '_null' || operator === '_nnull') return bool;
    if (operator === '_in') return fc.array(value, { minLength: 1, maxLength: 3 });
    return value;
  };
  const comparison = (operators: string[], value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...operators).chain((operator) => operand(operator, value).map((v) => ({ [operator]: v }))) },
      // A bare value means _eq; an operator the type does not have is refused alike.
      { weight: 2, arbitrary: value },
      { weight: 1, arbitrary: fc.constantFrom('_contains', '_gt', '_between').chain((operator) => stringValue.map((v) => ({ [operator]: v }))) },
    );

  const filters = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  /** A filter on `collection`, nesting `_and`/`_or` and relations up to `depth` levels. */
  const filterOf = (collection: string, depth: number, top: boolean): fc.Arbitrary<Record<string, unknown>> => {
    const key = `${collection}/${depth}/${top}`;
    const known = filters.get(key);
    if (known) return known;
    const specs = FIELDS[collection]!;
    const field = pick(specs.map((spec) => spec.name)).map((name) => specs.find((spec) => spec.name === name)!);
    const leaf = field.chain((spec) => conditionOn(spec, depth, top).map((condition) => ({ [spec.name]: condition })));
    const built = combinedFilters(leaf, () => filterOf(collection, depth - 1, top), depth);
    filters.set(key, built);
    return built;
  };
  const conditionOn = (field: FieldSpec, depth: number, top: boolean): fc.Arbitrary<unknown> => {
    switch (field.kind) {
      case 'string':
        return comparison(STRING_OPS, stringValue);
      case 'integer':
        return comparison(NUMBER_OPS, numberValue);
      case 'json':
        return fc.oneof({ weight: 4, arbitrary: fc.constantFrom('_null', '_nnull').chain((op) => bool.map((v) => ({ [op]: v }))) }, { weight: 1, arbitrary: stringValue.map((v) => ({ _contains: v })) });
      case 'uuid':
        return fc.oneof(fc.constantFrom('_null', '_nnull').chain((op) => bool.map((v) => ({ [op]: v }))), fc.constant({ _eq: USER }), fc.constant({ _eq: 'not-a-uuid' }));
      case 'm2o': {
        const key = comparison(['_eq', '_neq', '_in', '_null', '_nnull'], fc.constantFrom(1, 2, 3, 4, 5, 6, 9));
        if (depth <= 0) return key;
        return fc.oneof({ weight: 1, arbitrary: key }, { weight: 2, arbitrary: filterOf(field.related!, depth - 1, false) });
      }
      case 'many': {
        if (depth <= 0) return fc.constant({ _some: { id: { _nnull: true } } });
        const inner = filterOf(field.related!, depth - 1, false);
        // _some/_none only at the top of a filter; elsewhere they are refused, alike.
        return fc.oneof({ weight: top ? 3 : 1, arbitrary: inner.map((f) => ({ _some: f })) }, { weight: top ? 2 : 1, arbitrary: inner.map((f) => ({ _none: f })) }, { weight: 2, arbitrary: inner });
      }
    }
  };

  const sortOf = (collection: string): fc.Arbitrary<string> =>
    fc.array(fc.tuple(bool, pick(SORTS[collection]!)), { minLength: 1, maxLength: 2 }).map((terms) => terms.map(([down, field]) => `${down ? '-' : ''}${field}`).join(','));

  const aggregateOf = (collection: string): fc.Arbitrary<Record<string, string>> => {
    const numeric = AGGREGATED[collection]!.filter((field) => NUMERIC_FIELDS.has(`${collection}.${field}`));
    const entry = fc.oneof(
      { weight: 2, arbitrary: fc.constant(['count', '*'] as [string, string]) },
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom('count', 'countDistinct'), pick(AGGREGATED[collection]!)) },
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom('sum', 'avg', 'min', 'max', 'sumDistinct', 'avgDistinct'), fc.constantFrom(...numeric)) },
      // A function the field's type does not have, refused alike.
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('sum', 'max', 'avg'), fc.constantFrom(...AGGREGATED[collection]!)) },
    );
    return fc.array(entry, { minLength: 1, maxLength: 3 }).map((entries) => {
      const aggregate: Record<string, string> = {};
      for (const [fn, field] of entries) aggregate[fn] = aggregate[fn] ? `${aggregate[fn]},${field}` : field;
      return aggregate;
    });
  };

  const deepOf = (collection: string): fc.Arbitrary<Record<string, unknown> | undefined> => {
    const relations = DEEP[collection] ?? [];
    if (relations.length === 0) return fc.constant(undefined);
    return fc.constantFrom(...relations).chain(({ field, related }) =>
      fc
        .record({ _filter: filterOf(related, 1, true), _sort: sortOf(related), _limit: fc.constantFrom(0, 1, 2, -1), _offset: fc.constantFrom(0, 1), _search: fc.constantFrom(...SEARCHES) }, { requiredKeys: [] })
        .map((options) => ({ [field]: options })),
    );
  };

  const queryOf = (collection: string): fc.Arbitrary<Record<string, unknown>> => {
    const fields = fc.uniqueArray(pick(FIELD_PATHS[collection]!), { minLength: 1, maxLength: 3 }).map((paths) => paths.join(','));
    const aliased = FIELDS[collection]!.filter((field) => field.name !== 'id').map((field) => field.name);
    const aggregated = fc.tuple(aggregateOf(collection), sometimes(fc.uniqueArray(pick(GROUPS[collection]!), { minLength: 1, maxLength: 2 }), 50));
    return fc
      .record({
        fields: sometimes(fields, 70),
        filter: sometimes(filterOf(collection, 2, true), 50),
        sort: sometimes(sortOf(collection), 40),
        search: sometimes(fc.constantFrom(...SEARCHES), 20),
        aggregated: sometimes(aggregated, 20),
        // groupBy without aggregate is refused, alike.
        groupBy: sometimes(fc.constantFrom(...GROUPS[collection]!), 2),
        meta: sometimes(fc.constantFrom('total_count', 'filter_count', '*', 'nope'), 30),
        deep: sometimes(deepOf(collection), 25),
        alias: sometimes(fc.tuple(pick(aliased), fc.uniqueArray(pick(['x', 'x.id', 'x.title', 'x.body', 'x.name', 'x.data']), { minLength: 1, maxLength: 2 }), bool), 15),
        limit: sometimes(fc.constantFrom(0, 1, 2, 3, 5, -1), 30),
        offset: sometimes(fc.constantFrom(0, 1, 2), 15),
        page: sometimes(fc.constantFrom(1, 2), 10),
      })
      .map(({ aggregated, alias, ...rest }) => {
        const query: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
        if (aggregated) {
          query.aggregate = aggregated[0];
          if (aggregated[1]) query.groupBy = aggregated[1];
        }
        if (alias) {
          const [field, paths, viaDeep] = alias;
          query.alias = { x: field };
          query.fields = [query.fields ?? 'id', ...paths].join(',');
          // deep under the alias, as one reads one relation twice with different deep.
          if (viaDeep && query.deep) query.deep = { x: Object.values(query.deep as Record<string, unknown>)[0] };
        }
        return query;
      });
  };

  return fc
    .constantFrom('articles', 'articles', 'articles', 'comments', 'comments', 'authors', 'tags', 'articles_tags', 'cairn_revisions', 'cairn_revisions', 'cairn_activity')
    .chain((collection) =>
      fc.record({
        collection: fc.constant(collection),
        how: fc.constantFrom<Case['how']>('list', 'list', 'list', 'list', 'json', 'key'),
        key: fc.constantFrom('1', '2', '4', '5', '6', '8', '9', '12', '30', 'x'),
        query: queryOf(collection),
      }),
    );
}

// ---------------------------------------------------------------------------------------------

type Outcome = { kind: 'data'; json: string; rows: number } | { kind: 'refused'; code: string; message: string } | { kind: 'broken'; error: string };

/** Timestamps of history rows differ between the databases for reasons that are not a leak. */
function withoutTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimestamps);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'timestamp').map(([key, inner]) => [key, withoutTimestamps(inner)]));
  return value;
}

async function outcomeOf(context: Context, accountability: Accountability, { collection, how, key, query }: Case): Promise<Outcome> {
  const options = { context, accountability, collection, query, system: HISTORY.includes(collection) };
  try {
    const result = how === 'json' ? JSON.parse(await readItemsJson(options)) : how === 'key' ? await readItem({ ...options, key }) : await readItems(options);
    const rows = Array.isArray(result.data) ? result.data.length : result.data ? 1 : 0;
    return { kind: 'data', json: JSON.stringify(withoutTimestamps(result)), rows };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: string };
    if (code === 'FORBIDDEN' || code === 'INVALID_QUERY') return { kind: 'refused', code, message: message ?? '' };
    return { kind: 'broken', error: `${String(code)}: ${message ?? String(error)}` };
  }
}

const CALLERS = [
  { role: 'reader', refused: /internal_note|\bip\b|origin|nope|count\(article\)|^x\.(data|name|body)$/ },
  { role: 'reviewer', refused: /\bip\b|origin|nope|count\(article\)|^x\.(data|name|body)$/ },
];

describe.each(testBackends)('the permission leak hunt on $name', ({ name }) => {
  const databases: { context: Context; database: TestDatabase }[] = [];
  let a: Context;
  let b: Context;
  const admin = adminAccountability();
  const as = (role: string) => accountabilityAs(model, { role, user: USER });

  beforeAll(async () => {
    for (const variant of ['A', 'B'] as const) {
      const created = await createTestContext(name);
      databases.push(created);
      const { context } = created;
      await serveModel(context, model);
      await seedVisible(context, variant);
      await seedHidden(context, variant);
    }
    [a, b] = databases.map((d) => d.context) as [Context, Context];
  });
  afterAll(async () => {
    for (const { database } of databases) await database.drop();
  });

  const rows = async (context: Context, accountability: Accountability, collection: string, query: Record<string, unknown>, system = false) =>
    (await readItems({ context, accountability, collection, query, system })).data as Record<string, unknown>[];

  it('seeds databases that differ for the administrator', async () => {
    const count = async (context: Context, collection: string) => (await rows(context, admin, collection, { aggregate: { count: '*' } }))[0]!.count;
    expect([await count(a, 'articles'), await count(b, 'articles')]).toEqual(['8', '5']);
    expect([await count(a, 'comments'), await count(b, 'comments')]).toEqual(['9', '6']);
    expect([await count(a, 'articles_tags'), await count(b, 'articles_tags')]).toEqual(['6', '4']);
    expect((await rows(a, admin, 'articles', { search: 'SECRET', fields: 'id' })).length).toBeGreaterThan(3);
    expect(await rows(b, admin, 'articles', { search: 'SECRET', fields: 'id' })).toEqual([]);
    expect(await rows(a, admin, 'articles', { fields: 'internal_note', filter: { id: { _eq: 1 } } })).toEqual([{ internal_note: 'SECRET update' }]);
    expect(await rows(b, admin, 'articles', { fields: 'internal_note', filter: { id: { _eq: 1 } } })).toEqual([{ internal_note: 'update' }]);
    const history = async (context: Context) => rows(context, admin, 'cairn_revisions', { fields: 'delta', filter: { collection: { _eq: 'articles' }, item: { _eq: '1' } }, sort: 'id' }, true);
    expect(await history(a)).not.toEqual(await history(b));
  });

  it('shows the callers the same visible rows in both, and nothing hidden', async () => {
    for (const context of [a, b]) {
      for (const role of ['reader', 'reviewer']) {
        expect(await rows(context, as(role), 'articles', { fields: 'id,title,views,author.name,comments.body,tags.tags_id.name', sort: 'id' })).toEqual([
          { id: 1, title: 'Hello world', views: 10, author: { name: 'Ada' }, comments: [{ body: 'Nice post' }, { body: 'Thanks a lot' }, { body: 'second thoughts' }], tags: [{ tags_id: { name: 'news' } }, { tags_id: { name: 'tech' } }] },
          { id: 2, title: 'Second', views: 21, author: { name: 'Bob' }, comments: [{ body: 'old news' }], tags: [{ tags_id: { name: 'tech' } }] },
          { id: 3, title: 'Third', views: 0, author: null, comments: [{ body: 'standalone' }], tags: [] },
          { id: 4, title: 'Fourth!', views: 5, author: { name: 'Cy' }, comments: [], tags: [] },
        ]);
      }
      await expect(rows(context, as('reader'), 'articles', { fields: 'internal_note' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await rows(context, as('reviewer'), 'articles', { fields: 'internal_note', sort: 'id' })).toEqual([{ internal_note: null }, { internal_note: null }, { internal_note: null }, { internal_note: 'review note, edited' }]);
      const revisions = await rows(context, as('reader'), 'cairn_revisions', { fields: 'collection,item,delta', filter: { collection: { _eq: 'articles' } }, sort: 'id' }, true);
      expect(revisions.map((revision) => revision.item)).toEqual(['1', '2', '3', '4', '1', '2', '4']);
      expect(revisions.slice(4).map((revision) => revision.delta)).toEqual([{}, { views: 21 }, { title: 'Fourth!' }]);
      const reviewed = await rows(context, as('reviewer'), 'cairn_revisions', { fields: 'delta', filter: { collection: { _eq: 'articles' } }, sort: 'id' }, true);
      expect(reviewed.slice(4).map((revision) => revision.delta)).toEqual([{}, { views: 21 }, { title: 'Fourth!', internal_note: 'review note, edited' }]);
    }
  });

  // The hunt's first find, pinned: search looked at activity's ip, user_agent and origin, which only the administrator reads.
  it('never matches activity by where a change came from', async () => {
    for (const search of ['10.0.0.1', 'SECRET agent', 'secret.example']) {
      expect(await rows(a, as('reader'), 'cairn_activity', { search, fields: 'id' }, true), search).toEqual([]);
    }
    await expect(rows(a, as('reader'), 'cairn_activity', { fields: 'ip' }, true)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it.each(CALLERS)(`answers ${RUNS} generated reads as $role identically, whatever it may not see`, { timeout: 600_000 }, async ({ role, refused }) => {
    const caller = as(role);
    const tally = { data: 0, nonEmpty: 0, refused: 0, byCollection: {} as Record<string, number> };
    await fc.assert(
      fc.asyncProperty(readsFor(refused), async (generated) => {
        const inA = await outcomeOf(a, caller, generated);
        const inB = await outcomeOf(b, caller, generated);
        const shown = JSON.stringify(generated);
        if (inA.kind === 'broken' || inB.kind === 'broken') throw new Error(`server error for ${shown}\nA: ${JSON.stringify(inA)}\nB: ${JSON.stringify(inB)}`);
        if (JSON.stringify(inA) !== JSON.stringify(inB)) throw new Error(`different answers (a leak) for ${shown}\nA: ${JSON.stringify(inA)}\nB: ${JSON.stringify(inB)}`);
        if (inA.kind === 'data') {
          tally.data++;
          if (inA.rows > 0) tally.nonEmpty++;
          tally.byCollection[generated.collection] = (tally.byCollection[generated.collection] ?? 0) + 1;
        } else tally.refused++;
      }),
      { numRuns: RUNS },
    );
    console.info(`leak hunt on ${name} as ${role}: ${RUNS} reads, ${tally.data} answered (${tally.nonEmpty} with rows), ${tally.refused} refused; answered per collection ${JSON.stringify(tally.byCollection)}`);
    // Not vacuous: a good share of the reads answered, with rows, in every collection.
    expect(tally.data).toBeGreaterThan(RUNS * 0.35);
    expect(tally.nonEmpty).toBeGreaterThan(RUNS * 0.2);
    for (const collection of Object.keys(FIELDS)) expect(tally.byCollection[collection] ?? 0, collection).toBeGreaterThan(RUNS * 0.02);
  });
});
