/** A real Context on a fresh, migrated test database, with a silent logger. */
import { randomUUID } from 'node:crypto';
import { createOutboxWriter } from '../../src/audit/index.ts';
import { createIdentityCache } from '../../src/auth/index.ts';
import type { Context } from '../../src/context/index.ts';
import { createEventBus, createLogger, createLoginLimits, createModelStore, loadSettings } from '../../src/context/index.ts';
import { createTestDatabase, type BackendName, type TestDatabase } from './test-databases.ts';

/**
 * `env` adds settings (short token lifetimes, low login limits); `listen`
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
  const context: Context = {
    settings,
    logger,
    models,
    events: createEventBus((error) => {
      throw error;
    }),
    db: database.db,
    secret: 'test-secret-that-is-long-enough-for-settings',
    version: '0.0.0-test',
    instanceId: randomUUID(),
    identity: createIdentityCache({ db: database.db, logger }),
    loginLimits: createLoginLimits(settings),
    // Not started: tests that want commits run its rounds themselves.
    audit: createOutboxWriter({ db: database.db, models, logger }),
  };
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
