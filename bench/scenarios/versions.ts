/**
 * versions: content versions and the audit repository, on the template's
 * blog (1,000 authors, 2,000 articles, a `draft` version of each of the
 * first 1,000 with a changed title).
 *
 * - `?version=` read overhead: GET /items/articles/:id?version=draft against
 *   the plain GET of the same item (both Cairn; the preview applies the
 *   delta in a transaction that is rolled back).
 * - Promote: POST /versions/:id/promote {"fields":["title"]} at 10
 *   connections, beside a raw twin doing the same transaction by hand (the
 *   update, its activity and revision, the outbox row). Meanwhile the audit
 *   commit lag (oldest pending outbox row) is sampled every 200 ms, and after
 *   the load the time until every promote is a commit.
 * - The n-th commit: 10,000 outbox rows queued at once, and the writer's
 *   commit rate over the third and the last thousand (a commit must not cost
 *   more as history grows). The rows touch 2,000 articles, so
 *   content/articles/ grows from the ~1,000 files the promotes left to 2,000
 *   over the first two thousand; a commit rewrites that folder's tree, so it
 *   costs more with more files there. From the third thousand on it holds
 *   2,000 files, and the two windows differ by history alone.
 *   The writer marks a batch of rows at once (one committed_at), so a
 *   window's time per commit is its span divided by the rows marked after
 *   its first mark.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LoadRequest } from '../lib/load.ts';
import { cairnCommand, ROOT, spawnServer } from '../lib/processes.ts';
import { measure, withServers, type BenchOptions, type Row, type Scenario } from '../lib/scenario.ts';

const ADMIN_TOKEN = 'cairn-bench-admin-token-0123456789';
const VERSIONED = 1_000;
const QUEUED = 10_000;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const ID = '{id}';

const SEED = `
truncate articles, authors restart identity cascade;
insert into authors (name) select 'Author ' || n from generate_series(1, 1000) as n;
insert into articles (title, body, status, author)
  select 'Article ' || n, repeat('Lorem ipsum dolor sit amet. ', 4), case when n % 2 = 0 then 'published' else 'draft' end, 1 + n % 1000
  from generate_series(1, 2000) as n;
insert into cairn_versions (key, name, collection, item, delta)
  select 'draft', 'Draft ' || id, 'articles', id::text, jsonb_build_object('title', 'Edited article ' || id) from articles where id <= ${VERSIONED};
create table raw_audit_outbox (like cairn_audit_outbox including all);
`;

async function query<R = Record<string, unknown>>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Oldest pending outbox row's age in ms (0 when none is pending). */
async function lagMs(client: pg.Client): Promise<number> {
  const { rows } = await client.query('select coalesce(extract(epoch from now() - min(created_at)) * 1000, 0)::float as lag from cairn_audit_outbox where commit_sha is null');
  return Number(rows[0].lag);
}

