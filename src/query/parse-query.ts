/**
 * Parses the Directus query language (fields, filter, search, sort, limit,
 * offset, page) into a ReadQuery, checking every identifier against the
 * model. Unknown fields are FORBIDDEN, as Directus answers (a field that does
 * not exist and one the caller may not see look the same); malformed values
 * are INVALID_QUERY naming the offending part. With `access`, every
 * identifier the query touches — in fields, filter, sort, aggregate, groupBy,
 * alias, deep and function calls — must also be readable by the caller, and
 * `*` expands to the readable fields only. Pure.
 */
import { ForbiddenError, InvalidQueryError } from '../errors/index.ts';
import { fitsFormat, isInt32, OPERATORS_BY_TYPE, type Collection, type Field, type Model } from '../model/index.ts';
import { AGGREGATE_FUNCTIONS, DATE_FUNCTIONS, type AggregateFunction, type AggregateNode, type DateFunction, type FieldNode, type FilterNode, type GroupNode, type ReadQuery, type SortNode } from './ast.ts';
import { resolveDynamic } from './dynamic-values.ts';

export interface ParseOptions {
  /** Directus's MAX_RELATIONAL_DEPTH. */
  maxDepth?: number;
  /** Directus's QUERY_LIMIT_DEFAULT, also applied to nested o2m lists. */
  defaultLimit?: number;
  /** What $NOW and $CURRENT_USER resolve to. */
  now?: Date;
  user?: string | null;
  role?: string | null;
  roles?: readonly string[];
  policies?: readonly string[];
  /** What the caller may read; absent: everything (the administrator, or Cairn itself). */
  access?: FieldAccess;
}

/** The fields of a collection the caller may read; null when it may not read the collection at all. */
export interface FieldAccess {
  readable(collection: string): ReadonlySet<string> | null;
}

const DEFAULT_LIMIT = 100;
const MAX_DEPTH = 10;
const LOGICAL = new Set(['_and', '_or']);
const QUANTIFIERS = new Set(['_some', '_none']);

export function parseReadQuery(model: Model, collectionName: string, raw: Record<string, unknown>, options: ParseOptions = {}): ReadQuery {
  const collection = model.collections[collectionName];
  const settings = settingsOf(options);
  if (!collection || !readableCollection(settings, collectionName)) forbiddenCollection(collectionName);
  const limit = integer(raw.limit, 'limit', -1) ?? settings.defaultLimit;
  const page = integer(raw.page, 'page', 0);
  const offset = integer(raw.offset, 'offset', 0) ?? (page !== undefined && page > 0 && limit !== -1 ? limit * (page - 1) : 0);
  const search = raw.search === undefined || raw.search === '' ? null : typeof raw.search === 'string' ? raw.search.trim() : invalid('search must be a string');
  const filterValue = jsonParam(raw.filter, 'filter');
  const aggregate = raw.aggregate === undefined || raw.aggregate === '' ? undefined : parseAggregate(collection, jsonParam(raw.aggregate, 'aggregate'), settings);
  const groupBy = list(raw.groupBy, 'groupBy').map((spec) => parseGroup(collection, spec, settings));
  if (groupBy.length > 0 && !aggregate) invalid('"groupBy" needs "aggregate"');
  return {
    kind: 'read',
    collection: collection.name,
    fields: parseFields({ model, collection, paths: fieldPaths(raw.fields), depth: 1, settings, deep: objectParam(raw.deep, 'deep'), alias: aliases(collection, objectParam(raw.alias, 'alias'), settings) }),
    filter: filterValue === undefined ? null : parseFilter({ model, collection, filter: coerce(filterValue), depth: 1, settings, path: 'filter', topLevel: true }),
    search,
    sort: sortFields(raw.sort).map((spec) => parseSort(model, collection, spec, settings)),
    limit: limit === -1 ? null : limit,
    offset,
    ...(aggregate ? { aggregate, groupBy } : {}),
  };
}

/**
 * A permission's item filter or validation rule, parsed as a query filter
 * with the request's dynamic values ($CURRENT_USER, $CURRENT_ROLES, $NOW…).
 * Written in the config repository and checked when it was loaded, so it may
 * name any field: no `access` applies.
 */
