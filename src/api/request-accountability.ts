/**
 * The HTTP edge of identity: reads the token from `Authorization: Bearer` or
 * `?access_token=` (both at once is refused, as in Directus) and turns it
 * into an Accountability. Until users and tokens land, the only token Cairn
 * knows is ADMIN_TOKEN; any other token is refused rather than treated as
 * anonymous, so a typo never silently downgrades a client.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { InvalidCredentialsError, InvalidPayloadError } from '../errors/index.ts';
import { adminAccountability, publicAccountability, type Accountability } from '../services/index.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function accountabilityOf(request: FastifyRequest, adminToken: string | undefined): Accountability {
  const header = request.headers.authorization;
  const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.access_token;
  const queryToken = typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
  if (bearer !== undefined && queryToken !== undefined) {
    throw new InvalidPayloadError({ reason: 'The request uses more than one method for including an access token' });
  }
  const origin = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, origin: request.headers.origin ?? null };
  const token = bearer ?? queryToken;
  if (token === undefined) {
    if (header !== undefined && header.trim() !== '') throw new InvalidCredentialsError({});
    return publicAccountability(origin);
  }
  // Compared as digests: constant time whatever the lengths.
  if (adminToken !== undefined && timingSafeEqual(digest(token), digest(adminToken))) return adminAccountability(origin);
  throw new InvalidCredentialsError({});
}
