/**
 * cold-start: spawn to first `pong`, median of N runs, and RSS once started.
 * Cairn on PGlite (first start with initdb, and restart on an existing
 * directory) and on PostgreSQL (already migrated), beside the raw baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Row, Scenario } from '../lib/scenario.ts';
import { cairnCommand, rawCommand, rssMiB, spawnServer } from '../lib/processes.ts';

const RUNS = 5;

async function firstPong(command: { args: string[]; env: Record<string, string> }): Promise<{ ms: number; rss: number | null }> {
  const server = await spawnServer(command);
  try {
    return { ms: server.startMs, rss: await rssMiB(server.child.pid) };
  } finally {
    await server.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const coldStart: Scenario = {
  name: 'cold-start',
  description: `spawn to first pong (median of ${RUNS}) and RSS after start, Cairn on PGlite and PostgreSQL vs raw fastify+pg`,
  async run(bench) {
    const rows: Row[] = [];
    const measure = async (label: string, command: () => Promise<{ args: string[]; env: Record<string, string> }>, cleanup?: () => Promise<void>) => {
      const runs: { ms: number; rss: number | null }[] = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await firstPong(await command()));
        await cleanup?.();
      }
      rows.push({
        server: label,
        'median ms': Math.round(median(runs.map((r) => r.ms))),
        'min ms': Math.round(Math.min(...runs.map((r) => r.ms))),
        'max ms': Math.round(Math.max(...runs.map((r) => r.ms))),
        'RSS MiB': median(runs.map((r) => r.rss ?? 0)),
      });
    };

    const fresh: string[] = [];
    await measure(
      'cairn, PGlite, first start (initdb + migrations)',
      async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-cold-'));
        fresh.push(dir);
        return cairnCommand({ CAIRN_DATA_DIR: dir });
      },
      async () => {
        await rm(fresh.pop()!, { recursive: true, force: true });
      },
    );

    const existing = await mkdtemp(path.join(os.tmpdir(), 'cairn-cold-'));
    await firstPong(cairnCommand({ CAIRN_DATA_DIR: existing }));
    await measure('cairn, PGlite, restart', async () => cairnCommand({ CAIRN_DATA_DIR: existing }));
    await rm(existing, { recursive: true, force: true });

    const pgDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-cold-'));
    const pgEnv = { DATABASE_URL: bench.databaseUrl, CAIRN_DATA_DIR: pgDir };
    await firstPong(cairnCommand(pgEnv));
    await measure('cairn, PostgreSQL (migrated)', async () => cairnCommand(pgEnv));
    await rm(pgDir, { recursive: true, force: true });

    await measure('raw fastify+pg', async () => rawCommand({ DATABASE_URL: bench.databaseUrl }));

    const ratio = (row: number) => (Number(rows[row]!['median ms']) / Number(rows[3]!['median ms'])).toFixed(1);
    return {
      scenario: 'cold-start',
      settings: { runs: RUNS },
      rows,
      summary: [
        `ratio cairn/raw (start time): PGlite restart ${ratio(1)}x, PostgreSQL ${ratio(2)}x, PGlite first start ${ratio(0)}x`,
      ],
    };
  },
};