export const versions: Scenario = {
  name: 'versions',
  description: `content versions: ?version= reads, promote with its audit commit, commit lag, and the cost of the n-th of ${QUEUED.toLocaleString('en')} commits`,
  async run(bench: BenchOptions) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-versions-'));
    try {
      // The template, its audit repository in the scenario's directory.
      const project = path.join(root, 'project');
      await cp(path.join(ROOT, 'schema-repo-template'), project, { recursive: true });
      const projectFile = path.join(project, 'cairn.yaml');
      await writeFile(projectFile, (await readFile(projectFile, 'utf8')).replace('repository: .cairn/audit.git', `repository: ${path.join(root, 'audit.git')}`));
      const command = cairnCommand({ DATABASE_URL: bench.databaseUrl, CAIRN_DATA_DIR: path.join(root, 'cairn'), ADMIN_TOKEN });
      const applying = await spawnServer({ ...command, args: [...command.args, '--project', project] });
      await applying.stop();
      await query(bench.databaseUrl, SEED);
      await query(bench.databaseUrl, 'vacuum analyze articles, cairn_versions');
      const ids = (await query<{ id: string }>(bench.databaseUrl, 'select id from cairn_versions order by item::int')).map((row) => row.id);

      const rows: Row[] = [];
      const summary: string[] = [];
      await withServers({ bench, cairnEnv: { CAIRN_DATA_DIR: path.join(root, 'cairn'), ADMIN_TOKEN }, rawEnv: { ADMIN_TOKEN } }, async ({ cairn, raw }) => {
        const load = { connections: 10, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds };

        // ?version= against the plain read, before any promote changes the items.
        const plain: LoadRequest = { method: 'GET', path: `/items/articles/${ID}`, headers: auth, vary: { token: ID, min: 1, max: VERSIONED } };
        const versioned: LoadRequest = { ...plain, path: `/items/articles/${ID}?version=draft` };
        const plainRun = await measure(cairn, [plain], load);
        const versionedRun = await measure(cairn, [versioned], load);
        for (const [name, run] of [['read one by id', plainRun], ['read one by id, ?version=draft', versionedRun]] as const) {
          rows.push({ request: name, 'req/s': Math.round(run.result.requestsPerSecond), 'p50/p99 ms': `${run.result.p50Ms} / ${run.result.p99Ms}`, 'RSS MiB': run.rssMiB, errors: run.result.errors + run.result.non2xx });
        }
        summary.push(`?version= read / plain read: ${(versionedRun.result.requestsPerSecond / plainRun.result.requestsPerSecond).toFixed(2)}`);

        // Promotes, with the commit lag sampled while they run.
        const promotes: LoadRequest[] = ids.map((id) => ({ method: 'POST', path: `/versions/${id}/promote`, headers: { ...auth, 'content-type': 'application/json' }, body: '{"fields":["title"]}' }));
        const rawPromotes: LoadRequest[] = ids.map((id) => ({ method: 'POST', path: `/raw/versions/${id}/promote`, headers: { ...auth, 'content-type': 'application/json' }, body: '{"fields":["title"]}' }));
        const sampler = new pg.Client({ connectionString: bench.databaseUrl });
        await sampler.connect();
        const lags: number[] = [];
        let sampling = true;
        const sampled = (async () => {
          while (sampling) {
            lags.push(await lagMs(sampler));
            await sleep(200);
          }
        })();
        const promoteRun = await measure(cairn, promotes, load);
        sampling = false;
        await sampled;
        const loadEnded = performance.now();
        while ((await lagMs(sampler)) > 0) await sleep(50);
        const drainMs = performance.now() - loadEnded;
        const rawRun = await measure(raw, rawPromotes, load);
        const commits = Number((await sampler.query('select count(*) as n from cairn_audit_outbox where commit_sha is not null')).rows[0].n);
        rows.push({ request: 'promote (Cairn)', 'req/s': Math.round(promoteRun.result.requestsPerSecond), 'p50/p99 ms': `${promoteRun.result.p50Ms} / ${promoteRun.result.p99Ms}`, 'RSS MiB': promoteRun.rssMiB, errors: promoteRun.result.errors + promoteRun.result.non2xx });
        rows.push({ request: 'promote (raw twin, no git)', 'req/s': Math.round(rawRun.result.requestsPerSecond), 'p50/p99 ms': `${rawRun.result.p50Ms} / ${rawRun.result.p99Ms}`, 'RSS MiB': rawRun.rssMiB, errors: rawRun.result.errors + rawRun.result.non2xx });
        const sorted = [...lags].sort((a, b) => a - b);
        summary.push(`promote / raw: ${(promoteRun.result.requestsPerSecond / rawRun.result.requestsPerSecond).toFixed(2)}`);
        summary.push(`audit commit lag during promotes (${lags.length} samples): median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms; every promote committed ${Math.round(drainMs)} ms after the load ended (${commits} commits so far)`);

        // The n-th commit: queue 10,000 rows at once, time the writer's first and last thousand.
        await sampler.query(
          `insert into cairn_audit_outbox (action, collection, item, content, author_name, author_email, message, trailers)
           select 'promote', 'articles', (1 + n % 2000)::text, jsonb_build_object('id', 1 + n % 2000, 'title', 'Queued ' || n), 'Bench', 'bench@example.org', 'Promote articles/' || (1 + n % 2000) || ' (queued)', '{}'
           from generate_series(1, ${QUEUED}) as n`,
        );
        await sampler.query("select pg_notify('cairn_audit', '')");
        const { rows: first } = await sampler.query('select min(id) as id from cairn_audit_outbox where commit_sha is null');
        const firstId = Number(first[0].id);
        while ((await lagMs(sampler)) > 0) await sleep(500);
        // ms per commit over the thousand rows from `from`: the span of their marks over the rows marked after the first mark.
        const perCommit = async (from: number): Promise<number> => {
          const { rows: timing } = await sampler.query(
            `with window_rows as (select committed_at from cairn_audit_outbox where id >= $1 and id < $1 + 1000),
                  first_mark as (select min(committed_at) as at from window_rows)
             select extract(epoch from max(w.committed_at) - min(w.committed_at)) * 1000 / nullif(count(*) filter (where w.committed_at > f.at), 0) as ms
               from window_rows w cross join first_mark f`,
            [from],
          );
          return Number(timing[0].ms);
        };
        const early = await perCommit(firstId + 2000);
        const late = await perCommit(firstId + QUEUED - 1000);
        await sampler.end();
        rows.push({ request: `commits ${commits + 2001}–${commits + 3000} (writer)`, 'req/s': Math.round(1000 / early), 'p50/p99 ms': `${early.toFixed(2)} ms per commit`, 'RSS MiB': null, errors: 0 });
        rows.push({ request: `commits ${commits + QUEUED - 999}–${commits + QUEUED} (writer)`, 'req/s': Math.round(1000 / late), 'p50/p99 ms': `${late.toFixed(2)} ms per commit`, 'RSS MiB': null, errors: 0 });
        summary.push(`n-th commit: the last thousand of ${QUEUED.toLocaleString('en')} queued commits cost ${(late / early).toFixed(2)}× the third thousand per commit (content/articles/ holds 2,000 files in both)`);
      });
      return { scenario: 'versions', settings: { versioned: VERSIONED, queued: QUEUED, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds, connections: 10 }, rows, summary };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
