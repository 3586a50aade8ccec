/**
 * Spawning the servers under test as their own processes and reading what
 * they announce: each prints a JSON log line carrying `url` once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the first `pong`. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts a server on a free port and resolves once it answers GET /server/ping
 * (both Cairn and the baseline have it), whatever its log level.
 */
export async function spawnServer(command: { args: string[]; env: Record<string, string> }): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, command.args, {
    cwd: ROOT,
    env: { ...process.env, ...command.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command.args.join(' ')} exited with ${child.exitCode}: ${stderr}`);
    const response = await fetch(`${url}/server/ping`).catch(() => undefined);
    if (response && (await response.text()) === 'pong') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    url,
    child,
    startMs: performance.now() - started,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resident set size of a process in MiB (Linux /proc). */
export async function rssMiB(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

export const cairnCommand = (env: Record<string, string>) => ({
  args: ['bin/cairn.js', 'serve'],
  // warn: no per-request access log line, since the baseline writes none either.
  env: { LOG_LEVEL: 'warn', ...env },
});

export const rawCommand = (env: Record<string, string>) => ({
  args: ['--import', 'tsx', 'bench/baseline/raw-server.ts'],
  env,
});
