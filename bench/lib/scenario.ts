/** What a benchmark scenario is, and the runner for the common kind: the same requests against Cairn and the raw baseline. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { drive, type LoadOptions, type LoadRequest, type LoadResult } from './load.ts';
import { cairnCommand, rawCommand, rssMiB, spawnServer } from './processes.ts';

export interface BenchOptions extends LoadOptions {
  /** A PostgreSQL database the scenario may drop and fill (see bench/lib/database.ts). */
  databaseUrl: string;
  warmupSeconds: number;
}

export interface Row {
  [column: string]: string | number | null;
}

export interface ScenarioReport {
  scenario: string;
  settings: Record<string, unknown>;
  rows: Row[];
  summary: string[];
}

export interface Scenario {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<ScenarioReport>;
}

/** One HTTP comparison: start both servers, warm each up, load each in turn, report req/s, latency, RSS and ratios. */
export async function compareHttp(options: {
  name: string;
  cairn: LoadRequest[];
  raw: LoadRequest[];
  bench: BenchOptions;
  cairnEnv?: Record<string, string>;
}): Promise<ScenarioReport> {
  const { bench } = options;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-'));
  const cairn = await spawnServer(cairnCommand({ DATABASE_URL: bench.databaseUrl, CAIRN_DATA_DIR: dataDir, ...options.cairnEnv }));
  const raw = await spawnServer(rawCommand({ DATABASE_URL: bench.databaseUrl }));
  try {
    const load = { connections: bench.connections, durationSeconds: bench.durationSeconds };
    const warm = { connections: bench.connections, durationSeconds: bench.warmupSeconds };
    await drive(cairn.url, options.cairn, warm);
    const cairnResult = await drive(cairn.url, options.cairn, load);
    const cairnRss = await rssMiB(cairn.child.pid);
    await drive(raw.url, options.raw, warm);
    const rawResult = await drive(raw.url, options.raw, load);
    const rawRss = await rssMiB(raw.child.pid);
    const row = (server: string, result: LoadResult, rss: number | null): Row => ({
      server,
      'req/s': Math.round(result.requestsPerSecond),
      'p50 ms': result.p50Ms,
      'p99 ms': result.p99Ms,
      errors: result.errors + result.non2xx,
      'RSS MiB': rss,
    });
    const ratio = cairnResult.requestsPerSecond / rawResult.requestsPerSecond;
    return {
      scenario: options.name,
      settings: { connections: bench.connections, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds },
      rows: [row('cairn', cairnResult, cairnRss), row('raw fastify+pg', rawResult, rawRss)],
      summary: [`ratio cairn/raw (req/s): ${ratio.toFixed(2)}`],
    };
  } finally {
    await Promise.all([cairn.stop(), raw.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}
