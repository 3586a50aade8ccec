/**
 * Reading items: the query language parsed against the served model,
 * authorised, compiled to one statement and run. Until permissions land only
 * the administrator may read; anyone else is FORBIDDEN (which, as in
 * Directus, also reads as "does not exist").
 */
import type { Context } from '../../context/index.ts';
import { ForbiddenError, InvalidQueryError, type CairnError } from '../../errors/index.ts';
import type { Collection, Model } from '../../model/index.ts';
import { compileRead, parseReadQuery, type FilterNode, type ReadMeta, type ReadQuery } from '../../query/index.ts';
import type { Accountability } from '../accountability.ts';
import { parseKey } from './item-keys.ts';
import { systemModel } from '../system-collections.ts';

type ItemsContext = Pick<Context, 'db' | 'models'>;

export interface ReadItemsResult {
  data: Record<string, unknown>[] | Record<string, unknown> | null;
  meta?: { total_count?: number; filter_count?: number };
}

function forbidden(collection: string): CairnError {
  return new ForbiddenError({ reason: `You don't have permission to access collection "${collection}" or it does not exist.` });
}

function servedModel(context: ItemsContext, accountability: Accountability, collection: string, system: boolean): { model: Model; target: Collection } {
  const model = system ? systemModel() : context.models.current()?.model;
  const target = model?.collections[collection];
  // Until policies are enforced, only the administrator reads (project items, activity and revisions alike).
  if (!model || !target || !accountability.admin) throw forbidden(collection);
  return { model, target };
}

function metaOf(raw: unknown): { totalCount: boolean; filterCount: boolean } {
  const items = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : raw === undefined ? [] : [raw]).map((item) => String(item).trim());
  for (const item of items) if (!['*', 'total_count', 'filter_count', ''].includes(item)) throw new InvalidQueryError({ reason: `"meta" has to be total_count, filter_count or *, not "${item}"` });
  return { totalCount: items.includes('*') || items.includes('total_count'), filterCount: items.includes('*') || items.includes('filter_count') };
}

async function run<D = Record<string, unknown>[]>(context: ItemsContext, model: Model, query: ReadQuery, meta: ReadMeta) {
  const { sql, bindings } = compileRead(model, query, meta);
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
  return rows[0] as { data: Record<string, unknown>[]; total_count?: string; filter_count?: string };
}

interface ReadOptions {
  context: ItemsContext;
  accountability: Accountability;
  collection: string;
  query: Record<string, unknown>;
  /** Read Cairn's own activity or revisions instead of the project's collections. */
  system?: boolean;
}

/**
 * The HTTP response body of a list read, as JSON text: the items' JSON comes
 * from PostgreSQL and is sent as it is, never parsed and serialised again.
 */
export async function readItemsJson(options: ReadOptions): Promise<string> {
  const { context, accountability, collection } = options;
  const { model, target } = servedModel(context, accountability, collection, options.system ?? false);
  if (target.singleton) return JSON.stringify(await readItems(options));
  const query = parseReadQuery(model, collection, options.query, { user: accountability.user });
  const meta = metaOf(options.query.meta);
  const row = await run<string>(context, model, query, { ...meta, data: 'text' });
  const counts = [
    ...(meta.totalCount ? [`"total_count":${Number(row.total_count)}`] : []),
    ...(meta.filterCount ? [`"filter_count":${Number(row.filter_count)}`] : []),
  ];
  return `{${counts.length > 0 ? `"meta":{${counts.join(',')}},` : ''}"data":${row.data}}`;
}

/** The HTTP response body of a read by key, as JSON text (see readItemsJson). */
export async function readItemJson(options: ReadOptions & { key: string }): Promise<string> {
  const { query, model, collection } = itemQuery(options);
  const row = await run<string | null>(options.context, model, query, { data: 'first-text' });
  if (row.data === null) throw forbidden(collection);
  return `{"data":${row.data}}`;
}

export async function readItems(options: ReadOptions): Promise<ReadItemsResult> {
  const { context, accountability, collection } = options;
  const { model, target } = servedModel(context, accountability, collection, options.system ?? false);
  const query = parseReadQuery(model, collection, options.query, { user: accountability.user });
  const meta = metaOf(options.query.meta);
  const row = await run(context, model, target.singleton ? { ...query, limit: 1 } : query, meta);
  // A singleton not written yet reads as its defaults, as in Directus.
  if (target.singleton) return { data: row.data[0] ?? singletonDefaults(target) };
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
  const { query, model, collection } = itemQuery(options);
  const row = await run(options.context, model, query, {});
  if (row.data.length === 0) throw forbidden(collection);
  return { data: row.data[0]! };
}

/** The read of one item by key: the request's query, narrowed to that key. */
function itemQuery(options: ReadOptions & { key: string }): { query: ReadQuery; model: Model; collection: string } {
  const { context, accountability, collection, key } = options;
  const { model, target } = servedModel(context, accountability, collection, options.system ?? false);
  const parsed = parseKey(target, key);
  if (parsed === undefined) throw forbidden(collection);
  const query = parseReadQuery(model, collection, { ...options.query, limit: 1, offset: 0, page: undefined }, { user: accountability.user });
  const byKey: FilterNode = { kind: 'compare', field: target.primaryKey.field, operator: '_eq', type: target.primaryKey.type, value: parsed };
  return { query: { ...query, filter: query.filter ? { kind: 'and', children: [byKey, query.filter] } : byKey, search: null }, model, collection };
}

function singletonDefaults(collection: Collection): Record<string, unknown> {
  const defaults: Record<string, unknown> = { [collection.primaryKey.field]: null };
  for (const field of Object.values(collection.fields)) if (field.dbType !== null) defaults[field.name] = field.default ?? null;
  return defaults;
}