export function parseRuleFilter(model: Model, collectionName: string, filter: Record<string, unknown>, options: Omit<ParseOptions, 'access'> = {}): FilterNode {
  const collection = model.collections[collectionName]!;
  const settings = settingsOf({ ...options, maxDepth: Number.MAX_SAFE_INTEGER });
  return parseFilter({ model, collection, filter, depth: 1, settings, path: 'permission', topLevel: true });
}

function settingsOf(options: ParseOptions): Settings {
  return {
    maxDepth: options.maxDepth ?? MAX_DEPTH,
    defaultLimit: options.defaultLimit ?? DEFAULT_LIMIT,
    now: options.now ?? new Date(),
    user: options.user ?? null,
    role: options.role ?? null,
    roles: options.roles ?? [],
    policies: options.policies ?? [],
    access: options.access,
  };
}

function readableCollection(settings: Settings, collection: string): boolean {
  return settings.access === undefined || settings.access.readable(collection) !== null;
}

/** Whether the caller may read `field` (the primary key included) of `collection`. */
function readableField(settings: Settings, collection: Collection, field: string): boolean {
  return settings.access === undefined || settings.access.readable(collection.name)?.has(field) === true;
}

function forbiddenCollection(name: string): never {
  throw new ForbiddenError({ reason: `You don't have permission to access collection "${name}" or it does not exist.` });
}

const FUNCTION_CALL = /^([a-zA-Z]+)\(([A-Za-z_][A-Za-z0-9_]*)\)$/;
const DATE_TYPES = new Set(['date', 'dateTime', 'timestamp', 'time']);
const NUMERIC_TYPES = new Set(['integer', 'bigInteger', 'float', 'decimal']);

/** `year(date)` on a date field: the function and the field, checked. */
function dateCall(collection: Collection, spec: string, settings: Settings): { fn: DateFunction; field: string } | undefined {
  const call = FUNCTION_CALL.exec(spec);
  if (!call) return undefined;
  const [, fn, name] = call as unknown as [string, string, string];
  if (!(DATE_FUNCTIONS as readonly string[]).includes(fn)) return undefined;
  const field = collection.fields[name];
  if (field && !readableField(settings, collection, name)) forbiddenField(name, collection.name);
  if (!field || !DATE_TYPES.has(field.type)) invalid(`"${spec}": ${fn}() takes a date, time or timestamp field of "${collection.name}"`);
  if (field.type === 'time' && ['year', 'month', 'week', 'day', 'weekday'].includes(fn)) invalid(`"${spec}": a time has no ${fn}`);
  return { fn: fn as DateFunction, field: name };
}

/** `count(comments)` on an o2m or m2m field: the relation, checked, and what to count. */
function countCall(model: Model, collection: Collection, spec: string, settings: Settings): { field: string; count: { related: string; foreignKey: string } } | undefined {
  const call = FUNCTION_CALL.exec(spec);
  if (!call || call[1] !== 'count') return undefined;
  const name = call[2]!;
  const relation = collection.fields[name]?.relation;
  if (relation?.kind !== 'o2m' && relation?.kind !== 'm2m') invalid(`"${spec}": count() takes an o2m or m2m field of "${collection.name}"`);
  const related = relation.kind === 'm2m' ? relation.junction : relation.related;
  if (!readableField(settings, collection, name) || !readableCollection(settings, related)) forbiddenField(name, collection.name);
  return { field: name, count: { related: model.collections[related]!.name, foreignKey: relation.kind === 'm2m' ? relation.sourceField : relation.foreignKey } };
}

function parseAggregate(collection: Collection, value: unknown, settings: Settings): AggregateNode[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid('"aggregate" has to be an object of functions and fields');
  const nodes: AggregateNode[] = [];
  for (const [fn, fields] of Object.entries(value as Record<string, unknown>)) {
    if (!(AGGREGATE_FUNCTIONS as readonly string[]).includes(fn)) invalid(`Unknown aggregate function "${fn}"`);
    if (fn === 'countAll') {
      nodes.push({ fn: 'countAll', field: null });
      continue;
    }
    for (const name of list(fields, `aggregate.${fn}`)) {
      if (name === '*') {
        if (fn !== 'count') invalid(`"${fn}" needs a field, not *`);
        nodes.push({ fn: 'count', field: null });
        continue;
      }
      const type = name === collection.primaryKey.field ? collection.primaryKey.type : collection.fields[name]?.dbType ? collection.fields[name]!.type : undefined;
      if (type === undefined || !readableField(settings, collection, name)) forbiddenField(name, collection.name);
      if (/^(sum|avg)/.test(fn) && !NUMERIC_TYPES.has(type)) invalid(`"${fn}" takes a numeric field, "${name}" is ${type}`);
      if ((fn === 'min' || fn === 'max') && !NUMERIC_TYPES.has(type) && !DATE_TYPES.has(type)) invalid(`"${fn}" takes a numeric or date field, "${name}" is ${type}`);
      nodes.push({ fn: fn as AggregateFunction, field: name });
    }
  }
  if (nodes.length === 0) invalid('"aggregate" names no function');
  return nodes;
}

