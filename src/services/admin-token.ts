/**
 * ADMIN_TOKEN, as in Directus: the static token of the admin user, not a
 * user of its own. At start-up it is stored hashed in cairn_tokens (named
 * ADMIN_TOKEN) for the user whose email is ADMIN_EMAIL, else the oldest
 * active user with the administrator role. A new value replaces the old
 * one, an unset one is removed, and with no such admin no row is left, so
 * the token is refused. Several servers starting at once serialise on an
 * advisory lock; the change NOTIFYs cairn_users like any token write.
 */
import type { Knex } from 'knex';
import { hashToken, notifyUsersChanged, userAccountability } from '../auth/index.ts';
import type { Context } from '../context/index.ts';
import { ADVISORY_LOCK_CLASS } from '../db/index.ts';
import { BUILTIN_ADMIN } from '../model/index.ts';

/** The cairn_tokens name of the ADMIN_TOKEN row; reserved (`cairn users token` refuses it). */
export const ADMIN_TOKEN_NAME = 'ADMIN_TOKEN';
/** pg_advisory lock objid of this sync (class ADVISORY_LOCK_CLASS; 1 migrations, 2 reconcile, 3 audit writer). */
export const ADMIN_TOKEN_LOCK_ID = 4;

export type AdminTokenContext = Pick<Context, 'db' | 'identity' | 'logger' | 'models' | 'settings'>;

export type AdminTokenReport =
  /** ADMIN_TOKEN is unset; `removed` rows of an earlier value were deleted. */
  | { status: 'unset'; removed: number }
  /** The token is the static token of this user (`changed`: it was not before this start). */
  | { status: 'active'; user: { id: string; email: string }; changed: boolean }
  /** No admin to give it to: the token is refused; `reason` is what the warning said. */
  | { status: 'refused'; reason: string };

interface Candidate {
  id: string;
  email: string;
  role: string | null;
  policies: string[];
  status: string;
}

export async function syncAdminToken(context: AdminTokenContext): Promise<AdminTokenReport> {
  const touched: string[] = [];
  const report = await context.db.knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?, ?)', [ADVISORY_LOCK_CLASS, ADMIN_TOKEN_LOCK_ID]);
    const outcome = await writeAdminToken(trx, context, touched);
    await notifyUsersChanged(trx, touched);
    return outcome;
  });
  for (const id of new Set(touched)) context.identity.invalidate(id);

  if (report.status === 'refused') context.logger.warn({ adminEmail: context.settings.adminEmail ?? null }, report.reason);
  else if (report.status === 'active' && report.changed) context.logger.info({ adminEmail: report.user.email }, `ADMIN_TOKEN is the static token of ${report.user.email}`);
  else if (report.status === 'unset' && report.removed > 0) context.logger.info({}, 'ADMIN_TOKEN is unset: its static token was removed');
  return report;
}

/** Under the lock: the ADMIN_TOKEN row as the settings want it; the users whose tokens changed go into `touched`. */
async function writeAdminToken(trx: Knex.Transaction, context: AdminTokenContext, touched: string[]): Promise<AdminTokenReport> {
  const { adminToken, adminEmail } = context.settings;
  const removeAdminTokens = async (keep?: { hash: string; userId: string }) => {
    const query = trx('cairn_tokens').where({ name: ADMIN_TOKEN_NAME });
    if (keep) query.andWhere((stale) => stale.whereNot('token_hash', keep.hash).orWhereNot('user_id', keep.userId));
    const removed = (await query.delete().returning('user_id')) as { user_id: string }[];
    touched.push(...removed.map((row) => row.user_id));
    return removed.length;
  };

  if (adminToken === undefined) return { status: 'unset', removed: await removeAdminTokens() };
  const admin = await findAdmin(trx, context, adminEmail);
  if ('reason' in admin) {
    await removeAdminTokens();
    return { status: 'refused', reason: admin.reason };
  }
  const hash = hashToken(adminToken);
  await removeAdminTokens({ hash, userId: admin.id });
  // The same value as someone's own static token: ADMIN_TOKEN is the admin's, so that one goes.
  const taken = (await trx('cairn_tokens')
    .where({ token_hash: hash })
    .andWhere((other) => other.whereNull('name').orWhereNot('name', ADMIN_TOKEN_NAME))
    .delete()
    .returning('user_id')) as { user_id: string }[];
  if (taken.length > 0) context.logger.warn({ users: taken.map((row) => row.user_id) }, 'ADMIN_TOKEN had the value of another static token; that token was removed');
  touched.push(...taken.map((row) => row.user_id));
  // Whatever row is left with this hash is this very one (same name, user and value): kept as it is.
  const inserted = (await trx.raw('insert into cairn_tokens (token_hash, user_id, name) values (?, ?, ?) on conflict (token_hash) do nothing returning id', [
    hash,
    admin.id,
    ADMIN_TOKEN_NAME,
  ])) as { rows: unknown[] };
  const changed = inserted.rows.length > 0;
  if (changed) touched.push(admin.id);
  return { status: 'active', user: { id: admin.id, email: admin.email }, changed };
}

/** The user ADMIN_TOKEN belongs to, or why there is none. */
async function findAdmin(trx: Knex.Transaction, context: AdminTokenContext, email: string | undefined): Promise<Candidate | { reason: string }> {
  const columns = ['id', 'email', 'role', 'policies', 'status'];
  if (email === undefined) {
    const oldest = (await trx('cairn_users').where({ role: BUILTIN_ADMIN, status: 'active' }).orderBy([{ column: 'created_at' }, { column: 'id' }]).first(columns)) as Candidate | undefined;
    return oldest ?? { reason: `ADMIN_TOKEN is set but no active user has the role "${BUILTIN_ADMIN}" (and ADMIN_EMAIL is unset): the token is not accepted` };
  }
  const user = (await trx('cairn_users').whereRaw('lower(email) = lower(?)', [email]).first(columns)) as Candidate | undefined;
  if (!user) return { reason: `ADMIN_TOKEN is set but no user has the email ADMIN_EMAIL (${email}): the token is not accepted` };
  if (user.status !== 'active') return { reason: `ADMIN_TOKEN is set but the ADMIN_EMAIL user (${user.email}) is ${user.status}: the token is not accepted` };
  const policies = Array.isArray(user.policies) ? user.policies : [];
  if (!userAccountability(context, { id: user.id, role: user.role, policies }, {}).admin) {
    return { reason: `ADMIN_TOKEN is set but the ADMIN_EMAIL user (${user.email}) is no administrator: the token is not accepted` };
  }
  return user;
}
