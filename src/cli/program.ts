/** The `cairn` command line: one commander program, one file per command under commands/. */
import { Command } from 'commander';
import { CAIRN_VERSION } from '../context/index.ts';
import { registerApplyCommand } from './commands/apply.ts';
import { registerDriftCommands } from './commands/drift.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerFlowsCommands } from './commands/flows.ts';
import { registerHistoryCommand } from './commands/history.ts';
import { registerInitCommand } from './commands/init.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerUsersCommands } from './commands/users.ts';
import { registerValidateCommand } from './commands/validate.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('cairn')
    .description('Cairn: a git repository of YAML reconciled into PostgreSQL and served over a Directus-compatible API')
    .version(CAIRN_VERSION, '-V, --version', 'print the Cairn version')
    .showHelpAfterError();
  registerInitCommand(program);
  registerPlanCommand(program);
  registerApplyCommand(program);
  registerDriftCommands(program);
  registerExportCommand(program);
  registerServeCommand(program);
  registerValidateCommand(program);
  registerUsersCommands(program);
  registerHistoryCommand(program);
  registerFlowsCommands(program);
  return program;
}
