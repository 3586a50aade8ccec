/**
 * Revert: put an item back to a revision's snapshot. It is an ordinary
 * update (so it writes its own activity and revision), of the fields the
 * item still has; generated and special fields, and hashes (which history
 * never holds), are left as they are.
 */
import type { Context } from '../../context/index.ts';
import { ForbiddenError, UnprocessableContentError } from '../../errors/index.ts';
import type { Accountability } from '../accountability.ts';
import { parseKey } from './item-keys.ts';
import { updateItems } from './write-items.ts';

export async function revertRevision(options: { context: Pick<Context, 'db' | 'models' | 'events'>; accountability: Accountability; revision: string }): Promise<void> {
  const { context, accountability } = options;
  if (!accountability.admin) throw new ForbiddenError({});
  const id = /^\d{1,18}$/.test(options.revision) ? options.revision : undefined;
  const revision = id === undefined ? undefined : await context.db.knex('cairn_revisions').where({ id }).first('collection', 'item', 'data');
  if (!revision) throw new ForbiddenError({});
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
  await updateItems({ context, accountability, collection: collection.name, keys: [key], data });
}
