/**
 * The built-in operation types. Each takes its options (already rendered
 * against the data chain) and returns the value the chain stores under its
 * key, or throws to take its `reject` path. Item operations go through the
 * same services as REST, with the accountability `permissions` names; a
 * write with `emitEvents: false` (the default) starts no other flow.
 */
import type { Context, EventBus } from '../context/index.ts';
import { FailedValidationError, FlowThrownError, InvalidPayloadError } from '../errors/index.ts';
import type { Flow, Operation } from '../model/index.ts';
import { createItems, deleteItems, readItem, readItems, updateItems, type Accountability, type ItemKey } from '../services/index.ts';
import { failedRule } from './evaluate-filter.ts';
import type { DataChain } from './templates.ts';

export type OperationServices = Pick<Context, 'db' | 'models' | 'events'>;

export interface OperationRun {
  flow: Flow;
  operation: Operation;
  chain: DataChain;
  /** The services item operations use (in a dry run: inside the rolled-back transaction). */
  services: OperationServices;
  /** The services' events as a write with emitEvents: true sees them (one level deeper). */
  deeperEvents: EventBus;
  accountabilityFor(permissions: string): Accountability;
  settings: Context['settings']['flows'];
  logger: Context['logger'];
  /** Starts another flow (trigger-flow); its return value. */
  triggerFlow(name: string, payload: unknown): Promise<unknown>;
  /** A dry run sends no request and does not sleep. */
  dryRun: boolean;
}

type Handler = (options: Record<string, unknown>, run: OperationRun) => Promise<unknown>;

/** Events nobody hears: the default for item writes of a flow. */
const SILENT: EventBus = {
  emit() {},
  on: () => () => {},
  filter: () => () => {},
  runFilters: async (_event, payload) => payload,
};

function itemServices(options: Record<string, unknown>, run: OperationRun) {
  const context = { ...run.services, events: options.emitEvents === true ? run.deeperEvents : SILENT };
  return { context, accountability: run.accountabilityFor(run.operation.permissions), collection: String(options.collection) };
}

const keyList = (keys: unknown): ItemKey[] => {
  const list = Array.isArray(keys) ? keys : [keys];
  for (const key of list) if (typeof key !== 'string' && typeof key !== 'number') throw new InvalidPayloadError({ reason: `"keys" has to be a key or a list of keys, not ${JSON.stringify(key)}` });
  return list as ItemKey[];
};

const payloadOf = (payload: unknown): unknown => {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    throw new InvalidPayloadError({ reason: '"payload" is a string that is not JSON' });
  }
};

/** The keys `query` selects, read as the operation's accountability (so it updates or deletes only what it may see). */
async function keysOf(options: Record<string, unknown>, run: OperationRun): Promise<ItemKey[]> {
  if (options.keys !== undefined) return keyList(options.keys);
  const services = itemServices(options, run);
  const primaryKey = run.services.models.current()?.model.collections[services.collection]?.primaryKey.field ?? 'id';
  const { data } = await readItems({ ...services, query: { ...(options.query as Record<string, unknown>), fields: [primaryKey], limit: -1 } });
  return (data as Record<string, ItemKey>[]).map((row) => row[primaryKey]!);
}

const single = (keys: unknown, result: ItemKey[]) => (Array.isArray(keys) ? result : (result[0] ?? null));

