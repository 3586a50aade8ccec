/**
 * Health of this instance, Directus-shaped: `status` ok | warn | error and
 * one check per dependency. The database check is a timed round trip.
 */
import type { Database } from '../db/index.ts';

export type HealthStatus = 'ok' | 'warn' | 'error';

export interface HealthCheck {
  componentType: 'datastore';
  observedUnit: 'ms';
  observedValue: number | null;
  threshold: number;
  status: HealthStatus;
  output?: string;
}

export interface HealthReport {
  status: HealthStatus;
  releaseId: string;
  serviceId: string;
  checks: Record<string, HealthCheck[]>;
}

/** A round trip slower than this is a warning (Directus uses the same 150 ms). */
export const DATABASE_WARN_THRESHOLD_MS = 150;
const DATABASE_TIMEOUT_MS = 5_000;

export async function checkHealth(options: { db: Database; version: string; instanceId: string }): Promise<HealthReport> {
  const database = await checkDatabase(options.db);
  return {
    status: database.status,
    releaseId: options.version,
    serviceId: options.instanceId,
    checks: { [`${options.db.driver}:responseTime`]: [database] },
  };
}

async function checkDatabase(db: Database): Promise<HealthCheck> {
  const started = performance.now();
  const check: HealthCheck = {
    componentType: 'datastore',
    observedUnit: 'ms',
    observedValue: null,
    threshold: DATABASE_WARN_THRESHOLD_MS,
    status: 'ok',
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.knex.raw('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_TIMEOUT_MS} ms`)), DATABASE_TIMEOUT_MS);
      }),
    ]);
    check.observedValue = Math.round((performance.now() - started) * 100) / 100;
    if (check.observedValue > check.threshold) check.status = 'warn';
  } catch (error) {
    check.status = 'error';
    check.output = (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
  return check;
}
