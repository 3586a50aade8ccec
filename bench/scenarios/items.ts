/**
 * items: the REST items API on the template's blog model, seeded with 1,000
 * authors and 100,000 articles, against the raw fastify + pg baseline doing
 * the same work on the same rows (bench/baseline/raw-server.ts, /raw/articles).
 * Nine requests, each at 10 and 50 connections: list 25; list 25 with
 * fields=id,title,author.name, and its GraphQL twin (POST /graphql
 * `{ articles(limit: 25) { id title author { name } } }`, reported against
 * the REST request too); list 25 filtered by status and sorted by
 * -published_at; list 25 as the public (the template's public policy: a row
 * filter and a field restriction, compiled into the SQL); read one by id;
 * create one; update one field; and login (json mode: argon2id verification,
 * a refresh-token row, a signed access token), the raw twin doing the same. Writes on both
 * sides run in one transaction with their cairn_activity and cairn_revisions
 * rows. Before loading, each request is sent once to both servers and the
 * answers compared, so the two sides are known to return the same JSON (the
 * GraphQL answer's `articles`, ids as strings, against the raw rows).
 *
 * Which rows: reads by id pick a random article of all 100,000, updates a
 * random one of the first 1,000 (so concurrent updates seldom wait on the
 * same row lock), creates a new article with a random author. All reads run
 * before any write, so the created articles never show in a measured list.
 */
import { isDeepStrictEqual } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LoadRequest } from '../lib/load.ts';
import { spawnSync } from 'node:child_process';
import { cairnCommand, ROOT, spawnServer } from '../lib/processes.ts';
import { measure, withServers, type BenchOptions, type Row, type Scenario, type ServerPair } from '../lib/scenario.ts';

const CONNECTIONS = [10, 50];
const AUTHORS = 1_000;
const ARTICLES = 100_000;
/** Updates pick among the first UPDATED articles. */
const UPDATED = 1_000;
const ADMIN_TOKEN = 'cairn-bench-admin-token-0123456789';
const BENCH_SECRET = 'cairn-bench-secret-0123456789-0123456789-0123456789';
/** Replaced by a random number per request (see LoadRequest.vary). */
const ID = '{id}';
const TARGET = { read: 0.6, write: 0.5 };
const PUBLIC_LIST = 'list 25 as the public (row filter, field restriction)';
const WITH_AUTHOR = 'list 25, fields=id,title,author.name';
const WITH_AUTHOR_GRAPHQL = 'list 25 with author name, GraphQL';
/** GraphQL against the same REST request (Cairn both): the cost of the GraphQL layer. */
const GRAPHQL_TARGET = 0.9;

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const json = { ...auth, 'content-type': 'application/json' };

interface Case {
  name: string;
  kind: 'read' | 'write' | 'login';
  cairn: LoadRequest;
  raw: LoadRequest;
  /** Cairn answers over GraphQL: `data.<this>` is compared with the raw rows, ids as strings. */
  graphqlRoot?: string;
}

const published = 'filter%5Bstatus%5D%5B_eq%5D=published&sort=-published_at';
const LOGIN = { email: 'bench.editor@example.org', password: 'a bench password' };
const loginBody = JSON.stringify(LOGIN);
const createBody = JSON.stringify({ title: 'Bench article', body: 'Written by the benchmark.', status: 'draft', author: ID }).replace(`"${ID}"`, ID);
const updateBody = JSON.stringify({ views: ID }).replace(`"${ID}"`, ID);
const withAuthorGraphql = JSON.stringify({ query: '{ articles(limit: 25) { id title author { name } } }' });

