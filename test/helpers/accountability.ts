/** An Accountability for a role of a model, resolved the way requests are (role chain, policies, public). */
import type { Model } from '../../src/model/index.ts';
import { resolveAccess } from '../../src/permissions/index.ts';
import type { Accountability } from '../../src/services/index.ts';

export function accountabilityAs(model: Model, who: { role: string | null; user?: string | null; policies?: string[] }): Accountability {
  const access = resolveAccess(model, { role: who.role, userPolicies: who.policies ?? [], ip: '127.0.0.1' });
  return { user: who.user ?? null, role: who.role, roles: access.roles, policies: access.policies, admin: access.admin, ip: '127.0.0.1', userAgent: null, origin: null } as Accountability;
}
