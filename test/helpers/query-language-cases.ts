/**
 * The query language's behaviour on any list route, as cases generated from
 * the route's own rows: the same checks run on /items/:collection and on
 * every system collection (/roles, /users, /activity, /fields…), so a route
 * that ignores a parameter, or answers it differently from /items, fails.
 * Expectations come from the full list (`limit=-1`, in a total order) read
 * first, so the cases need no fixture of their own.
 */
import { expect, it } from 'vitest';

type Row = Record<string, unknown>;
export interface Answer {
  statusCode: number;
  json(): any;
}

export interface QueryLanguageRoute {
  /** e.g. `/roles`, `/items/tags`. */
  route: string;
  /** A sort that orders the rows totally (`id`, or `collection,field` where there is no key). */
  order: string;
  /** What tells rows apart in that order. */
  identity: (row: Row) => string;
  /** A string field with at least two different values among the rows. */
  text: string;
}

/** `get(url)` answers a GET, `search(url, body)` a SEARCH, both as the same caller. */
export function queryLanguageCases(spec: QueryLanguageRoute, client: { get(url: string): Promise<Answer>; search(url: string, body: unknown): Promise<Answer> }): void {
  const { route, order, identity, text } = spec;
  const url = (query: string) => `${route}?${query}`;
  const data = async (query: string): Promise<Row[]> => {
    const answer = await client.get(url(query));
    expect(answer.statusCode, `${url(query)}: ${JSON.stringify(answer.json())}`).toBe(200);
    return answer.json().data;
  };
  const all = () => data(`limit=-1&sort=${order}`);
  const ids = (rows: Row[]) => rows.map(identity);
  const param = (value: unknown) => encodeURIComponent(String(value));
  /** Two different values of the text field, and the rows holding each. */
  const values = async () => {
    const rows = await all();
    const distinct = [...new Set(rows.map((row) => row[text]).filter((value) => typeof value === 'string'))] as string[];
    expect(distinct.length, `${route} needs two values of ${text}`).toBeGreaterThanOrEqual(2);
    return { rows, first: distinct[0]!, second: distinct[1]! };
  };

  it(`${route}: fields picks the fields`, async () => {
    const rows = await data(`fields=${text}&limit=-1`);
    expect(rows.length).toBe((await all()).length);
    for (const row of rows) expect(Object.keys(row)).toEqual([text]);
  });

  it(`${route}: filter (bracket and JSON forms) keeps exactly the matching rows`, async () => {
    const { rows, first, second } = await values();
    const matching = ids(rows.filter((row) => row[text] === first));
    expect(ids(await data(`filter[${text}][_eq]=${param(first)}&sort=${order}&limit=-1`))).toEqual(matching);
    expect(ids(await data(`filter=${param(JSON.stringify({ [text]: { _eq: first } }))}&sort=${order}&limit=-1`))).toEqual(matching);
    expect(ids(await data(`filter[${text}][_neq]=${param(first)}&sort=${order}&limit=-1`))).toEqual(ids(rows.filter((row) => row[text] !== first && row[text] !== null)));
    expect(ids(await data(`filter[${text}][_in]=${param(first)},${param(second)}&sort=${order}&limit=-1`))).toEqual(ids(rows.filter((row) => row[text] === first || row[text] === second)));
    expect(ids(await data(`filter[_or][0][${text}][_eq]=${param(first)}&filter[_or][1][${text}][_eq]=${param(second)}&sort=${order}&limit=-1`))).toEqual(ids(rows.filter((row) => row[text] === first || row[text] === second)));
  });

  it(`${route}: sort orders by the field, descending with -`, async () => {
    const rows = await all();
    const ascending = (await data(`sort=${text}&limit=-1`)).map((row) => row[text]);
    const descending = (await data(`sort=-${text}&limit=-1`)).map((row) => row[text]);
    expect(ascending.length).toBe(rows.length);
    expect([...ascending].sort()).toEqual(rows.map((row) => row[text]).sort());
    expect(descending).toEqual([...ascending].reverse());
    expect(new Set(ascending).size).toBeGreaterThan(1);
  });

  it(`${route}: limit, offset and page cut the ordered list`, async () => {
    const rows = await all();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(ids(await data(`sort=${order}&limit=2`))).toEqual(ids(rows.slice(0, 2)));
    expect(ids(await data(`sort=${order}&limit=1&offset=1`))).toEqual(ids(rows.slice(1, 2)));
    expect(ids(await data(`sort=${order}&limit=1&page=3`))).toEqual(ids(rows.slice(2, 3)));
    expect(ids(await data(`sort=${order}&offset=${rows.length}`))).toEqual([]);
  });

  it(`${route}: meta counts all rows and the filtered ones`, async () => {
    const { rows, first } = await values();
    const answer = await client.get(url(`meta=*&limit=1&filter[${text}][_eq]=${param(first)}`));
    expect(answer.statusCode).toBe(200);
    expect(answer.json().meta).toEqual({ total_count: rows.length, filter_count: rows.filter((row) => row[text] === first).length });
    expect(answer.json().data.length).toBe(1);
    expect((await client.get(url('limit=1'))).json().meta).toBeUndefined();
  });

  it(`${route}: search finds the rows holding the term`, async () => {
    const { rows, first } = await values();
    const found = ids(await data(`search=${param(first)}&sort=${order}&limit=-1`));
    for (const row of rows.filter((row) => row[text] === first)) expect(found).toContain(identity(row));
    expect(found.every((id) => ids(rows).includes(id))).toBe(true);
    expect(await data(`search=${param('no-such-term-anywhere-\u2603')}`)).toEqual([]);
  });

  it(`${route}: aggregate counts, and groups by a field`, async () => {
    const { rows } = await values();
    expect(await data('aggregate[count]=*')).toEqual([{ count: String(rows.length) }]);
    const distinct = new Set(rows.map((row) => row[text]).filter((value) => value !== null));
    expect(await data(`aggregate[countDistinct]=${text}`)).toEqual([{ countDistinct: { [text]: String(distinct.size) } }]);
    const groups = await data(`aggregate[count]=*&groupBy=${text}&limit=-1`);
    const expected = new Map<unknown, number>();
    for (const row of rows) expected.set(row[text], (expected.get(row[text]) ?? 0) + 1);
    expect(new Map(groups.map((group) => [group[text], Number(group.count)]))).toEqual(expected);
  });

  it(`${route}: SEARCH with the query in the body answers as GET does`, async () => {
    const { first } = await values();
    const answer = await client.search(route, { query: { filter: { [text]: { _eq: first } }, fields: [text], sort: [text], limit: -1 } });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().data).toEqual(await data(`filter[${text}][_eq]=${param(first)}&fields=${text}&sort=${text}&limit=-1`));
  });

  it(`${route}: refuses what /items refuses, with the same codes`, async () => {
    const code = async (query: string) => (await client.get(url(query))).json().errors?.[0]?.extensions.code;
    const refusals: Record<string, string> = {
      'filter[no_such_field][_eq]=1': 'INVALID_QUERY',
      'fields=no_such_field': 'FORBIDDEN',
      'sort=no_such_field': 'INVALID_QUERY',
      'limit=many': 'INVALID_QUERY',
      [`filter[${text}][_no_such_operator]=1`]: 'INVALID_QUERY',
      'filter={not json': 'INVALID_QUERY',
      'meta=everything': 'INVALID_QUERY',
    };
    const answered: Record<string, string> = {};
    for (const query of Object.keys(refusals)) answered[query] = await code(query);
    expect(answered).toEqual(refusals);
  });
}