function parseGroup(collection: Collection, spec: string, settings: Settings): GroupNode {
  const call = dateCall(collection, spec, settings);
  if (call) return { field: call.field, fn: call.fn, as: `${call.field}_${call.fn}` };
  const field = spec === collection.primaryKey.field ? null : collection.fields[spec];
  if (field !== undefined && !readableField(settings, collection, spec)) forbiddenField(spec, collection.name);
  if (field === undefined || field?.dbType === null) invalid(`Invalid groupBy field "${spec}"`);
  return { field: spec, fn: null, as: spec };
}

function invalid(reason: string): never {
  throw new InvalidQueryError({ reason });
}

function integer(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min) invalid(`"${name}" has to be a whole number${min === 0 ? ' of 0 or more' : ' of -1 or more'}`);
  return parsed;
}

function jsonParam(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return invalid(`Invalid JSON for ${name} object`);
  }
}

/** Bracket syntax sends every scalar as a string: "true"/"false"/"null" mean what they say. */
function coerce(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null' || value === 'NULL') return null;
  if (Array.isArray(value)) return value.map(coerce);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(v)]));
  return value;
}

function list(value: unknown, name: string): string[] {
  if (value === undefined || value === '') return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => {
    if (typeof item !== 'string') invalid(`"${name}" has to be a string or a list of strings`);
    return item.split(',').map((part) => part.trim()).filter(Boolean);
  });
}

function fieldPaths(value: unknown): string[][] {
  const fields = list(value, 'fields');
  return (fields.length === 0 ? ['*'] : fields).map((field) => field.split('.'));
}

function sortFields(value: unknown): string[] {
  return list(value, 'sort');
}

type Settings = {
  maxDepth: number;
  defaultLimit: number;
  now: Date;
  user: string | null;
  role: string | null;
  roles: readonly string[];
  policies: readonly string[];
  access: FieldAccess | undefined;
};

/** The fields of a collection the caller may read, its key first. */
function fieldsOf(collection: Collection, settings: Settings): { name: string; field: Field | null }[] {
  const all = [{ name: collection.primaryKey.field, field: null }, ...Object.values(collection.fields).map((field) => ({ name: field.name, field }))];
  return settings.access === undefined ? all : all.filter((f) => readableField(settings, collection, f.name));
}

function forbiddenField(field: string, collection: string): never {
  throw new ForbiddenError({ reason: `You don't have permission to access field "${field}" in collection "${collection}" or it does not exist.` });
}

/** `deep` and `alias` arrive as JSON strings or bracket objects. */
function objectParam(value: unknown, name: string): Record<string, unknown> | undefined {
  const parsed = jsonParam(value, name);
  if (parsed === undefined || parsed === '') return undefined;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) invalid(`"${name}" has to be an object`);
  return parsed as Record<string, unknown>;
}

/** `alias` (and a relation's `deep._alias`): {new_key: field}, so one relation can be read twice (with different `deep`). */
function aliases(collection: Collection, value: Record<string, unknown> | undefined, settings: Settings): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, field] of Object.entries(value ?? {})) {
    if (typeof field !== 'string' || name.includes('.') || field.includes('.')) invalid(`"alias.${name}" has to name a field, without dots`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > 63) invalid(`"${name}" is not a usable alias`);
    if (collection.fields[name] || name === collection.primaryKey.field) invalid(`alias "${name}" hides the field of that name`);
    if ((!collection.fields[field] && field !== collection.primaryKey.field) || !readableField(settings, collection, field)) forbiddenField(field, collection.name);
    map.set(name, field);
  }
  return map;
}

