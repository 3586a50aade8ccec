/**
 * One run of a flow: the data chain starts as `{$trigger, $last: $trigger,
 * $accountability, $env}`; operations run one at a time from the first,
 * each with its options rendered against the chain; a result goes under the
 * operation's key and `$last` and the run follows `resolve`, a thrown error
 * goes there too and the run follows `reject`, and with no next operation the
 * run ends: resolved if the last operation succeeded, failed if it threw.
 * A template naming a key the chain lacks, an unknown operation type or a
 * run past MAX_STEPS fails the run at once. The run is then logged.
 */
import type { Context, EventBus } from '../context/index.ts';
import type { Flow, Operation } from '../model/index.ts';
import type { Accountability } from '../services/index.ts';
import { errorRecord, loggable, redactor, writeRun, type RunStatus, type StepLog } from './flow-log.ts';
import { OPERATIONS, RequestAnswerError, type OperationServices } from './operations.ts';
import { envNamesIn, renderOptions, TemplateError, type DataChain } from './templates.ts';

/** An operation graph may loop (resolve pointing back); a run stops after this many steps. */
export const MAX_STEPS = 1000;

export interface RunInput {
  flow: Flow;
  trigger: unknown;
  /** Who started it: the writer, the caller of a webhook, nobody (a schedule: null). */
  accountability: Accountability | null;
  depth: number;
  tick?: Date | null;
  dryRun?: boolean;
  /** Called as each step ends (the CLI's dry run prints them). */
  onStep?: (step: StepLog) => void;
}

export interface RunOutcome {
  /** The cairn_flow_runs id; null when the flow logs nothing (accountability: none) or the log could not be written. */
  id: number | null;
  status: Exclude<RunStatus, 'missed'>;
  chain: DataChain;
  /** What the run gives back (a webhook's answer, a filter's new payload): the trigger's `return`, `$last` by default. */
  result: unknown;
  /** Why it failed: the error the last operation threw, or the engine's. */
  error: unknown;
  steps: StepLog[];
}

export interface RunDependencies {
  services: OperationServices;
  settings: Context['settings']['flows'];
  logger: Context['logger'];
  accountabilityFor(permissions: string, trigger: Accountability | null): Accountability;
  deeperEvents(depth: number): EventBus;
  triggerFlow(name: string, payload: unknown, parent: RunInput): Promise<unknown>;
}

const envCache = new WeakMap<Flow, string[]>();
/** The `$env` a flow sees: only the names its file references. */
function envOf(flow: Flow, env: Readonly<Record<string, string>>): Record<string, string> {
  let names = envCache.get(flow);
  if (!names) envCache.set(flow, (names = envNamesIn(flow)));
  return Object.fromEntries(names.filter((name) => Object.hasOwn(env, name)).map((name) => [name, env[name]!]));
}

/** What a thrown error leaves in the chain: a request's answer as it came, any other error as what it says. */
const rejectValue = (error: unknown): unknown => (error instanceof RequestAnswerError ? error.answer : errorRecord(error));

/** The value `return` picks from the chain: `$last` (default), `$all` (the chain), or a key of it. */
export function returnValue(flow: Flow, chain: DataChain): unknown {
  const pick = typeof flow.trigger.return === 'string' ? flow.trigger.return : '$last';
  if (pick === '$all') return chain;
  return Object.hasOwn(chain, pick) ? chain[pick] : undefined;
}

