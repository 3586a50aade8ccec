/**
 * The process logger: pino, human-readable in a terminal, JSON lines otherwise
 * (for log shippers and for tests that read the output).
 */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './settings.ts';

export type { Logger };

export function createLogger(options: { level: LogLevel; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base = { level: options.level, base: null };
  if (usePretty) {
    // A synchronous stream rather than a transport: no worker thread to start or to flush on exit.
    // Required only in a terminal, so JSON-logging servers do not load it.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', destination: options.destination ?? 1 }));
  }
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
