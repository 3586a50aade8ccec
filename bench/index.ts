/**
 * `npm run bench -- <scenario> [--connections N] [--duration S] [--warmup S]`
 * Runs a scenario against Cairn and the raw fastify+pg baseline, prints a
 * table and the ratios, and keeps the JSON in bench/results/.
 * PostgreSQL: BENCH_DATABASE_URL (an admin URL; a `cairn_bench` database is recreated).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ADMIN_URL, recreateBenchDatabase } from './lib/database.ts';
import { ROOT } from './lib/processes.ts';
import type { Scenario, ScenarioReport } from './lib/scenario.ts';
import { coldStart } from './scenarios/cold-start.ts';
import { flows } from './scenarios/flows.ts';
import { items } from './scenarios/items.ts';
import { ping } from './scenarios/ping.ts';
import { reconcile } from './scenarios/reconcile.ts';
import { validate } from './scenarios/validate.ts';
import { versions } from './scenarios/versions.ts';

const scenarios: Scenario[] = [ping, coldStart, validate, reconcile, items, versions, flows];
/** Scenarios that touch no database: running only these needs no PostgreSQL. */
const DATABASE_FREE = new Set(['validate']);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
  },
});

const chosen = positionals.map((name) => scenarios.find((s) => s.name === name) ?? name);
const unknown = chosen.filter((s): s is string => typeof s === 'string');
if (chosen.length === 0 || unknown.length > 0) {
  if (unknown.length > 0) process.stderr.write(`unknown scenario: ${unknown.join(', ')}\n`);
  process.stderr.write(`usage: npm run bench -- <scenario...> [--connections N] [--duration S] [--warmup S]\nscenarios:\n`);
  for (const s of scenarios) process.stderr.write(`  ${s.name.padEnd(12)} ${s.description}\n`);
  process.exit(1);
}

// Every scenario but the database-free ones gets the bench database (reconcile recreates its own scratch databases through it).
const needsDatabase = (chosen as Scenario[]).some((s) => !DATABASE_FREE.has(s.name));
const databaseUrl = needsDatabase ? await recreateBenchDatabase(process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL) : '';
for (const scenario of chosen as Scenario[]) {
  const report = await scenario.run({
    databaseUrl,
    connections: Number(values.connections),
    durationSeconds: Number(values.duration),
    warmupSeconds: Number(values.warmup),
  });
  process.stdout.write(render(report));
  const dir = path.join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${report.scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2));
}

function render(report: ScenarioReport): string {
  const columns = Object.keys(report.rows[0] ?? {});
  const cell = (value: unknown) => String(value ?? '-');
  const widths = columns.map((c) => Math.max(c.length, ...report.rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `\n## ${report.scenario}  ${JSON.stringify(report.settings)}`,
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...report.rows.map((r) => line(columns.map((c) => cell(r[c])))),
    ...report.summary,
    '',
  ].join('\n');
}
