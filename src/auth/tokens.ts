/**
 * Access tokens and opaque tokens. Access tokens are HS256 JWTs signed with
 * the context's secret, issuer "cairn"; refresh and static tokens are random
 * strings of which only a sha-256 hash is ever stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { InvalidTokenError, TokenExpiredError } from '../errors/index.ts';

export const TOKEN_ISSUER = 'cairn';

export interface AccessClaims {
  /** The user's id. */
  id: string;
  role: string | null;
  app_access: boolean;
  admin_access: boolean;
  /** Session mode: the session's refresh token, so the cookie alone can refresh and log out. */
  session?: string;
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function signAccessToken(secret: string, claims: AccessClaims, ttlMs: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.ceil(ttlMs / 1000))
    .sign(keyOf(secret));
}

/** Three dot-separated segments: treated as a JWT (and refused as INVALID_TOKEN unless it is one of ours). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);
}

/** Verifies signature, issuer, expiry and the claims Cairn needs: TOKEN_EXPIRED or INVALID_TOKEN otherwise. */
export async function verifyAccessToken(secret: string, token: string): Promise<AccessClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), { issuer: TOKEN_ISSUER, algorithms: ['HS256'] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenExpiredError({});
    throw new InvalidTokenError({});
  }
  const { id, role, app_access, admin_access, session } = payload;
  if (typeof id !== 'string' || (role !== null && typeof role !== 'string') || typeof app_access !== 'boolean' || typeof admin_access !== 'boolean') {
    throw new InvalidTokenError({});
  }
  if (session !== undefined && typeof session !== 'string') throw new InvalidTokenError({});
  return { id, role, app_access, admin_access, ...(session === undefined ? {} : { session }) };
}

/** A refresh token: 64 hex characters, as long as Directus's. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('hex');
}

/** A static token: 43 base64url characters (no dots, so it is never mistaken for a JWT). */
export function newStaticToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
