/**
 * Revert: put an item back to a revision's snapshot. It is an ordinary
 * update (so it writes its own activity and revision), of the fields the
 * item still has and that differ from it now; generated and special fields,
 * and hashes (which history never holds), are left as they are. The caller must be able to read the
 * revision (the item is readable to it) and update the item; fields it may
 * not read are not in the revision it sees, so they are not reverted.
 */
import type { Context } from '../../context/index.ts';
import { ForbiddenError, UnprocessableContentError } from '../../errors/index.ts';
import type { Accountability } from '../accountability.ts';
import { REVISIONS } from '../system-collections.ts';
import { parseKey } from './item-keys.ts';
import { readItem } from './read-items.ts';
import { updateItems } from './write-items.ts';

export async function revertRevision(options: { context: Pick<Context, 'db' | 'models' | 'events'>; accountability: Accountability; revision: string }): Promise<void> {
  const { context, accountability } = options;
  if (!/^\d{1,18}$/.test(options.revision)) throw new ForbiddenError({});
  // Read as the caller: a revision of an item it may not read does not exist for it.
  const revision = (await readItem({ context, accountability, collection: REVISIONS, key: options.revision, query: { fields: ['collection', 'item', 'data'] }, system: true })).data as Record<string, unknown>;
  const collection = context.models.current()?.model.collections[revision.collection as string];
  const key = collection ? parseKey(collection, revision.item) : undefined;
  if (!collection || key === undefined) throw new UnprocessableContentError({ reason: `Collection "${revision.collection}" no longer exists` });
  const snapshot = (revision.data ?? {}) as Record<string, unknown>;
  const data = Object.fromEntries(
    Object.entries(snapshot).filter(([name]) => {
      const field = collection.fields[name];
      return field !== undefined && field.dbType !== null && field.special === null && field.type !== 'hash';
    }),
  );
  // Only what differs from the item now: a field the caller may not change but did not change either stays out.
  const current = (await readItem({ context, accountability, collection: collection.name, key: String(key), query: { fields: Object.keys(data) } })).data as Record<string, unknown>;
  const changed = Object.fromEntries(Object.entries(data).filter(([name, value]) => JSON.stringify(current[name]) !== JSON.stringify(value)));
  if (Object.keys(changed).length > 0) await updateItems({ context, accountability, collection: collection.name, keys: [key], data: changed });
}