function parseFields(options: {
  model: Model;
  collection: Collection;
  paths: string[][];
  depth: number;
  settings: Settings;
  /** Per relation (by field or alias): `_filter`, `_sort`, `_limit`, `_offset`, `_page`, `_search`, and deeper relations. */
  deep?: Record<string, unknown> | undefined;
  alias?: Map<string, string>;
}): FieldNode[] {
  const { model, collection, paths, depth, settings } = options;
  const deep = options.deep ?? {};
  const alias = options.alias ?? new Map<string, string>();
  if (depth > settings.maxDepth) invalid('Max relational depth exceeded');
  const wildcard = paths.filter((p) => p[0] === '*').map((p) => p.slice(1));
  const explicit = new Map<string, string[][]>();
  for (const path of paths) {
    if (path[0] === '*' || path[0] === undefined) continue;
    explicit.set(path[0], [...(explicit.get(path[0]) ?? []), path.slice(1)]);
  }
  const known = new Map(fieldsOf(collection, settings).map((f) => [f.name, f.field]));
  const nodes: FieldNode[] = [];
  // Function fields: year(date_created) → date_created_year, count(comments) → comments_count.
  for (const name of [...explicit.keys()]) {
    const call = FUNCTION_CALL.exec(name);
    if (!call) continue;
    explicit.delete(name);
    const [, fn, target] = call as unknown as [string, string, string];
    if (fn === 'count') {
      const relation = collection.fields[target]?.relation;
      if (relation?.kind !== 'o2m' && relation?.kind !== 'm2m') invalid(`count() takes an o2m or m2m field, not "${target}"`);
      if (!readableField(settings, collection, target) || !readableCollection(settings, relation.kind === 'm2m' ? relation.junction : relation.related)) forbiddenField(target, collection.name);
      nodes.push({ kind: 'count', field: target, as: `${target}_count`, related: relation.kind === 'm2m' ? relation.junction : relation.related, foreignKey: relation.kind === 'm2m' ? relation.sourceField : relation.foreignKey });
      continue;
    }
    const date = dateCall(collection, name, settings);
    if (!date) invalid(`Unknown function "${fn}" in fields`);
    nodes.push({ kind: 'function', fn: date.fn, field: date.field, as: `${date.field}_${date.fn}` });
  }
  // Aliased fields: read under their alias, as a field of their own.
  for (const [as, name] of alias) {
    const named = explicit.get(as);
    if (!named) continue;
    explicit.delete(as);
    const field = known.get(name)!;
    const rests = named.filter((rest) => rest.length > 0);
    if (rests.length > 0 && !field?.relation) forbiddenField(`${as}.${rests[0]!.join('.')}`, collection.name);
    nodes.push({ ...fieldNode({ model, collection, name, field, rests, depth, settings, deep: deep[as] }), as });
  }
  for (const name of explicit.keys()) if (!known.has(name)) forbiddenField(name, collection.name);
  for (const key of Object.keys(deep)) {
    if (!alias.has(key) && !known.has(key) && collection.fields[key]?.relation) forbiddenField(key, collection.name);
    if (!alias.has(key) && !known.get(key)?.relation) invalid(`"deep.${key}" has to name a relation of "${collection.name}"`);
  }

  for (const [name, field] of known) {
    const named = explicit.get(name);
    if (!named && wildcard.length === 0) continue;
    // `*.*` expands every relation one level; `author.name` expands one explicitly.
    const rests = [...(named ?? []), ...(field?.relation ? wildcard.filter((rest) => rest.length > 0) : [])].filter((rest) => rest.length > 0);
    if (rests.length > 0 && !field?.relation) forbiddenField(`${name}.${rests[0]!.join('.')}`, collection.name);
    nodes.push(fieldNode({ model, collection, name, field, rests, depth, settings, deep: deep[name] }));
  }
  return nodes;
}

