/**
 * The audit outbox: a promote, or the delete of an item that was promoted,
 * leaves a row in `cairn_audit_outbox` in the same transaction as the
 * change, and a NOTIFY that wakes the audit writer (src/audit), which turns
 * the rows into commits of the audit repository in order.
 */
import type { Context } from '../../context/index.ts';
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
  const knex = context.db.knex;
  const content = change.action === 'promote' ? (await readItem({ context, accountability: adminAccountability(), collection: change.collection, key: String(change.key), query: { fields: ['*'] } })).data : null;
  const user = accountability.user ? await knex('cairn_users').where({ id: accountability.user }).first('email', 'first_name', 'last_name') : undefined;
  const authorName = user ? [user.first_name, user.last_name].filter(Boolean).join(' ') || user.email : 'Cairn administrator';
  const authorEmail = user?.email ?? 'admin@cairn.invalid';
  const latest = await knex('cairn_activity').where({ collection: change.collection, item: String(change.key) }).orderBy('id', 'desc').first('id');
  const revision = latest ? await knex('cairn_revisions').where({ activity: latest.id }).orderBy('id').first('id') : undefined;
  const config = await knex('cairn_config').orderBy('id', 'desc').first('source_commit');
  const message = change.action === 'promote' ? `Promote ${change.collection}/${change.key} from version "${change.version!.name ?? change.version!.key}"` : `Delete ${change.collection}/${change.key}`;
  await knex('cairn_audit_outbox').insert({
    action: change.action,
    collection: change.collection,
    item: String(change.key),
    content: content === null ? null : JSON.stringify(content),
    author_name: authorName,
    author_email: authorEmail,
    message,
    trailers: JSON.stringify({
      ...(change.version ? { 'Cairn-Version': change.version.id } : {}),
      'Cairn-Revision': revision ? String(revision.id) : '',
      'Cairn-Activity': latest ? String(latest.id) : '',
      'Cairn-Config-Commit': config?.source_commit ?? '',
    }),
  });
  await knex.raw("select pg_notify('cairn_audit', '')");
}
