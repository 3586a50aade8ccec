/** The load driver process: reads {url, requests, connections, durationSeconds} on stdin, prints a LoadResult. */
import autocannon from 'autocannon';
import { text } from 'node:stream/consumers';
import type { LoadRequest, LoadResult } from './lib/load.ts';

const input = JSON.parse(await text(process.stdin)) as {
  url: string;
  requests: LoadRequest[];
  connections: number;
  durationSeconds: number;
};

/** A request as autocannon takes it; `vary` becomes a setupRequest drawing a fresh number each time. */
function toAutocannon({ vary, ...request }: LoadRequest): autocannon.Request {
  const plain = { ...request, method: request.method as autocannon.Request['method'] };
  if (!vary) return plain;
  return {
    ...plain,
    setupRequest: (req) => {
      const value = String(vary.min + Math.floor(Math.random() * (vary.max - vary.min + 1)));
      return { ...req, path: request.path.replaceAll(vary.token, value), ...(request.body !== undefined ? { body: request.body.replaceAll(vary.token, value) } : {}) };
    },
  };
}

const result = await autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.durationSeconds,
  requests: input.requests.map(toAutocannon),
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
