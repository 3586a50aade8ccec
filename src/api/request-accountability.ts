/**
 * The HTTP edge of identity: finds the request's token as Directus does
 * (`?access_token=`, then `Authorization: Bearer` — both at once is refused —
 * then the session cookie) and hands it to auth's authenticate(), which
 * turns it into an Accountability.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/index.ts';
import type { Context } from '../context/index.ts';
import { InvalidCredentialsError, InvalidPayloadError } from '../errors/index.ts';
import type { Accountability, RequestOrigin } from '../services/index.ts';

export function requestOrigin(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, origin: request.headers.origin ?? null };
}

/** The request's cookies, parsed once (the cookie plugin's own hook may not have run before ours). */
export function cookiesOf(server: FastifyInstance, request: FastifyRequest): Record<string, string | undefined> {
  request.cookies ??= request.headers.cookie ? server.parseCookie(request.headers.cookie) : {};
  return request.cookies;
}

export function tokenOf(server: FastifyInstance, request: FastifyRequest, sessionCookie: string): string | undefined {
  const header = request.headers.authorization;
  const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.access_token;
  const queryToken = typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
  if (bearer !== undefined && queryToken !== undefined) {
    throw new InvalidPayloadError({ reason: 'The request uses more than one method for including an access token' });
  }
  // An Authorization header Cairn cannot read is refused rather than treated as anonymous, so a typo never silently downgrades a client.
  if (bearer === undefined && header !== undefined && header.trim() !== '') throw new InvalidCredentialsError({});
  const token = queryToken ?? bearer;
  if (token !== undefined) return token;
  const cookie = cookiesOf(server, request)[sessionCookie];
  return cookie === undefined || cookie === '' ? undefined : cookie;
}

export async function accountabilityOf(server: FastifyInstance, request: FastifyRequest, context: Context): Promise<Accountability> {
  const token = tokenOf(server, request, context.settings.auth.sessionCookie.name);
  return authenticate(context, token, requestOrigin(request));
}