const CASES: Case[] = [
  {
    name: 'list 25',
    kind: 'read',
    cairn: { method: 'GET', path: '/items/articles?limit=25', headers: auth },
    raw: { method: 'GET', path: '/raw/articles?limit=25', headers: auth },
  },
  {
    name: WITH_AUTHOR,
    kind: 'read',
    cairn: { method: 'GET', path: '/items/articles?limit=25&fields=id,title,author.name', headers: auth },
    raw: { method: 'GET', path: '/raw/articles/with-author?limit=25', headers: auth },
  },
  {
    // The same read over GraphQL, the same caller; the raw twin is the REST request's.
    name: WITH_AUTHOR_GRAPHQL,
    kind: 'read',
    cairn: { method: 'POST', path: '/graphql', headers: json, body: withAuthorGraphql },
    raw: { method: 'GET', path: '/raw/articles/with-author?limit=25', headers: auth },
    graphqlRoot: 'articles',
  },
  {
    name: 'list 25, status=published, sort -published_at',
    kind: 'read',
    cairn: { method: 'GET', path: `/items/articles?limit=25&${published}`, headers: auth },
    raw: { method: 'GET', path: '/raw/articles/by-status?status=published&limit=25', headers: auth },
  },
  {
    // The public policy of the template: published articles only, seven of the twelve fields.
    name: PUBLIC_LIST,
    kind: 'read',
    cairn: { method: 'GET', path: '/items/articles?limit=25' },
    raw: { method: 'GET', path: '/raw/articles/public?limit=25' },
  },
  {
    name: 'read one by id',
    kind: 'read',
    cairn: { method: 'GET', path: `/items/articles/${ID}`, headers: auth, vary: { token: ID, min: 1, max: ARTICLES } },
    raw: { method: 'GET', path: `/raw/articles/${ID}`, headers: auth, vary: { token: ID, min: 1, max: ARTICLES } },
  },
  {
    name: 'create one',
    kind: 'write',
    cairn: { method: 'POST', path: '/items/articles', headers: json, body: createBody, vary: { token: ID, min: 1, max: AUTHORS } },
    raw: { method: 'POST', path: '/raw/articles', headers: json, body: createBody, vary: { token: ID, min: 1, max: AUTHORS } },
  },
  {
    name: 'update one field (views)',
    kind: 'write',
    cairn: { method: 'PATCH', path: `/items/articles/${ID}`, headers: json, body: updateBody, vary: { token: ID, min: 1, max: UPDATED } },
    raw: { method: 'PATCH', path: `/raw/articles/${ID}`, headers: json, body: updateBody, vary: { token: ID, min: 1, max: UPDATED } },
  },
  {
    // argon2id verification dominates: the same work on both sides (plus Cairn's activity row and limiter).
    name: 'login (json mode)',
    kind: 'login',
    cairn: { method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, body: loginBody },
    raw: { method: 'POST', path: '/raw/auth/login', headers: { 'content-type': 'application/json' }, body: loginBody },
  },
];

/**
 * The blog's rows, in SQL: authors with made-up names, articles 60 %
 * published, 30 % draft (no published_at), 10 % archived, published_at spread
 * over three years, bodies of 2 to 9 sentences, random authors and views.
 * Seeded random, so every run has the same data.
 */
const SEED = `
truncate articles, authors, cairn_revisions, cairn_activity restart identity cascade;
select setseed(0.42);
insert into authors (name, email, bio)
select (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Radia','Niklaus'])[1 + n % 10] || ' ' ||
       (array['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Perlman','Wirth','Ritchie','Kay'])[1 + (n / 10) % 12] || ' ' || n,
       'author' || n || '@example.com',
       'Writes about ' || (array['databases','compilers','networks','typography','distributed systems'])[1 + n % 5] || '.'
from generate_series(1, ${AUTHORS}) as n;
insert into articles (title, slug, body, status, views, published_at, author, date_created)
select 'Article ' || n || ': ' || (array['Notes on','A guide to','Why we chose','Lessons from','Rethinking'])[1 + n % 5] || ' ' ||
         (array['indexes','caching','schemas','migrations','queues','backups','search','replication'])[1 + (n / 5) % 8],
       'article-' || n,
       repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 2 + n % 8),
       s.status,
       (random() * 10000)::int,
       s.published_at,
       1 + (random() * ${AUTHORS - 1})::int,
       coalesce(s.published_at, now()) - random() * interval '30 days'
from generate_series(1, ${ARTICLES}) as n,
     lateral (select case when n % 10 < 6 then 'published' when n % 10 < 9 then 'draft' else 'archived' end as status) as k,
     lateral (select k.status, case when k.status = 'draft' then null else now() - random() * interval '1095 days' end as published_at) as s;
`;

