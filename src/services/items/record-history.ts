/**
 * Stage after persist: activity rows and, for creates and updates,
 * revisions (full snapshot and delta), in the same transaction as the
 * change, as each collection's `accountability` setting asks. Revisions of
 * nested writes point at the revision of the item they were written through.
 */
import type { Knex } from 'knex';
import type { Collection } from '../../model/index.ts';
import type { Accountability } from '../accountability.ts';

export interface HistoryEntry {
  action: 'create' | 'update' | 'delete';
  key: string | number;
  /** The item after the change (create, update). */
  data?: Record<string, unknown>;
  /** What the change set (create, update). */
  delta?: Record<string, unknown>;
}

export interface CollectionHistoryEntry extends HistoryEntry {
  collection: Collection;
  /** Written through another item's relation (its revision is the parent). */
  nested: boolean;
}

/** Hash fields are never copied into history, hashed or not. */
function concealed(collection: Collection, values: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...values };
  for (const field of Object.values(collection.fields)) if (field.type === 'hash' && copy[field.name] != null) copy[field.name] = '**********';
  return copy;
}

/** Records one write: `entries` are the item's own first, then its nested ones. */
export async function recordHistory(trx: Knex.Transaction, accountability: Accountability, entries: readonly CollectionHistoryEntry[]): Promise<void> {
  let parent: string | null = null;
  for (const entry of entries) {
    if (entry.collection.accountability === 'none') continue;
    const activity = [entry.action, accountability.user, accountability.ip, accountability.userAgent, accountability.origin, entry.collection.name, String(entry.key)];
    const insertActivity = 'insert into cairn_activity (action, "user", ip, user_agent, origin, collection, item) values (?, ?, ?, ?, ?, ?, ?) returning id';
    if (entry.collection.accountability !== 'all' || entry.action === 'delete') {
      await trx.raw(insertActivity, activity);
      continue;
    }
    // Activity and revision in one statement: one round trip per change.
    const { rows } = (await trx.raw(
      `with a as (${insertActivity})
       insert into cairn_revisions (activity, collection, item, data, delta, parent)
       select a.id, ?, ?, ?::jsonb, ?::jsonb, ? from a returning id`,
      [
        ...activity,
        entry.collection.name,
        String(entry.key),
        JSON.stringify(concealed(entry.collection, entry.data ?? {})),
        JSON.stringify(concealed(entry.collection, entry.delta ?? {})),
        entry.nested ? parent : null,
      ],
    )) as { rows: { id: string }[] };
    if (!entry.nested) parent = rows[0]!.id;
  }
}
