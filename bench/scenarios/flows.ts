/**
 * flows: what event flows cost the write path, on the template's blog
 * (1,000 authors; each configuration starts from no articles).
 *
 * - Write throughput: POST /items/articles (the items scenario's create) at
 *   10 and 50 connections, in configurations of the same project that differ
 *   by their flows/ folder only, each applied with `cairn serve --project`:
 *   no flow; an action flow on items.create (a condition, then a log: the
 *   main figure, target ≥ 0.9 of no flow); an action flow creating a comment
 *   for each article (item-create, permissions $full); a filter flow whose
 *   one transform returns the payload (`return: <key>`). The raw fastify+pg
 *   create (the same insert, activity and revision rows in one transaction)
 *   is measured beside the no-flow configuration. Action flows run after the
 *   answer, so after each load the scenario waits until every create has its
 *   run in cairn_flow_runs and reports how long that took (a backlog would
 *   make the req/s a loan on later CPU).
 * - Filter latency: creates one at a time (1,500 after 300 warm-up, timed in
 *   this process with performance.now(): autocannon's latencies are whole
 *   milliseconds) with no flow and with a filter flow of 1, 5 and 10
 *   operations (a transform returning the payload, then conditions and
 *   transforms in turn); the median and p99 of each, and the milliseconds an
 *   operation adds: the least-squares slope of the median over 1, 5 and 10
 *   operations, its intercept less the no-flow median being the fixed cost of
 *   a filter flow (its run, its cairn_flow_runs row).
 *
 * Every flow logs its runs as a flow file does by default (accountability:
 * all: the steps and the data chain). Before loading, one create is sent to
 * each configuration and its answer compared with the raw baseline's (the
 * same fields, the same values but ids and dates), and after it every run is
 * checked to have resolved.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { stringify } from 'yaml';
import type { LoadRequest } from '../lib/load.ts';
import { cairnCommand, ROOT, spawnServer, type ServerProcess } from '../lib/processes.ts';
import { measure, withServers, type BenchOptions, type Row, type Scenario } from '../lib/scenario.ts';

const CONNECTIONS = [10, 50];
const AUTHORS = 1_000;
const TARGET = 0.9;
const WARMUP_CREATES = 300;
const TIMED_CREATES = 1_500;
const CHAIN_LENGTHS = [1, 5, 10];
/** How long the runs of action flows may take to catch up after a load before the scenario gives up. */
const DRAIN_TIMEOUT_MS = 120_000;
const ADMIN_TOKEN = 'cairn-bench-admin-token-0123456789';
const BENCH_SECRET = 'cairn-bench-secret-0123456789-0123456789-0123456789';
const ID = '{id}';

const json = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
/** The items scenario's create: a draft with a random author. */
const createBody = JSON.stringify({ title: 'Bench article', body: 'Written by the benchmark.', status: 'draft', author: ID }).replace(`"${ID}"`, ID);
const vary = { token: ID, min: 1, max: AUTHORS };
const CAIRN_CREATE: LoadRequest = { method: 'POST', path: '/items/articles', headers: json, body: createBody, vary };
const RAW_CREATE: LoadRequest = { method: 'POST', path: '/raw/articles', headers: json, body: createBody, vary };

type FlowFile = Record<string, unknown> & { flow: string };

const eventTrigger = (mode: 'action' | 'filter', extra: Record<string, unknown> = {}) => ({ type: 'event', mode, events: ['items.create'], collections: ['articles'], ...extra });
const isDraft = { $trigger: { payload: { status: { _eq: 'draft' } } } };

/** A filter flow of `length` operations: a transform returning the payload (the flow's `return`), then conditions and transforms in turn. */
function filterChain(length: number): FlowFile {
  const key = (index: number) => `step-${index + 1}`;
  const operations = Array.from({ length }, (_, index) => ({
    key: key(index),
    ...(index % 2 === 0 ? { type: 'transform', json: '{{ $trigger.payload }}' } : { type: 'condition', filter: isDraft }),
    ...(index + 1 < length ? { resolve: key(index + 1) } : {}),
  }));
  return { flow: 'filter-chain', note: `A filter flow of ${length} operations that gives the payload back`, trigger: eventTrigger('filter', { return: key(0) }), operations };
}