/** Applies the template's model with `cairn serve --project` (then stops it) and seeds the rows. */
async function prepare(bench: BenchOptions, dataDir: string): Promise<number> {
  const command = cairnCommand({ DATABASE_URL: bench.databaseUrl, CAIRN_DATA_DIR: dataDir, ADMIN_TOKEN, SECRET: BENCH_SECRET });
  const applying = await spawnServer({ ...command, args: [...command.args, '--project', 'schema-repo-template'] });
  await applying.stop();
  const user = spawnSync(process.execPath, ['bin/cairn.js', 'users', 'create', '--email', LOGIN.email, '--password', LOGIN.password, '--role', 'editor'], {
    cwd: ROOT,
    env: { ...process.env, ...command.env },
    encoding: 'utf8',
  });
  if (user.status !== 0) throw new Error(`cairn users create failed: ${user.stderr}`);
  const started = performance.now();
  const client = new pg.Client({ connectionString: bench.databaseUrl });
  await client.connect();
  try {
    await client.query(SEED);
    await client.query('vacuum analyze authors, articles');
  } finally {
    await client.end();
  }
  return performance.now() - started;
}

/** Keys that differ between two creates or updates of the same payload. */
const VOLATILE = new Set(['id', 'date_created', 'date_updated']);

/** Sends each request once to both servers and throws unless they answer the same (reads: the same JSON; writes: the same fields and types). */
async function checkSameAnswers({ cairn, raw }: ServerPair): Promise<void> {
  const send = async (url: string, request: LoadRequest) => {
    const substitute = (text: string) => (request.vary ? text.replaceAll(request.vary.token, '42') : text);
    const response = await fetch(url + substitute(request.path), {
      method: request.method,
      headers: request.headers ?? {},
      ...(request.body !== undefined ? { body: substitute(request.body) } : {}),
    });
    if (!response.ok) throw new Error(`${request.method} ${request.path}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { data: unknown; errors?: unknown };
    if (body.errors) throw new Error(`${request.method} ${request.path}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  for (const c of CASES) {
    const [answered, fromRawRows] = [await send(cairn.url, c.cairn), await send(raw.url, c.raw)];
    const fromCairn = c.graphqlRoot ? (answered as Record<string, unknown>)[c.graphqlRoot] : answered;
    const fromRaw = c.graphqlRoot ? idsAsStrings(fromRawRows) : fromRawRows;
    const same =
      c.kind === 'login'
        ? isDeepStrictEqual(Object.keys(fromCairn as object).sort(), Object.keys(fromRaw as object).sort())
        : c.kind === 'read'
        ? isDeepStrictEqual(fromCairn, fromRaw)
        : isDeepStrictEqual(shape(fromCairn as Record<string, unknown>), shape(fromRaw as Record<string, unknown>));
    if (!same) throw new Error(`items, ${c.name}: Cairn and the raw baseline answer differently\ncairn: ${JSON.stringify(fromCairn)}\nraw:   ${JSON.stringify(fromRaw)}`);
  }
}

/** Login limits are per server process; the bench logs in thousands of times from one address. */
const BENCH_LIMITS = { LOGIN_RATE_LIMIT_PER_IP: '1000000', LOGIN_RATE_LIMIT_PER_EMAIL: '1000000' };

/** Rows as GraphQL shows them: every `id` a string (GraphQL's ID). */
function idsAsStrings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsAsStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, key === 'id' && inner !== null ? String(inner) : idsAsStrings(inner)]));
  return value;
}

const shape = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, VOLATILE.has(k) ? typeof v : v]));

