/**
 * The flow engine of one process: which flows of the applied model run on
 * which trigger, and with whose permissions.
 * - event, mode filter: inside the write's service call, before it persists; a failed run
 *   refuses the write with its error, `return` may replace the payload;
 * - event, mode action: after the commit, in the background; never delays or fails the request;
 * - schedule: node-cron in every server, each tick claimed in the database (flow-schedule.ts);
 * - webhook and manual: GET|POST /flows/trigger/:flow, through trigger();
 * - flow: another flow's trigger-flow operation, up to FLOWS_MAX_DEPTH deep.
 * Event listeners are registered when the engine is built; start() adds the
 * schedules and the log retention, which only a serving process runs.
 */
import { anonymousAccountability } from '../auth/index.ts';
import type { CairnEvents, Context, EventBus, FilterEvent, FilterMeta, ItemsEvent } from '../context/index.ts';
import { FlowFailedError, ForbiddenError, InvalidPayloadError, isCairnError } from '../errors/index.ts';
import type { Flow, Model } from '../model/index.ts';
import { BUILTIN_ADMIN } from '../model/index.ts';
import { resolveAccess } from '../permissions/index.ts';
import { adminAccountability, readItems, type Accountability } from '../services/index.ts';
import { pruneRuns } from './flow-log.ts';
import { createScheduler } from './flow-schedule.ts';
import type { OperationServices } from './operations.ts';
import { runFlow, type RunDependencies, type RunInput, type RunOutcome } from './run-flow.ts';

export type FlowEngineContext = Pick<Context, 'db' | 'models' | 'events' | 'settings' | 'logger' | 'instanceId'>;

/** A call of GET|POST /flows/trigger/:flow. */
export interface TriggerRequest {
  flow: string;
  method: string;
  accountability: Accountability;
  path: string;
  query: unknown;
  body: unknown;
  headers: Record<string, unknown>;
}

export interface FlowEngine {
  /** Schedules and log retention (event flows run from the start). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the runs started in the background so far (action flows, async webhooks) have ended. */
  idle(): Promise<void>;
  /** A webhook or manual flow: its return value, or `async` when it answers at once and runs in the background. */
  trigger(request: TriggerRequest): Promise<{ async: true } | { async: false; result: unknown }>;
  /** Runs a flow by name with a given $trigger, e.g. `cairn flows run` (in a dry run, `services` is the rolled-back transaction's). */
  run(name: string, input: Omit<RunInput, 'flow' | 'depth'> & { services?: OperationServices }): Promise<RunOutcome>;
}

const ACTION_EVENTS = ['items.create', 'items.update', 'items.delete', 'versions.promote'] as const;
const FILTER_EVENTS: FilterEvent[] = ['items.create', 'items.update', 'items.delete'];
/** Headers a flow never sees: the caller's credentials stay with the request. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const RETENTION_EVERY_MS = 60 * 60 * 1000;

interface FlowIndex {
  action: Map<string, Flow[]>;
  filter: Map<string, Flow[]>;
}

const indexes = new WeakMap<Model, FlowIndex>();
/** The model's active event flows by `<mode>` → `<event>:<collection>`, in name order. */
function indexOf(model: Model): FlowIndex {
  let index = indexes.get(model);
  if (index) return index;
  index = { action: new Map(), filter: new Map() };
  for (const flow of Object.values(model.flows).sort((a, b) => a.name.localeCompare(b.name))) {
    if (flow.status !== 'active' || flow.trigger.type !== 'event') continue;
    const byMode = flow.trigger.mode === 'filter' ? index.filter : index.action;
    for (const event of (flow.trigger.events as string[] | undefined) ?? []) {
      for (const collection of (flow.trigger.collections as string[] | undefined) ?? []) {
        const key = `${event}:${collection}`;
        byMode.set(key, [...(byMode.get(key) ?? []), flow]);
      }
    }
  }
  indexes.set(model, index);
  return index;
}

/** Directus's `$trigger` of an item event: create has `key`, delete's payload is the keys. */
function eventTrigger(event: keyof CairnEvents, data: ItemsEvent): Record<string, unknown> {
  const name = `${data.collection}.${event}`;
  switch (event) {
    case 'items.create':
      return { event: name, collection: data.collection, key: data.keys[0] ?? null, keys: data.keys, payload: data.payload ?? {} };
    case 'items.delete':
      return { event: name, collection: data.collection, keys: data.keys, payload: data.keys };
    case 'versions.promote':
      return { event: name, collection: data.collection, key: data.keys[0] ?? null, keys: data.keys, version: data.version ?? null, payload: data.payload ?? {} };
    default:
      return { event: name, collection: data.collection, keys: data.keys, payload: data.payload ?? {} };
  }
}

