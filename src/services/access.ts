/**
 * Roles, policies, access and permissions as Directus shows them, built from
 * the applied model: they are config, so the API serves them read-only
 * (through the query language, as config collections; see config-rows.ts)
 * and every write is FORBIDDEN with a reason pointing at the config
 * repository. Names are the ids. Pure, but for the reads.
 */
import type { Context } from '../context/index.ts';
import { ForbiddenError } from '../errors/index.ts';
import { BUILTIN_ADMIN, type Model, type Permission } from '../model/index.ts';
import { policyOf } from '../permissions/resolve-access.ts';
import type { FilterNode } from '../query/index.ts';
import type { Accountability } from './accountability.ts';
import { readItems, type ReadItemsResult } from './items/read-items.ts';
import { PERMISSIONS } from './system-collections.ts';

export interface RoleRecord {
  id: string;
  name: string;
  icon: null;
  description: string | null;
  parent: string | null;
}

export interface PolicyRecord {
  id: string;
  name: string;
  icon: null;
  description: string | null;
  /** Directus's list of addresses, ranges and CIDR blocks; null admits every address. */
  ip_access: string[] | null;
  enforce_tfa: false;
  admin_access: boolean;
  app_access: boolean;
  /** Cairn's: the policy applies to anonymous requests (Directus: attached to the public "role"). */
  public: boolean;
}

/** Which policies a role has, in order (Directus's directus_access rows). */
export interface AccessRecord {
  /** `<role>:<policy>`. */
  id: string;
  role: string;
  policy: string;
  sort: number;
}

export interface PermissionRecord {
  /** `<policy>:<collection>:<action>`: one rule per policy, collection and action in config. */
  id: string;
  policy: string;
  collection: string;
  action: string;
  fields: string[];
  permissions: Record<string, unknown> | null;
  validation: Record<string, unknown> | null;
  presets: Record<string, unknown> | null;
}

const ADMIN_NOTE = 'Built in: full access';

/** Every role, the built-in administrator first. */
export function roleRecords(model: Model): RoleRecord[] {
  const roles = [{ name: BUILTIN_ADMIN, note: ADMIN_NOTE, parent: null }, ...Object.values(model.roles)];
  return roles.map((role) => ({ id: role.name, name: role.name, icon: null, description: role.note, parent: role.parent }));
}

export function policyRecords(model: Model): PolicyRecord[] {
  return [BUILTIN_ADMIN, ...Object.keys(model.policies)].map((name) => {
    const policy = policyOf(model, name)!;
    return {
      id: policy.name,
      name: policy.name,
      icon: null,
      description: name === BUILTIN_ADMIN ? ADMIN_NOTE : policy.note,
      ip_access: policy.ipAccess === null ? null : [...policy.ipAccess],
      enforce_tfa: false,
      admin_access: policy.adminAccess,
      app_access: policy.appAccess,
      public: policy.public,
    };
  });
}

export function accessRecords(model: Model): AccessRecord[] {
  const roles = [{ name: BUILTIN_ADMIN, policies: [BUILTIN_ADMIN] }, ...Object.values(model.roles)];
  return roles.flatMap((role) => role.policies.map((policy, sort) => ({ id: `${role.name}:${policy}`, role: role.name, policy, sort: sort + 1 })));
}

const permissionRecord = (policy: string, permission: Permission): PermissionRecord => ({
  id: `${policy}:${permission.collection}:${permission.action}`,
  policy,
  collection: permission.collection,
  action: permission.action,
  fields: [...permission.fields],
  permissions: permission.filter,
  validation: permission.validation,
  presets: permission.presets,
});

export function permissionRecords(model: Model): PermissionRecord[] {
  return Object.values(model.policies).flatMap((policy) => policy.permissions.map((permission) => permissionRecord(policy.name, permission)));
}

/**
 * GET /permissions/me: the permission rows of the caller's own policies, as
 * stored (an admin's policy has none: it bypasses them), with the query language.
 */
export async function readMyPermissions(options: { context: Pick<Context, 'db' | 'models'>; accountability: Accountability; query: Record<string, unknown> }): Promise<ReadItemsResult> {
  const mine: FilterNode = { kind: 'compare', field: 'policy', operator: '_in', value: options.accountability.policies, type: 'string' };
  return readItems({ ...options, collection: PERMISSIONS, where: mine, system: true });
}

export type ConfigKind = 'roles' | 'policies' | 'access' | 'permissions' | 'collections' | 'fields' | 'relations' | 'flows' | 'operations';

const WHERE_IN_REPOSITORY: Record<ConfigKind, string> = {
  roles: 'Roles are managed in the config git repository (roles/*.yaml)',
  policies: 'Policies are managed in the config git repository (policies/*.yaml)',
  access: "A role's policies are managed in the config git repository (the policies of roles/*.yaml)",
  permissions: 'Permissions are managed in the config git repository (the permissions of policies/*.yaml)',
  collections: 'Collections are managed in the config git repository (collections/*.yaml)',
  fields: 'Fields are managed in the config git repository (the fields of collections/*.yaml)',
  relations: 'Relations are managed in the config git repository (the relational fields of collections/*.yaml)',
  flows: 'Flows are managed in the config git repository (flows/*.yaml)',
  operations: "A flow's operations are managed in the config git repository (the operations of flows/*.yaml)",
};

/** Any write to config (roles, policies, access, permissions, collections, fields, relations, flows, operations). */
export function refuseConfigWrite(kind: ConfigKind): never {
  throw new ForbiddenError({ reason: `${WHERE_IN_REPOSITORY[kind]}; change them there and run cairn apply. The API serves them read-only.` });
}