export async function runFlow(deps: RunDependencies, input: RunInput): Promise<RunOutcome> {
  const { flow } = input;
  const startedAt = new Date();
  const env = envOf(flow, deps.settings.env);
  const redact = redactor(Object.values(env));
  const chain: DataChain = { $trigger: input.trigger ?? null, $last: input.trigger ?? null, $accountability: input.accountability, $env: env };
  const steps: StepLog[] = [];
  const byKey = new Map(flow.operations.map((operation) => [operation.key, operation]));
  let operation: Operation | undefined = flow.operations[0];
  let status: RunOutcome['status'] = 'resolved';
  let error: unknown = null;

  const step = (entry: Omit<StepLog, 'started_at' | 'duration_ms'>, started: Date) => {
    const logged: StepLog = {
      ...entry,
      options: loggable(redact(entry.options)),
      output: loggable(redact(entry.output)),
      error: entry.error === null ? null : loggable(redact(entry.error)),
      started_at: started.toISOString(),
      duration_ms: Date.now() - started.getTime(),
    };
    steps.push(logged);
    input.onStep?.(logged);
  };

  while (operation) {
    if (steps.length >= MAX_STEPS) {
      [status, error] = ['failed', new Error(`the run went past ${MAX_STEPS} steps (do resolve/reject paths loop?) and was stopped`)];
      break;
    }
    const started = new Date();
    let options: Record<string, unknown>;
    try {
      options = renderOptions(operation.options, chain);
    } catch (failure) {
      const why = failure instanceof TemplateError ? failure.message : `its options could not be rendered (${String(failure)})`;
      [status, error] = ['failed', new Error(`operation "${operation.key}": ${why}`)];
      step({ key: operation.key, type: operation.type, status: 'reject', options: operation.options, output: null, error: errorRecord(error) }, started);
      break;
    }
    const handler = OPERATIONS[operation.type];
    if (!handler) {
      [status, error] = ['failed', new Error(`operation "${operation.key}" has the type "${operation.type}", which this Cairn does not know`)];
      step({ key: operation.key, type: operation.type, status: 'reject', options, output: null, error: errorRecord(error) }, started);
      break;
    }
    const current: Operation = operation;
    try {
      const result = await handler(options, {
        flow,
        operation: current,
        chain,
        services: deps.services,
        deeperEvents: deps.deeperEvents(input.depth + 1),
        accountabilityFor: (permissions) => deps.accountabilityFor(permissions, input.accountability),
        settings: deps.settings,
        logger: deps.logger,
        triggerFlow: (name, payload) => deps.triggerFlow(name, payload, input),
        dryRun: input.dryRun === true,
      });
      chain[current.key] = result ?? null;
      chain.$last = result ?? null;
      step({ key: current.key, type: current.type, status: 'resolve', options, output: result ?? null, error: null }, started);
      [status, error] = ['resolved', null];
      operation = current.resolve ? byKey.get(current.resolve) : undefined;
    } catch (thrown) {
      const value = rejectValue(thrown);
      chain[current.key] = value;
      chain.$last = value;
      step({ key: current.key, type: current.type, status: 'reject', options, output: null, error: value }, started);
      [status, error] = ['failed', thrown];
      operation = current.reject ? byKey.get(current.reject) : undefined;
    }
  }

  const finishedAt = new Date();
  let id: number | null = null;
  if (flow.accountability !== 'none') {
    const full = flow.accountability === 'all';
    try {
      id = await writeRun(deps.services.db.knex, {
        flow: flow.name,
        trigger: flow.trigger.type,
        status,
        accountability: input.accountability ? { user: input.accountability.user, role: input.accountability.role } : null,
        steps: full ? steps : steps.map((entry) => ({ ...entry, options: null, output: null, error: entry.error === null ? null : { message: (entry.error as { message?: unknown }).message ?? null } })),
        data: full ? loggable(redact(chain)) : null,
        error: status === 'failed' ? loggable(redact(errorRecord(error))) : null,
        startedAt,
        finishedAt,
        tick: input.tick ?? null,
        depth: input.depth,
      });
    } catch (failure) {
      deps.logger.error({ err: failure, flow: flow.name }, 'the flow run could not be logged');
    }
  }
  if (status === 'failed') deps.logger.warn({ flow: flow.name, run: id, error: redact(errorRecord(error)) }, `flow "${flow.name}" failed`);
  return { id, status, chain, result: returnValue(flow, chain), error, steps };
}
