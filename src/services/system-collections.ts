/**
 * Cairn's own records that the API serves with the query language,
 * described as model collections so that the same parser and compiler serve
 * them: tables in the default schema (activity and revisions read-only,
 * versions, users through the users service), and the config the applied
 * model holds (roles, policies, access, permissions, collections, fields,
 * relations), whose rows the services give the compiler (see config-records.ts).
 */
import type { Collection, Field, Model, Relation } from '../model/index.ts';

function field(name: string, type: Field['type'], dbType: string | null, relation: Relation | null = null): Field {
  return {
    name, type, dbType, required: false, nullable: true, unique: false, maxLength: null, precision: null, scale: null,
    enum: null, note: null, special: null, index: false, renamedFrom: null, relation,
  };
}

// Integers in the API, as Directus shows activity and revision ids.
const BIGINT_KEY: Collection['primaryKey'] = { field: 'id', type: 'integer', dbType: 'bigint' };

function collection(name: string, fields: Field[], primaryKey: Collection['primaryKey'] = BIGINT_KEY): Collection {
  return {
    name,
    note: null,
    primaryKey,
    singleton: false,
    sortField: null,
    archive: null,
    versioning: false,
    accountability: 'none',
    renamedFrom: null,
    junction: false,
    fields: Object.fromEntries(fields.map((f) => [f.name, f])),
  };
}

export const ACTIVITY = 'cairn_activity';
export const REVISIONS = 'cairn_revisions';
export const USERS = 'cairn_users';
export const VERSIONS = 'cairn_versions';
export const ROLES = 'cairn_roles';
export const POLICIES = 'cairn_policies';
export const ACCESS = 'cairn_access';
export const PERMISSIONS = 'cairn_permissions';
export const COLLECTIONS = 'cairn_collections';
export const FIELDS = 'cairn_fields';
export const RELATIONS = 'cairn_relations';
export const FLOWS = 'cairn_flows';
export const OPERATIONS = 'cairn_operations';
export const FLOW_RUNS = 'cairn_flow_runs';

/** Collections served from the applied model: config, read-only over the API. */
export const CONFIG_COLLECTIONS = [ROLES, POLICIES, ACCESS, PERMISSIONS, COLLECTIONS, FIELDS, RELATIONS, FLOWS, OPERATIONS] as const;
export type ConfigCollection = (typeof CONFIG_COLLECTIONS)[number];
export const isConfigCollection = (name: string): name is ConfigCollection => (CONFIG_COLLECTIONS as readonly string[]).includes(name);

/**
 * The key of fields and relations, which Directus shows without one: their position in the
 * model, so that they read in model order. Nobody may name it; `*` leaves it out.
 */
export const POSITION_KEY = '_position';
const NAME_KEY: Collection['primaryKey'] = { field: 'id', type: 'string', dbType: 'text' };
const POSITION: Collection['primaryKey'] = { field: POSITION_KEY, type: 'integer', dbType: 'integer' };