function fieldNode(options: { model: Model; collection: Collection; name: string; field: Field | null; rests: string[][]; depth: number; settings: Settings; deep?: unknown }): FieldNode {
  const { model, name, field, rests, depth, settings } = options;
  const deep = options.deep === undefined ? undefined : deepOptions(options.deep, name);
  const relation = field?.relation;
  if (!relation || relation.kind === 'm2o') {
    if (!relation || rests.length === 0) return { kind: 'column', field: name, as: name };
    const related = model.collections[relation.related]!;
    return { kind: 'm2o', field: name, as: name, read: nestedRead(model, related, rests, depth, settings, deep) };
  }
  // o2m directly; m2m through its junction rows, as Directus shows it.
  const target = model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
  const foreignKey = relation.kind === 'm2m' ? relation.sourceField : relation.foreignKey;
  const keysOnly = rests.length === 0;
  const read = nestedRead(model, target, keysOnly ? [[target.primaryKey.field]] : rests, depth, settings, deep);
  return { kind: 'many', field: name, as: name, foreignKey, keysOnly, read };
}

function deepOptions(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(`"deep.${name}" has to be an object`);
  return value as Record<string, unknown>;
}

/** A related read: its fields, and what `deep` asks of it (its own query keys start with `_`; the others go deeper). */
function nestedRead(model: Model, collection: Collection, paths: string[][], depth: number, settings: Settings, deep?: Record<string, unknown>): ReadQuery {
  if (!readableCollection(settings, collection.name)) forbiddenCollection(collection.name);
  const own = Object.fromEntries(Object.entries(deep ?? {}).filter(([key]) => key.startsWith('_')).map(([key, value]) => [key.slice(1), value]));
  const deeper = Object.fromEntries(Object.entries(deep ?? {}).filter(([key]) => !key.startsWith('_')));
  for (const key of Object.keys(own)) if (!['filter', 'sort', 'limit', 'offset', 'page', 'search', 'alias'].includes(key)) invalid(`Unknown deep option "_${key}"`);
  const limit = integer(own.limit, 'deep._limit', -1) ?? settings.defaultLimit;
  const page = integer(own.page, 'deep._page', 0);
  const filter = jsonParam(own.filter, 'deep._filter');
  const sort = sortFields(own.sort);
  return {
    kind: 'read',
    collection: collection.name,
    fields: parseFields({ model, collection, paths, depth: depth + 1, settings, deep: deeper, alias: aliases(collection, objectParam(own.alias, 'deep._alias'), settings) }),
    filter: filter === undefined ? null : parseFilter({ model, collection, filter: coerce(filter), depth: depth + 1, settings, path: 'deep._filter', topLevel: true }),
    search: typeof own.search === 'string' && own.search.trim() !== '' ? own.search.trim() : null,
    sort: sort.length > 0 ? sort.map((spec) => parseSort(model, collection, spec, settings)) : defaultSort(collection),
    limit: limit === -1 ? null : limit,
    offset: integer(own.offset, 'deep._offset', 0) ?? (page !== undefined && page > 0 && limit !== -1 ? limit * (page - 1) : 0),
  };
}

function defaultSort(collection: Collection): SortNode[] {
  return [{ kind: 'column', field: collection.sortField ?? collection.primaryKey.field, descending: false }];
}

function parseSort(model: Model, collection: Collection, spec: string, settings: Settings): SortNode {
  const descending = spec.startsWith('-');
  const path = (descending ? spec.slice(1) : spec).split('.');
  let current = collection;
  const chain: { field: string; related: string; relatedKey: string }[] = [];
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    const field = segment === current.primaryKey.field ? null : current.fields[segment];
    if (field === undefined) invalid(`Invalid sort field "${spec}": "${segment}" is not a field of "${current.name}"`);
    if (!readableField(settings, current, segment)) forbiddenField(segment, current.name);
    if (last) {
      if (field?.dbType === null) invalid(`Invalid sort field "${spec}": "${segment}" has no column to sort by`);
      break;
    }
    if (field?.relation?.kind !== 'm2o') invalid(`Invalid sort field "${spec}": only m2o relations can be followed`);
    const related = model.collections[field.relation.related]!;
    if (!readableCollection(settings, related.name)) forbiddenCollection(related.name);
    chain.push({ field: segment, related: related.name, relatedKey: related.primaryKey.field });
    current = related;
  }
  let node: SortNode = { kind: 'column', field: path[path.length - 1]!, descending };
  for (const link of chain.reverse()) node = { kind: 'm2o', field: link.field, related: link.related, relatedKey: link.relatedKey, sort: node };
  return node;
}

/** How deep _and/_or may nest: far beyond any real filter, well before a stack runs out. */
const MAX_LOGICAL_NESTING = 64;

