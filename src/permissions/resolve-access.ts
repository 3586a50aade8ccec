/**
 * Who a request is, in terms of the applied model: the role chain (the
 * user's role up through its parents), the policies that apply (the user's
 * own, then each role's; the public policies when there is no role) minus
 * those whose `ipAccess` does not admit the client, and the global flags
 * those policies grant. Pure: the model and the user's row in, names out.
 */
import { BlockList, isIP } from 'node:net';
import { BUILTIN_ADMIN, type Model, type Policy } from '../model/index.ts';

export interface AccessInput {
  /** The user's role, or null (anonymous, or a user without a role). */
  role: string | null;
  /** Policies granted to the user directly. */
  userPolicies: readonly string[];
  /** The client's address; policies with ipAccess never apply without one. */
  ip: string | null;
}

export interface ResolvedAccess {
  roles: string[];
  policies: string[];
  admin: boolean;
  appAccess: boolean;
}

/** The built-in administrator policy (adminAccess), which config cannot declare. */
const BUILTIN_ADMIN_POLICY: Policy = { name: BUILTIN_ADMIN, note: null, public: false, adminAccess: true, appAccess: true, ipAccess: null, permissions: [] };

/** A policy by name: a declared one, or the built-in administrator. */
export function policyOf(model: Model, name: string): Policy | undefined {
  return name === BUILTIN_ADMIN ? BUILTIN_ADMIN_POLICY : model.policies[name];
}

export function resolveAccess(model: Model, input: AccessInput): ResolvedAccess {
  const roles: string[] = [];
  // Parents up to the root; a cycle cannot pass config validation, the guard only bounds the walk.
  for (let role = input.role; role !== null && !roles.includes(role); role = model.roles[role]?.parent ?? null) {
    if (role !== BUILTIN_ADMIN && model.roles[role] === undefined) break; // a role the applied config no longer has grants nothing
    roles.push(role);
  }
  const names: string[] = [...input.userPolicies];
  for (const role of roles) names.push(...(role === BUILTIN_ADMIN ? [BUILTIN_ADMIN] : model.roles[role]!.policies));
  if (roles.length === 0) for (const policy of Object.values(model.policies)) if (policy.public) names.push(policy.name);
  const policies: string[] = [];
  for (const name of names) {
    const policy = policyOf(model, name);
    if (policy === undefined || policies.includes(name)) continue;
    if (policy.ipAccess !== null && !ipAllowed(policy.ipAccess, input.ip)) continue;
    policies.push(name);
  }
  const admin = policies.some((name) => policyOf(model, name)!.adminAccess);
  return { roles, policies, admin, appAccess: admin || policies.some((name) => policyOf(model, name)!.appAccess) };
}

/** Addresses, CIDR blocks and `a-b` ranges, IPv4 or IPv6 (IPv4-mapped IPv6 clients count as IPv4). */
export function ipAllowed(entries: readonly string[], ip: string | null): boolean {
  if (ip === null) return false;
  const client = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(client);
  if (family === 0) return false;
  const list = new BlockList();
  const type = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
  for (const entry of entries) {
    // An entry that is not an address, block or range admits no one (BlockList throws on it).
    try {
      const [address, prefix] = entry.split('/');
      if (prefix !== undefined) list.addSubnet(address!, Number(prefix), type(address!));
      else if (entry.includes('-')) {
        const [from, to] = entry.split('-').map((part) => part.trim());
        list.addRange(from!, to!, type(from!));
      } else list.addAddress(entry.trim(), type(entry.trim()));
    } catch {
      continue;
    }
  }
  return list.check(client, family === 6 ? 'ipv6' : 'ipv4');
}