export const OPERATIONS: Record<string, Handler> = {
  async condition(options, run) {
    const failure = failedRule(options.filter, run.chain);
    if (failure) throw new FailedValidationError({ field: failure.field, type: failure.operator, valid: [failure.expected] });
    return null;
  },

  async transform(options) {
    return options.json ?? null;
  },

  async log(options, run) {
    run.logger.info({ flow: run.flow.name, operation: run.operation.key }, String(options.message));
    return String(options.message);
  },

  async 'item-read'(options, run) {
    const services = itemServices(options, run);
    const query = (options.query as Record<string, unknown> | undefined) ?? {};
    if (options.keys === undefined) return (await readItems({ ...services, query })).data;
    if (!Array.isArray(options.keys)) return (await readItem({ ...services, key: String(keyList(options.keys)[0]), query })).data;
    const primaryKey = run.services.models.current()?.model.collections[services.collection]?.primaryKey.field ?? 'id';
    const filter = query.filter ? { _and: [{ [primaryKey]: { _in: keyList(options.keys) } }, query.filter] } : { [primaryKey]: { _in: keyList(options.keys) } };
    return (await readItems({ ...services, query: { ...query, filter } })).data;
  },

  async 'item-create'(options, run) {
    const payload = payloadOf(options.payload);
    const keys = await createItems({ ...itemServices(options, run), items: Array.isArray(payload) ? payload : [payload] });
    return keys;
  },

  async 'item-update'(options, run) {
    const keys = await keysOf(options, run);
    const updated = await updateItems({ ...itemServices(options, run), keys, data: payloadOf(options.payload) });
    return single(options.keys ?? [], updated);
  },

  async 'item-delete'(options, run) {
    const keys = await keysOf(options, run);
    const deleted = await deleteItems({ ...itemServices(options, run), keys });
    return single(options.keys ?? [], deleted);
  },

  async request(options, run) {
    return sendRequest(options, run);
  },

  async 'trigger-flow'(options, run) {
    const payload = options.payload;
    const target = String(options.flow);
    if (!Array.isArray(payload)) return run.triggerFlow(target, payload ?? null);
    const mode = (options.iterationMode as string | undefined) ?? 'parallel';
    if (mode === 'parallel') return Promise.all(payload.map((item) => run.triggerFlow(target, item)));
    const size = mode === 'serial' ? 1 : 10;
    const results: unknown[] = [];
    for (let start = 0; start < payload.length; start += size) {
      results.push(...(await Promise.all(payload.slice(start, start + size).map((item) => run.triggerFlow(target, item)))));
    }
    return results;
  },

  async sleep(options, run) {
    const ms = Number(options.milliseconds);
    if (!Number.isFinite(ms) || ms < 0 || ms > 3_600_000) throw new InvalidPayloadError({ reason: `"milliseconds" has to be from 0 to 3600000, not ${JSON.stringify(options.milliseconds)}` });
    if (!run.dryRun) await new Promise((resolve) => setTimeout(resolve, ms));
    return null;
  },

  async throw(options, run) {
    const status = options.status === undefined ? undefined : Number(options.status);
    throw new FlowThrownError({
      flow: run.flow.name,
      operation: run.operation.key,
      message: String(options.message),
      ...(typeof options.code === 'string' ? { code: options.code } : {}),
      ...(status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599 ? { status } : {}),
    });
  },

  async exec(options) {
    // Extension operations run in the sandbox, which lands with the extensions issue.
    throw new Error(`exec runs extension "${String(options.extension)}" in the sandbox, which this Cairn does not have yet: the operation cannot run`);
  },
};

/** A `request` operation's answer: {status, statusText, headers, data}; non-2xx rejects with the same shape. */
export class RequestAnswerError extends Error {
  constructor(readonly answer: { status: number; statusText: string; headers: Record<string, string>; data: unknown }) {
    super(`The request answered ${answer.status} ${answer.statusText}`.trim());
  }
}

async function sendRequest(options: Record<string, unknown>, run: OperationRun): Promise<unknown> {
  const method = String(options.method ?? 'GET').toUpperCase();
  const url = String(options.url ?? '');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new InvalidPayloadError({ reason: `"url" is not a URL: "${url}"` });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new InvalidPayloadError({ reason: `"url" has to be http or https, not ${target.protocol}` });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((options.headers as Record<string, unknown> | undefined) ?? {})) headers[name.toLowerCase()] = String(value);
  let body: string | undefined;
  if (options.body !== undefined && options.body !== null && method !== 'GET') {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (typeof options.body !== 'string' && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  }
  if (run.dryRun) return { dryRun: true, method, url: target.href, headers, body: body ?? null };

  const timeout = run.settings.requestTimeout;
  let response: Response;
  try {
    response = await fetch(target, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(timeout), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeout} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new Error(`${method} ${target.origin}${target.pathname} failed: ${why}`);
  }
  const text = await boundedText(response, run.settings.requestMaxBytes, `${method} ${target.origin}${target.pathname}`);
  let data: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  const answer = { status: response.status, statusText: response.statusText, headers: Object.fromEntries(response.headers), data };
  if (!response.ok) throw new RequestAnswerError(answer);
  return answer;
}

/** The response body as text, refused past `maxBytes` without reading the rest. */
async function boundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`${what} answered ${declared} bytes, more than FLOWS_REQUEST_MAX_BYTES (${maxBytes})`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${what} answered more than FLOWS_REQUEST_MAX_BYTES (${maxBytes} bytes)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