/** BENCH_CASES=<part>,<part>: only the cases whose name contains one of the parts (all when unset). */
function chosenCases(): Case[] {
  const parts = (process.env.BENCH_CASES ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  return parts.length === 0 ? CASES : CASES.filter((c) => parts.some((part) => c.name.includes(part)));
}

export const items: Scenario = {
  name: 'items',
  description: `REST items (and one GraphQL twin) on ${ARTICLES.toLocaleString('en')} articles: lists, read, create, update at ${CONNECTIONS.join(' and ')} connections vs raw fastify+pg`,
  async run(bench) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-items-'));
    try {
      const seedMs = await prepare(bench, dataDir);
      const rows = await withServers({ bench, cairnEnv: { CAIRN_DATA_DIR: dataDir, ADMIN_TOKEN, SECRET: BENCH_SECRET, ...BENCH_LIMITS }, rawEnv: { ADMIN_TOKEN, SECRET: BENCH_SECRET } }, async (servers) => {
        await checkSameAnswers(servers);
        const rows: Row[] = [];
        // Case by case, both connection counts: all reads happen before the first write.
        for (const c of chosenCases()) {
          for (const connections of CONNECTIONS) {
            const load = { connections, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds };
            const cairn = await measure(servers.cairn, [c.cairn], load);
            const raw = await measure(servers.raw, [c.raw], load);
            const ratio = cairn.result.requestsPerSecond / raw.result.requestsPerSecond;
            rows.push({
              request: c.name,
              conns: connections,
              'cairn req/s': Math.round(cairn.result.requestsPerSecond),
              'raw req/s': Math.round(raw.result.requestsPerSecond),
              ratio: Number(ratio.toFixed(2)),
              target: c.kind === 'login' ? 'none (reported)' : `≥ ${TARGET[c.kind]}`,
              'cairn p50/p99 ms': `${cairn.result.p50Ms} / ${cairn.result.p99Ms}`,
              'raw p50/p99 ms': `${raw.result.p50Ms} / ${raw.result.p99Ms}`,
              'cairn RSS MiB': cairn.rssMiB,
              'raw RSS MiB': raw.rssMiB,
              errors: `${cairn.result.errors + cairn.result.non2xx} / ${raw.result.errors + raw.result.non2xx}`,
            });
          }
        }
        return rows;
      });
      const below = rows.filter((row) => (row.ratio as number) < Number(String(row.target).replace('≥ ', '')));
      const reqs = (name: string, connections: number) => rows.find((row) => row.request === name && row.conns === connections)?.['cairn req/s'] as number;
      // The permission cost: the public's list against the administrator's list, both Cairn.
      const permissionCost = CONNECTIONS.map((connections) => `${connections} connections: ${(reqs(PUBLIC_LIST, connections) / reqs('list 25', connections)).toFixed(2)}`);
      // The GraphQL cost: the same read over /graphql against /items, both Cairn (the ratio to raw is in its rows).
      const graphqlCost = CONNECTIONS.map((connections) => ({ connections, ratio: reqs(WITH_AUTHOR_GRAPHQL, connections) / reqs(WITH_AUTHOR, connections) }));
      const graphqlBelow = graphqlCost.filter(({ ratio }) => ratio < GRAPHQL_TARGET);
      return {
        scenario: 'items',
        settings: { connections: CONNECTIONS, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds, authors: AUTHORS, articles: ARTICLES },
        rows,
        summary: [
          `seeded ${AUTHORS.toLocaleString('en')} authors and ${ARTICLES.toLocaleString('en')} articles in ${Math.round(seedMs)} ms; errors are cairn / raw (non-2xx and socket errors)`,
          `public list 25 / admin list 25 (Cairn, target ≥ 0.9): ${permissionCost.join('; ')}`,
          `GraphQL / REST, list 25 with author name (Cairn, target ≥ ${GRAPHQL_TARGET}): ${graphqlCost.map(({ connections, ratio }) => `${connections} connections: ${ratio.toFixed(2)}`).join('; ')}${graphqlBelow.length > 0 ? ' (below target)' : ''}`,
          below.length === 0 ? 'every request meets its target (reads ≥ 0.6, writes ≥ 0.5 of raw)' : `below target: ${below.map((row) => `${row.request} @ ${row.conns} (${row.ratio})`).join('; ')}`,
        ],
      };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
