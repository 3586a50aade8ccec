/**
 * Drives one server with autocannon from a separate process (bench/drive.ts),
 * so the load generator never shares an event loop with the server.
 */
import { spawn } from 'node:child_process';
import { ROOT } from './processes.ts';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'SEARCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Vary the request: every occurrence of `token` in the path and body is
   * replaced, per request, by a random whole number from `min` to `max`
   * (the driver does it in autocannon's setupRequest, so the list stays JSON).
   */
  vary?: { token: string; min: number; max: number };
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export async function drive(url: string, requests: LoadRequest[], options: LoadOptions): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/drive.ts'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ url, requests, ...options }));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load driver exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}
