/**
 * The config half of the database: roles, policies, role→policy access,
 * permissions, flows and extensions as rows of the cairn_* config tables.
 * Built from the model (desired) or read from the tables (actual), both as
 * plain, sorted data so they compare with ===-like equality on canonical JSON.
 */
import type { Knex } from 'knex';
import { ACTIONS, BUILTIN_ADMIN, canonicalJson, type Model } from '../model/index.ts';

export interface RoleRow {
  name: string;
  note: string | null;
  parent: string | null;
}
export interface PolicyRow {
  name: string;
  note: string | null;
  public: boolean;
  admin_access: boolean;
  app_access: boolean;
  ip_access: string[] | null;
}
export interface AccessRow {
  role: string;
  policy: string;
  sort: number;
}
export interface PermissionRow {
  policy: string;
  collection: string;
  action: string;
  fields: string[];
  filter: unknown;
  validation: unknown;
  presets: unknown;
}
export interface FlowRow {
  name: string;
  status: string;
  definition: unknown;
}
export interface ExtensionRow {
  name: string;
  type: string;
  definition: unknown;
}

export interface ConfigState {
  roles: RoleRow[];
  policies: PolicyRow[];
  access: AccessRow[];
  permissions: PermissionRow[];
  flows: FlowRow[];
  extensions: ExtensionRow[];
}

/** The built-in administrator role and policy exist in every project. */
const BUILTIN_ROLE: RoleRow = { name: BUILTIN_ADMIN, note: 'Built in: full access', parent: null };
const BUILTIN_POLICY: PolicyRow = { name: BUILTIN_ADMIN, note: 'Built in: full access', public: false, admin_access: true, app_access: true, ip_access: null };

const byName = <T extends { name: string }>(rows: T[]) => rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const byKey = <T>(key: (row: T) => string) => (rows: T[]) => rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const sortAccess = byKey<AccessRow>((r) => `${r.role}\u0000${r.policy}`);
const sortPermissions = byKey<PermissionRow>((r) => `${r.policy}\u0000${r.collection}\u0000${ACTIONS.indexOf(r.action as never)}`);

export function configStateFromModel(model: Model): ConfigState {
  const roles = [BUILTIN_ROLE, ...Object.values(model.roles).map((r) => ({ name: r.name, note: r.note, parent: r.parent }))];
  const policies = [
    BUILTIN_POLICY,
    ...Object.values(model.policies).map((p) => ({ name: p.name, note: p.note, public: p.public, admin_access: p.adminAccess, app_access: p.appAccess, ip_access: p.ipAccess })),
  ];
  const access = [
    { role: BUILTIN_ADMIN, policy: BUILTIN_ADMIN, sort: 0 },
    ...Object.values(model.roles).flatMap((r) => r.policies.map((policy, sort) => ({ role: r.name, policy, sort }))),
  ];
  const permissions = Object.values(model.policies).flatMap((p) =>
    p.permissions.map((permission) => ({
      policy: p.name,
      collection: permission.collection,
      action: permission.action,
      fields: permission.fields,
      filter: permission.filter,
      validation: permission.validation,
      presets: permission.presets,
    })),
  );
  return {
    roles: byName(roles),
    policies: byName(policies),
    access: sortAccess(access),
    permissions: sortPermissions(permissions),
    flows: byName(Object.values(model.flows).map((f) => ({ name: f.name, status: f.status, definition: JSON.parse(canonicalJson(f)) }))),
    extensions: byName(Object.values(model.extensions).map((e) => ({ name: e.name, type: e.type, definition: JSON.parse(canonicalJson(e)) }))),
  };
}

/** Reads the config tables in one statement. */
export async function readConfigState(knex: Knex | Knex.Transaction): Promise<ConfigState> {
  const { rows } = await knex.raw(`
    select
      (select coalesce(json_agg(r order by r.name), '[]') from (select name, note, parent from cairn_roles) r) as roles,
      (select coalesce(json_agg(p order by p.name), '[]') from (select name, note, public, admin_access, app_access, ip_access from cairn_policies) p) as policies,
      (select coalesce(json_agg(a order by a.role, a.policy), '[]') from (select role, policy, sort from cairn_access) a) as access,
      (select coalesce(json_agg(x), '[]') from (select policy, collection, action, fields, filter, validation, presets from cairn_permissions) x) as permissions,
      (select coalesce(json_agg(f order by f.name), '[]') from (select name, status, definition from cairn_flows) f) as flows,
      (select coalesce(json_agg(e order by e.name), '[]') from (select name, type, definition from cairn_extensions) e) as extensions`);
  const row = rows[0] as ConfigState;
  // Sorted in JS as well: json_agg's order by follows the database collation, the model's follows code points.
  return {
    roles: byName(row.roles),
    policies: byName(row.policies),
    access: sortAccess(row.access),
    permissions: sortPermissions(row.permissions),
    flows: byName(row.flows),
    extensions: byName(row.extensions),
  };
}
