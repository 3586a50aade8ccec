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
  ip: string | null;
  userAgent: string | null;
  origin: string | null;
}

interface RequestOrigin {
  ip?: string | null;
  userAgent?: string | null;
  origin?: string | null;
}

/** The built-in administrator: every permission check passes. */
export function adminAccountability(from: RequestOrigin = {}): Accountability {
  return { user: null, role: 'administrator', roles: ['administrator'], policies: ['administrator'], admin: true, ip: from.ip ?? null, userAgent: from.userAgent ?? null, origin: from.origin ?? null };
}

/** An anonymous request: only public permissions apply. */
export function publicAccountability(from: RequestOrigin = {}): Accountability {
  return { user: null, role: null, roles: [], policies: [], admin: false, ip: from.ip ?? null, userAgent: from.userAgent ?? null, origin: from.origin ?? null };
}