function parseFilter(options: { model: Model; collection: Collection; filter: unknown; depth: number; settings: Settings; path: string; topLevel: boolean; nesting?: number }): FilterNode {
  const { model, collection, filter, depth, settings, path, topLevel } = options;
  const nesting = options.nesting ?? 0;
  if (depth > settings.maxDepth) invalid('Max relational depth exceeded');
  if (nesting > MAX_LOGICAL_NESTING) invalid(`Filter nests _and/_or more than ${MAX_LOGICAL_NESTING} levels deep`);
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) invalid(`Invalid filter object at ${path}`);
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    const here = `${path}.${key}`;
    if (LOGICAL.has(key)) {
      if (!Array.isArray(value) || value.length === 0) invalid(`"${key}" at ${path} has to be a non-empty list of filters`);
      children.push({ kind: key === '_and' ? 'and' : 'or', children: value.map((item, index) => parseFilter({ ...options, filter: item, path: `${here}[${index}]`, nesting: nesting + 1 })) });
      continue;
    }
    const counted = countCall(model, collection, key, settings);
    if (counted) {
      for (const node of conditions({ field: counted.field, type: 'integer', valueType: 'integer', value, path: here, settings })) children.push({ ...(node as Extract<FilterNode, { kind: 'compare' }>), count: counted.count });
      continue;
    }
    const call = dateCall(collection, key, settings);
    if (call) {
      for (const node of conditions({ field: call.field, type: 'integer', valueType: 'integer', value, path: here, settings })) children.push({ ...(node as Extract<FilterNode, { kind: 'compare' }>), fn: call.fn });
      continue;
    }
    const field = key === collection.primaryKey.field ? null : collection.fields[key];
    if (field === undefined) invalid(`Invalid filter key "${key}" on "${collection.name}"`);
    if (!readableField(settings, collection, key)) forbiddenField(key, collection.name);
    const relation = field?.relation;
    // Following a relation (not just comparing an m2o's key) needs the related collection readable too.
    const relatedName = relation === undefined || relation === null ? undefined : relation.kind === 'm2m' ? relation.junction : relation.related;
    const follows = relation?.kind !== 'm2o' || (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => !k.startsWith('_')));
    if (relatedName !== undefined && follows && !readableCollection(settings, relatedName)) forbiddenCollection(relatedName);
    if (relation?.kind === 'o2m' || relation?.kind === 'm2m') {
      const target = model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
      const foreignKey = relation.kind === 'm2m' ? relation.sourceField : relation.foreignKey;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(`"${key}" is a relation: filter it with a nested filter, _some or _none`);
      const unquantified: Record<string, unknown> = {};
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        if (QUANTIFIERS.has(inner)) {
          if (!topLevel) invalid(`"${inner}" can only be used on a relation at the top level of a filter`);
          children.push({ kind: 'many', quantifier: inner === '_some' ? 'some' : 'none', related: target.name, foreignKey, filter: parseFilter({ model, collection: target, filter: innerValue, depth: depth + 1, settings, path: `${here}.${inner}`, topLevel: false }) });
        } else {
          unquantified[inner] = innerValue;
        }
      }
      // Without a quantifier an o2m filter means "some", and one related item has to match all of it (as Directus's join does).
      if (Object.keys(unquantified).length > 0) {
        children.push({ kind: 'many', quantifier: 'some', related: target.name, foreignKey, filter: parseFilter({ model, collection: target, filter: unquantified, depth: depth + 1, settings, path: here, topLevel: false }) });
      }
      continue;
    }
    if (relation?.kind === 'm2o' && value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => !k.startsWith('_'))) {
      const related = model.collections[relation.related]!;
      children.push({ kind: 'm2o', field: key, related: related.name, relatedKey: related.primaryKey.field, filter: parseFilter({ model, collection: related, filter: value, depth: depth + 1, settings, path: here, topLevel: false }) });
      continue;
    }
    const type = field ? field.type : collection.primaryKey.type;
    // An m2o compares as its key: its values are checked as the related key's type.
    const valueType = relation?.kind === 'm2o' ? model.collections[relation.related]!.primaryKey.type : type;
    children.push(...conditions({ field: key, type, valueType, value, path: here, settings }));
  }
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

