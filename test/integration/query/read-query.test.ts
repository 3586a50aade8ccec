/** Reads through the query language on the template model, on both backends: one SQL statement each, however nested. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/index.ts';
import { compileRead, parseReadQuery } from '../../../src/query/index.ts';
import { applyTemplate, templateModel } from '../../helpers/template.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

let model: Model;
beforeAll(async () => {
  ({ model } = await templateModel());
});

describe.each(testBackends)('read queries on $name', ({ name }) => {
  let database: TestDatabase;
  let statements = 0;

  beforeAll(async () => {
    database = await createTestDatabase(name, { migrated: true });
    await applyTemplate(database.db);
    const k = database.db.knex;
    await k('authors').insert([{ name: 'Ada', email: 'ada@example.org' }, { name: 'Grace', email: 'grace@example.org' }, { name: 'Linus' }]);
    await k('categories').insert([{ name: 'Tech', slug: 'tech', sort: 1 }]);
    await k('tags').insert([{ name: 'db' }, { name: 'web' }, { name: '100%_real' }]);
    await k('articles').insert([
      { title: 'Postgres tips', slug: 'pg', status: 'published', views: 10, author: 1, category: 1, published_at: '2024-01-02T00:00:00Z' },
      { title: 'Draft about web', slug: 'web', status: 'draft', views: 0, author: 2 },
      { title: 'Old news', slug: 'old', status: 'archived', views: 3, author: 1, published_at: '2020-05-05T00:00:00Z' },
      { title: '100%_real discount', slug: 'sale', status: 'published', views: 7, author: 3, published_at: '2024-03-01T00:00:00Z' },
    ]);
    await k('articles_tags').insert([{ articles_id: 1, tags_id: 1 }, { articles_id: 1, tags_id: 2 }, { articles_id: 2, tags_id: 2 }]);
    await k('comments').insert([{ article: 1, body: 'Great', author_name: 'x' }, { article: 1, body: 'Thanks', author_name: 'y' }, { article: 3, body: 'Meh', author_name: 'z' }]);
    database.db.knex.on('query', () => statements++);
  });
  afterAll(() => database.drop());

  async function read(collection: string, raw: Record<string, unknown>) {
    const before = statements;
    const { sql, bindings } = compileRead(model, parseReadQuery(model, collection, raw));
    const { rows } = await database.db.query<{ data: Record<string, unknown>[] }>(sql, bindings);
    expect(statements - before).toBe(1);
    return rows[0]!.data as Record<string, unknown>[];
  }

  it('reads every field by default, sorted by key', async () => {
    const rows = await read('authors', {});
    expect(rows.map((r) => r.name)).toEqual(['Ada', 'Grace', 'Linus']);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'name', 'email', 'bio']);
    const [article] = await read('articles', { filter: { id: { _eq: 1 } } });
    // Relations not expanded: the m2o key, and the keys of o2m and m2m (junction) rows.
    expect(article).toMatchObject({ author: 1, comments: [1, 2], tags: [1, 2] });
  });

  it('nests m2o, o2m and m2m in one statement', async () => {
    const rows = await read('articles', { fields: 'id,title,author.name,comments.body,tags.tags_id.name', filter: { id: { _eq: 1 } } });
    expect(rows).toEqual([
      { id: 1, title: 'Postgres tips', author: { name: 'Ada' }, comments: [{ body: 'Great' }, { body: 'Thanks' }], tags: [{ tags_id: { name: 'db' } }, { tags_id: { name: 'web' } }] },
    ]);
  });

  it('expands every relation one level with *.*', async () => {
    const [row] = await read('comments', { fields: '*.*', limit: 1 });
    expect(row!.article).toMatchObject({ id: 1, title: 'Postgres tips', author: 1 });
  });

  it('filters with operators, logical groups and relations', async () => {
    const ids = async (filter: unknown) => (await read('articles', { fields: 'id', filter })).map((r) => r.id);
    expect(await ids({ status: { _eq: 'published' } })).toEqual([1, 4]);
    expect(await ids({ views: { _gte: 3, _lt: 10 } })).toEqual([3, 4]);
    expect(await ids({ _or: [{ views: { _eq: 0 } }, { slug: { _in: 'old,sale' } }] })).toEqual([2, 3, 4]);
    expect(await ids({ published_at: { _null: true } })).toEqual([2]);
    expect(await ids({ author: { name: { _eq: 'Ada' } } })).toEqual([1, 3]);
    expect(await ids({ comments: { _some: { body: { _icontains: 'THANK' } } } })).toEqual([1]);
    expect(await ids({ comments: { _none: {} } })).toEqual([2, 4]);
    expect(await ids({ tags: { tags_id: { name: { _eq: 'web' } } } })).toEqual([1, 2]);
    expect(await ids({ published_at: { _gt: '$NOW(-100 years)' } })).toEqual([1, 3, 4]);
    expect(await ids(JSON.stringify({ title: { _starts_with: 'Old' } }))).toEqual([3]);
  });

  it('matches % and _ literally in LIKE operators and search', async () => {
    const ids = async (raw: Record<string, unknown>) => (await read('articles', { fields: 'id', ...raw })).map((r) => r.id);
    expect(await ids({ filter: { title: { _contains: '100%_' } } })).toEqual([4]);
    expect(await ids({ filter: { title: { _contains: '%' } } })).toEqual([4]);
    expect(await ids({ search: 'TIPS' })).toEqual([1]);
    expect(await ids({ search: '7' })).toEqual([4]);
  });

  it('sorts, including by a related field, and pages', async () => {
    const titles = async (raw: Record<string, unknown>) => (await read('articles', { fields: 'title', ...raw })).map((r) => r.title);
    expect(await titles({ sort: '-views' })).toEqual(['Postgres tips', '100%_real discount', 'Old news', 'Draft about web']);
    expect(await titles({ sort: ['author.name', '-id'] })).toEqual(['Old news', 'Postgres tips', 'Draft about web', '100%_real discount']);
    expect(await titles({ sort: 'id', limit: 2, page: 2 })).toEqual(['Old news', '100%_real discount']);
    expect(await titles({ sort: 'id', limit: '1', offset: '3' })).toEqual(['100%_real discount']);
  });

  it('counts with meta in the same statement, and formats values as the API shows them', async () => {
    const { sql, bindings } = compileRead(model, parseReadQuery(model, 'articles', { fields: 'id,published_at', filter: { status: { _eq: 'published' } }, limit: 1 }), { filterCount: true, totalCount: true });
    const before = statements;
    const { rows } = await database.db.query<{ data: Record<string, unknown>[]; filter_count: string; total_count: string }>(sql, bindings);
    expect(statements - before).toBe(1);
    expect(rows[0]).toMatchObject({ data: [{ id: 1, published_at: '2024-01-02T00:00:00.000Z' }] });
    expect([Number(rows[0]!.filter_count), Number(rows[0]!.total_count)]).toEqual([2, 4]);
  });

  it('aggregates, grouped or not, in one statement', async () => {
    expect(await read('articles', { aggregate: { count: '*' } })).toEqual([{ count: '4' }]);
    expect(await read('articles', { aggregate: { sum: 'views', max: 'views', countDistinct: 'author' }, filter: { status: { _eq: 'published' } } })).toEqual([
      { sum: { views: '17' }, max: { views: 10 }, countDistinct: { author: '2' } },
    ]);
    expect(await read('articles', { aggregate: JSON.stringify({ count: ['id'], avg: ['views'] }), groupBy: 'status' })).toEqual([
      { status: 'archived', count: { id: '1' }, avg: { views: '3.0000000000000000' } },
      { status: 'draft', count: { id: '1' }, avg: { views: '0.00000000000000000000' } },
      { status: 'published', count: { id: '2' }, avg: { views: '8.5000000000000000' } },
    ]);
    expect(await read('articles', { aggregate: { countAll: '' }, groupBy: ['year(published_at)'] })).toEqual([
      { published_at_year: 2020, countAll: '1' },
      { published_at_year: 2024, countAll: '2' },
      { published_at_year: null, countAll: '1' },
    ]);
  });

  it('reads function fields and filters on them', async () => {
    expect(await read('articles', { fields: 'id,year(published_at),count(comments),count(tags)', filter: { 'year(published_at)': { _eq: 2024 } } })).toEqual([
      { published_at_year: 2024, comments_count: 2, tags_count: 2, id: 1 },
      { published_at_year: 2024, comments_count: 0, tags_count: 0, id: 4 },
    ]);
  });

  it('shapes nested lists with deep, and reads one relation twice with alias', async () => {
    const [row] = await read('articles', {
      fields: 'id,comments.body,recent.body',
      alias: { recent: 'comments' },
      deep: JSON.stringify({ comments: { _sort: '-id', _limit: 1 }, recent: { _filter: { body: { _eq: 'Great' } } } }),
      filter: { id: { _eq: 1 } },
    });
    expect(row).toEqual({ recent: [{ body: 'Great' }], id: 1, comments: [{ body: 'Thanks' }] });
    const [tagged] = await read('articles', { fields: 'tags.tags_id.name', deep: { tags: { _filter: { tags_id: { name: { _eq: 'web' } } } } }, filter: { id: { _eq: 1 } } });
    expect(tagged).toEqual({ tags: [{ tags_id: { name: 'web' } }] });
    expect(() => parseReadQuery(model, 'articles', { deep: { title: { _limit: 1 } } })).toThrow('"deep.title" has to name a relation');
    expect(() => parseReadQuery(model, 'articles', { alias: { title: 'slug' } })).toThrow('hides the field');
  });

  it('keeps hostile values inert: they are bound, never spliced', async () => {
    const rows = await read('articles', { fields: 'id', filter: { title: { _eq: "x'; drop table articles; --" } } });
    expect(rows).toEqual([]);
    expect(Number((await database.db.knex('articles').count({ n: '*' }))[0]!.n)).toBe(4);
  });
});
