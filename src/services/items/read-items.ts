/**
 * Reading items: the query language parsed against the served model and the
 * caller's read permissions, compiled to one statement (the permissions built
 * into it) and run. What the caller may not read is FORBIDDEN, which, as in
 * Directus, also reads as "does not exist".
 */
import type { Context } from '../../context/index.ts';
import { ForbiddenError, InvalidQueryError, type CairnError } from '../../errors/index.ts';
import type { Collection, Model } from '../../model/index.ts';
import { dynamicValuesOf, readAccessFor } from '../../permissions/index.ts';
import { compileRead, parseReadQuery, type FieldAccess, type FilterNode, type ReadMeta, type ReadQuery, type ReadRules } from '../../query/index.ts';
import type { Accountability } from '../accountability.ts';
import { parseKey } from './item-keys.ts';
import { configRows } from '../config-rows.ts';
import { ACTIVITY, isConfigCollection, POSITION_KEY, REVISIONS, ROLES, systemModel, USERS, VERSIONS } from '../system-collections.ts';

type ItemsContext = Pick<Context, 'db' | 'models'>;

export interface ReadItemsResult {
  data: Record<string, unknown>[] | Record<string, unknown> | null;
  meta?: { total_count?: number; filter_count?: number };
}

function forbidden(collection: string): CairnError {
  return new ForbiddenError({ reason: `You don't have permission to access collection "${collection}" or it does not exist.` });
}

interface Served {
  model: Model;
  target: Collection;
  now: Date;
  /** What the caller may name in a query; undefined: anything (the administrator). */
  access: FieldAccess | undefined;
  /** The rows and fields the compiler lets the caller see; undefined: all (the administrator). */
  rules: ReadRules | undefined;
  /** Rows of config collections, served from the applied model. */
  rows?: ReadMeta['rows'];
}

function served(context: ItemsContext, accountability: Accountability, collection: string, system: boolean): Served {
  const project = context.models.current()?.model;
  const model = system ? systemModel() : project;
  const target = model?.collections[collection];
  if (!model || !target) throw forbidden(collection);
  const now = new Date();
  if (system && isConfigCollection(collection)) return configServed(project, model, target, accountability, now);
  if (accountability.admin) return { model, target, now, access: undefined, rules: undefined };
  if (!project) throw forbidden(collection);
  const fields = (name: string) => [model.collections[name]?.primaryKey.field ?? 'id', ...Object.keys(model.collections[name]?.fields ?? {})];
  const history = system ? { activity: ACTIVITY, revisions: REVISIONS, versions: VERSIONS, fields: { [ACTIVITY]: fields(ACTIVITY), [REVISIONS]: fields(REVISIONS), [VERSIONS]: fields(VERSIONS) } } : undefined;
  const read = readAccessFor({ model: project, accountability, now, ...(history ? { history } : {}) });
  return { model, target, now, access: read?.access, rules: read?.rules };
}

/**
 * A read of config (roles, policies, collections, fields…): its rows come from the applied model,
 * already reduced to what the caller may see, and every field of them is readable but the
 * hidden position key of fields and relations. Users are reached from roles by administrators only.
 */
function configServed(project: Model | undefined, model: Model, target: Collection, accountability: Accountability, now: Date): Served {
  const applied = project ?? { ...model, collections: {} };
  const projectAccess = accountability.admin ? undefined : readAccessFor({ model: applied, accountability, now })?.access;
  const visible = new Map<string, ReadonlySet<string> | null>();
  const access: FieldAccess = {
    readable(name) {
      if (visible.has(name)) return visible.get(name)!;
      const collection = model.collections[name];
      let fields: ReadonlySet<string> | null = null;
      if (collection && isConfigCollection(name)) {
        fields = new Set([collection.primaryKey.field, ...Object.keys(collection.fields)].filter((field) => field !== POSITION_KEY && (accountability.admin || !(name === ROLES && field === 'users'))));
      } else if (collection && name === USERS && accountability.admin) fields = new Set([collection.primaryKey.field, ...Object.keys(collection.fields)]);
      visible.set(name, fields);
      return fields;
    },
  };
  const rules: ReadRules = { model, permissions: (name) => (access.readable(name) === null ? [] : [{ fields: 'all', filter: null }]), readable: (name) => access.readable(name) };
  return { model, target, now, access, rules, rows: configRows(applied, accountability, projectAccess) };
}

/** The request's query, parsed for the caller: only what it may read can be named; `where` narrows it further. */
function parseFor(served: Served, accountability: Accountability, collection: string, raw: Record<string, unknown>, where?: FilterNode): ReadQuery {
  const query = parseReadQuery(served.model, collection, raw, { ...dynamicValuesOf(accountability, served.now), ...(served.access ? { access: served.access } : {}) });
  if (!where) return query;
  return { ...query, filter: query.filter ? { kind: 'and', children: [where, query.filter] } : where };
}

function metaOf(raw: unknown): { totalCount: boolean; filterCount: boolean } {
  const items = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : raw === undefined ? [] : [raw]).map((item) => String(item).trim());
  for (const item of items) if (!['*', 'total_count', 'filter_count', ''].includes(item)) throw new InvalidQueryError({ reason: `"meta" has to be total_count, filter_count or *, not "${item}"` });
  return { totalCount: items.includes('*') || items.includes('total_count'), filterCount: items.includes('*') || items.includes('filter_count') };
}

