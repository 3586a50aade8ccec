/**
 * Cairn's own tables that the API serves read-only with the query language
 * (activity, revisions), described as model collections so that the same
 * parser and compiler serve them. They live in the default schema.
 */
import type { Collection, Field, Model, Relation } from '../model/index.ts';

function field(name: string, type: Field['type'], dbType: string | null, relation: Relation | null = null): Field {
  return {
    name, type, dbType, required: false, nullable: true, unique: false, maxLength: null, precision: null, scale: null,
    enum: null, note: null, special: null, index: false, renamedFrom: null, relation,
  };
}

function collection(name: string, fields: Field[]): Collection {
  return {
    name,
    note: null,
    // Integers in the API, as Directus shows activity and revision ids.
    primaryKey: { field: 'id', type: 'integer', dbType: 'bigint' },
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
    },
    policies: {},
    roles: {},
    flows: {},
    extensions: {},
  };
}
