/** `cairn validate [dir] [--ref R] [--env E] [--json]`: check a config repository; exit 0 when valid, 1 when not. */
import path from 'node:path';
import type { Command } from 'commander';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a config repository (working tree, or any git ref) and report every problem with file:line:col')
    .argument('[dir]', 'the config repository', '.')
    .option('--ref <ref>', 'read the files from this git branch, tag or commit instead of the working tree')
    .option('--env <name>', 'apply the overlays of environments/<name>/')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, options: { ref?: string; env?: string; json?: boolean }) => {
      const { createSchemaValidator, formatValidationJson, formatValidationText, gitRefSource, loadConfig, workingTreeSource } = await import('../../config/index.ts');
      const root = path.resolve(dir);
      const source = options.ref === undefined ? workingTreeSource(root) : await gitRefSource({ dir: root, ref: options.ref });
      const result = await loadConfig({ source, validator: createSchemaValidator(), environment: options.env });
      process.stdout.write(options.json ? formatValidationJson(result) : formatValidationText(result, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
      process.exitCode = result.diagnostics.length === 0 ? 0 : 1;
    });
}
