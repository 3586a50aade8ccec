/**
 * /auth/login, /auth/refresh, /auth/logout (Directus's shapes, contract §3):
 * the modes decide what goes in the body and what in httpOnly cookies.
 * The work is auth's login/refresh/logout; this file only moves tokens
 * between HTTP and those functions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { login, logout, parseMode, refresh, verifyAccessToken, type AuthMode, type IssuedTokens } from '../../auth/index.ts';
import type { Context, CookieSettings } from '../../context/index.ts';
import { InvalidPayloadError } from '../../errors/index.ts';
import type { Accountability } from '../../services/index.ts';
import { cookiesOf, requestOrigin } from '../request-accountability.ts';

type Body = Record<string, unknown>;

function bodyOf(request: FastifyRequest): Body {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: 'The body has to be a JSON object' });
  return body as Body;
}

export function registerAuthRoutes(server: FastifyInstance, context: Context, _accountability: (request: unknown) => Accountability): void {
  const { refreshCookie, sessionCookie } = context.settings.auth;

  const setCookie = (reply: FastifyReply, cookie: CookieSettings, value: string, maxAgeMs: number) =>
    reply.setCookie(cookie.name, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: cookie.secure,
      path: '/',
      maxAge: Math.floor(maxAgeMs / 1000),
      ...(cookie.domain ? { domain: cookie.domain } : {}),
    });
  const clearCookie = (reply: FastifyReply, cookie: CookieSettings) =>
    reply.clearCookie(cookie.name, { httpOnly: true, sameSite: 'lax', secure: cookie.secure, path: '/', ...(cookie.domain ? { domain: cookie.domain } : {}) });

  /** The body and cookies of a login or refresh answer, by mode. */
  const answer = (reply: FastifyReply, issued: IssuedTokens) => {
    switch (issued.mode) {
      case 'json':
        return { data: { access_token: issued.accessToken, refresh_token: issued.refreshToken, expires: issued.expires } };
      case 'cookie':
        setCookie(reply, refreshCookie, issued.refreshToken, issued.refreshExpires);
        return { data: { access_token: issued.accessToken, expires: issued.expires } };
      case 'session':
        setCookie(reply, sessionCookie, issued.accessToken, issued.refreshExpires);
        return { data: { expires: issued.expires } };
    }
  };

  /** Refresh and logout: explicit mode, else json when the body has a refresh token, else cookie. */
  const refreshTokenOf = async (request: FastifyRequest, body: Body): Promise<{ mode: AuthMode; token: string }> => {
    const mode = parseMode(body.mode, typeof body.refresh_token === 'string' && body.refresh_token !== '' ? 'json' : 'cookie');
    let token: string | undefined;
    if (mode === 'json') token = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
    else if (mode === 'cookie') token = cookiesOf(server, request)[refreshCookie.name];
    else {
      const jwt = cookiesOf(server, request)[sessionCookie.name];
      if (jwt) token = (await verifyAccessToken(context.secret, jwt)).session;
    }
    if (token === undefined || token === '') throw new InvalidPayloadError({ reason: 'The refresh token is required in either the payload or cookie' });
    return { mode, token };
  };

  server.get('/auth', async () => ({ data: [], disableDefault: false }));

  for (const url of ['/auth/login', '/auth/login/default']) {
    server.post(url, async (request, reply) => {
      const body = bodyOf(request);
      const issued = await login(context, { email: body.email, password: body.password, mode: parseMode(body.mode, 'json'), client: requestOrigin(request) });
      return answer(reply, issued);
    });
  }

  server.post('/auth/refresh', async (request, reply) => {
    const { mode, token } = await refreshTokenOf(request, bodyOf(request));
    return answer(reply, await refresh(context, { refreshToken: token, mode, client: requestOrigin(request) }));
  });

  server.post('/auth/logout', async (request, reply) => {
    const { token } = await refreshTokenOf(request, bodyOf(request));
    await logout(context, { refreshToken: token, client: requestOrigin(request) });
    const cookies = cookiesOf(server, request);
    if (cookies[refreshCookie.name] !== undefined) clearCookie(reply, refreshCookie);
    if (cookies[sessionCookie.name] !== undefined) clearCookie(reply, sessionCookie);
    return reply.status(204).send();
  });
}
