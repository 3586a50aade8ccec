/** Public face of identity: access tokens, the identity cache, login limits, authentication and sessions. */
export { createIdentityCache, notifyUsersChanged, USERS_CHANNEL, type CachedStaticToken, type CachedUser, type IdentityCache } from './identity-cache.ts';
export { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
export { hashToken, looksLikeJwt, newRefreshToken, newStaticToken, signAccessToken, TOKEN_ISSUER, verifyAccessToken, type AccessClaims } from './tokens.ts';
export { accessModel, anonymousAccountability, authenticate, TOKEN_TOUCH_INTERVAL_MS, userAccountability } from './authenticate.ts';
export { AUTH_MODES, endSessionsOf, login, logout, parseMode, presentedRefreshToken, refresh, type AuthCookie, type AuthCookieJar, type AuthMode, type IssuedTokens } from './sessions.ts';
