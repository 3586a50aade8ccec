/**
 * The one context object a process builds at start-up and passes down:
 * settings, logger, database, secret and the identity of this instance.
 * Nothing in Cairn reaches for a module-level singleton instead.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createOutboxWriter, type OutboxWriter } from '../audit/index.ts';
import { createIdentityCache, createRateLimiter, type IdentityCache, type RateLimiter } from '../auth/index.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { createFlowEngine, type FlowEngine } from '../flows/index.ts';
import type { Logger } from './logger.ts';
import { createEventBus, type EventBus } from './event-bus.ts';
import { createModelStore, type ModelStore } from './model-store.ts';
import { resolveSecret } from './secret.ts';
import type { Settings } from './settings.ts';
import { CAIRN_VERSION } from './version.ts';

export interface Context {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly db: Database;
  readonly secret: string;
  readonly version: string;
  /** The applied model, kept current as applies happen. */
  readonly models: ModelStore;
  /** Events after commit (items.*), for flows and extensions. */
  readonly events: EventBus;
  /** Distinguishes the servers sharing one database (health's serviceId). */
  readonly instanceId: string;
  /** Users and static tokens by id/hash, dropped on NOTIFY cairn_users. */
  readonly identity: IdentityCache;
  /** Login attempts per client address and failed logins per email, in this process. */
  readonly loginLimits: LoginLimits;
  /** Turns audit outbox rows into commits of the audit repository (started by `cairn serve`). */
  readonly audit: OutboxWriter;
  /** Runs the applied model's flows: event flows from the start, schedules once started (`cairn serve`). */
  readonly flows: FlowEngine;
}

export interface LoginLimits {
  ip: RateLimiter;
  email: RateLimiter;
}

/** The login limiters the settings ask for (tests build contexts by hand and use this too). */
export function createLoginLimits(settings: Settings): LoginLimits {
  const { loginLimitPerIp, loginLimitPerEmail, loginLimitWindow } = settings.auth;
  return {
    ip: createRateLimiter({ points: loginLimitPerIp, windowMs: loginLimitWindow }),
    email: createRateLimiter({ points: loginLimitPerEmail, windowMs: loginLimitWindow }),
  };
}

export async function createContext(options: { settings: Settings; logger: Logger }): Promise<Context> {
  const { settings, logger } = options;
  const secret = await resolveSecret({ secret: settings.secret, dataDir: settings.dataDir, logger });
  const db = await openDatabase({
    url: settings.databaseUrl,
    dataDir: path.join(settings.dataDir, 'data'),
    poolMax: settings.databasePoolMax,
  });
  const models = createModelStore({ db, logger });
  const events = createEventBus((error, event) => logger.error({ err: error, event }, 'an event listener failed'));
  const identity = createIdentityCache({ db, logger });
  const audit = createOutboxWriter({ db, models, logger, pauseAfterCommitMs: settings.audit.pauseAfterCommitMs });
  const instanceId = randomUUID();
  const flows = createFlowEngine({ db, models, events, settings, logger, instanceId });
  return { settings, logger, db, secret, version: CAIRN_VERSION, instanceId, models, events, identity, loginLimits: createLoginLimits(settings), audit, flows };
}

export async function closeContext(context: Context): Promise<void> {
  // First, while the database is open: the audit writer finishes the commit in progress and marks its row.
  await context.audit.stop();
  // Then the flows: no new schedule ticks, the runs in flight end while the database is open.
  await context.flows.stop();
  await context.models.stop();
  await context.identity.stop();
  await context.db.close();
}
