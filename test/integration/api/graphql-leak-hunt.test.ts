/**
 * The leak hunt over /graphql: the two databases of the REST hunt (the same
 * rows a caller may see, different rows and values it may not; see
 * test/helpers/leak-hunt-seed.ts), plus a collection and a field no caller
 * but the administrator reads. Generated reads — selections with aliases and
 * fragments, nested relations with their own arguments, filters, sorts,
 * search, limit/offset/page, reads by id — are sent as GraphQL documents by
 * the same non-admin callers over HTTP to both: the answers must be the same
 * bytes, and each must be what REST answers the same caller for the same
 * read (ids as strings; a refusal for a refusal). The caller's introspection
 * must not name what it may not read, and naming it in a document, however
 * indirectly, is a validation error.
 *
 * Filters are written as inline GraphQL objects in the forms Directus's typed
 * `<c>_filter` inputs take (operators per type, ids as strings, relations as
 * nested filters), so they are valid whether `filter` is JSON or typed.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { getIntrospectionQuery } from 'graphql';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import { createItems, updateItems } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { adminFrom, combinedFilters, leakHuntModel, seedHidden, seedVisible, type Variant } from '../../helpers/leak-hunt-seed.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

/** Generated reads per caller and backend (GRAPHQL_LEAK_HUNT_RUNS=5000 for a longer hunt). */
const RUNS = Number(process.env.GRAPHQL_LEAK_HUNT_RUNS ?? 500);
const ADMIN_TOKEN = 'graphql-leak-hunt-admin-token';

const model: Model = leakHuntModel({ adminOnly: true });

/** What only the administrator reads, different in each database. */
async function seedAdminOnly(context: Context, variant: Variant): Promise<void> {
  const as = { context, accountability: adminFrom(variant) };
  await updateItems({ ...as, collection: 'authors', keys: [1, 2], data: { secret_code: variant === 'A' ? 'SECRET code' : 'b code' } });
  if (variant === 'A') await createItems({ ...as, collection: 'payroll', items: [{ salary: 999, employee: 1 }, { salary: 1000, employee: 2 }] });
}

// ---------------------------------------------------------------------------------------------
// The generated reads

interface Relation {
  kind: 'm2o' | 'many';
  related: string;
}
interface CollectionSpec {
  /** Scalars, hidden and unknown ones included. */
  scalars: string[];
  /** Integer scalars (the others are strings or ids). */
  numbers?: string[];
  relations: Record<string, Relation>;
  sorts: string[];
}

const COLLECTIONS: Record<string, CollectionSpec> = {
  articles: {
    scalars: ['id', 'title', 'status', 'views', 'internal_note', 'nope'],
    numbers: ['views'],
    relations: { author: { kind: 'm2o', related: 'authors' }, comments: { kind: 'many', related: 'comments' }, tags: { kind: 'many', related: 'articles_tags' } },
    sorts: ['id', 'title', 'status', 'views', 'internal_note', 'author', 'author.name', 'author.secret_code'],
  },
  comments: { scalars: ['id', 'body'], relations: { article: { kind: 'm2o', related: 'articles' } }, sorts: ['id', 'body', 'article', 'article.title', 'article.views', 'article.internal_note'] },
  authors: { scalars: ['id', 'name', 'email', 'secret_code'], relations: { articles: { kind: 'many', related: 'articles' } }, sorts: ['id', 'name', 'email', 'secret_code'] },
  tags: { scalars: ['id', 'name'], relations: {}, sorts: ['id', 'name'] },
  articles_tags: { scalars: ['id'], relations: { articles_id: { kind: 'm2o', related: 'articles' }, tags_id: { kind: 'm2o', related: 'tags' } }, sorts: ['id', 'articles_id', 'tags_id', 'articles_id.title', 'tags_id.name', 'articles_id.internal_note'] },
};
const ROOTS = ['articles', 'articles', 'articles', 'comments', 'comments', 'authors', 'authors', 'tags', 'articles_tags'];

