/**
 * Users: data, not config. Admins list, read, create, update and delete
 * them; anyone signed in reads and edits a few fields of their own row
 * (/users/me). Reads go through the query language on the system model,
 * so `password` and `token` read as "**********" (set) or null. Writes hash
 * passwords with argon2id, store a `token` as the sha-256 hash of a static
 * token in cairn_tokens, record activity, and NOTIFY cairn_users in the
 * same transaction so every server drops the user from its cache.
 */
import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { hashToken, notifyUsersChanged } from '../auth/index.ts';
import type { Context } from '../context/index.ts';
import { translatePgError } from '../db/index.ts';
import { ForbiddenError, InvalidCredentialsError, InvalidPayloadError, RecordNotUniqueError } from '../errors/index.ts';
import { BUILTIN_ADMIN } from '../model/index.ts';
import { policyOf } from '../permissions/resolve-access.ts';
import { adminAccountability, type Accountability } from './accountability.ts';
import { readItem, readItems, type ReadItemsResult } from './items/read-items.ts';
import { systemModel, USERS } from './system-collections.ts';

export type UsersContext = Pick<Context, 'db' | 'models' | 'identity'>;

export const USER_STATUSES = ['active', 'suspended', 'invited'] as const;
/** What PATCH /users/me may change; anything else there is FORBIDDEN. */
export const SELF_EDITABLE_FIELDS = ['first_name', 'last_name', 'email', 'password'] as const;
const WRITABLE_FIELDS = new Set(['email', 'password', 'first_name', 'last_name', 'role', 'policies', 'status', 'token']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Static tokens set through the `token` field carry this name in cairn_tokens. */
export const USER_FIELD_TOKEN_NAME = 'users.token';

function requireAdmin(accountability: Accountability): void {
  if (!accountability.admin) throw new ForbiddenError({ reason: "You don't have permission to access users." });
}

function requireUser(accountability: Accountability): string {
  if (accountability.user === null) throw new InvalidCredentialsError({});
  return accountability.user;
}

interface ReadUsersOptions {
  context: UsersContext;
  accountability: Accountability;
  query: Record<string, unknown>;
}

export async function readUsers(options: ReadUsersOptions): Promise<ReadItemsResult> {
  requireAdmin(options.accountability);
  return readItems({ ...options, collection: USERS, system: true });
}

/** One user by id; an id that does not exist is FORBIDDEN (as for items). */
export async function readUser(options: ReadUsersOptions & { key: string }): Promise<ReadItemsResult> {
  requireAdmin(options.accountability);
  return readItem({ ...options, collection: USERS, system: true });
}

/** The caller's own row (ADMIN_TOKEN's is the admin user's). Anonymous → INVALID_CREDENTIALS, as Directus answers. */
export async function readMe(options: ReadUsersOptions): Promise<ReadItemsResult> {
  const id = requireUser(options.accountability);
  return readItem({ ...options, accountability: { ...adminAccountability(options.accountability), user: id }, collection: USERS, key: id, system: true });
}

interface UserValues {
  row: Record<string, unknown>;
  /** A new static token, null to remove the user's, undefined to leave it. */
  token: string | null | undefined;
}

async function userValues(context: UsersContext, data: unknown, creating: boolean): Promise<UserValues> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new InvalidPayloadError({ reason: 'A user has to be a JSON object' });
  const input = data as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  let token: string | null | undefined;
  const model = context.models.current()?.model ?? systemModel();
  for (const [field, value] of Object.entries(input)) {
    if (field === 'id' && creating) {
      if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidPayloadError({ reason: '"id" has to be a UUID' });
      row.id = value;
      continue;
    }
    if (!WRITABLE_FIELDS.has(field)) throw new InvalidPayloadError({ reason: `"${field}" cannot be written` });
    switch (field) {
      case 'email':
        if (typeof value !== 'string' || !EMAIL.test(value.trim())) throw new InvalidPayloadError({ reason: '"email" must be a valid email' });
        row.email = value.trim();
        break;
      case 'password':
        if (value !== null && (typeof value !== 'string' || value === '')) throw new InvalidPayloadError({ reason: '"password" has to be a non-empty string or null' });
        row.password = value === null ? null : await hash(value as string);
        break;
      case 'first_name':
      case 'last_name':
        if (value !== null && typeof value !== 'string') throw new InvalidPayloadError({ reason: `"${field}" has to be a string or null` });
        row[field] = value;
        break;
      case 'role':
        if (value !== null && (typeof value !== 'string' || (value !== BUILTIN_ADMIN && model.roles[value] === undefined))) {
          throw new InvalidPayloadError({ reason: `"role" has to be null, "${BUILTIN_ADMIN}" or a role of the applied config, not ${JSON.stringify(value)}` });
        }
        row.role = value;
        break;
      case 'policies':
        if (!Array.isArray(value) || value.some((name) => typeof name !== 'string' || policyOf(model, name) === undefined)) {
          throw new InvalidPayloadError({ reason: '"policies" has to be a list of policy names of the applied config' });
        }
        row.policies = JSON.stringify([...new Set(value as string[])]);
        break;
      case 'status':
        if (typeof value !== 'string' || !(USER_STATUSES as readonly string[]).includes(value)) {
          throw new InvalidPayloadError({ reason: `"status" has to be one of ${USER_STATUSES.join(', ')}` });
        }
        row.status = value;
        break;
      case 'token':
        if (value !== null && (typeof value !== 'string' || value.length < 16 || /\s|\./.test(value))) {
          throw new InvalidPayloadError({ reason: '"token" has to be null or a string of at least 16 characters without spaces or dots' });
        }
        token = value as string | null;
        break;
    }
  }
  if (creating && typeof row.email !== 'string') throw new InvalidPayloadError({ reason: '"email" is required' });
  return { row, token };
}

