/**
 * Roles, policies and permissions as the API shows them (Directus's
 * shapes), from the applied model: they are config, so every write is
 * FORBIDDEN with a reason pointing at the config repository. Admins see
 * everything; anyone else sees the roles and policies of their own
 * accountability, and those policies' permission rows.
 */
import type { Context } from '../context/index.ts';
import { ForbiddenError } from '../errors/index.ts';
import { BUILTIN_ADMIN, type Model, type Permission, type Policy } from '../model/index.ts';
import { policyOf } from '../permissions/resolve-access.ts';
import type { Accountability } from './accountability.ts';
import { systemModel } from './system-collections.ts';

type AccessContext = Pick<Context, 'models'>;
export type AccessKind = 'roles' | 'policies' | 'permissions';

export interface RoleRecord {
  id: string;
  name: string;
  icon: null;
  description: string | null;
  parent: string | null;
  children: string[];
  policies: string[];
}

export interface PolicyRecord {
  id: string;
  name: string;
  icon: null;
  description: string | null;
  /** Directus's csv of addresses, ranges and CIDR blocks; null admits every address. */
  ip_access: string | null;
  enforce_tfa: false;
  admin_access: boolean;
  app_access: boolean;
  /** Cairn's: the policy applies to anonymous requests (Directus: attached to the public "role"). */
  public: boolean;
  roles: string[];
  permissions: string[];
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

const modelOf = (context: AccessContext): Model => context.models.current()?.model ?? systemModel();

function allRoles(model: Model): RoleRecord[] {
  const roles = [{ name: BUILTIN_ADMIN, note: 'Built in: full access', parent: null, policies: [BUILTIN_ADMIN] }, ...Object.values(model.roles)];
  return roles.map((role) => ({
    id: role.name,
    name: role.name,
    icon: null,
    description: role.note,
    parent: role.parent,
    children: roles.filter((child) => child.parent === role.name).map((child) => child.name),
    policies: [...role.policies],
  }));
}

function allPolicies(model: Model): PolicyRecord[] {
  const policies: Policy[] = [policyOf(model, BUILTIN_ADMIN)!, ...Object.values(model.policies)];
  return policies.map((policy) => ({
    id: policy.name,
    name: policy.name,
    icon: null,
    description: policy.name === BUILTIN_ADMIN ? 'Built in: full access' : policy.note,
    ip_access: policy.ipAccess === null ? null : policy.ipAccess.join(','),
    enforce_tfa: false,
    admin_access: policy.adminAccess,
    app_access: policy.appAccess,
    public: policy.public,
    roles: policy.name === BUILTIN_ADMIN ? [BUILTIN_ADMIN] : Object.values(model.roles).filter((role) => role.policies.includes(policy.name)).map((role) => role.name),
    permissions: policy.permissions.map((permission) => permissionId(policy.name, permission)),
  }));
}

const permissionId = (policy: string, permission: Permission) => `${policy}:${permission.collection}:${permission.action}`;

function permissionsOf(model: Model, policies: readonly string[]): PermissionRecord[] {
  return policies.flatMap((name) =>
    (policyOf(model, name)?.permissions ?? []).map((permission) => ({
      id: permissionId(name, permission),
      policy: name,
      collection: permission.collection,
      action: permission.action,
      fields: [...permission.fields],
      permissions: permission.filter,
      validation: permission.validation,
      presets: permission.presets,
    })),
  );
}

function one<T extends { id: string }>(records: T[], key: string, kind: AccessKind): { data: T } {
  const found = records.find((record) => record.id === key);
  if (!found) throw new ForbiddenError({ reason: `You don't have permission to access this item of ${kind} or it does not exist.` });
  return { data: found };
}

interface ReadOptions {
  context: AccessContext;
  accountability: Accountability;
  key?: string;
}

export function readRoles(options: ReadOptions): { data: RoleRecord[] | RoleRecord } {
  const { accountability } = options;
  const records = allRoles(modelOf(options.context)).filter((role) => accountability.admin || accountability.roles.includes(role.name));
  return options.key === undefined ? { data: records } : one(records, options.key, 'roles');
}

export function readPolicies(options: ReadOptions): { data: PolicyRecord[] | PolicyRecord } {
  const { accountability } = options;
  const records = allPolicies(modelOf(options.context)).filter((policy) => accountability.admin || accountability.policies.includes(policy.name));
  return options.key === undefined ? { data: records } : one(records, options.key, 'policies');
}

export function readPermissions(options: ReadOptions): { data: PermissionRecord[] | PermissionRecord } {
  const { accountability } = options;
  const model = modelOf(options.context);
  const policies = accountability.admin ? [BUILTIN_ADMIN, ...Object.keys(model.policies)] : accountability.policies;
  const records = permissionsOf(model, policies);
  return options.key === undefined ? { data: records } : one(records, options.key, 'permissions');
}

/** GET /permissions/me: the permission rows of the caller's own policies (an admin's policy has none: it bypasses them). */
export function readMyPermissions(options: ReadOptions): { data: PermissionRecord[] } {
  return { data: permissionsOf(modelOf(options.context), options.accountability.policies) };
}

const WHERE_IN_REPOSITORY: Record<AccessKind, string> = {
  roles: 'Roles are managed in the config git repository (roles/*.yaml)',
  policies: 'Policies are managed in the config git repository (policies/*.yaml)',
  permissions: 'Permissions are managed in the config git repository (the permissions of policies/*.yaml)',
};

/** Any write to roles, policies or permissions. */
export function refuseAccessWrite(kind: AccessKind): never {
  throw new ForbiddenError({ reason: `${WHERE_IN_REPOSITORY[kind]}; change them there and run cairn apply. The API serves them read-only.` });
}
