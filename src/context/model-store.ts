/**
 * The applied model a server serves: loaded from cairn_config at start-up,
 * reloaded when `cairn apply` NOTIFYs (within a second, without a restart).
 * Readers take `current()` once per request, so a request in flight finishes
 * on the model it started with.
 */
import type { Database } from '../db/index.ts';
import type { Model } from '../model/index.ts';
import { CONFIG_CHANNEL, readAppliedConfig } from '../reconcile/index.ts';
import type { Logger } from './logger.ts';

export interface AppliedModel {
  model: Model;
  hash: string;
  appliedAt: Date;
  configId: string;
}

export interface ModelStore {
  current(): AppliedModel | null;
  /** Re-reads cairn_config; concurrent calls share one read, and a call during a read triggers one more. */
  reload(): Promise<AppliedModel | null>;
  /** Called after each reload that changed the model. */
  subscribe(listener: (applied: AppliedModel | null) => void): () => void;
  /** LISTEN for applies. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createModelStore(options: { db: Database; logger: Logger }): ModelStore {
  const { db, logger } = options;
  let current: AppliedModel | null = null;
  let reading: Promise<AppliedModel | null> | undefined;
  let again = false;
  let unlisten: (() => Promise<void>) | undefined;
  const listeners = new Set<(applied: AppliedModel | null) => void>();

  const read = async (): Promise<AppliedModel | null> => {
    const applied = await readAppliedConfig(db.knex);
    const next = applied ? { model: applied.model, hash: applied.modelHash, appliedAt: applied.appliedAt, configId: applied.id } : null;
    if (next?.configId !== current?.configId) {
      current = next;
      logger.info({ modelHash: next?.hash ?? null }, next ? 'applied model loaded' : 'no applied model yet');
      for (const listener of listeners) listener(current);
    }
    return current;
  };

  const reload = (): Promise<AppliedModel | null> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = read().finally(() => {
      reading = undefined;
      if (again) {
        again = false;
        void reload();
      }
    });
    return reading;
  };

  return {
    current: () => current,
    reload,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      unlisten = await db.listen(CONFIG_CHANNEL, () => {
        reload().catch((error: unknown) => logger.error({ err: error }, 'could not reload the applied model'));
      });
    },
    async stop() {
      await unlisten?.();
      unlisten = undefined;
    },
  };
}