/** The error a caller sees when a flow it waits on failed: a catalogue error as it is, anything else as FLOW_FAILED. */
function failureOf(flow: Flow, outcome: RunOutcome): Error {
  if (isCairnError(outcome.error)) return outcome.error;
  const message = outcome.error instanceof Error ? outcome.error.message : String((outcome.error as { message?: unknown } | null)?.message ?? 'the flow failed');
  return new FlowFailedError({ flow: flow.name, run: outcome.id, reason: message });
}

export function createFlowEngine(context: FlowEngineContext): FlowEngine {
  const { logger, settings } = context;
  const inFlight = new Set<Promise<unknown>>();
  const services: OperationServices = { db: context.db, models: context.models, events: context.events };
  let unsubscribe: (() => void) | undefined;
  let retention: NodeJS.Timeout | undefined;

  const model = () => context.models.current()?.model ?? null;

  const background = (work: () => Promise<unknown>) => {
    const running: Promise<unknown> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => logger.error({ err: error }, 'a flow run failed unexpectedly'))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  /** The services' events one level deeper: writes made by a flow carry the depth to the flows they start. */
  const eventsAt = (events: EventBus, depth: number): EventBus => ({
    ...events,
    emit: (event, data) => events.emit(event, { ...data, depth }),
    runFilters: (event, payload, meta) => events.runFilters(event, payload, { ...meta, depth }),
  });

  const accountabilityFor = (permissions: string, trigger: Accountability | null): Accountability => {
    if (permissions === '$full' || permissions === BUILTIN_ADMIN) return adminAccountability();
    if (permissions === '$public' || (permissions === '$trigger' && trigger === null)) return anonymousAccountability(context, {});
    if (permissions === '$trigger') return trigger!;
    const current = model();
    if (!current?.roles[permissions]) throw new ForbiddenError({ reason: `The role "${permissions}" that this operation acts as is not in the applied config` });
    return { user: null, role: permissions, ...resolveAccess(current, { role: permissions, userPolicies: [], ip: null }), ip: null, userAgent: null, origin: null };
  };

  const depsFor = (runServices: OperationServices): RunDependencies => {
    const deps: RunDependencies = {
      services: runServices,
      settings: settings.flows,
      logger,
      accountabilityFor,
      deeperEvents: (depth) => eventsAt(runServices.events, depth),
      async triggerFlow(name, payload, parent) {
        const target = model()?.flows[name];
        if (!target || target.status !== 'active' || target.trigger.type !== 'flow') throw new Error(`trigger-flow: flow "${name}" is not an active flow with a flow trigger in the applied config`);
        if (parent.depth + 1 > settings.flows.maxDepth) {
          throw new Error(`trigger-flow: flow "${name}" would run ${parent.depth + 1} flows deep, past FLOWS_MAX_DEPTH (${settings.flows.maxDepth}): stopped here (do flows start each other in a loop?)`);
        }
        const outcome = await runFlow(deps, { flow: target, trigger: payload, accountability: parent.accountability, depth: parent.depth + 1, dryRun: parent.dryRun === true, ...(parent.onStep ? { onStep: parent.onStep } : {}) });
        if (outcome.status === 'failed') throw failureOf(target, outcome);
        return outcome.result;
      },
    };
    return deps;
  };
  const deps = depsFor(services);

  const tooDeep = (flow: Flow, depth: number) => {
    if (depth < settings.flows.maxDepth) return false;
    logger.warn({ flow: flow.name, depth }, `flow "${flow.name}" not started: a change made ${depth} flows deep is past FLOWS_MAX_DEPTH (${settings.flows.maxDepth})`);
    return true;
  };

  for (const event of ACTION_EVENTS) {
    context.events.on(event, (data) => {
      const current = model();
      if (!current) return;
      for (const flow of indexOf(current).action.get(`${event}:${data.collection}`) ?? []) {
        const depth = data.depth ?? 0;
        if (tooDeep(flow, depth)) continue;
        background(() => runFlow(deps, { flow, trigger: eventTrigger(event, data), accountability: data.accountability ?? null, depth }));
      }
    });
  }

  for (const event of FILTER_EVENTS) {
    context.events.filter(event, async (payload, meta: FilterMeta) => {
      const current = model();
      if (!current) return payload;
      let value = payload;
      for (const flow of indexOf(current).filter.get(`${event}:${meta.collection}`) ?? []) {
        const depth = meta.depth ?? 0;
        if (tooDeep(flow, depth)) continue;
        const trigger = { event: `${meta.collection}.${event}`, collection: meta.collection, keys: meta.keys, payload: event === 'items.delete' ? meta.keys : value };
        const outcome = await runFlow(deps, { flow, trigger, accountability: meta.accountability ?? null, depth });
        if (outcome.status === 'failed') throw failureOf(flow, outcome);
        if (event === 'items.delete' || typeof flow.trigger.return !== 'string') continue;
        const result = outcome.result;
        if (result === null || typeof result !== 'object' || Array.isArray(result)) {
          throw new FlowFailedError({ flow: flow.name, run: outcome.id, reason: `its return value (${String(flow.trigger.return)}) replaces the item, so it has to be an object, not ${JSON.stringify(result) ?? 'undefined'}` });
        }
        value = result as Record<string, unknown>;
      }
      return value;
    });
  }

  const scheduler = createScheduler(context, async (flow, tick) => {
    const running = runFlow(deps, { flow, trigger: null, accountability: null, depth: 0, tick });
    inFlight.add(running);
    try {
      await running;
    } finally {
      inFlight.delete(running);
    }
  });

  /** Manual flows: a signed-in caller, a collection the flow lists, keys it may read. */
  async function checkManual(flow: Flow, request: TriggerRequest): Promise<void> {
    const { accountability } = request;
    if (accountability.user === null && !accountability.admin) throw new ForbiddenError({ reason: `Flow "${flow.name}" is run by signed-in users only` });
    const body = (request.body ?? {}) as { collection?: unknown; keys?: unknown };
    const collections = (flow.trigger.collections as string[] | undefined) ?? [];
    if (typeof body.collection !== 'string' || !collections.includes(body.collection)) {
      throw new ForbiddenError({ reason: `Flow "${flow.name}" runs on ${collections.join(', ')}: the body's "collection" has to be one of them` });
    }
    const keys = body.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string' && typeof key !== 'number')) {
      throw new ForbiddenError({ reason: `Flow "${flow.name}" needs the body's "keys": a non-empty list of the items it runs on` });
    }
    if (accountability.admin) return;
    const primaryKey = model()?.collections[body.collection]?.primaryKey.field ?? 'id';
    const { data } = await readItems({ context, accountability, collection: body.collection, query: { fields: [primaryKey], filter: { [primaryKey]: { _in: keys } }, limit: -1 } });
    if ((data as unknown[]).length !== new Set(keys.map(String)).size) throw new ForbiddenError({ reason: `You don't have permission to read every item flow "${flow.name}" would run on` });
  }

  return {
    async start() {
      await scheduler.sync(model());
      unsubscribe = context.models.subscribe((applied) => {
        scheduler.sync(applied?.model ?? null).catch((error: unknown) => logger.error({ err: error }, 'the flow schedules could not follow the applied model'));
      });
      const prune = () => pruneRuns(context.db.knex, settings.flows.logRetention).then(
        (removed) => removed > 0 && logger.info({ removed }, 'old flow runs deleted (FLOW_LOGS_RETENTION)'),
        (error: unknown) => logger.warn({ err: error }, 'old flow runs could not be deleted'),
      );
      await prune();
      retention = setInterval(() => void prune(), RETENTION_EVERY_MS).unref();
    },
    async stop() {
      unsubscribe?.();
      if (retention) clearInterval(retention);
      await scheduler.stop();
      await this.idle();
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async trigger(request) {
      const flow = model()?.flows[request.flow];
      const method = request.method.toUpperCase();
      const type = flow?.trigger.type;
      const answers = flow?.status === 'active' && ((type === 'webhook' && method === String(flow.trigger.method ?? 'GET')) || (type === 'manual' && method === 'POST'));
      if (!flow || !answers) throw new ForbiddenError({ reason: `No active flow "${request.flow}" is triggered by ${method} /flows/trigger/${request.flow}` });
      if (type === 'manual') await checkManual(flow, request);
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !PRIVATE_HEADERS.has(name.toLowerCase())));
      const trigger = { path: request.path, query: request.query ?? {}, body: request.body ?? null, method, headers };
      const input: RunInput = { flow, trigger, accountability: request.accountability, depth: 0 };
      if (type === 'webhook' && flow.trigger.async === true) {
        background(() => runFlow(deps, input));
        return { async: true };
      }
      const outcome = await runFlow(deps, input);
      if (outcome.status === 'failed') throw failureOf(flow, outcome);
      return { async: false, result: outcome.result };
    },
    async run(name, input) {
      const flow = model()?.flows[name];
      if (!flow) throw new InvalidPayloadError({ reason: `The applied config has no flow "${name}"` });
      const { services: runServices, ...rest } = input;
      return runFlow(runServices ? depsFor(runServices) : deps, { ...rest, flow, depth: 0 });
    },
  };
}
