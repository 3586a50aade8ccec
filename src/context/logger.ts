/**
 * The process logger: pino, human-readable in a terminal, JSON lines otherwise
 * (for log shippers and for tests that read the output).
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './settings.ts';

export type { Logger };

export function createLogger(options: { level: LogLevel; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base = { level: options.level, base: null };
  if (usePretty) {
    // A synchronous stream rather than a transport: no worker thread to start or to flush on exit.
    return pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', destination: options.destination ?? 1 }));
  }
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