interface Configuration {
  name: string;
  flows: FlowFile[];
  /** Action flows: each create has its run logged after the answer. */
  background: boolean;
  throughput: boolean;
  /** The number of filter operations, when the filter latency is measured in this configuration. */
  latencyOperations?: number;
}

const NO_FLOW = 'no flow';
const MAIN = 'action flow: condition + log';

const CONFIGURATIONS: Configuration[] = [
  { name: NO_FLOW, flows: [], background: false, throughput: true, latencyOperations: 0 },
  {
    name: MAIN,
    background: true,
    throughput: true,
    flows: [
      {
        flow: 'log-new-drafts',
        note: 'Logs every new draft',
        trigger: eventTrigger('action'),
        operations: [
          { key: 'is_draft', type: 'condition', filter: isDraft, resolve: 'note' },
          { key: 'note', type: 'log', message: 'Draft {{ $trigger.key }} created by {{ $accountability.user }}' },
        ],
      },
    ],
  },
  {
    name: 'action flow: item-create ($full) into comments',
    background: true,
    throughput: true,
    flows: [
      {
        flow: 'comment-new-articles',
        note: 'Opens the comments of every new article with one',
        trigger: eventTrigger('action'),
        operations: [{ key: 'first_comment', type: 'item-create', collection: 'comments', permissions: '$full', payload: { article: '{{ $trigger.key }}', body: 'Comments are open.', author_name: 'Cairn' } }],
      },
    ],
  },
  { name: 'filter flow: 1 transform, return', flows: [filterChain(1)], background: false, throughput: true, latencyOperations: 1 },
  ...CHAIN_LENGTHS.filter((length) => length !== 1).map((length) => ({ name: `filter flow: ${length} operations`, flows: [filterChain(length)], background: false, throughput: false, latencyOperations: length })),
];

async function query<R = Record<string, unknown>>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

/** The template with its own flows/ and the audit repository in the scenario's directory; applied, then the server stops. */
async function applyProject(options: { bench: BenchOptions; root: string; configuration: Configuration; index: number }): Promise<void> {
  const project = path.join(options.root, `project-${options.index}`);
  await cp(path.join(ROOT, 'schema-repo-template'), project, { recursive: true });
  const projectFile = path.join(project, 'cairn.yaml');
  await writeFile(projectFile, (await readFile(projectFile, 'utf8')).replace('repository: .cairn/audit.git', `repository: ${path.join(options.root, 'audit.git')}`));
  // The template's flows (and production's overlay of one) make way for the configuration's.
  await rm(path.join(project, 'flows'), { recursive: true, force: true });
  await rm(path.join(project, 'environments', 'production', 'flows'), { recursive: true, force: true });
  await mkdir(path.join(project, 'flows'));
  for (const flow of options.configuration.flows) {
    await writeFile(path.join(project, 'flows', `${flow.flow}.yaml`), `# yaml-language-server: $schema=../.schemas/flow.schema.json\n${stringify(flow)}`);
  }
  const command = cairnCommand({ DATABASE_URL: options.bench.databaseUrl, CAIRN_DATA_DIR: path.join(options.root, 'cairn'), ADMIN_TOKEN, SECRET: BENCH_SECRET });
  const applying = await spawnServer({ ...command, args: [...command.args, '--project', project] });
  await applying.stop();
}

/** Keys that differ between two creates of the same payload. */
const VOLATILE = new Set(['id', 'date_created', 'date_updated']);
/** Cairn fills user_created with the user behind ADMIN_TOKEN; the raw insert leaves it null (no user table lookup). */
const UNCOMPARED = new Set(['user_created']);
const shape = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !UNCOMPARED.has(k)).map(([k, v]) => [k, VOLATILE.has(k) ? typeof v : v]));

