/** A real Context on a fresh, migrated test database, with a silent logger. */
import { randomUUID } from 'node:crypto';
import { createOutboxWriter } from '../../src/audit/index.ts';
import { createIdentityCache } from '../../src/auth/index.ts';
import { expect } from 'vitest';
import type { Context } from '../../src/context/index.ts';
import { createEventBus, createLogger, createLoginLimits, createModelStore, loadSettings } from '../../src/context/index.ts';
import { modelHash, type Model } from '../../src/model/index.ts';
import { planAndApply } from '../../src/reconcile/index.ts';
import { bootstrapAdminAccess } from '../../src/services/index.ts';
import { createFlowEngine } from '../../src/flows/index.ts';
import { createTestDatabase, type BackendName, type TestDatabase } from './test-databases.ts';

/**
 * `env` adds settings (short token lifetimes, low login limits); with
 * ADMIN_TOKEN among them the context is prepared as `cairn serve` prepares
 * it (the first admin, whose static token ADMIN_TOKEN becomes). `listen`
 * starts the identity cache's LISTEN on cairn_users (stopped by drop()).
 */
export async function createTestContext(
  backend: BackendName,
  options: { env?: Record<string, string>; listen?: boolean } = {},
): Promise<{ context: Context; database: TestDatabase }> {
  const database = await createTestDatabase(backend, { migrated: true });
  const settings = loadSettings({ LOG_LEVEL: 'silent', ...options.env });
  const logger = createLogger({ level: 'silent', pretty: false });
  const models = createModelStore({ db: database.db, logger });
  const events = createEventBus((error) => {
    throw error;
  });
  const instanceId = randomUUID();
  const context: Context = {
    settings,
    logger,
    models,
    events,
    db: database.db,
    secret: 'test-secret-that-is-long-enough-for-settings',
    version: '0.0.0-test',
    instanceId,
    identity: createIdentityCache({ db: database.db, logger }),
    loginLimits: createLoginLimits(settings),
    // Not started: tests that want commits run its rounds themselves.
    audit: createOutboxWriter({ db: database.db, models, logger }),
    // Event flows run; schedules only in tests that start() it.
    flows: createFlowEngine({ db: database.db, models, events, settings, logger, instanceId }),
  };
  if (settings.adminToken !== undefined) await bootstrapAdminAccess(context);
  if (options.listen) {
    await context.identity.start();
    const drop = database.drop;
    database.drop = async () => {
      await context.identity.stop();
      await drop();
    };
  }
  return { context, database };
}

/** Applies a model to the context's database, as `cairn apply` would, and has the context serve it. */
export async function serveModel(context: Context, model: Model): Promise<void> {
  const { report } = await planAndApply({ db: context.db, model, modelHash: modelHash(model), source: { description: 'test', commit: null, ref: null, environment: null }, appliedBy: 'test' });
  expect(report.status).toBe('applied');
  await context.models.reload();
}
