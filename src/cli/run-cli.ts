/**
 * Runs the CLI and turns failures into an exit code and one clear line on
 * stderr: `cairn: CODE: message`. Stack traces only with LOG_LEVEL=debug.
 */
import { isCairnError } from '../errors/index.ts';
import { buildProgram } from './program.ts';

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    process.exitCode = 1;
    if (isCairnError(error)) {
      process.stderr.write(`cairn: ${error.code}: ${error.message}\n`);
    } else {
      const verbose = ['debug', 'trace'].includes((process.env.LOG_LEVEL ?? '').toLowerCase());
      const detail = verbose ? ((error as Error).stack ?? String(error)) : ((error as Error).message ?? String(error));
      process.stderr.write(`cairn: unexpected error: ${detail}\n`);
    }
  }
}
