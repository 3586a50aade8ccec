/**
 * Stage after persist: the activity row and, for creates and updates, the
 * revision (full snapshot and delta), in the same transaction as the change,
 * as the collection's `accountability` setting asks.
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

/** Hash fields are never copied into history, hashed or not. */
function concealed(collection: Collection, values: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...values };
  for (const field of Object.values(collection.fields)) if (field.type === 'hash' && copy[field.name] != null) copy[field.name] = '**********';
  return copy;
}

export async function recordHistory(trx: Knex.Transaction, collection: Collection, accountability: Accountability, entries: readonly HistoryEntry[]): Promise<void> {
  if (collection.accountability === 'none' || entries.length === 0) return;
  const activities = await trx('cairn_activity')
    .insert(
      entries.map((entry) => ({
        action: entry.action,
        user: accountability.user,
        ip: accountability.ip,
        user_agent: accountability.userAgent,
        origin: accountability.origin,
        collection: collection.name,
        item: String(entry.key),
      })),
    )
    .returning('id');
  if (collection.accountability !== 'all') return;
  const revisions = entries
    .map((entry, index) => ({ entry, activity: (activities[index] as { id: string }).id }))
    .filter(({ entry }) => entry.action !== 'delete')
    .map(({ entry, activity }) => ({
      activity,
      collection: collection.name,
      item: String(entry.key),
      data: JSON.stringify(concealed(collection, entry.data ?? {})),
      delta: JSON.stringify(concealed(collection, entry.delta ?? {})),
    }));
  if (revisions.length > 0) await trx('cairn_revisions').insert(revisions);
}
