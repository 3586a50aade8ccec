/**
 * The query language as a matrix, on both backends: every filter operator of
 * every field type (OPERATORS_BY_TYPE) run against fixed seed rows, each
 * with the matching ids written out by hand; then the bracket-syntax string
 * forms, logical nesting, relational filters, dynamic values, search and
 * sort; and every operator a type does not have refused with INVALID_QUERY
 * before the database sees it. The cases are data in
 * test/helpers/filter-matrix-cases.ts, shared with the GraphQL twin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATORS_BY_TYPE } from '../../../src/model/index.ts';
import { compileRead, parseReadQuery, type ParseOptions } from '../../../src/query/index.ts';
import {
  ALL,
  applyMatrix,
  COUNTS,
  DYNAMIC,
  EXPECTED_OPERATORS,
  LOGICAL,
  MATRIX,
  model,
  NOW,
  REFUSED_FILTERS,
  REFUSED_OPERATORS,
  REFUSED_SORTS,
  RELATIONAL,
  SEARCHES,
  SORTS,
  STRING_FORMS,
} from '../../helpers/filter-matrix-cases.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

function refusal(raw: Record<string, unknown>, collection = 'specimens'): { code: string; message: string } {
  try {
    parseReadQuery(model, collection, raw, { now: NOW });
  } catch (caught) {
    return caught as { code: string; message: string };
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('the matrix itself', () => {
  it('writes out the same per-type operators as OPERATORS_BY_TYPE', () => {
    const actual = Object.fromEntries(Object.entries(OPERATORS_BY_TYPE).map(([type, ops]) => [type, [...ops].sort()]));
    const expected = Object.fromEntries(Object.entries(EXPECTED_OPERATORS).map(([type, ops]) => [type, [...ops].sort()]));
    expect(actual).toEqual(expected);
  });

  it('has a case for every operator of every type', () => {
    const missing = MATRIX.flatMap(({ type, rows }) => EXPECTED_OPERATORS[type]!.filter((op) => !rows.some(([operator]) => operator === op)).map((op) => `${type} ${op}`));
    expect(missing).toEqual([]);
    expect(new Set(MATRIX.map((group) => group.type))).toEqual(new Set(Object.keys(EXPECTED_OPERATORS)));
  });
});

describe('refused before the database sees them', () => {
  it.each(REFUSED_OPERATORS)('$title', ({ filter, operator }) => {
    const error = refusal({ filter });
    expect(error.code).toBe('INVALID_QUERY');
    expect(error.message).toContain(`"${operator}" filter operator`);
  });

  it.each(REFUSED_FILTERS)('%s', (_title, filter) => {
    expect(refusal({ filter }).code).toBe('INVALID_QUERY');
  });

  it('refuses malformed JSON and relational quantifiers deeper than the top', () => {
    expect(refusal({ filter: '{"qty":' })).toMatchObject({ code: 'INVALID_QUERY', message: 'Invalid query. Invalid JSON for filter object.' });
    expect(refusal({ filter: { specimen: { notes: { _some: {} } } } }, 'notes').code).toBe('INVALID_QUERY');
  });

  it.each(REFUSED_SORTS)('sort=%s', (sort) => {
    expect(refusal({ sort }).code).toBe('INVALID_QUERY');
  });
});

describe.each(testBackends)('filter matrix on $name', ({ name }) => {
  let database: TestDatabase;
  /** Under the C collation strings sort by bytes; elsewhere only where NULLs land is asserted. */
  let byteOrder = true;

  beforeAll(async () => {
    database = await createTestDatabase(name, { migrated: true });
    ({ byteOrder } = await applyMatrix(database.db));
  });
  afterAll(() => database?.drop());

  async function read(raw: Record<string, unknown>, options: ParseOptions = {}, collection = 'specimens'): Promise<Record<string, unknown>[]> {
    const { sql, bindings } = compileRead(model, parseReadQuery(model, collection, { limit: -1, ...raw }, { now: NOW, ...options }));
    const { rows } = await database.db.query<{ data: Record<string, unknown>[] }>(sql, bindings);
    return rows[0]!.data;
  }
  const ids = async (raw: Record<string, unknown>, options: ParseOptions = {}, collection = 'specimens') => (await read({ fields: 'id', ...raw }, options, collection)).map((row) => row.id as number);
  const filtered = async (filter: unknown, options: ParseOptions = {}, collection = 'specimens') => (await ids({ filter }, options, collection)).sort((a, b) => a - b);

  it('seeded what the expectations assume', async () => {
    expect(await ids({})).toEqual(ALL);
    const [first] = await read({ filter: { id: { _eq: 1 } } });
    expect(first).toMatchObject({ big: '9007199254740993', price: '12.50', seen_at: '2024-06-15T11:00:00.000Z', labels: ['red', 'green'], secret: '**********', notes: [1, 2], tags: [1, 2] });
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
    expect(await filtered({ id: 2 })).toEqual([2]);
  });

  it.each(STRING_FORMS)('string form: %s', async (_title, filter, expected) => {
    expect(await filtered(filter)).toEqual(expected);
  });

  it.each(LOGICAL)('logical: %s', async (_title, filter, expected) => {
    expect(await filtered(filter)).toEqual(expected);
  });

  it.each(RELATIONAL)('relational: %s', async (_title, filter, expected, collection) => {
    expect(await filtered(filter, {}, collection)).toEqual(expected);
  });

  it.each(COUNTS)('count: %s', async (_title, filter, expected, collection) => {
    expect(await filtered(filter, {}, collection)).toEqual(expected);
  });

  it.each(DYNAMIC)('dynamic: %s', async (_title, filter, expected, user) => {
    expect(await filtered(filter, { user: user ?? null })).toEqual(expected);
  });

  it.each(SEARCHES)('search %j', async (term, expected) => {
    expect((await ids({ search: term })).sort((a, b) => a - b)).toEqual(expected);
  });

  it('combines search with a filter, and ignores an empty search', async () => {
    expect(await ids({ search: 'alpha', filter: { flag: { _eq: false } } })).toEqual([2]);
    expect(await ids({ search: '' })).toEqual(ALL);
  });

  it.each(SORTS)('sort %j', async (sort, expected, nulls) => {
    const actual = await ids({ sort });
    if (!nulls || byteOrder) {
      expect(actual).toEqual(expected);
      return;
    }
    // Another collation orders the strings differently; NULLs still land where PostgreSQL puts them.
    const descending = String(sort).startsWith('-');
    expect((descending ? actual.slice(0, nulls.length) : actual.slice(-nulls.length)).sort((a, b) => a - b)).toEqual(nulls);
  });
});
