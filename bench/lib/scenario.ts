/** What a benchmark scenario is, and the runner for the common kind: the same requests against Cairn and the raw baseline. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { drive, type LoadOptions, type LoadRequest, type LoadResult } from './load.ts';
import { cairnCommand, rawCommand, rssMiB, spawnServer, type ServerProcess } from './processes.ts';

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

export interface ServerPair {
  cairn: ServerProcess;
  raw: ServerProcess;
}

/** Starts Cairn and the raw baseline on the bench database, runs `work` with both, and stops them whatever happens. */
export async function withServers<T>(
  options: { bench: BenchOptions; cairnEnv?: Record<string, string>; rawEnv?: Record<string, string> },
  work: (servers: ServerPair) => Promise<T>,
): Promise<T> {
  const { bench } = options;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-'));
  const started: ServerProcess[] = [];
  try {
    const cairn = await spawnServer(cairnCommand({ DATABASE_URL: bench.databaseUrl, CAIRN_DATA_DIR: dataDir, ...options.cairnEnv }));
    started.push(cairn);
    const raw = await spawnServer(rawCommand({ DATABASE_URL: bench.databaseUrl, ...options.rawEnv }));
    started.push(raw);
    return await work({ cairn, raw });
  } finally {
    await Promise.all(started.map((server) => server.stop()));
    await rm(dataDir, { recursive: true, force: true });
  }
}

export interface Measurement {
  result: LoadResult;
  /** The server's RSS right after the load. */
  rssMiB: number | null;
}

/** Warms one server up with the requests, loads it, and reads its RSS right after. */
export async function measure(server: ServerProcess, requests: LoadRequest[], options: { connections: number; durationSeconds: number; warmupSeconds: number }): Promise<Measurement> {
  await drive(server.url, requests, { connections: options.connections, durationSeconds: options.warmupSeconds });
  const result = await drive(server.url, requests, { connections: options.connections, durationSeconds: options.durationSeconds });
  return { result, rssMiB: await rssMiB(server.child.pid) };
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
  return withServers({ bench, ...(options.cairnEnv ? { cairnEnv: options.cairnEnv } : {}) }, async ({ cairn, raw }) => {
    const cairnRun = await measure(cairn, options.cairn, bench);
    const rawRun = await measure(raw, options.raw, bench);
    const row = (server: string, { result, rssMiB: rss }: Measurement): Row => ({
      server,
      'req/s': Math.round(result.requestsPerSecond),
      'p50 ms': result.p50Ms,
      'p99 ms': result.p99Ms,
      errors: result.errors + result.non2xx,
      'RSS MiB': rss,
    });
    const ratio = cairnRun.result.requestsPerSecond / rawRun.result.requestsPerSecond;
    return {
      scenario: options.name,
      settings: { connections: bench.connections, durationSeconds: bench.durationSeconds, warmupSeconds: bench.warmupSeconds },
      rows: [row('cairn', cairnRun), row('raw fastify+pg', rawRun)],
      summary: [`ratio cairn/raw (req/s): ${ratio.toFixed(2)}`],
    };
  });
}
