/**
 * Reading config over the API (Directus's /roles, /policies, /access,
 * /permissions, /collections, /fields, /relations and /schema/snapshot): the
 * applied model's records, through the same query language and compiler as
 * items (see config-rows.ts for who sees which rows). All read-only.
 */
import type { Context } from '../context/index.ts';
import { ForbiddenError, InvalidQueryError } from '../errors/index.ts';
import type { FilterNode } from '../query/index.ts';
import type { Accountability } from './accountability.ts';
import type { ConfigKind } from './access.ts';
import { readItem, readItems, type ReadItemsResult } from './items/read-items.ts';
import { schemaSnapshot, type SchemaSnapshot } from './schema-records.ts';
import { ACCESS, COLLECTIONS, FIELDS, FLOWS, OPERATIONS, PERMISSIONS, POLICIES, RELATIONS, ROLES, systemModel, type ConfigCollection } from './system-collections.ts';

type ConfigContext = Pick<Context, 'db' | 'models'>;
type Query = Record<string, unknown>;

export const CONFIG_COLLECTION_OF: Record<ConfigKind, ConfigCollection> = {
  roles: ROLES,
  policies: POLICIES,
  access: ACCESS,
  permissions: PERMISSIONS,
  collections: COLLECTIONS,
  fields: FIELDS,
  relations: RELATIONS,
  flows: FLOWS,
  operations: OPERATIONS,
};

interface ReadConfigOptions {
  context: ConfigContext;
  accountability: Accountability;
  kind: ConfigKind;
  query: Query;
}

/**
 * A list of config records (or, with `key`, one: roles, policies, access and permissions by id,
 * collections by name); `where` narrows the list (GraphQL's roles_me).
 */
export function readConfig(options: ReadConfigOptions & { key?: string; where?: FilterNode }): Promise<ReadItemsResult> {
  const { kind, key, ...rest } = options;
  const collection = CONFIG_COLLECTION_OF[kind];
  return key === undefined ? readItems({ ...rest, collection, system: true }) : readItem({ ...rest, collection, key, system: true });
}

const named = (field: string, value: string): FilterNode => ({ kind: 'compare', field, operator: '_eq', value, type: 'string' });

/**
 * /fields/:collection[/:field] and /relations/:collection[/:field]: the
 * collection's records (a collection the caller cannot read is FORBIDDEN,
 * as Directus answers); with `field`, that one record.
 */
export async function readConfigOf(options: ReadConfigOptions & { kind: 'fields' | 'relations'; collection: string; field?: string }): Promise<ReadItemsResult> {
  const { context, accountability, kind, query, collection, field } = options;
  await readItem({ context, accountability, collection: COLLECTIONS, key: collection, query: { fields: ['collection'] }, system: true });
  const where: FilterNode = field === undefined ? named('collection', collection) : { kind: 'and', children: [named('collection', collection), named('field', field)] };
  const read = await readItems({ context, accountability, collection: CONFIG_COLLECTION_OF[kind], query: field === undefined ? query : { ...query, limit: 1, offset: 0, page: undefined }, where, system: true });
  if (field === undefined) return read;
  const [found] = read.data as Record<string, unknown>[];
  if (found === undefined) throw new ForbiddenError({ reason: `You don't have permission to access field "${field}" of "${collection}" or it does not exist.` });
  return { data: found };
}

function namesOf(value: unknown, parameter: string): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => (typeof item === 'string' ? item.split(',') : [null]));
  if (items.some((item) => item === null)) throw new InvalidQueryError({ reason: `"${parameter}" has to be a comma-separated list of collections` });
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
}

/** GET /schema/snapshot: administrators only, as in Directus. */
export function readSchemaSnapshot(options: { context: Pick<Context, 'models' | 'version'>; accountability: Accountability; query: Query }): SchemaSnapshot {
  const { context, accountability, query } = options;
  if (!accountability.admin) throw new ForbiddenError({ reason: 'Only administrators may read the schema snapshot.' });
  const include = namesOf(query.includeCollections, 'includeCollections');
  const exclude = namesOf(query.excludeCollections, 'excludeCollections');
  if (include && exclude) throw new InvalidQueryError({ reason: '"includeCollections" and "excludeCollections" cannot be used together' });
  const model = context.models.current()?.model;
  // Before the first apply there is nothing to describe.
  const applied = model ?? { ...systemModel(), collections: {} };
  return schemaSnapshot(applied, { version: context.version, ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) });
}