async function run<D = Record<string, unknown>[]>(context: ItemsContext, served: Served, query: ReadQuery, meta: ReadMeta) {
  const { sql, bindings } = compileRead(served.model, query, { ...meta, ...(served.rows ? { rows: served.rows } : {}) }, served.rules);
  let rows: { data: D; total_count?: string; filter_count?: string }[];
  try {
    ({ rows } = await context.db.query<{ data: D; total_count?: string; filter_count?: string }>(sql, bindings));
  } catch (error) {
    // A value the parser let through but PostgreSQL cannot read (a data exception) is the query's fault, not the server's.
    if (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('22')) {
      throw new InvalidQueryError({ reason: 'A value in the query does not fit its field' });
    }
    throw error;
  }
  return rows[0]!;
}

interface ReadOptions {
  context: ItemsContext;
  accountability: Accountability;
  collection: string;
  query: Record<string, unknown>;
  /** Read Cairn's own activity or revisions instead of the project's collections. */
  system?: boolean;
  /** Adjusts the parsed (checked) read before it is compiled: GraphQL's key order and ids as text. */
  shape?: (query: ReadQuery) => ReadQuery;
  /** A condition the service itself adds (on fields it names, whatever the caller may name): /fields/:collection's collection. */
  where?: FilterNode;
}

/**
 * The items (or, with `key`, the one item) as the JSON text PostgreSQL
 * built, without an envelope: what GraphQL answers for a root field whose
 * answer is exactly that JSON.
 */
export async function readDataJson(options: ReadOptions & { key?: string }): Promise<string> {
  if (options.key !== undefined) {
    const { query, scope, collection } = itemQuery(options as ReadOptions & { key: string });
    const row = await run<string | null>(options.context, scope, options.shape ? options.shape(query) : query, { data: 'first-text' });
    if (row.data === null) throw forbidden(collection);
    return row.data;
  }
  const scope = served(options.context, options.accountability, options.collection, options.system ?? false);
  const query = parseFor(scope, options.accountability, options.collection, options.query, options.where);
  return (await run<string>(options.context, scope, options.shape ? options.shape(query) : query, { data: 'text' })).data;
}

/**
 * The HTTP response body of a list read, as JSON text: the items' JSON comes
 * from PostgreSQL and is sent as it is, never parsed and serialised again.
 */
export async function readItemsJson(options: ReadOptions): Promise<string> {
  const { context, accountability, collection } = options;
  const scope = served(context, accountability, collection, options.system ?? false);
  if (scope.target.singleton) return JSON.stringify(await readItems(options));
  const query = parseFor(scope, accountability, collection, options.query, options.where);
  const meta = metaOf(options.query.meta);
  const row = await run<string>(context, scope, query, { ...meta, data: 'text' });
  const counts = [
    ...(meta.totalCount ? [`"total_count":${Number(row.total_count)}`] : []),
    ...(meta.filterCount ? [`"filter_count":${Number(row.filter_count)}`] : []),
  ];
  return `{${counts.length > 0 ? `"meta":{${counts.join(',')}},` : ''}"data":${row.data}}`;
}

/** The HTTP response body of a read by key, as JSON text (see readItemsJson). */
export async function readItemJson(options: ReadOptions & { key: string }): Promise<string> {
  const { query, scope, collection } = itemQuery(options);
  const row = await run<string | null>(options.context, scope, query, { data: 'first-text' });
  if (row.data === null) throw forbidden(collection);
  return `{"data":${row.data}}`;
}

export async function readItems(options: ReadOptions): Promise<ReadItemsResult> {
  const { context, accountability, collection } = options;
  const scope = served(context, accountability, collection, options.system ?? false);
  const query = parseFor(scope, accountability, collection, options.query, options.where);
  const meta = metaOf(options.query.meta);
  const row = await run(context, scope, scope.target.singleton ? { ...query, limit: 1 } : query, meta);
  // A singleton not written yet reads as its defaults, as in Directus.
  if (scope.target.singleton) return { data: row.data[0] ?? singletonDefaults(scope.target) };
  const result: ReadItemsResult = { data: row.data };
  if (meta.totalCount || meta.filterCount) {
    result.meta = {
      ...(meta.totalCount ? { total_count: Number(row.total_count) } : {}),
      ...(meta.filterCount ? { filter_count: Number(row.filter_count) } : {}),
    };
  }
  return result;
}

/** One item by key; a key that does not exist, or cannot exist for the key's type, is FORBIDDEN. */
export async function readItem(options: ReadOptions & { key: string }): Promise<ReadItemsResult> {
  const { query, scope, collection } = itemQuery(options);
  const row = await run(options.context, scope, query, {});
  if (row.data.length === 0) throw forbidden(collection);
  return { data: row.data[0]! };
}

/** The read of one item by key: the request's query, narrowed to that key. */
function itemQuery(options: ReadOptions & { key: string }): { query: ReadQuery; scope: Served; collection: string } {
  const { context, accountability, collection, key } = options;
  const scope = served(context, accountability, collection, options.system ?? false);
  const { target } = scope;
  const parsed = parseKey(target, key);
  if (parsed === undefined) throw forbidden(collection);
  const query = parseFor(scope, accountability, collection, { ...options.query, limit: 1, offset: 0, page: undefined }, options.where);
  // By key even when the caller may not read the key field: the key is in the URL, not asked for.
  const byKey: FilterNode = { kind: 'compare', field: target.primaryKey.field, operator: '_eq', type: target.primaryKey.type, value: parsed };
  return { query: { ...query, filter: query.filter ? { kind: 'and', children: [byKey, query.filter] } : byKey, search: null }, scope, collection };
}

function singletonDefaults(collection: Collection): Record<string, unknown> {
  const defaults: Record<string, unknown> = { [collection.primaryKey.field]: null };
  for (const field of Object.values(collection.fields)) if (field.dbType !== null) defaults[field.name] = field.default ?? null;
  return defaults;
}
