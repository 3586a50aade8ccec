/**
 * From a request's token to its Accountability. No token: the public, with
 * the applied model's public policies. A JWT: verified (INVALID_TOKEN /
 * TOKEN_EXPIRED), its user looked up in the identity cache and required
 * active. Anything else is a static token, looked up by its sha-256 hash
 * (ADMIN_TOKEN too: start-up stores it as the admin user's). Unknown or
 * dead → INVALID_CREDENTIALS. So every authenticated request is a user.
 * Never sees fastify: the HTTP edge extracts the token.
 */
import type { Context } from '../context/index.ts';
import { InvalidCredentialsError } from '../errors/index.ts';
import type { Model } from '../model/index.ts';
import { resolveAccess } from '../permissions/resolve-access.ts';
// The leaf module, not services/index.ts: the users service imports auth, and this keeps the graph acyclic.
import type { Accountability, RequestOrigin } from '../services/accountability.ts';
import { systemModel } from '../services/system-collections.ts';
import type { CachedUser } from './identity-cache.ts';
import { hashToken, looksLikeJwt, verifyAccessToken } from './tokens.ts';

type AuthContext = Pick<Context, 'secret' | 'db' | 'models' | 'identity'>;

/** last_used_at of a static token is written at most this often. */
export const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** The model access is resolved against; before the first apply only the built-in administrator counts. */
export function accessModel(context: Pick<Context, 'models'>): Model {
  return context.models.current()?.model ?? systemModel();
}

/** Anonymous: the public policies of the applied model. */
export function anonymousAccountability(context: Pick<Context, 'models'>, origin: RequestOrigin): Accountability {
  const access = resolveAccess(accessModel(context), { role: null, userPolicies: [], ip: origin.ip ?? null });
  return { user: null, role: null, ...access, ip: origin.ip ?? null, userAgent: origin.userAgent ?? null, origin: origin.origin ?? null };
}

/** A user's accountability under the current model (its role chain, policies and flags). */
export function userAccountability(context: Pick<Context, 'models'>, user: Pick<CachedUser, 'id' | 'role' | 'policies'>, origin: RequestOrigin): Accountability {
  const access = resolveAccess(accessModel(context), { role: user.role, userPolicies: user.policies, ip: origin.ip ?? null });
  return { user: user.id, role: user.role, ...access, ip: origin.ip ?? null, userAgent: origin.userAgent ?? null, origin: origin.origin ?? null };
}

export async function authenticate(context: AuthContext, token: string | undefined, origin: RequestOrigin): Promise<Accountability> {
  if (token === undefined) return anonymousAccountability(context, origin);
  if (looksLikeJwt(token)) {
    const claims = await verifyAccessToken(context.secret, token);
    const user = await activeUser(context, claims.id);
    if (claims.session !== undefined) {
      // A session-mode token lives only as long as its session: logout ends it.
      const { rows } = await context.db.query('select 1 from cairn_sessions where token_hash = $1 and expires_at > now()', [hashToken(claims.session)]);
      if (rows.length === 0) throw new InvalidCredentialsError({});
    }
    return userAccountability(context, user, origin);
  }

  const hash = hashToken(token);
  const found = await context.identity.staticToken(hash);
  if (found === null || (found.expiresAt !== null && found.expiresAt <= Date.now())) throw new InvalidCredentialsError({});
  const user = await activeUser(context, found.userId);
  const now = Date.now();
  if (now - found.touchedAt >= TOKEN_TOUCH_INTERVAL_MS) {
    found.touchedAt = now;
    await context.db.query('update cairn_tokens set last_used_at = now() where id = $1', [found.id]);
  }
  return userAccountability(context, user, origin);
}

async function activeUser(context: AuthContext, id: string): Promise<CachedUser> {
  const user = await context.identity.user(id);
  if (user === null || user.status !== 'active') throw new InvalidCredentialsError({});
  return user;
}
