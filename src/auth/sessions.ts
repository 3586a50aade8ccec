/**
 * Login, refresh and logout. A login checks the password (argon2, also for
 * unknown emails, against a dummy hash, so timing does not tell whether an
 * email exists), counts against the login limits, and opens a session: a
 * refresh token whose sha-256 hash is a row of cairn_sessions. Refresh
 * rotates: the presented row is marked rotated and a new row joins the same
 * family; presenting a rotated token again means it leaked, and the whole
 * family is revoked. Logout deletes the family.
 */
import { randomUUID } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import type { Knex } from 'knex';
import type { Context } from '../context/index.ts';
import { InvalidCredentialsError, InvalidPayloadError, RequestsExceededError, UserSuspendedError } from '../errors/index.ts';
import { resolveAccess } from '../permissions/resolve-access.ts';
import type { RequestOrigin } from '../services/accountability.ts';
import { accessModel } from './authenticate.ts';
import { hashToken, newRefreshToken, signAccessToken, verifyAccessToken } from './tokens.ts';

type SessionContext = Pick<Context, 'settings' | 'secret' | 'db' | 'models' | 'loginLimits'>;

export const AUTH_MODES = ['json', 'cookie', 'session'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** What a login or refresh hands out; the HTTP edge decides what goes in the body and what in cookies. */
export interface IssuedTokens {
  mode: AuthMode;
  /** The access token (in session mode: the session cookie's value). */
  accessToken: string;
  /** Its lifetime in milliseconds: the response's `expires`. */
  expires: number;
  refreshToken: string;
  /** Lifetime of the refresh token (the refresh or session cookie's maxAge), in milliseconds. */
  refreshExpires: number;
}

/**
 * Verifying against this (the hash of a password nobody knows, with the
 * default parameters real hashes get) costs what a real check costs.
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$tIPcRONhfeoupoYj23zyXw$1aVEMaaGXjLkbRqu4TSlpm2+Utte7b+rZFx4D8UiXhA';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface UserRow {
  id: string;
  password: string | null;
  status: string;
  role: string | null;
  policies: string[];
}

export function parseMode(value: unknown, fallback: AuthMode): AuthMode {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !(AUTH_MODES as readonly string[]).includes(value)) {
    throw new InvalidPayloadError({ reason: '"mode" must be one of [json, cookie, session]' });
  }
  return value as AuthMode;
}

/** Which auth cookie: the refresh token (cookie mode) or the session token (session mode). */
export type AuthCookie = 'refresh' | 'session';

/**
 * The auth cookies of one HTTP request, read and written by the HTTP edge, so
 * that REST routes and GraphQL resolvers move tokens the same way without
 * seeing fastify. maxAge in milliseconds.
 */
export interface AuthCookieJar {
  get(which: AuthCookie): string | undefined;
  set(which: AuthCookie, value: string, maxAgeMs: number): void;
  clear(which: AuthCookie): void;
}

/**
 * The refresh token a refresh or logout presents, by mode: the one sent in the
 * body (json), the refresh cookie (cookie), or the `session` claim of the
 * session cookie (session). REST and GraphQL refuse a missing one alike.
 */
export async function presentedRefreshToken(
  secret: string,
  input: { mode: AuthMode; sent: unknown; refreshCookie: string | undefined; sessionCookie: string | undefined },
): Promise<string> {
  let token: string | undefined;
  if (input.mode === 'json') token = typeof input.sent === 'string' ? input.sent : undefined;
  else if (input.mode === 'cookie') token = input.refreshCookie;
  else if (input.sessionCookie) token = (await verifyAccessToken(secret, input.sessionCookie)).session;
  if (token === undefined || token === '') throw new InvalidPayloadError({ reason: 'The refresh token is required in either the payload or cookie' });
  return token;
}

export async function login(
  context: SessionContext,
  input: { email: unknown; password: unknown; mode: AuthMode; client: RequestOrigin },
): Promise<IssuedTokens> {
  const { email, password, client } = input;
  if (typeof email !== 'string' || !EMAIL.test(email)) throw new InvalidPayloadError({ reason: '"email" must be a valid email' });
  if (typeof password !== 'string' || password === '') throw new InvalidPayloadError({ reason: '"password" is required' });
  const emailKey = email.trim().toLowerCase();
  // Every attempt counts per address; only failures count per email, so a user who signs in often is never locked out.
  if (!context.loginLimits.ip.consume(client.ip ?? 'unknown') || context.loginLimits.email.exhausted(emailKey)) throw new RequestsExceededError({});

  const user = await context.db.knex<UserRow>('cairn_users').whereRaw('lower(email) = ?', [emailKey]).first('id', 'password', 'status', 'role', 'policies');
  const matches = await verify(user?.password ?? DUMMY_HASH, password).catch(() => false);
  if (!user || user.password === null || !matches || user.status !== 'active') {
    context.loginLimits.email.consume(emailKey);
    throw new InvalidCredentialsError({});
  }
  return context.db.knex.transaction(async (trx) => {
    const issued = await openSession(context, trx, { user, mode: input.mode, family: randomUUID(), client });
    await trx('cairn_users').where({ id: user.id }).update({ last_access: trx.fn.now() });
    await recordActivity(trx, 'login', user.id, client);
    return issued;
  });
}

export async function refresh(context: SessionContext, input: { refreshToken: string; mode: AuthMode; client: RequestOrigin }): Promise<IssuedTokens> {
  const hash = hashToken(input.refreshToken);
  const outcome = await context.db.knex.transaction(async (trx) => {
    const session = await trx('cairn_sessions as s')
      .join('cairn_users as u', 'u.id', 's.user_id')
      .where('s.token_hash', hash)
      .forUpdate('s')
      .first('s.family', 's.rotated_at', trx.raw('s.expires_at <= now() as expired'), 'u.id', 'u.password', 'u.status', 'u.role', 'u.policies');
    if (!session) return 'unknown' as const;
    if (session.rotated_at !== null) {
      // A rotated token came back: someone holds a copy. End every session of the family.
      await trx('cairn_sessions').where({ family: session.family }).delete();
      return 'reused' as const;
    }
    if (session.expired) {
      await trx('cairn_sessions').where({ token_hash: hash }).delete();
      return 'expired' as const;
    }
    if (session.status !== 'active') return 'suspended' as const;
    await trx('cairn_sessions').where({ token_hash: hash }).update({ rotated_at: trx.fn.now() });
    return openSession(context, trx, { user: session as UserRow, mode: input.mode, family: session.family as string, client: input.client });
  });
  if (outcome === 'suspended') throw new UserSuspendedError({});
  if (typeof outcome === 'string') throw new InvalidCredentialsError({});
  return outcome;
}

/** Ends the session family the refresh token belongs to; an unknown token ends nothing (and is no error). */
export async function logout(context: Pick<Context, 'db'>, input: { refreshToken: string; client: RequestOrigin }): Promise<void> {
  await context.db.knex.transaction(async (trx) => {
    const session = await trx('cairn_sessions').where({ token_hash: hashToken(input.refreshToken) }).first('family', 'user_id');
    if (!session) return;
    await trx('cairn_sessions').where({ family: session.family }).delete();
    await recordActivity(trx, 'logout', session.user_id as string, input.client);
  });
}

/** Deletes every session of these users (a password change, a suspension). */
export async function endSessionsOf(trx: Knex | Knex.Transaction, userIds: readonly string[]): Promise<void> {
  if (userIds.length > 0) await trx('cairn_sessions').whereIn('user_id', userIds).delete();
}

async function openSession(
  context: SessionContext,
  trx: Knex.Transaction,
  input: { user: UserRow; mode: AuthMode; family: string; client: RequestOrigin },
): Promise<IssuedTokens> {
  const { user, mode, client } = input;
  const { accessTokenTtl, refreshTokenTtl, sessionTtl } = context.settings.auth;
  const refreshToken = newRefreshToken();
  const refreshExpires = mode === 'session' ? sessionTtl : refreshTokenTtl;
  await trx('cairn_sessions').insert({
    token_hash: hashToken(refreshToken),
    user_id: user.id,
    family: input.family,
    expires_at: new Date(Date.now() + refreshExpires),
    ip: client.ip ?? null,
    user_agent: client.userAgent ?? null,
    origin: client.origin ?? null,
  });
  const access = resolveAccess(accessModel(context), { role: user.role, userPolicies: Array.isArray(user.policies) ? user.policies : [], ip: client.ip ?? null });
  const expires = mode === 'session' ? sessionTtl : accessTokenTtl;
  const accessToken = await signAccessToken(
    context.secret,
    { id: user.id, role: user.role, app_access: access.appAccess, admin_access: access.admin, ...(mode === 'session' ? { session: refreshToken } : {}) },
    expires,
  );
  return { mode, accessToken, expires, refreshToken, refreshExpires };
}

async function recordActivity(trx: Knex.Transaction, action: 'login' | 'logout', userId: string, client: RequestOrigin): Promise<void> {
  await trx('cairn_activity').insert({
    action,
    user: userId,
    ip: client.ip ?? null,
    user_agent: client.userAgent ?? null,
    origin: client.origin ?? null,
    collection: 'cairn_users',
    item: userId,
  });
}
