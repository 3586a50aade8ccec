/**
 * The audit outbox: a promote, or the delete of an item that was promoted,
 * leaves a row in `cairn_audit_outbox` in the same transaction as the
 * change, and a NOTIFY that wakes the audit writer (src/audit), which turns
 * the rows into commits of the audit repository in order. Each commit is
 * authored by the user who made the change: a change without one (the
 * public, or a service called as adminAccountability()) is refused.
 */
import type { Context } from '../../context/index.ts';
import { ForbiddenError } from '../../errors/index.ts';
import { adminAccountability, type Accountability } from '../accountability.ts';
import type { ItemKey } from '../items/item-keys.ts';
import { readItem } from '../items/read-items.ts';

type OutboxContext = Pick<Context, 'db' | 'models' | 'events'>;

/** The audit row of a promote or of deleting a published item (see src/audit and docs/audit.md). */
export async function queueAudit(
  context: OutboxContext,
  accountability: Accountability,
  change: { action: 'promote' | 'delete'; collection: string; key: ItemKey; version?: { id: string; key: string; name: string | null } },
): Promise<void> {
  const what = change.action === 'promote' ? 'Promoting a version' : 'Deleting a published item';
  const refused = () => new ForbiddenError({ reason: `${what} is committed to the audit repository in the name of who does it: it takes a signed-in user.` });
  if (accountability.user === null) throw refused();
  const content = change.action === 'promote' ? (await readItem({ context, accountability: adminAccountability(), collection: change.collection, key: String(change.key), query: { fields: ['*'] } })).data : null;
  const message = change.action === 'promote' ? `Promote ${change.collection}/${change.key} from version "${change.version!.name ?? change.version!.key}"` : `Delete ${change.collection}/${change.key}`;
  // One statement: the author from the user row, the change's activity and revision, the applied
  // config's commit, the row itself and the NOTIFY that wakes the writer when this commits.
  const queued = (await context.db.knex.raw(
    `with u as (select email, first_name, last_name from cairn_users where id = ?),
          a as (select id from cairn_activity where collection = ? and item = ? order by id desc limit 1),
          c as (select source_commit from cairn_config order by id desc limit 1),
          i as (insert into cairn_audit_outbox (action, collection, item, content, author_name, author_email, message, trailers)
                select ?, ?, ?, ?::jsonb,
                       coalesce(nullif(concat_ws(' ', u.first_name, u.last_name), ''), u.email),
                       u.email,
                       ?,
                       jsonb_strip_nulls(jsonb_build_object(
                         'Cairn-Version', ?::text,
                         'Cairn-Revision', coalesce((select min(r.id)::text from cairn_revisions r where r.activity = (select id from a)), ''),
                         'Cairn-Activity', coalesce((select id::text from a), ''),
                         'Cairn-Config-Commit', coalesce((select source_commit from c), '')))
                  from u
                returning id)
     select pg_notify('cairn_audit', '') from i`,
    [
      accountability.user,
      change.collection,
      String(change.key),
      change.action,
      change.collection,
      String(change.key),
      content === null ? null : JSON.stringify(content),
      message,
      change.version?.id ?? null,
    ],
  )) as { rows: unknown[] };
  // No row: the user is gone (the activity's foreign key normally refuses that first).
  if (queued.rows.length === 0) throw refused();
}