/** Replaces the user's field-set static token (the row users.token points at). */
async function setFieldToken(trx: Knex.Transaction, userId: string, token: string | null): Promise<void> {
  const current = await trx('cairn_users').where({ id: userId }).first('token');
  if (current === undefined) return;
  await trx('cairn_users').where({ id: userId }).update({ token: null });
  if (current.token !== null) await trx('cairn_tokens').where({ id: current.token }).delete();
  if (token === null) return;
  const id = randomUUID();
  await trx('cairn_tokens').insert({ id, token_hash: hashToken(token), user_id: userId, name: USER_FIELD_TOKEN_NAME });
  await trx('cairn_users').where({ id: userId }).update({ token: id });
}

async function recordUserActivity(trx: Knex.Transaction, accountability: Accountability, action: 'create' | 'update' | 'delete', keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await trx('cairn_activity').insert(
    // A user who deletes themselves is no longer there to be named (the foreign key would refuse it).
    keys.map((key) => ({ action, user: action === 'delete' && keys.includes(accountability.user ?? '') ? null : accountability.user, ip: accountability.ip, user_agent: accountability.userAgent, origin: accountability.origin, collection: USERS, item: key })),
  );
}

/** A write in one transaction, NOTIFY included; the cache of this process is dropped right after commit. */
async function writeUsers<T>(context: UsersContext, work: (trx: Knex.Transaction, touched: string[]) => Promise<T>): Promise<T> {
  const touched: string[] = [];
  try {
    const result = await context.db.knex.transaction(async (trx) => {
      const value = await work(trx, touched);
      await notifyUsersChanged(trx, touched);
      return value;
    });
    for (const id of touched) context.identity.invalidate(id);
    return result;
  } catch (error) {
    const pg = error as { code?: string; table?: string };
    if (pg?.code === '23505' && pg.table === 'cairn_tokens') throw new RecordNotUniqueError({ collection: USERS, field: 'token' });
    throw translatePgError(error, { collection: USERS, primaryKey: 'id' }) ?? error;
  }
}

interface WriteOptions {
  context: UsersContext;
  accountability: Accountability;
}

export async function createUsers(options: WriteOptions & { items: readonly unknown[] }): Promise<string[]> {
  const { context, accountability } = options;
  requireAdmin(accountability);
  const values = await Promise.all(options.items.map((item) => userValues(context, item, true)));
  return writeUsers(context, async (trx, touched) => {
    for (const { row, token } of values) {
      const [inserted] = (await trx('cairn_users').insert(row).returning('id')) as { id: string }[];
      touched.push(inserted!.id);
      if (token) await setFieldToken(trx, inserted!.id, token);
    }
    await recordUserActivity(trx, accountability, 'create', touched);
    return [...touched];
  });
}

export async function updateUsers(options: WriteOptions & { keys: readonly string[]; data: unknown }): Promise<string[]> {
  requireAdmin(options.accountability);
  return update(options);
}

async function update(options: WriteOptions & { keys: readonly string[]; data: unknown }): Promise<string[]> {
  const { context, accountability } = options;
  const { row, token } = await userValues(context, options.data, false);
  const keys = options.keys.filter((key) => UUID.test(key));
  return writeUsers(context, async (trx, touched) => {
    const found = (await trx('cairn_users').whereIn('id', keys).select('id')) as { id: string }[];
    touched.push(...found.map((user) => user.id));
    if (touched.length === 0) return [];
    if (Object.keys(row).length > 0) await trx('cairn_users').whereIn('id', touched).update({ ...row, updated_at: trx.fn.now() });
    if (token !== undefined) for (const id of touched) await setFieldToken(trx, id, token);
    await recordUserActivity(trx, accountability, 'update', touched);
    return [...touched];
  });
}

export async function deleteUsers(options: WriteOptions & { keys: readonly string[] }): Promise<void> {
  const { context, accountability } = options;
  requireAdmin(accountability);
  const keys = options.keys.filter((key) => UUID.test(key));
  await writeUsers(context, async (trx, touched) => {
    const deleted = (await trx('cairn_users').whereIn('id', keys).delete().returning('id')) as { id: string }[];
    touched.push(...deleted.map((user) => user.id));
    await recordUserActivity(trx, accountability, 'delete', touched);
  });
}

/** PATCH /users/me: only the fields in SELF_EDITABLE_FIELDS; role, policies, status, token → FORBIDDEN. */
export async function updateMe(options: WriteOptions & { data: unknown }): Promise<string> {
  const id = requireUser(options.accountability);
  const data = options.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const field of Object.keys(data)) {
      if (!(SELF_EDITABLE_FIELDS as readonly string[]).includes(field)) {
        throw new ForbiddenError({ reason: `You don't have permission to change "${field}" of your own user; only ${SELF_EDITABLE_FIELDS.join(', ')}.` });
      }
    }
  }
  await update({ ...options, keys: [id] });
  return id;
}
