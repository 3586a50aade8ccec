/**
 * The GraphQL twin of the REST query-language tests (issue 8), on both
 * backends: every case of the filter matrix (test/helpers/
 * filter-matrix-cases.ts: each operator of each field type, logical
 * nesting, relational filters, searches, sorts) sent as a typed
 * `specimens_filter` variable must match exactly the rows the REST test
 * expects; dynamic values must answer what REST's service answers for the
 * same caller at the same moment; every filter REST refuses is refused here
 * too; and the read-query twins (nesting, deep, aliases, function fields,
 * aggregates, paging) must return REST's data.
 *
 * Not twinned: the bracket-syntax string forms (`filter[qty][_in]=10,-5`,
 * also among the dynamic cases), which test how REST turns query-string
 * text into values. GraphQL's inputs are typed, so there is no string form
 * to turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import { GraphqlValidationError, isCairnError } from '../../../src/errors/index.ts';
import { createGraphqlService, type GraphqlService } from '../../../src/graphql/index.ts';
import { adminAccountability, readItems, type Accountability } from '../../../src/services/index.ts';
import {
  ALL,
  applyMatrix,
  COUNTS,
  DYNAMIC,
  LOGICAL,
  MATRIX,
  REFUSED_FILTERS,
  REFUSED_OPERATORS,
  RELATIONAL,
  SEARCHES,
  SORTS,
} from '../../helpers/filter-matrix-cases.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

/** A JS value as a GraphQL literal (object keys bare, as a person would write the document). */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([key, inner]) => `${key}: ${literal(inner)}`).join(', ')} }`;
  return JSON.stringify(value);
}

describe.each(testBackends)('GraphQL parity with the REST query language on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let graphql: GraphqlService;
  let byteOrder = true;
  const admin = adminAccountability();

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    ({ byteOrder } = await applyMatrix(context.db));
    await context.models.reload();
    graphql = createGraphqlService(context);
  });
  afterAll(() => database?.drop());

  /** Runs a document; refusals (400) come back as the error the HTTP layer would send. */
  const run = async (query: string, variables: Record<string, unknown> = {}, who: Accountability = admin) => {
    try {
      return (await graphql.execute(who, { query, variables })).body as { data: Record<string, unknown> | null; errors?: { extensions: { code: string } }[] };
    } catch (error) {
      if (isCairnError(error)) return { data: null, errors: [{ extensions: { code: error.code } }] };
      throw error;
    }
  };
  const idsOf = async (query: string, variables: Record<string, unknown>, collection = 'specimens', who: Accountability = admin) => {
    const body = await run(query, variables, who);
    expect(body.errors, `${query} ${JSON.stringify(variables)}`).toBeUndefined();
    return (body.data![collection] as { id: string }[]).map((row) => Number(row.id));
  };
  const filtered = async (filter: unknown, collection = 'specimens', who: Accountability = admin) =>
    (await idsOf(`query ($f: ${collection}_filter) { ${collection}(filter: $f, limit: -1) { id } }`, { f: filter }, collection, who)).sort((a, b) => a - b);

  it('seeded what the expectations assume', async () => {
    expect(await idsOf('{ specimens(limit: -1) { id } }', {})).toEqual(ALL);
  });

  describe.each(MATRIX)('$type ($field)', ({ field, rows }) => {
    it.each(rows.map(([operator, value, expected]) => ({ title: `${operator} ${JSON.stringify(value)}`, operator, value, expected })))('$title', async ({ operator, value, expected }) => {
      expect(await filtered({ [field]: { [operator]: value } })).toEqual(expected);
    });
  });

  it('filters on the primary key like any integer', async () => {
    expect(await filtered({ id: { _in: [1, 8] } })).toEqual([1, 8]);
    expect(await filtered({ id: { _between: [3, 5] } })).toEqual([3, 4, 5]);
    expect(await filtered({ id: { _gt: 6 } })).toEqual([7, 8]);
  });

  it.each(LOGICAL)('logical: %s', async (_title, filter, expected) => {
    expect(await filtered(filter)).toEqual(expected);
  });

  it.each(RELATIONAL)('relational: %s', async (_title, filter, expected, collection) => {
    expect(await filtered(filter, collection)).toEqual(expected);
  });

  /** REST's `count(f)` key as GraphQL writes it: `f_func: { count: … }`. */
  const withCountFunctions = (filter: unknown): unknown =>
    Array.isArray(filter)
      ? filter.map(withCountFunctions)
      : filter !== null && typeof filter === 'object'
        ? Object.fromEntries(Object.entries(filter).map(([key, value]) => {
            const counted = /^count\((\w+)\)$/.exec(key);
            return counted ? [`${counted[1]}_func`, { count: typeof value === 'object' && value !== null ? value : { _eq: value } }] : [key, withCountFunctions(value)];
          }))
        : filter;

  it.each(COUNTS)('count: %s', async (_title, filter, expected, collection) => {
    expect(await filtered(withCountFunctions(filter), collection)).toEqual(expected);
  });

  it.each(DYNAMIC.filter(([title]) => !title.endsWith('string form')))('dynamic: %s answers what REST answers for the same caller', async (_title, filter, expected, user) => {
    const who = { ...admin, user: user ?? null };
    const rest = ((await readItems({ context, accountability: who, collection: 'specimens', query: { fields: ['id'], filter, limit: -1 } })).data as { id: number }[]).map((row) => row.id).sort((a, b) => a - b);
    expect(await filtered(filter, 'specimens', who)).toEqual(rest);
    // $NOW moves; the rest of the expectations do not.
    if (!JSON.stringify(filter).includes('$NOW')) expect(rest).toEqual(expected);
  });

  it.each(SEARCHES)('search %j', async (term, expected) => {
    expect((await idsOf('query ($s: String) { specimens(search: $s, limit: -1) { id } }', { s: term })).sort((a, b) => a - b)).toEqual(expected);
  });

  it.each(SORTS)('sort %j', async (sort, expected, nulls) => {
    const actual = await idsOf('query ($s: [String]) { specimens(sort: $s, limit: -1) { id } }', { s: sort });
    if (!nulls || byteOrder) {
      expect(actual).toEqual(expected);
      return;
    }
    const descending = String(sort).startsWith('-');
    expect((descending ? actual.slice(0, nulls.length) : actual.slice(-nulls.length)).sort((a, b) => a - b)).toEqual(nulls);
  });

  it.each(REFUSED_OPERATORS)('refused: $title (absent from the typed input)', async ({ filter }) => {
    for (const body of [await run(`{ specimens(filter: ${literal(filter)}) { id } }`), await run('query ($f: specimens_filter) { specimens(filter: $f) { id } }', { f: filter })]) {
      expect(body.data).toBeNull();
      expect(body.errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION');
    }
  });

  // GraphQL's input coercion turns a single value into a list of one (spec §3.11), so `_or: {…}` is `_or: [{…}]` here, and answered.
  it.each(REFUSED_FILTERS.filter(([title]) => title !== 'an _or that is not a list'))('refused: %s', async (_title, filter) => {
    const body = await run('query ($f: specimens_filter) { specimens(filter: $f) { id } }', { f: filter });
    // Refused by GraphQL's typing (400) or by REST's own checks while resolving (200 with the code): never rows.
    expect(body.data?.specimens ?? null).toBeNull();
    expect(['GRAPHQL_VALIDATION', 'INVALID_QUERY', 'FORBIDDEN']).toContain(body.errors![0]!.extensions.code);
  });

  it('a variable that does not fit its type is a request error (400), not a half answer', async () => {
    await expect(graphql.execute(admin, { query: 'query ($f: specimens_filter) { specimens(filter: $f) { id } }', variables: { f: { qty: { _eq: true } } } })).rejects.toBeInstanceOf(GraphqlValidationError);
  });

  it('answers with PostgreSQL\'s JSON what graphql-js answers, keys in the same order, every field type included', async () => {
    const every = 'id name body flag qty big ratio day clock local_at seen_at meta ref secret labels owner { name id } notes(sort: ["-id"]) { body id } tags { tags_id { name id } id }';
    for (const [query, variables] of [
      [`{ specimens(sort: ["id"], limit: -1) { ${every} } }`, {}],
      [`{ one: specimens_by_id(id: "4") { ${every} } notes(filter: { specimen: { _null: true } }) { body specimen { id } } }`, {}],
      ['query ($f: specimens_filter, $n: Int) { specimens(filter: $f, limit: $n, sort: ["-id"]) { seen_at id owner { specimens(limit: 2) { id } } } }', { f: { qty: { _gt: 0 } }, n: 3 }],
    ] as const) {
      const direct = await graphql.execute(admin, { query, variables });
      expect(direct.text, query).toBeDefined();
      // `@include(if: true)` changes nothing but sends the document through graphql-js.
      const walked = await graphql.execute(admin, { query: query.replace(/ id /g, ' id @include(if: true) '), variables });
      expect(walked.text, query).toBeUndefined();
      // The same text once PostgreSQL's spacing and number spelling (`1e-09`) are normalised: keys in the same order, ids as strings.
      expect(JSON.stringify(JSON.parse(direct.text!))).toBe(JSON.stringify(walked.body));
    }
    // A decimal reads as REST's string ("12.50") but as GraphQL's Float (12.5): graphql-js answers it.
    const decimal = await graphql.execute(admin, { query: '{ specimens_by_id(id: "1") { price } }' });
    expect([decimal.text, decimal.body]).toEqual([undefined, { data: { specimens_by_id: { price: 12.5 } } }]);
  });

  describe('read-query twins', () => {
    const rest = async (collection: string, query: Record<string, unknown>) => (await readItems({ context, accountability: admin, collection, query })).data;
    /** REST's rows with keys as GraphQL shows them: ids as strings. */
    const asGraphql = (value: unknown, idKeys = new Set(['id'])): unknown =>
      Array.isArray(value)
        ? value.map((item) => asGraphql(item, idKeys))
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, idKeys.has(key) && inner !== null ? String(inner) : asGraphql(inner, idKeys)]))
          : value;
    const data = async (query: string) => {
      const body = await run(query);
      expect(body.errors, query).toBeUndefined();
      return body.data!;
    };

    it('nests m2o, o2m and m2m', async () => {
      const expected = await rest('specimens', { fields: ['id', 'name', 'owner.name', 'notes.body', 'tags.tags_id.name'], filter: { id: { _eq: 1 } } });
      expect((await data('{ specimens(filter: { id: { _eq: 1 } }) { id name owner { name } notes { body } tags { tags_id { name } } } }')).specimens).toEqual(asGraphql(expected));
    });

    it('shapes nested lists with their arguments (deep) and reads one relation twice (alias)', async () => {
      const expected = await rest('specimens', {
        fields: ['id', 'notes.body', 'recent.body'],
        alias: { recent: 'notes' },
        deep: { notes: { _sort: ['-id'], _limit: 1 }, recent: { _filter: { body: { _eq: 'first' } } } },
        filter: { id: { _eq: 1 } },
      });
      const answer = await data('{ specimens(filter: { id: { _eq: 1 } }) { id notes(sort: ["-id"], limit: 1) { body } recent: notes(filter: { body: { _eq: "first" } }) { body } } }');
      expect(answer.specimens).toEqual(asGraphql(expected));
    });

    it('sorts by a related field and pages', async () => {
      for (const [args, query] of [
        ['sort: ["-owner.name", "id"], limit: 3, page: 2', { sort: ['-owner.name', 'id'], limit: 3, page: 2 }],
        ['sort: ["qty"], limit: 2, offset: 5', { sort: ['qty'], limit: 2, offset: 5 }],
      ] as const) {
        const expected = await rest('specimens', { fields: ['id'], ...query });
        expect((await data(`{ specimens(${args}) { id } }`)).specimens, args).toEqual(asGraphql(expected));
      }
    });

    it('reads function fields', async () => {
      const expected = (await rest('specimens', { fields: ['id', 'year(seen_at)', 'hour(clock)', 'count(notes)'], filter: { 'year(seen_at)': { _eq: 2024 } }, sort: ['id'] })) as Record<string, unknown>[];
      const answer = (await data('{ specimens(filter: { seen_at_func: { year: { _eq: 2024 } } }, sort: ["id"]) { id seen_at_func { year } clock_func { hour } notes_func { count } } }')).specimens as Record<string, unknown>[];
      expect(answer).toEqual(expected.map((row) => ({ id: String(row.id), seen_at_func: { year: row.seen_at_year }, clock_func: { hour: row.clock_hour }, notes_func: { count: row.notes_count } })));
      expect(answer.length).toBeGreaterThan(2);
    });

    it('aggregates, grouped or not', async () => {
      const plain = (await rest('specimens', { aggregate: { countAll: '*', sum: ['qty'], countDistinct: ['owner'], max: ['ratio'] } })) as Record<string, Record<string, unknown>>[];
      const [answer] = (await data('{ specimens_aggregated { countAll sum { qty } countDistinct { owner } max { ratio } } }')).specimens_aggregated as Record<string, Record<string, unknown>>[];
      expect(answer).toEqual({ countAll: Number(plain[0]!.countAll), sum: { qty: Number(plain[0]!.sum!.qty) }, countDistinct: { owner: Number(plain[0]!.countDistinct!.owner) }, max: { ratio: Number(plain[0]!.max!.ratio) } });
      const grouped = (await rest('specimens', { aggregate: { count: ['id'] }, groupBy: ['flag'], sort: ['flag'] })) as Record<string, unknown>[];
      const answers = (await data('{ specimens_aggregated(groupBy: ["flag"], sort: ["flag"]) { group count { id } } }')).specimens_aggregated;
      expect(answers).toEqual(grouped.map((row) => ({ group: { flag: row.flag }, count: { id: Number((row.count as { id: string }).id) } })));
      expect((answers as unknown[]).length).toBe(3);
    });
  });
});