const STRINGS = ['SECRET', 'secret', 'SECRET code', 'b code', 'SECRET draft one', 'top SECRET', 'b draft', 'b hidden', 'note', 'review note', 'review note 1000', 'x', 'y', 'draft', 'published', 'archived', 'review', 'Hello world', 'Hello', 'Nice post', 'Ada', 'ada@example.com', 'news', 'misc', '1', '999', '%', '_'];
const NUMBERS = [0, 1, 5, 7, 9, 10, 20, 21, 999, 1000, -1];
const IDS = ['1', '2', '3', '4', '5', '6', '9'];
const SEARCHES = ['SECRET', 'secret', 'code', 'draft', 'hidden', 'note', 'review', 'b', 'Hello', 'Nice', 'misc', '999', '1000', '7', '5', '1', 'x', '%'];
const STRING_OPS = ['_eq', '_neq', '_contains', '_icontains', '_starts_with', '_in', '_nin', '_null', '_nnull'];
const NUMBER_OPS = ['_eq', '_neq', '_gt', '_gte', '_lt', '_lte', '_in', '_null', '_nnull'];
const ID_OPS = ['_eq', '_neq', '_in', '_null', '_nnull'];

interface Args {
  filter?: Record<string, unknown>;
  sort?: string[];
  limit?: number;
  offset?: number;
  page?: number;
  search?: string;
}
interface Selected {
  name: string;
  alias?: string;
  args?: Args;
  children?: Selected[];
}
interface Read {
  collection: string;
  /** Set: `<c>_by_id(id:)`, REST /items/c/id. */
  id?: string;
  args: Args;
  selection: Selected[];
  /** How the root's selection is written: as it is, in an inline fragment, or in a named fragment. */
  form: 'plain' | 'inline' | 'named';
}