async function createOnce(server: ServerProcess, request: LoadRequest): Promise<Record<string, unknown>> {
  const response = await fetch(server.url + request.path, { method: request.method, headers: request.headers ?? {}, body: request.body!.replaceAll(ID, '42') });
  if (!response.ok) throw new Error(`${request.method} ${request.path}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: Record<string, unknown> }).data;
}

/** Creates one at a time; each one's milliseconds, sorted. */
async function serialLatencies(server: ServerProcess, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const body = createBody.replace(ID, String(1 + Math.floor(Math.random() * AUTHORS)));
    const started = performance.now();
    const response = await fetch(`${server.url}/items/articles`, { method: 'POST', headers: json, body });
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (!response.ok) throw new Error(`POST /items/articles: ${response.status}`);
  }
  return times.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/** Until every article has its flow run (action flows log theirs after the answer); the milliseconds it took. */
async function drained(url: string): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query('select (select count(*) from articles)::int as creates, (select count(*) from cairn_flow_runs)::int as runs');
      if (rows[0].runs >= rows[0].creates) return performance.now() - started;
      if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error(`flows: ${rows[0].creates - rows[0].runs} action runs still missing ${DRAIN_TIMEOUT_MS} ms after the load`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.end();
  }
}

interface Latency {
  operations: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Least squares of y over x: slope and intercept. */
function fit(points: { x: number; y: number }[]): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const slope = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) / points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return { slope, intercept: my - slope * mx };
}

export const flows: Scenario = {
  name: 'flows',
  description: `event flows on POST /items/articles: req/s at ${CONNECTIONS.join(' and ')} connections with no flow, action flows and a filter flow vs raw fastify+pg; filter latency at 0, ${CHAIN_LENGTHS.join(', ')} operations`,
  async run(bench) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-flows-'));
    try {
      const throughput: Row[] = [];
      const latencies: Latency[] = [];
      const rawReqs = new Map<number, number>();
      const noFlowReqs = new Map<number, number>();
      let reference: Record<string, unknown> | undefined;
      let runsChecked = 0;
      for (const [index, configuration] of CONFIGURATIONS.entries()) {
        await applyProject({ bench, root, configuration, index });
        if (index === 0) {
          await query(bench.databaseUrl, `insert into authors (name, email) select 'Author ' || n, 'author' || n || '@example.com' from generate_series(1, ${AUTHORS}) as n`);
          await query(bench.databaseUrl, 'vacuum analyze authors');
        }
        // Every configuration starts from the same rows: no articles, no history, no runs.
        await query(bench.databaseUrl, 'truncate articles, cairn_activity, cairn_revisions, cairn_flow_runs restart identity cascade');
        await withServers({ bench, cairnEnv: { CAIRN_DATA_DIR: path.join(root, 'cairn'), ADMIN_TOKEN, SECRET: BENCH_SECRET }, rawEnv: { ADMIN_TOKEN, SECRET: BENCH_SECRET } }, async ({ cairn, raw }) => {
          // The same answer as the raw create (the first configuration), and as that one (the others: a filter flow gives the payload back unchanged).
          const answered = shape(await createOnce(cairn, CAIRN_CREATE));
          reference ??= shape(await createOnce(raw, RAW_CREATE));
          if (!isDeepStrictEqual(answered, reference)) throw new Error(`flows, ${configuration.name}: Cairn's create answers differently\ncairn: ${JSON.stringify(answered)}\nraw:   ${JSON.stringify(reference)}`);

          if (configuration.latencyOperations !== undefined) {
            await serialLatencies(cairn, WARMUP_CREATES);
            const times = await serialLatencies(cairn, TIMED_CREATES);
            latencies.push({ operations: configuration.latencyOperations, p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length });
          }
          if (configuration.background) await drained(bench.databaseUrl);

          if (!configuration.throughput) return;
          for (const connections of CONNECTIONS) {
            const load = { connections, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds };
            const run = await measure(cairn, [CAIRN_CREATE], load);
            const drainMs = configuration.background ? await drained(bench.databaseUrl) : null;
            const reqs = run.result.requestsPerSecond;
            if (configuration.name === NO_FLOW) {
              noFlowReqs.set(connections, reqs);
              const rawRun = await measure(raw, [RAW_CREATE], load);
              rawReqs.set(connections, rawRun.result.requestsPerSecond);
              throughput.push({
                configuration: NO_FLOW,
                conns: connections,
                'req/s': Math.round(reqs),
                'vs no flow': 1,
                target: '-',
                'vs raw': Number((reqs / rawRun.result.requestsPerSecond).toFixed(2)),
                'p50/p99 ms': `${run.result.p50Ms} / ${run.result.p99Ms}`,
                'RSS MiB': run.rssMiB,
                errors: run.result.errors + run.result.non2xx,
                'runs caught up after': null,
              });
              throughput.push({
                configuration: 'raw fastify+pg (same insert, activity, revision)',
                conns: connections,
                'req/s': Math.round(rawRun.result.requestsPerSecond),
                'vs no flow': Number((rawRun.result.requestsPerSecond / reqs).toFixed(2)),
                target: '-',
                'vs raw': 1,
                'p50/p99 ms': `${rawRun.result.p50Ms} / ${rawRun.result.p99Ms}`,
                'RSS MiB': rawRun.rssMiB,
                errors: rawRun.result.errors + rawRun.result.non2xx,
                'runs caught up after': null,
              });
              continue;
            }
            throughput.push({
              configuration: configuration.name,
              conns: connections,
              'req/s': Math.round(reqs),
              'vs no flow': Number((reqs / noFlowReqs.get(connections)!).toFixed(2)),
              target: configuration.name === MAIN ? `≥ ${TARGET}` : 'reported',
              'vs raw': Number((reqs / rawReqs.get(connections)!).toFixed(2)),
              'p50/p99 ms': `${run.result.p50Ms} / ${run.result.p99Ms}`,
              'RSS MiB': run.rssMiB,
              errors: run.result.errors + run.result.non2xx,
              'runs caught up after': drainMs === null ? '-' : `${Math.round(drainMs)} ms`,
            });
          }
        });
        if (configuration.flows.length > 0) {
          const runs = await query<{ status: string; n: number; creates: number }>(bench.databaseUrl, 'select status, count(*)::int as n, (select count(*)::int from articles) as creates from cairn_flow_runs group by status');
          const creates = runs[0]?.creates ?? 0;
          const resolved = runs.find((row) => row.status === 'resolved')?.n ?? 0;
          if (runs.length !== 1 || resolved !== creates) throw new Error(`flows, ${configuration.name}: ${creates} creates, runs ${JSON.stringify(runs.map(({ status, n }) => ({ status, n })))}: every create should have one resolved run`);
          runsChecked += resolved;
        }
      }
      const none = latencies.find((l) => l.operations === 0)!;
      const chained = latencies.filter((l) => l.operations > 0);
      const { slope, intercept } = fit(chained.map((l) => ({ x: l.operations, y: l.p50 })));
      const ms = (value: number) => value.toFixed(2);
      const main = throughput.filter((row) => row.configuration === MAIN);
      const below = main.filter((row) => (row['vs no flow'] as number) < TARGET);
      return {
        scenario: 'flows',
        settings: { connections: CONNECTIONS, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds, authors: AUTHORS, timedCreates: TIMED_CREATES, warmupCreates: WARMUP_CREATES },
        rows: throughput,
        summary: [
          `every create of a configuration with a flow had one resolved run (${runsChecked.toLocaleString('en')} runs checked); "runs caught up after": from the end of the load until the last action run was logged`,
          `${MAIN} / no flow (target ≥ ${TARGET}): ${main.map((row) => `${row.conns} connections: ${row['vs no flow']}`).join('; ')}${below.length > 0 ? ' (below target)' : ''}`,
          `filter latency, one create at a time (${TIMED_CREATES} after ${WARMUP_CREATES} warm-up), median / p99 / mean ms:`,
          ...latencies.map((l) => `  ${l.operations === 0 ? 'no flow' : `${l.operations} operation${l.operations === 1 ? '' : 's'}`}: ${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.mean)}${l.operations === 0 ? '' : ` (+${ms(l.p50 - none.p50)} ms median, +${ms((l.p50 - none.p50) / l.operations)} ms per operation)`}`),
          `per operation (slope of the median over ${chained.map((l) => l.operations).join(', ')} operations): ${ms(slope)} ms; fixed cost of a filter flow (intercept − no-flow median): ${ms(intercept - none.p50)} ms`,
        ],
      };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
