/** The load driver process: reads {url, requests, connections, durationSeconds} on stdin, prints a LoadResult. */
import autocannon from 'autocannon';
import { text } from 'node:stream/consumers';
import type { LoadResult } from './lib/load.ts';

const input = JSON.parse(await text(process.stdin)) as {
  url: string;
  requests: { method: string; path: string; headers?: Record<string, string>; body?: string }[];
  connections: number;
  durationSeconds: number;
};

const result = await autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.durationSeconds,
  requests: input.requests.map((request) => ({ ...request, method: request.method as autocannon.Request['method'] })),
});

const output: LoadResult = {
  requestsPerSecond: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  requests: result.requests.total,
  errors: result.errors + result.timeouts,
  non2xx: result.non2xx,
};
process.stdout.write(JSON.stringify(output));
