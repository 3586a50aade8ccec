/** `cairn serve`: run the API server until SIGINT/SIGTERM, then shut down gracefully. */
import type { Command } from 'commander';
import { createLogger, loadSettings } from '../../context/index.ts';
import { loadValidModel } from '../command-support.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the applied project over REST (Directus-compatible) on PORT (default 8055)')
    .option('-p, --port <port>', 'port to listen on (overrides PORT; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (overrides HOST)')
    .option('--project <dir>', 'apply this config repository before serving (destructive changes are refused)')
    .option('--env <name>', 'with --project: apply the overlays of environments/<name>/')
    .action(async (options: { port?: string; host?: string; project?: string; env?: string }) => {
      const settings = loadSettings({
        ...process.env,
        ...(options.port !== undefined ? { PORT: options.port } : {}),
        ...(options.host !== undefined ? { HOST: options.host } : {}),
      });
      const logger = createLogger({ level: settings.logLevel });
      // Imported here so `cairn --help` and the other commands do not load the server.
      const { startServer } = await import('../../api/index.ts');
      const project = options.project === undefined ? undefined : await loadValidModel(options.project, options.env === undefined ? {} : { env: options.env });
      const running = await startServer({ settings, logger, ...(project ? { project } : {}) });

      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: exiting without waiting');
          process.exit(130);
        }
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        running.close().then(
          () => {
            logger.info('stopped');
            process.off('SIGINT', stop).off('SIGTERM', stop);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'error while shutting down');
            process.exitCode = 1;
          },
        );
      };
      process.on('SIGINT', stop).on('SIGTERM', stop);
    });
}
