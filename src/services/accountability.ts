/**
 * Who is asking. Every service call takes one; the HTTP edge builds it once
 * per request. Acting as the administrator is a named function, so every
 * place that does it can be found with grep.
 */

export interface Accountability {
  /** The user's id, or null for the public (anonymous requests). */
  user: string | null;
  role: string | null;
  /** Roles from the user's up through its parents, and the policies they grant (filled in with authentication). */
  roles: string[];
  policies: string[];
  admin: boolean;
  /** Any of the policies grants app access (admin implies it). */
  appAccess: boolean;
  ip: string | null;
  userAgent: string | null;
  origin: string | null;
}

/** Where a request came from, as recorded in activity rows and sessions. */
export interface RequestOrigin {
  ip?: string | null;
  userAgent?: string | null;
  origin?: string | null;
}

/** The built-in administrator: every permission check passes. */
export function adminAccountability(from: RequestOrigin = {}): Accountability {
  return { user: null, role: 'administrator', roles: ['administrator'], policies: ['administrator'], admin: true, appAccess: true, ip: from.ip ?? null, userAgent: from.userAgent ?? null, origin: from.origin ?? null };
}

/**
 * An anonymous request with no policies at all. The HTTP edge gives anonymous
 * requests the public policies of the applied model (see auth/authenticate.ts);
 * this bare form is for callers outside a request.
 */
export function publicAccountability(from: RequestOrigin = {}): Accountability {
  return { user: null, role: null, roles: [], policies: [], admin: false, appAccess: false, ip: from.ip ?? null, userAgent: from.userAgent ?? null, origin: from.origin ?? null };
}