function readsFor(refused: RegExp): fc.Arbitrary<Read> {
  const bool = fc.boolean();
  const pick = (names: string[]): fc.Arbitrary<string> => {
    const no = names.filter((n) => refused.test(n));
    const yes = names.filter((n) => !refused.test(n));
    return no.length === 0 ? fc.constantFrom(...yes) : fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...yes) }, { weight: 1, arbitrary: fc.constantFrom(...no) });
  };
  const sometimes = <T,>(arbitrary: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary });
  const comparison = (operators: string[], value: fc.Arbitrary<unknown>) =>
    fc.constantFrom(...operators).chain((operator) => {
      if (operator === '_null' || operator === '_nnull') return bool.map((v) => ({ [operator]: v }));
      if (operator === '_in' || operator === '_nin') return fc.array(value, { minLength: 1, maxLength: 3 }).map((v) => ({ [operator]: v }));
      return value.map((v) => ({ [operator]: v }));
    });
  // A number where a string is wanted is refused by REST (INVALID_QUERY): both must refuse it alike.
  const numberValue = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NUMBERS) }, { weight: 1, arbitrary: fc.constant('many') });

  const filters = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  const filterOf = (collection: string, depth: number, top: boolean): fc.Arbitrary<Record<string, unknown>> => {
    const key = `${collection}/${depth}/${top}`;
    const known = filters.get(key);
    if (known) return known;
    const spec = COLLECTIONS[collection]!;
    const names = [...spec.scalars.filter((name) => name !== 'nope'), ...(depth > 0 ? Object.keys(spec.relations) : [])];
    const leaf = pick(names).chain((name): fc.Arbitrary<Record<string, unknown>> => {
      const relation = spec.relations[name];
      const condition: fc.Arbitrary<unknown> = !relation
        ? name === 'id'
          ? comparison(ID_OPS, fc.constantFrom(...IDS))
          : spec.numbers?.includes(name)
            ? comparison(NUMBER_OPS, numberValue)
            : comparison(STRING_OPS, fc.constantFrom(...STRINGS))
        : relation.kind === 'm2o'
          ? filterOf(relation.related, depth - 1, false)
          : fc.oneof(
              { weight: top ? 3 : 1, arbitrary: filterOf(relation.related, depth - 1, false).map((inner) => ({ _some: inner })) },
              { weight: top ? 2 : 1, arbitrary: filterOf(relation.related, depth - 1, false).map((inner) => ({ _none: inner })) },
              { weight: 2, arbitrary: filterOf(relation.related, depth - 1, false) },
            );
      return condition.map((c) => ({ [name]: c }));
    });
    const built = combinedFilters(leaf, () => filterOf(collection, depth - 1, top), depth);
    filters.set(key, built);
    return built;
  };
  const sortOf = (collection: string) => fc.array(fc.tuple(bool, pick(COLLECTIONS[collection]!.sorts)), { minLength: 1, maxLength: 2 }).map((terms) => terms.map(([down, field]) => `${down ? '-' : ''}${field}`));
  const argsOf = (collection: string, root: boolean): fc.Arbitrary<Args> =>
    fc
      .record({
        filter: sometimes(filterOf(collection, root ? 2 : 1, true), root ? 50 : 35),
        sort: sometimes(sortOf(collection), 40),
        limit: sometimes(fc.constantFrom(0, 1, 2, 3, -1), 30),
        offset: sometimes(fc.constantFrom(0, 1, 2), 15),
        page: sometimes(fc.constantFrom(1, 2), root ? 8 : 0),
        search: sometimes(fc.constantFrom(...SEARCHES), 15),
      })
      .map((args) => Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) as Args);

  const selections = new Map<string, fc.Arbitrary<Selected[]>>();
  const selectionOf = (collection: string, depth: number): fc.Arbitrary<Selected[]> => {
    const key = `${collection}/${depth}`;
    const known = selections.get(key);
    if (known) return known;
    const spec = COLLECTIONS[collection]!;
    const names = [...spec.scalars, ...(depth > 0 ? Object.keys(spec.relations) : [])];
    const one = (name: string): fc.Arbitrary<Selected> => {
      const relation = spec.relations[name];
      if (!relation) return sometimes(fc.constant(`a_${name}`), 12).map((alias) => ({ name, ...(alias ? { alias } : {}) }));
      const children = selectionOf(relation.related, depth - 1);
      if (relation.kind === 'm2o') return children.map((nested) => ({ name, children: nested }));
      return fc.tuple(argsOf(relation.related, false), children).map(([args, nested]) => ({ name, ...(Object.keys(args).length > 0 ? { args } : {}), children: nested }));
    };
    const built = fc
      .uniqueArray(pick(names), { minLength: 1, maxLength: 4 })
      .chain((chosen) => fc.tuple(...chosen.map(one)));
    selections.set(key, built);
    return built;
  };

  return fc.constantFrom(...ROOTS).chain((collection) =>
    fc.record({
      collection: fc.constant(collection),
      id: sometimes(fc.constantFrom(...IDS, "12", "x"), 20),
      args: argsOf(collection, true),
      selection: selectionOf(collection, 2),
      form: fc.constantFrom<Read['form']>('plain', 'plain', 'plain', 'inline', 'named'),
    }),
  ).map(({ id, ...read }) => (id === undefined ? read : { ...read, id, args: {} }));
}

// ---------------------------------------------------------------------------------------------
// A read as a GraphQL document, and as a REST query

