/**
 * `cairn flows run <name>`: runs one flow of the applied config once, as the
 * admin, on the database the settings name, printing each step as it ends.
 * With --dry-run the whole run, its item writes and its own cairn_flow_runs
 * row included, happens in one transaction that is rolled back, and the
 * engine sends no request and does not sleep: a check a pull request's CI
 * can make. Exit 0 when the run resolved, 1 when it failed.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { FlowEngine, RunOutcome, StepLog } from '../../flows/index.ts';
import { openProjectDatabase, useColor } from '../command-support.ts';

interface RunOptions {
  dryRun?: boolean;
  payload?: string;
  json?: boolean;
}

/** JSON on one line; BigInts as strings, since a JSON column or a count may hold one. */
function compact(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? 'null';
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}

/** `$trigger` from --payload: a JSON file (by its .json name) or YAML, which also reads JSON. */
async function readPayload(file: string | undefined): Promise<unknown> {
  if (file === undefined) return null;
  const { InvalidPayloadError } = await import('../../errors/index.ts');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidPayloadError({ reason: `--payload ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
  }
  try {
    if (/\.json$/i.test(file)) return JSON.parse(text) as unknown;
    const { parse } = await import('yaml');
    return (parse(text) as unknown) ?? null;
  } catch (error) {
    throw new InvalidPayloadError({ reason: `--payload ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'JSON or YAML'}: ${(error as Error).message.split('\n')[0]}` });
  }
}

/** One step as the text output shows it: a head line, then its options and output (or error), each on one line. */
function formatStep(step: StepLog, index: number, options: { width: number; color: boolean }): string {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const mark = step.status === 'resolve' ? paint('32', 'resolve') : paint('31', 'reject');
  const line = (label: string, value: unknown) => `      ${label.padEnd(7)} ${truncate(compact(value), options.width)}`;
  return [
    `  [${index}] ${step.key} (${step.type}) ${mark} ${paint('2', `${step.duration_ms} ms`)}`,
    line('options', step.options),
    step.status === 'resolve' ? line('output', step.output) : line('error', step.error),
  ].join('\n');
}

/** What the JSON output says about the run's error. */
function errorJson(error: unknown): unknown {
  if (error === null || error === undefined) return null;
  if (error instanceof Error) return { ...('code' in error && typeof error.code === 'string' ? { code: error.code } : {}), message: error.message };
  return error;
}

export function registerFlowsCommands(program: Command): void {
  const flows = program.command('flows').description('run the flows of the applied config from a shell');

  flows
    .command('run')
    .description('run a flow of the applied config once, as the admin; exit 0 when it resolved, 1 when it failed')
    .argument('<name>', 'the flow (its file name under flows/)')
    .option('--dry-run', 'run it in one transaction that is rolled back: no item write, no run log kept, no request sent, no sleep')
    .option('--payload <file>', "a JSON or YAML file whose value becomes the run's $trigger (default: null)")
    .option('--json', 'print {flow, dryRun, id, status, result, error, steps} as JSON')
    .addHelpText(
      'after',
      [
        '',
        'The flow runs as it is applied to the database the settings name (not as the',
        'files in the working tree say), whatever its trigger and status, with the',
        "admin's accountability: $accountability is the admin, and operations with",
        'permissions $trigger act as the admin. Without --dry-run the run is real:',
        'its writes are kept, its requests are sent and it is logged in cairn_flow_runs.',
      ].join('\n'),
    )
    .action(async (name: string, options: RunOptions) => {
      const [{ createEventBus, createLogger, createModelStore, loadSettings }, { createFlowEngine }, { adminAccountability, inOneTransaction }, { FlowFailedError, InvalidPayloadError, isCairnError }, { closest }] =
        await Promise.all([import('../../context/index.ts'), import('../../flows/index.ts'), import('../../services/index.ts'), import('../../errors/index.ts'), import('../../model/index.ts')]);
      const trigger = await readPayload(options.payload);
      const settings = loadSettings(process.env);
      // stdout is the run's; the engine's own logs (a `log` operation, a failure) go to stderr, and only when LOG_LEVEL asks.
      const logger = createLogger({ level: process.env.LOG_LEVEL ? settings.logLevel : 'silent', pretty: Boolean(process.stderr.isTTY), destination: process.stderr });
      const color = useColor(process.stdout);
      const width = process.stdout.isTTY && process.stdout.columns ? Math.max(40, process.stdout.columns - 15) : 200;

      const db = await openProjectDatabase();
      let outcome: RunOutcome;
      try {
        const models = createModelStore({ db, logger });
        const applied = await models.reload();
        if (!applied) throw new InvalidPayloadError({ reason: `Nothing has been applied to this database yet, so it has no flow "${name}"` });
        if (!Object.hasOwn(applied.model.flows, name)) {
          const suggestion = closest(name, Object.keys(applied.model.flows));
          throw new InvalidPayloadError({ reason: `The applied config has no flow "${name}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` });
        }
        const events = createEventBus((error, event) => logger.error({ err: error, event }, 'an event listener failed'));
        const engine: FlowEngine = createFlowEngine({ db, models, events, settings, logger, instanceId: randomUUID() });
        let count = 0;
        const onStep = options.json ? undefined : (step: StepLog) => process.stdout.write(`${formatStep(step, ++count, { width, color })}\n`);
        if (!options.json) process.stdout.write(`Running flow "${name}"${options.dryRun ? ' (dry run)' : ''}:\n`);
        const input = { trigger, accountability: adminAccountability(), ...(onStep ? { onStep } : {}) };
        outcome = options.dryRun
          ? await inOneTransaction({ db, models, events }, (scoped) => engine.run(name, { ...input, dryRun: true, services: scoped }), { rollback: true })
          : await engine.run(name, input);
        // Flows the run's writes started (emitEvents: true) end before the database closes.
        await engine.idle();
      } finally {
        await db.close();
      }

      // In a dry run the logged row was rolled back with the rest: there is no run to point at.
      const id = options.dryRun ? null : outcome.id;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ flow: name, dryRun: options.dryRun === true, id, status: outcome.status, result: outcome.result ?? null, error: errorJson(outcome.error), steps: outcome.steps }, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2)}\n`);
      } else {
        const where = options.dryRun ? 'dry run: rolled back, nothing was kept or sent' : id === null ? 'not logged' : `run ${id}`;
        const status = outcome.status === 'resolved' ? (color ? '\u001b[32mresolved\u001b[0m' : 'resolved') : color ? '\u001b[31mfailed\u001b[0m' : 'failed';
        const result = outcome.status === 'resolved' ? `, result ${truncate(compact(outcome.result), width)}` : '';
        process.stdout.write(`Flow "${name}" ${status} after ${outcome.steps.length} step${outcome.steps.length === 1 ? '' : 's'} (${where})${result}\n`);
      }
      if (outcome.status === 'failed') {
        // The run's own error as a catalogue error, so that it reads `cairn: CODE: message` like every failure.
        if (isCairnError(outcome.error)) throw outcome.error;
        const reason = outcome.error instanceof Error ? outcome.error.message : String((outcome.error as { message?: unknown } | null)?.message ?? 'the flow failed');
        throw new FlowFailedError({ flow: name, run: id, reason });
      }
    });
}
