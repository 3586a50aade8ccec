/**
 * The auth cookies of a request as an AuthCookieJar: read from the request,
 * set and cleared on the reply with the settings' names, Secure and Domain,
 * HttpOnly, SameSite=Lax, Path=/. /auth/* and /graphql/system share it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthCookie, AuthCookieJar } from '../auth/index.ts';
import type { AuthSettings, CookieSettings } from '../context/index.ts';
import { cookiesOf } from './request-accountability.ts';

export function authCookieJar(server: FastifyInstance, request: FastifyRequest, reply: FastifyReply, settings: AuthSettings): AuthCookieJar {
  const cookieOf = (which: AuthCookie): CookieSettings => (which === 'refresh' ? settings.refreshCookie : settings.sessionCookie);
  const options = (cookie: CookieSettings) => ({ httpOnly: true, sameSite: 'lax' as const, secure: cookie.secure, path: '/', ...(cookie.domain ? { domain: cookie.domain } : {}) });
  return {
    get: (which) => cookiesOf(server, request)[cookieOf(which).name],
    set: (which, value, maxAgeMs) => {
      const cookie = cookieOf(which);
      void reply.setCookie(cookie.name, value, { ...options(cookie), maxAge: Math.floor(maxAgeMs / 1000) });
    },
    clear: (which) => {
      const cookie = cookieOf(which);
      void reply.clearCookie(cookie.name, options(cookie));
    },
  };
}