/** A value as a GraphQL literal: what a caller would write inline. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([key, inner]) => `${key}: ${literal(inner)}`).join(', ')} }`;
  return JSON.stringify(value);
}
function argumentsOf(args: Args | undefined): string {
  const entries = Object.entries(args ?? {});
  return entries.length === 0 ? '' : `(${entries.map(([name, value]) => `${name}: ${literal(value)}`).join(', ')})`;
}
function selectionText(selection: Selected[]): string {
  return selection.map((s) => `${s.alias ? `${s.alias}: ` : ''}${s.name}${argumentsOf(s.args)}${s.children ? ` { ${selectionText(s.children)} }` : ''}`).join(' ');
}
function documentOf(read: Read): string {
  const root = read.id !== undefined ? `${read.collection}_by_id(id: ${literal(read.id)})` : `${read.collection}${argumentsOf(read.args)}`;
  const inner = selectionText(read.selection);
  if (read.form === 'inline') return `{ ${root} { ... on ${read.collection} { ${inner} } } }`;
  if (read.form === 'named') return `query Hunt { ${root} { ...Picked } } fragment Picked on ${read.collection} { ${inner} }`;
  return `{ ${root} { ${inner} } }`;
}

/** The same read as REST's query string: fields as dot paths, nested arguments as deep. */
function restOf(read: Read): { url: string; query: Record<string, string> } {
  const fields: string[] = [];
  const deep: Record<string, unknown> = {};
  const walk = (selection: Selected[], prefix: string, into: Record<string, unknown>) => {
    for (const s of selection) {
      if (!s.children) {
        fields.push(`${prefix}${s.name}`);
        continue;
      }
      const nested: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(s.args ?? {})) nested[`_${name}`] = value;
      walk(s.children, `${prefix}${s.name}.`, nested);
      if (Object.keys(nested).length > 0) into[s.name] = nested;
    }
  };
  walk(read.selection, '', deep);
  const query: Record<string, string> = { fields: [...new Set(fields)].join(',') };
  if (Object.keys(deep).length > 0) query.deep = JSON.stringify(deep);
  const { filter, sort, limit, offset, page, search } = read.args;
  if (filter) query.filter = JSON.stringify(filter);
  if (sort) query.sort = sort.join(',');
  if (limit !== undefined) query.limit = String(limit);
  if (offset !== undefined) query.offset = String(offset);
  if (page !== undefined) query.page = String(page);
  if (search !== undefined) query.search = search;
  return { url: read.id !== undefined ? `/items/${read.collection}/${encodeURIComponent(read.id)}` : `/items/${read.collection}`, query };
}

/** REST's answer shaped as the GraphQL selection asks: response keys (aliases), ids as strings. */
function project(value: unknown, selection: Selected[]): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((row) => project(row, selection));
  const row = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of selection) {
    const inner = row[s.name];
    out[s.alias ?? s.name] = s.children ? project(inner, s.children) : s.name === 'id' && inner !== null ? String(inner) : inner;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: string;
}

const CALLERS = [
  { role: 'reader', refused: /internal_note|secret_code|nope/, hidden: ['internal_note', 'secret_code', 'payroll', 'salary'] },
  { role: 'reviewer', refused: /secret_code|nope/, hidden: ['secret_code', 'payroll', 'salary'] },
];
const tokenOf = (role: string) => `graphql-leak-hunt-${role}-token`;