/** A model holding only the system collections; its schema is the default one. */
export function systemModel(): Model {
  return {
    version: 1,
    project: { name: 'cairn', note: null, schema: 'public', audit: { repository: '', remote: null, branch: 'main', push: false }, environments: [], environment: null },
    collections: {
      [ACTIVITY]: collection(ACTIVITY, [
        field('action', 'string', 'varchar(255)'),
        field('user', 'uuid', 'uuid'),
        field('timestamp', 'timestamp', 'timestamptz'),
        field('ip', 'string', 'varchar(255)'),
        field('user_agent', 'text', 'text'),
        field('origin', 'text', 'text'),
        field('collection', 'string', 'varchar(255)'),
        field('item', 'string', 'varchar(255)'),
        field('comment', 'text', 'text'),
        field('revisions', 'o2m', null, { kind: 'o2m', related: REVISIONS, foreignKey: 'activity' }),
      ]),
      [REVISIONS]: collection(REVISIONS, [
        field('activity', 'm2o', 'bigint', { kind: 'm2o', related: ACTIVITY, onDelete: 'cascade' }),
        field('collection', 'string', 'varchar(255)'),
        field('item', 'string', 'varchar(255)'),
        field('data', 'json', 'jsonb'),
        field('delta', 'json', 'jsonb'),
        field('parent', 'm2o', 'bigint', { kind: 'm2o', related: REVISIONS, onDelete: 'set null' }),
        field('version', 'uuid', 'uuid'),
      ]),
      [VERSIONS]: collection(VERSIONS, [
        field('key', 'string', 'text'),
        field('name', 'string', 'text'),
        field('collection', 'string', 'text'),
        field('item', 'string', 'text'),
        field('hash', 'string', 'text'),
        field('delta', 'json', 'jsonb'),
        field('base_revision', 'integer', 'bigint'),
        field('created_at', 'timestamp', 'timestamptz'),
        field('created_by', 'uuid', 'uuid'),
        field('updated_at', 'timestamp', 'timestamptz'),
        field('updated_by', 'uuid', 'uuid'),
      ], { field: 'id', type: 'uuid', dbType: 'uuid' }),
      // `password` and `token` are hashes: they read as "**********" when set, never as their value.
      [USERS]: collection(USERS, [
        field('email', 'string', 'text'),
        field('password', 'hash', 'text'),
        field('first_name', 'string', 'text'),
        field('last_name', 'string', 'text'),
        field('role', 'string', 'text'),
        field('policies', 'json', 'jsonb'),
        field('status', 'string', 'text'),
        field('token', 'hash', 'uuid'),
        field('last_access', 'timestamp', 'timestamptz'),
        field('created_at', 'timestamp', 'timestamptz'),
        field('updated_at', 'timestamp', 'timestamptz'),
      ], { field: 'id', type: 'uuid', dbType: 'uuid' }),
      // Config, in Directus's shapes; names are the ids. Their JSON is json, not jsonb, to keep its key order.
      [ROLES]: collection(ROLES, [
        field('name', 'string', 'text'),
        field('icon', 'string', 'text'),
        field('description', 'text', 'text'),
        field('parent', 'm2o', 'text', { kind: 'm2o', related: ROLES, onDelete: 'set null' }),
        field('children', 'o2m', null, { kind: 'o2m', related: ROLES, foreignKey: 'parent' }),
        field('policies', 'o2m', null, { kind: 'o2m', related: ACCESS, foreignKey: 'role' }),
        field('users', 'o2m', null, { kind: 'o2m', related: USERS, foreignKey: 'role' }),
      ], NAME_KEY),
      [POLICIES]: collection(POLICIES, [
        field('name', 'string', 'text'),
        field('icon', 'string', 'text'),
        field('description', 'text', 'text'),
        field('ip_access', 'csv', 'text[]'),
        field('enforce_tfa', 'boolean', 'boolean'),
        field('admin_access', 'boolean', 'boolean'),
        field('app_access', 'boolean', 'boolean'),
        // Cairn's: the policy applies to anonymous requests (Directus: an access row with neither role nor user).
        field('public', 'boolean', 'boolean'),
        field('roles', 'o2m', null, { kind: 'o2m', related: ACCESS, foreignKey: 'policy' }),
        field('permissions', 'o2m', null, { kind: 'o2m', related: PERMISSIONS, foreignKey: 'policy' }),
      ], NAME_KEY),
      // Which policies a role has, in order (Directus's directus_access); id `<role>:<policy>`.
      [ACCESS]: collection(ACCESS, [
        field('role', 'm2o', 'text', { kind: 'm2o', related: ROLES, onDelete: 'cascade' }),
        field('policy', 'm2o', 'text', { kind: 'm2o', related: POLICIES, onDelete: 'cascade' }),
        field('sort', 'integer', 'integer'),
      ], NAME_KEY),
      // One per policy, collection and action in config; id `<policy>:<collection>:<action>`.
      [PERMISSIONS]: collection(PERMISSIONS, [
        field('policy', 'm2o', 'text', { kind: 'm2o', related: POLICIES, onDelete: 'cascade' }),
        field('collection', 'string', 'text'),
        field('action', 'string', 'text'),
        field('fields', 'csv', 'text[]'),
        field('permissions', 'json', 'json'),
        field('validation', 'json', 'json'),
        field('presets', 'json', 'json'),
      ], NAME_KEY),
      [COLLECTIONS]: collection(COLLECTIONS, [
        field('meta', 'json', 'json'),
        field('schema', 'json', 'json'),
      ], { field: 'collection', type: 'string', dbType: 'text' }),
      [FIELDS]: collection(FIELDS, [
        field('collection', 'string', 'text'),
        field('field', 'string', 'text'),
        field('type', 'string', 'text'),
        field('meta', 'json', 'json'),
        field('schema', 'json', 'json'),
      ], POSITION),
      [RELATIONS]: collection(RELATIONS, [
        field('collection', 'string', 'text'),
        field('field', 'string', 'text'),
        field('related_collection', 'string', 'text'),
        field('meta', 'json', 'json'),
        field('schema', 'json', 'json'),
      ], POSITION),
      // Flows in Directus's shapes (directus_flows, directus_operations); ids are names, an operation's `<flow>:<key>`.
      [FLOWS]: collection(FLOWS, [
        field('name', 'string', 'text'),
        field('icon', 'string', 'text'),
        field('color', 'string', 'text'),
        field('description', 'text', 'text'),
        field('status', 'string', 'text'),
        field('trigger', 'string', 'text'),
        field('accountability', 'string', 'text'),
        field('options', 'json', 'json'),
        field('operation', 'm2o', 'text', { kind: 'm2o', related: OPERATIONS, onDelete: 'set null' }),
        field('operations', 'o2m', null, { kind: 'o2m', related: OPERATIONS, foreignKey: 'flow' }),
      ], NAME_KEY),
      [OPERATIONS]: collection(OPERATIONS, [
        field('name', 'string', 'text'),
        field('key', 'string', 'text'),
        field('type', 'string', 'text'),
        field('position_x', 'integer', 'integer'),
        field('position_y', 'integer', 'integer'),
        field('options', 'json', 'json'),
        field('resolve', 'm2o', 'text', { kind: 'm2o', related: OPERATIONS, onDelete: 'set null' }),
        field('reject', 'm2o', 'text', { kind: 'm2o', related: OPERATIONS, onDelete: 'set null' }),
        field('flow', 'm2o', 'text', { kind: 'm2o', related: FLOWS, onDelete: 'cascade' }),
      ], NAME_KEY),
      // The run log (a table, admins only): one row per run, its steps and data chain.
      [FLOW_RUNS]: collection(FLOW_RUNS, [
        field('flow', 'string', 'text'),
        field('trigger', 'string', 'text'),
        field('status', 'string', 'text'),
        field('accountability', 'json', 'jsonb'),
        field('steps', 'json', 'jsonb'),
        field('data', 'json', 'jsonb'),
        field('error', 'json', 'jsonb'),
        field('started_at', 'timestamp', 'timestamptz'),
        field('finished_at', 'timestamp', 'timestamptz'),
        field('duration_ms', 'integer', 'integer'),
        field('tick', 'timestamp', 'timestamptz'),
        field('depth', 'integer', 'integer'),
      ]),
    },
    policies: {},
    roles: {},
    flows: {},
    extensions: {},
  };
}
