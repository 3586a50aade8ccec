/**
 * Cairn's own tables that the API serves with the query language (activity
 * and revisions read-only; users through the users service), described as model collections so that the same
 * parser and compiler serve them. They live in the default schema.
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
    },
    policies: {},
    roles: {},
    flows: {},
    extensions: {},
  };
}