describe.each(testBackends)('the GraphQL leak hunt on $name', ({ name }) => {
  const databases: { context: Context; database: TestDatabase; server: FastifyInstance }[] = [];

  beforeAll(async () => {
    for (const variant of ['A', 'B'] as const) {
      const { context, database } = await createTestContext(name, { env: { ADMIN_TOKEN } });
      await serveModel(context, model);
      await seedVisible(context, variant);
      await seedHidden(context, variant);
      await seedAdminOnly(context, variant);
      for (const { role } of CALLERS) await createUser(context, { email: `${role}@example.org`, role, token: tokenOf(role) });
      databases.push({ context, database, server: buildServer(context) });
    }
  });
  afterAll(async () => {
    for (const { server, database } of databases) {
      await server.close();
      await database.drop();
    }
  });

  const graphql = async (server: FastifyInstance, token: string, query: string): Promise<Answer> => {
    const response = await server.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${token}` }, payload: { query } });
    return { status: response.statusCode, body: response.body };
  };
  const rest = async (server: FastifyInstance, token: string, read: Read): Promise<Answer> => {
    const { url, query } = restOf(read);
    const response = await server.inject({ method: 'GET', url, query, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, body: response.body };
  };
  const codeOf = (answer: Answer): string | undefined => (JSON.parse(answer.body) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code;

  it('seeds databases that differ for the administrator, and callers that see the same', async () => {
    const [a, b] = databases.map((d) => d.server) as [FastifyInstance, FastifyInstance];
    const query = '{ articles(sort: ["id"]) { id title internal_note } authors(sort: ["id"]) { secret_code } payroll { salary } }';
    const [inA, inB] = [await graphql(a, ADMIN_TOKEN, query), await graphql(b, ADMIN_TOKEN, query)];
    expect(JSON.parse(inA.body).data.articles).toHaveLength(8);
    expect(JSON.parse(inB.body).data.articles).toHaveLength(5);
    expect(JSON.parse(inA.body).data.payroll).toEqual([{ salary: 999 }, { salary: 1000 }]);
    expect(JSON.parse(inB.body).data.authors[0]).toEqual({ secret_code: 'b code' });
    const visible = '{ articles(sort: ["id"]) { id title author { name } comments { body } tags { tags_id { name } } } }';
    for (const { role } of CALLERS) {
      const [seenA, seenB] = [await graphql(a, tokenOf(role), visible), await graphql(b, tokenOf(role), visible)];
      expect(seenA).toEqual(seenB);
      expect(JSON.parse(seenA.body).data.articles.map((article: { id: string }) => article.id)).toEqual(['1', '2', '3', '4']);
    }
  });

  it.each(CALLERS)('leaves everything $role may not read out of its introspection', async ({ role, hidden }) => {
    const server = databases[0]!.server;
    const introspection = await graphql(server, tokenOf(role), getIntrospectionQuery());
    expect(introspection.status).toBe(200);
    const text = introspection.body;
    // Not vacuous: what the caller reads is there, and the administrator's schema names the hidden things.
    for (const shown of ['articles_tags', 'views', 'comments', 'email', ...(role === 'reviewer' ? ['internal_note'] : [])]) expect(text.includes(`"${shown}"`), shown).toBe(true);
    const admin = (await graphql(server, ADMIN_TOKEN, getIntrospectionQuery())).body;
    for (const name of hidden) {
      expect(admin.includes(name), `the administrator's introspection names ${name}`).toBe(true);
      expect(text.includes(name), `${role}'s introspection names ${name}`).toBe(false);
    }
  });

  it.each(CALLERS)('refuses a document naming what $role may not read, however it names it: 400 GRAPHQL_VALIDATION', async ({ role, hidden }) => {
    const server = databases[0]!.server;
    const hiddenField = role === 'reader' ? { collection: 'articles', field: 'internal_note' } : { collection: 'authors', field: 'secret_code' };
    const { collection, field } = hiddenField;
    const documents = [
      `{ ${collection} { id ${field} } }`,
      `{ ${collection} { id hidden: ${field} } }`,
      `{ ${collection} { ...F } } fragment F on ${collection} { id ${field} }`,
      `{ ${collection} { ... on ${collection} { id ${field} } } }`,
      `{ ${collection}_by_id(id: "1") { x: ${field} } }`,
      collection === 'articles' ? `{ authors { articles(limit: 1) { ${field} } } }` : `{ articles { author { ${field} } } }`,
      '{ payroll { id } }',
      '{ payroll_by_id(id: "1") { id } }',
      '{ authors { ... on payroll { salary } } }',
    ];
    for (const document of documents) {
      const answer = await graphql(server, tokenOf(role), document);
      expect([answer.status, codeOf(answer)], document).toEqual([400, 'GRAPHQL_VALIDATION']);
      expect(answer.body, document).not.toMatch(/SECRET|999/);
    }
    // The same documents without the hidden name answer: the refusal is the hidden name's.
    expect((await graphql(server, tokenOf(role), `{ ${collection} { id } }`)).status).toBe(200);
    const type = JSON.parse((await graphql(server, tokenOf(role), '{ __type(name: "payroll") { name } }')).body);
    expect(type).toEqual({ data: { __type: null } });
    expect(hidden).toContain('payroll');
  });

  it.each(CALLERS)(`answers ${RUNS} generated GraphQL reads as $role identically in both databases, and as REST does`, { timeout: 600_000 }, async ({ role, refused }) => {
    const token = tokenOf(role);
    const [a, b] = databases.map((d) => d.server) as [FastifyInstance, FastifyInstance];
    const tally = { data: 0, nonEmpty: 0, validation: 0, resolver: 0, byCollection: {} as Record<string, number> };
    await fc.assert(
      fc.asyncProperty(readsFor(refused), async (read) => {
        const document = documentOf(read);
        const inA = await graphql(a, token, document);
        const inB = await graphql(b, token, document);
        if (inA.status !== inB.status || inA.body !== inB.body) throw new Error(`different answers (a leak) for ${document}\nA: ${inA.status} ${inA.body}\nB: ${inB.status} ${inB.body}`);
        const restA = await rest(a, token, read);
        const restB = await rest(b, token, read);
        if (restA.status !== restB.status || restA.body !== restB.body) throw new Error(`REST answers differently (a leak the REST hunt should see) for ${JSON.stringify(restOf(read))}\nA: ${restA.status} ${restA.body}\nB: ${restB.status} ${restB.body}`);
        const shown = `${document}\nREST ${JSON.stringify(restOf(read))}\nGraphQL: ${inA.status} ${inA.body}\nREST: ${restA.status} ${restA.body}`;
        const root = read.id !== undefined ? `${read.collection}_by_id` : read.collection;
        const body = JSON.parse(inA.body) as { data?: Record<string, unknown> | null; errors?: { extensions: { code: string } }[] };
        if (inA.status === 400) {
          // Refused before running: REST must refuse it too (what GraphQL cannot even name, REST forbids).
          if (codeOf(inA) !== 'GRAPHQL_VALIDATION' || restA.status < 400) throw new Error(`GraphQL refused what REST answers: ${shown}`);
          tally.validation++;
        } else if (inA.status !== 200) {
          throw new Error(`unexpected GraphQL status: ${shown}`);
        } else if (body.errors) {
          // Refused while resolving: REST refuses it with the same code, and no data came back.
          if (restA.status < 400 || body.errors[0]!.extensions.code !== codeOf(restA) || (body.data !== null && body.data?.[root] !== null)) throw new Error(`GraphQL and REST disagree on a refusal: ${shown}`);
          if (!['FORBIDDEN', 'INVALID_QUERY'].includes(body.errors[0]!.extensions.code)) throw new Error(`unexpected error: ${shown}`);
          tally.resolver++;
        } else {
          if (restA.status !== 200) throw new Error(`GraphQL answered what REST refuses: ${shown}`);
          const expected = project((JSON.parse(restA.body) as { data: unknown }).data, read.selection);
          if (!isDeepStrictEqual(body.data?.[root], expected)) throw new Error(`GraphQL and REST answer differently: ${shown}\nREST as GraphQL: ${JSON.stringify(expected)}`);
          tally.data++;
          const answered = body.data?.[root];
          if (Array.isArray(answered) ? answered.length > 0 : answered !== null) tally.nonEmpty++;
          tally.byCollection[read.collection] = (tally.byCollection[read.collection] ?? 0) + 1;
        }
      }),
      { numRuns: RUNS },
    );
    console.info(`GraphQL leak hunt on ${name} as ${role}: ${RUNS} reads, ${tally.data} answered (${tally.nonEmpty} with rows), ${tally.validation} refused by validation, ${tally.resolver} while resolving; answered per collection ${JSON.stringify(tally.byCollection)}`);
    // Not vacuous: most reads ran and answered rows, in every collection, and both kinds of refusal happened.
    expect(tally.data).toBeGreaterThan(RUNS * 0.35);
    expect(tally.nonEmpty).toBeGreaterThan(RUNS * 0.2);
    expect(tally.validation).toBeGreaterThan(0);
    expect(tally.resolver).toBeGreaterThan(0);
    for (const collection of Object.keys(COLLECTIONS)) expect(tally.byCollection[collection] ?? 0, collection).toBeGreaterThan(RUNS * 0.03);
  });
});
