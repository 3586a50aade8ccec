/**
 * Several service calls as one transaction: the scoped context's database is
 * the transaction (knex and the direct read path alike), and events wait for
 * the commit (dropped if it rolls back). Versions use it to apply a delta,
 * read the result and roll back (a preview), or to update an item and write
 * its audit row in one commit (a promote).
 */
import type { Knex } from 'knex';
import type { CairnEvents, Context } from '../context/index.ts';
import { runStatement, type Database } from '../db/index.ts';

type Scoped = Pick<Context, 'db' | 'models' | 'events'>;

/** Thrown to end a transaction without committing, carrying the work's result out. */
class Rollback<T> {
  constructor(readonly result: T) {}
}

/** The database as seen from inside `trx`: knex and the direct read path both run in it. */
export function transactionDatabase(db: Database, trx: Knex.Transaction): Database {
  return { ...db, knex: trx, query: async <R>(text: string, values: readonly unknown[]) => ({ rows: await runStatement<R>(trx, { sql: text, bindings: values }) }) };
}

export async function inOneTransaction<C extends Scoped, T>(context: C, work: (scoped: C, trx: Knex.Transaction) => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
  const pending: [keyof CairnEvents, CairnEvents[keyof CairnEvents]][] = [];
  let result: T;
  try {
    result = await context.db.knex.transaction(async (trx) => {
      const db = transactionDatabase(context.db, trx);
      const events = { ...context.events, emit: <E extends keyof CairnEvents>(event: E, data: CairnEvents[E]) => void pending.push([event, data]) };
      const value = await work({ ...context, db, events }, trx);
      if (options.rollback) throw new Rollback(value);
      return value;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
  for (const [event, data] of pending) context.events.emit(event, data as never);
  return result;
}