function conditions(options: { field: string; type: string; valueType: string; value: unknown; path: string; settings: Settings }): FilterNode[] {
  const { field, type, valueType, value, path, settings } = options;
  // A bare value means _eq.
  const operators = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>) : [['_eq', value] as [string, unknown]];
  const allowed = OPERATORS_BY_TYPE[type as keyof typeof OPERATORS_BY_TYPE] ?? [];
  return operators.map(([operator, operand]) => {
    if (!allowed.includes(operator)) invalid(`"${type}" field type does not contain the "${operator}" filter operator (at ${path})`);
    return { kind: 'compare', field, operator, type, value: operandFor({ operator, operand, type: valueType, path: `${path}.${operator}`, settings }) };
  });
}

const NUMERIC = new Set(['integer', 'bigInteger', 'float', 'decimal']);

function operandFor(options: { operator: string; operand: unknown; type: string; path: string; settings: Settings }): unknown {
  const { operator, operand, type, path, settings } = options;
  if (['_null', '_nnull', '_empty', '_nempty'].includes(operator)) {
    if (typeof operand !== 'boolean') invalid(`"${operator}" at ${path} takes true or false`);
    return operand;
  }
  if (operator === '_in' || operator === '_nin' || operator === '_between' || operator === '_nbetween') {
    // $CURRENT_ROLES and $CURRENT_POLICIES are lists; an empty one matches nothing (_in) or everything (_nin).
    const dynamic = typeof operand === 'string' && operand.startsWith('$') ? resolveDynamic(operand, settings) : operand;
    if (dynamic !== operand && Array.isArray(dynamic) && dynamic.length === 0 && operator.endsWith('in')) return [];
    const items = typeof dynamic === 'string' ? dynamic.split(',') : dynamic;
    if (!Array.isArray(items) || items.length === 0) invalid(`"${operator}" at ${path} takes a non-empty list`);
    if (operator.endsWith('between') && items.length !== 2) invalid(`"${operator}" at ${path} takes exactly two values`);
    return items.map((item) => scalar(item, type, path, settings));
  }
  return scalar(operand, type, path, settings);
}

/** $NOW as a value of each date type, in UTC; any other type then checks the ISO text as it would any string. */
function dateText(date: Date, type: string): string {
  const iso = date.toISOString();
  if (type === 'date') return iso.slice(0, 10);
  if (type === 'time') return iso.slice(11, 23);
  if (type === 'dateTime') return iso.slice(0, 23);
  return iso;
}

const INT64 = 2n ** 63n;

/** A whole number a bigint column holds, written as text (beyond 2^53 a JS number would not be exact). */
export function isInt64(text: string): boolean {
  return /^-?\d{1,19}$/.test(text) && BigInt(text) >= -INT64 && BigInt(text) < INT64;
}

function scalar(value: unknown, type: string, path: string, settings: Settings): unknown {
  const dynamic = typeof value === 'string' && value.startsWith('$') ? resolveDynamic(value, settings) : value;
  const resolved = dynamic instanceof Date ? dateText(dynamic, type) : dynamic;
  if (resolved === null) return null;
  if (NUMERIC.has(type)) {
    // Bound as the exact text; the API shows bigints as strings, so they come back that way.
    if (type === 'bigInteger' && typeof resolved === 'string' && isInt64(resolved)) return resolved;
    const number = typeof resolved === 'number' ? resolved : typeof resolved === 'string' && resolved.trim() !== '' ? Number(resolved) : Number.NaN;
    if (!Number.isFinite(number)) invalid(`Invalid numeric value at ${path}`);
    if ((type === 'integer' || type === 'bigInteger') && !Number.isSafeInteger(number)) invalid(`Invalid whole number at ${path}`);
    if (type === 'integer' && !isInt32(number)) invalid(`Number out of range at ${path}`);
    return number;
  }
  if (type === 'boolean') {
    if (typeof resolved !== 'boolean') invalid(`Invalid boolean value at ${path}`);
    return resolved;
  }
  if (typeof resolved === 'string' && resolved === '') invalid(`Empty value at ${path}; use _empty or _nempty`);
  if (typeof resolved !== 'string' && typeof resolved !== 'number' && typeof resolved !== 'boolean') invalid(`Invalid value at ${path}`);
  const text = String(resolved);
  // Checked here so that the database never sees a value it would reject with an error.
  if (!fitsFormat(type, text)) invalid(`Invalid ${type} value "${text}" at ${path}`);
  return text;
}
