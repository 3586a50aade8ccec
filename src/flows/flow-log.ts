/**
 * The run log: one cairn_flow_runs row per run, written when the run ends,
 * with its steps (options as resolved, output, error) and, for flows whose
 * `accountability` is `all`, the data chain. Before anything is written,
 * the values of `$env` and credential-like keys (authorization and cookie
 * headers, password, token, secret) are redacted and large outputs cut to
 * a preview. Retention deletes runs older than FLOW_LOGS_RETENTION.
 */
import type { Knex } from 'knex';
import type { Flow } from '../model/index.ts';

export const REDACTED = '**********';
/** A step's output or the data chain longer than this (as JSON) is kept as a preview only. */
export const LOGGED_VALUE_MAX_CHARS = 64 * 1024;
const PREVIEW_CHARS = 2000;
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|token|access_token|refresh_token|secret|api[-_]?key|x-api-key)$/i;

export type RunStatus = 'resolved' | 'failed' | 'missed';

export interface StepLog {
  key: string;
  type: string;
  status: 'resolve' | 'reject';
  options: unknown;
  output: unknown;
  error: unknown;
  started_at: string;
  duration_ms: number;
}

export interface RunLog {
  flow: string;
  trigger: Flow['trigger']['type'];
  status: RunStatus;
  accountability: { user: string | null; role: string | null } | null;
  steps: StepLog[];
  data: unknown;
  error: unknown;
  startedAt: Date;
  finishedAt: Date;
  tick: Date | null;
  depth: number;
}

/** Deep copy of `value` with secrets replaced; `secrets` are the values `$env` gave the flow. */
export function redactor(secrets: readonly string[]): (value: unknown) => unknown {
  // Short values (a "1", a "yes") would blank out half the log; they are no secrets worth the name.
  const hidden = [...new Set(secrets.filter((secret) => secret.length >= 4))].sort((a, b) => b.length - a.length);
  const redact = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return hidden.reduce((text, secret) => text.split(secret).join(REDACTED), value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 32) return '[too deep]';
    if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) && item !== null && item !== undefined ? REDACTED : redact(item, depth + 1)]));
  };
  return (value) => redact(value, 0);
}

/** `value` as it can be stored: JSON-safe, and a preview when it is large. */
export function loggable(value: unknown): unknown {
  if (value === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? 'null';
  } catch {
    return { unserialisable: String(value) };
  }
  if (text.length <= LOGGED_VALUE_MAX_CHARS) return JSON.parse(text) as unknown;
  return { truncated: true, chars: text.length, preview: text.slice(0, PREVIEW_CHARS) };
}

/** An error as the log and the data chain hold it: what it says, never its stack. */
export function errorRecord(error: unknown): Record<string, unknown> {
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const { code, status, details } = error as { code?: unknown; status?: unknown; details?: unknown };
    return {
      message: String((error as { message: unknown }).message),
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof status === 'number' ? { status } : {}),
      ...(details !== undefined && details !== null && typeof details === 'object' ? { details } : {}),
    };
  }
  return { message: typeof error === 'string' ? error : (JSON.stringify(loggable(error)) ?? String(error)) };
}

/** Writes the run; its id. */
export async function writeRun(knex: Knex, run: RunLog): Promise<number> {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  const { rows } = (await knex.raw(
    `insert into cairn_flow_runs (flow, trigger, status, accountability, steps, data, error, started_at, finished_at, duration_ms, tick, depth)
     values (?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?) returning id`,
    [
      run.flow,
      run.trigger,
      run.status,
      json(run.accountability),
      JSON.stringify(run.steps),
      json(run.data),
      json(run.error),
      run.startedAt,
      run.finishedAt,
      run.finishedAt.getTime() - run.startedAt.getTime(),
      run.tick,
      run.depth,
    ],
  )) as { rows: { id: string | number }[] };
  return Number(rows[0]!.id);
}

/** Deletes runs older than the retention; how many. */
export async function pruneRuns(knex: Knex, retentionMs: number): Promise<number> {
  const { rows } = (await knex.raw(`with gone as (delete from cairn_flow_runs where started_at < now() - (? * interval '1 millisecond') returning 1) select count(*)::int as n from gone`, [retentionMs])) as {
    rows: { n: number }[];
  };
  return rows[0]!.n;
}
