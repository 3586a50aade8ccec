/**
 * /auth/login, /auth/refresh, /auth/logout (Directus's shapes, contract §3):
 * the modes decide what goes in the body and what in httpOnly cookies.
 * The work is auth's login/refresh/logout; this file only moves tokens
 * between HTTP and those functions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { login, logout, parseMode, presentedRefreshToken, refresh, type AuthCookieJar, type AuthMode, type IssuedTokens } from '../../auth/index.ts';
import type { Context } from '../../context/index.ts';
import { InvalidPayloadError } from '../../errors/index.ts';
import type { Accountability } from '../../services/index.ts';
import { authCookieJar } from '../auth-cookies.ts';
import { requestOrigin } from '../request-accountability.ts';

type Body = Record<string, unknown>;

function bodyOf(request: FastifyRequest): Body {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidPayloadError({ reason: 'The body has to be a JSON object' });
  return body as Body;
}

export function registerAuthRoutes(server: FastifyInstance, context: Context, _accountability: (request: unknown) => Accountability): void {
  const jarOf = (request: FastifyRequest, reply: FastifyReply) => authCookieJar(server, request, reply, context.settings.auth);

  /** The body and cookies of a login or refresh answer, by mode. */
  const answer = (jar: AuthCookieJar, issued: IssuedTokens) => {
    switch (issued.mode) {
      case 'json':
        return { data: { access_token: issued.accessToken, refresh_token: issued.refreshToken, expires: issued.expires } };
      case 'cookie':
        jar.set('refresh', issued.refreshToken, issued.refreshExpires);
        return { data: { access_token: issued.accessToken, expires: issued.expires } };
      case 'session':
        jar.set('session', issued.accessToken, issued.refreshExpires);
        return { data: { expires: issued.expires } };
    }
  };

  /** Refresh and logout: explicit mode, else json when the body has a refresh token, else cookie. */
  const refreshTokenOf = async (jar: AuthCookieJar, body: Body): Promise<{ mode: AuthMode; token: string }> => {
    const mode = parseMode(body.mode, typeof body.refresh_token === 'string' && body.refresh_token !== '' ? 'json' : 'cookie');
    const token = await presentedRefreshToken(context.secret, { mode, sent: body.refresh_token, refreshCookie: jar.get('refresh'), sessionCookie: jar.get('session') });
    return { mode, token };
  };

  server.get('/auth', async () => ({ data: [], disableDefault: false }));

  for (const url of ['/auth/login', '/auth/login/default']) {
    server.post(url, async (request, reply) => {
      const body = bodyOf(request);
      const issued = await login(context, { email: body.email, password: body.password, mode: parseMode(body.mode, 'json'), client: requestOrigin(request) });
      return answer(jarOf(request, reply), issued);
    });
  }

  server.post('/auth/refresh', async (request, reply) => {
    const jar = jarOf(request, reply);
    const { mode, token } = await refreshTokenOf(jar, bodyOf(request));
    return answer(jar, await refresh(context, { refreshToken: token, mode, client: requestOrigin(request) }));
  });

  server.post('/auth/logout', async (request, reply) => {
    const jar = jarOf(request, reply);
    const { token } = await refreshTokenOf(jar, bodyOf(request));
    await logout(context, { refreshToken: token, client: requestOrigin(request) });
    if (jar.get('refresh') !== undefined) jar.clear('refresh');
    if (jar.get('session') !== undefined) jar.clear('session');
    return reply.status(204).send();
  });
}
