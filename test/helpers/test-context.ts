/** A real Context on a fresh, migrated test database, with a silent logger. */
import { randomUUID } from 'node:crypto';
import type { Context } from '../../src/context/index.ts';
import { createEventBus, createLogger, createModelStore, loadSettings } from '../../src/context/index.ts';
import { createTestDatabase, type BackendName, type TestDatabase } from './test-databases.ts';

export async function createTestContext(backend: BackendName): Promise<{ context: Context; database: TestDatabase }> {
  const database = await createTestDatabase(backend, { migrated: true });
  const settings = loadSettings({ LOG_LEVEL: 'silent' });
  const logger = createLogger({ level: 'silent', pretty: false });
  const context: Context = {
    settings,
    logger,
    models: createModelStore({ db: database.db, logger }),
    events: createEventBus((error) => {
      throw error;
    }),
    db: database.db,
    secret: 'test-secret-that-is-long-enough-for-settings',
    version: '0.0.0-test',
    instanceId: randomUUID(),
  };
  return { context, database };
}
