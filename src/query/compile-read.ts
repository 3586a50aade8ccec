/**
 * Compiles a ReadQuery into ONE SQL statement: the root rows as columns, each
 * expanded m2o as a row_to_json subquery, each o2m/m2m as an ordered,
 * limited json_agg subquery, filters on relations as EXISTS. Values are bind
 * parameters (`$1`, `$2`…, for Database.query); identifiers come from the model and are
 * quoted by the one quoting function. However deep the nesting, one
 * statement: never one query per row or per relation.
 */
import { isInt32, type Collection, type Model } from '../model/index.ts';
import { qualified, quoteIdent } from '../reconcile/sql.ts';
import type { DateFunction, FieldNode, FilterNode, ReadQuery, SortNode } from './ast.ts';
import { isInt64 } from './parse-query.ts';

export interface CompiledQuery {
  sql: string;
  bindings: unknown[];
}

const LIKE: Record<string, { negate: boolean; insensitive: boolean; pattern: (v: string) => string }> = {
  _contains: { negate: false, insensitive: false, pattern: (v) => `%${v}%` },
  _ncontains: { negate: true, insensitive: false, pattern: (v) => `%${v}%` },
  _icontains: { negate: false, insensitive: true, pattern: (v) => `%${v}%` },
  _starts_with: { negate: false, insensitive: false, pattern: (v) => `${v}%` },
  _nstarts_with: { negate: true, insensitive: false, pattern: (v) => `${v}%` },
  _istarts_with: { negate: false, insensitive: true, pattern: (v) => `${v}%` },
  _nistarts_with: { negate: true, insensitive: true, pattern: (v) => `${v}%` },
  _ends_with: { negate: false, insensitive: false, pattern: (v) => `%${v}` },
  _nends_with: { negate: true, insensitive: false, pattern: (v) => `%${v}` },
  _iends_with: { negate: false, insensitive: true, pattern: (v) => `%${v}` },
  _niends_with: { negate: true, insensitive: true, pattern: (v) => `%${v}` },
};
const COMPARISON: Record<string, string> = { _eq: '=', _neq: '<>', _lt: '<', _lte: '<=', _gt: '>', _gte: '>=' };

/** A result key in SQL: names come from the model or from a fixed list, never from the request alone. */
function literal(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

const DATE_PARTS: Record<DateFunction, string> = { year: 'year', month: 'month', week: 'week', day: 'day', weekday: 'dow', hour: 'hour', minute: 'minute', second: 'second' };

/** `year(col)` and the other date functions, as integers. */
function dateFunction(fn: DateFunction, expression: string): string {
  return `extract(${DATE_PARTS[fn]} from ${expression})::int`;
}

/** A column as the API shows it (see compileRead). */
function output(expression: string, type: string): string {
  switch (type) {
    case 'bigInteger':
    case 'decimal':
      return `${expression}::text`;
    case 'timestamp':
      return `to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'hash':
      return `case when ${expression} is null then null else '**********' end`;
    default:
      return expression;
  }
}

/** `%` and `_` in a value are matched literally (Directus does not escape them; Cairn does). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One read permission of the caller on a collection: the fields it grants, and the rows (null: all). */
export interface ReadPermission {
  fields: ReadonlySet<string> | 'all';
  filter: FilterNode | null;
}

/**
 * What the caller may read, for the compiler to build into the SQL: every
 * table a read touches (the root, each relation, filters and sorts through
 * relations, counts) is replaced by the caller's view of it, with only the
 * rows some permission grants and, on each row, only the fields a permission
 * granting that row grants (others read as null). Absent: the administrator.
 */
export interface ReadRules {
  /** The project model the permissions speak of (when reading history, the items' model). */
  model: Model;
  /** The caller's read permissions on a project collection; none: it may not read it. */
  permissions(collection: string): readonly ReadPermission[];
  /** The fields of any collection (history included) the caller may read: the only ones a search looks at. */
  readable(collection: string): ReadonlySet<string> | null;
  /**
   * For reads of Cairn's history (activity, revisions): their table names. Rows are shown for
   * items the caller may read, and revision data only with the fields the caller may read.
   */
  history?: { activity: string; revisions: string; versions: string };
}

export interface ReadMeta {
  /** Rows the query's filter and search match, before limit and offset. */
  filterCount?: boolean;
  /** Rows in the collection. */
  totalCount?: boolean;
  /**
   * `json` (default): `data` as JSON the driver parses. `text`: the JSON text, for the HTTP edge to send
   * as it is (no parse and re-serialise). `first-text`: the first item's JSON text, or null.
   */
  data?: 'json' | 'text' | 'first-text';
  /**
   * Collections whose rows are not stored but given, as JSON text of an array of objects (Cairn's
   * config served from the applied model: roles, policies, collections, fields…). They are read as
   * `json_to_recordset` of one bind parameter (json, not jsonb: objects keep their key order), with
   * the columns their model fields declare, and
   * hold only what the caller may see: no permission rules apply to them.
   */
  rows?: (collection: string) => string | undefined;
}

/**
 * One statement answering one row: `data`, the items as a JSON array (in the
 * requested order), and the requested counts. Values are formatted as
 * Directus's API shows them: bigint and decimal as strings, timestamps as
 * ISO 8601 in UTC, hashes concealed.
 */
export function compileRead(model: Model, query: ReadQuery, meta: ReadMeta = {}, rules?: ReadRules): CompiledQuery {
  const { bindings, nextAlias, page, list, aggregateList, conditionsOf, source } = makeCompiler(model, rules, meta.rows);
  const first = meta.data === 'first-text' && !query.aggregate;
  // One item: its JSON object as it is, without building an array to take it out again.
  const data = first ? `(select r.j::text from (${page(query, nextAlias(), null).sql}) as r)` : query.aggregate ? aggregateList(query, nextAlias()) : list(query, nextAlias(), null);
  const counts: string[] = [];
  // Built only when used: building binds its values.
  const table = () => source(query.collection);
  if (meta.filterCount) {
    const alias = nextAlias();
    const where = conditionsOf(query, alias);
    counts.push(`(select count(*) from ${table()} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''}) as filter_count`);
  }
  if (meta.totalCount) counts.push(`(select count(*) from ${table()} as ${nextAlias()}) as total_count`);
  const shaped = meta.data === 'text' ? `${data}::text` : meta.data === 'first-text' && !first ? `(${data} -> 0)::text` : data;
  const sql = `select ${[`${shaped} as data`, ...counts].join(', ')}`;
  return { sql, bindings };
}

/**
 * Rule checks for writes: per row of `keys`, whether each condition holds
 * (null: always). Conditions are permission filters and validation rules
 * from config, evaluated on the table as it is: `select key, c0, c1… from
 * table where key in (…)`.
 */
export function compileRuleCheck(model: Model, collection: string, keys: readonly unknown[], conditions: readonly (FilterNode | null)[]): CompiledQuery {
  const { bindings, bind, nextAlias, filterSql } = makeCompiler(model, undefined);
  const target = model.collections[collection]!;
  const alias = nextAlias();
  const key = `${alias}.${quoteIdent(target.primaryKey.field)}`;
  const columns = conditions.map((condition, i) => `${condition === null ? 'true' : `coalesce(${filterSql(condition, collection, alias, true)}, false)`} as c${i}`);
  const sql = `select ${[`${key} as key`, ...columns].join(', ')} from ${qualified(model.project.schema, collection)} as ${alias} where ${key} in (${keys.map(bind).join(', ')})`;
  return { sql, bindings };
}

/** The compiler's parts, sharing one list of bindings and one alias counter per statement. */
function makeCompiler(model: Model, rules: ReadRules | undefined, given?: ReadMeta['rows']) {
  const bindings: unknown[] = [];
  let aliases = 0;
  const schema = model.project.schema;
  const bind = (value: unknown): string => {
    bindings.push(value);
    return `$${bindings.length}`;
  };
  const nextAlias = () => `t${aliases++}`;
  const collectionOf = (name: string): Collection => model.collections[name]!;
  const column = (alias: string, field: string) => `${alias}.${quoteIdent(field)}`;
  /** The type a column holds: its own, or for an m2o, the related key's. */
  const typeOf = (collection: Collection, name: string): string => {
    if (name === collection.primaryKey.field) return collection.primaryKey.type;
    const field = collection.fields[name]!;
    return field.relation?.kind === 'm2o' ? collectionOf(field.relation.related).primaryKey.type : field.type;
  };

  /** The relation a read takes rows of `name` from: the given rows, the table, or the caller's view of it. */
  const source = (name: string): string => {
    const json = given?.(name);
    if (json !== undefined) return givenRows(name, json);
    if (!rules) return qualified(schema, name);
    if (rules.history && [rules.history.activity, rules.history.revisions, rules.history.versions].includes(name)) return historySource(rules, name);
    return securedSource(rules, name);
  };

  /** Given rows as a relation: each model column, typed as the model declares it, from one JSON parameter. */
  const givenRows = (name: string, json: string): string => {
    const target = collectionOf(name);
    const columns = [`${quoteIdent(target.primaryKey.field)} ${target.primaryKey.dbType}`];
    for (const field of Object.values(target.fields)) if (field.dbType !== null) columns.push(`${quoteIdent(field.name)} ${field.dbType}`);
    return `(select * from json_to_recordset(${bind(json)}::json) as ${nextAlias()}(${columns.join(', ')}))`;
  };

  /**
   * Per permission of `name`: whether it grants every row, and its row condition on a row of `alias`
   * (the table itself) as SQL, compiled only when asked for (compiling binds its values, and
   * PostgreSQL refuses a statement with parameters it never uses).
   */
  const grantConditions = (rules: ReadRules, name: string, alias: string): { permission: ReadPermission; everyRow: boolean; sql: () => string }[] =>
    rules.permissions(name).map((permission) => {
      let compiled: string | undefined;
      const filter = permission.filter;
      return { permission, everyRow: filter === null, sql: () => (compiled ??= filter === null ? 'true' : `(${filterSql(filter, name, alias, true)})`) };
    });

  /** Per field of `name`: 'all' (every granted row shows it), 'none', or the SQL condition of the rows that show it. */
  const fieldVisibility = (rules: ReadRules, name: string, grants: ReturnType<typeof grantConditions>): Map<string, string> => {
    const target = rules.model.collections[name]!;
    const visibility = new Map<string, string>();
    for (const field of [target.primaryKey.field, ...Object.keys(target.fields)]) {
      const granting = grants.filter((grant) => grant.permission.fields === 'all' || grant.permission.fields.has(field));
      // Granted by every permission, or by one that grants every row: wherever the row shows, the field does.
      if (granting.length > 0 && (granting.length === grants.length || granting.some((grant) => grant.everyRow))) visibility.set(field, 'all');
      else visibility.set(field, granting.length === 0 ? 'none' : `(${granting.map((grant) => grant.sql()).join(' or ')})`);
    }
    return visibility;
  };

  /** The rows of `name` the caller may read, each field masked to null where no granting permission grants it. */
  const securedSource = (rules: ReadRules, name: string): string => {
    const target = rules.model.collections[name]!;
    const raw = nextAlias();
    const grants = grantConditions(rules, name, raw);
    if (grants.length === 0) return `(select * from ${qualified(rules.model.project.schema, name)} where false)`;
    const visibility = fieldVisibility(rules, name, grants);
    // The key stays as it is: joins and the tie-breaking sort need it (the parser decides who may ask for it).
    const columns = [`${column(raw, target.primaryKey.field)}`];
    for (const field of Object.values(target.fields)) {
      if (field.dbType === null) continue;
      const shown = visibility.get(field.name)!;
      const value = column(raw, field.name);
      columns.push(shown === 'all' ? value : shown === 'none' ? `null::${field.dbType} as ${quoteIdent(field.name)}` : `case when ${shown} then ${value} end as ${quoteIdent(field.name)}`);
    }
    const rows = grants.some((grant) => grant.everyRow) ? '' : ` where ${grants.map((grant) => grant.sql()).join(' or ')}`;
    return `(select ${columns.join(', ')} from ${qualified(rules.model.project.schema, name)} as ${raw}${rows})`;
  };

  /** An item key kept as text in history, as the key's own type (null when it cannot be one). */
  const keyFromText = (keyType: string, text: string): string => {
    switch (keyType) {
      case 'integer':
      case 'bigInteger':
        return `(case when ${text} ~ '^-?[0-9]{1,18}$' then ${text}::bigint end)`;
      case 'uuid':
        return `(case when ${text} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then ${text}::uuid end)`;
      default:
        return text;
    }
  };

  /** Activity, revisions or versions, only for items the caller may read; their data and deltas without the fields it may not. */
  const historySource = (rules: ReadRules, name: string): string => {
    const history = nextAlias();
    const readable = Object.values(rules.model.collections).filter((collection) => rules.permissions(collection.name).length > 0);
    const itemOf = (collection: Collection, alias: string) =>
      `${column(alias, collection.primaryKey.field)} = ${keyFromText(collection.primaryKey.type, column(history, 'item'))}`;
    const visible = readable.map((collection) => {
      const item = nextAlias();
      return `(${column(history, 'collection')} = ${bind(collection.name)} and exists (select 1 from ${securedSource(rules, collection.name)} as ${item} where ${itemOf(collection, item)}))`;
    });
    const where = visible.length === 0 ? 'false' : visible.join(' or ');
    if (name === rules.history!.activity) {
      // Columns the caller may not read are null in its view, as in a project collection's.
      const readable = rules.readable(name);
      const columns = Object.values(collectionOf(name).fields).filter((field) => field.dbType !== null).map((field) => (readable?.has(field.name) ? column(history, field.name) : `null::${field.dbType} as ${quoteIdent(field.name)}`));
      return `(select ${[column(history, 'id'), ...columns].join(', ')} from ${qualified(schema, name)} as ${history} where ${where})`;
    }
    // Revision data and delta lose the keys of fields the caller cannot see on that item now.
    const masked = (json: string) => {
      const cases = readable.flatMap((collection) => {
        const raw = nextAlias();
        const visibility = fieldVisibility(rules, collection.name, grantConditions(rules, collection.name, raw));
        const hidden = [...visibility].filter(([, shown]) => shown !== 'all').map(([field, shown]) => (shown === 'none' ? literal(field) : `case when ${shown} then null else ${literal(field)} end`));
        if (hidden.length === 0) return [`when ${bind(collection.name)} then ${column(history, json)}`];
        return [`when ${bind(collection.name)} then (select ${column(history, json)} - array_remove(array[${hidden.join(', ')}]::text[], null) from ${qualified(rules.model.project.schema, collection.name)} as ${raw} where ${itemOf(collection, raw)})`];
      });
      return cases.length === 0 ? 'null::jsonb' : `case ${column(history, 'collection')} ${cases.join(' ')} end`;
    };
    // Revisions and versions: their JSON columns (data, delta) masked, the others as they are.
    const fields = Object.values(collectionOf(name).fields).filter((field) => field.dbType !== null);
    const columns = [column(history, 'id'), ...fields.map((field) => (field.type === 'json' ? `${masked(field.name)} as ${quoteIdent(field.name)}` : column(history, field.name)))];
    return `(select ${columns.join(', ')} from ${qualified(schema, name)} as ${history} where ${where})`;
  };

  /** `expr as "name"` for every requested field of an item of `read.collection` held in `alias`. */
  const projection = (read: ReadQuery, alias: string): string[] => read.fields.map((node) => `${fieldExpression(node, read, alias)} as ${quoteIdent(node.as)}`);

  const fieldExpression = (node: FieldNode, read: ReadQuery, alias: string): string => {
    const collection = collectionOf(read.collection);
    if (node.kind === 'column') {
      const value = output(column(alias, node.field), typeOf(collection, node.field));
      return node.text ? `(${value})::text` : value;
    }
    if (node.kind === 'function') return dateFunction(node.fn, column(alias, node.field));
    if (node.kind === 'count') {
      const inner = nextAlias();
      return `(select count(*)::int from ${source(node.related)} as ${inner} where ${column(inner, node.foreignKey)} = ${column(alias, collection.primaryKey.field)})`;
    }
    if (node.kind === 'm2o') {
      const related = collectionOf(node.read.collection);
      const inner = nextAlias();
      return `(select (select row_to_json(p) from (select ${projection(node.read, inner).join(', ')}) as p) from ${source(related.name)} as ${inner} where ${column(inner, related.primaryKey.field)} = ${column(alias, node.field)})`;
    }
    const inner = nextAlias();
    return list(node.read, inner, `${column(inner, node.foreignKey)} = ${column(alias, collection.primaryKey.field)}`, node.keysOnly);
  };

  /**
   * The page of `read`'s items (the rows PostgreSQL picks first, with a top-N sort or an index), each
   * as a JSON object in `j`, beside its sort keys `o0…` so the page can be aggregated in its order.
   */
  const page = (read: ReadQuery, alias: string, link: string | null): { sql: string; order: string[] } => {
    const target = collectionOf(read.collection);
    // Built in the order they appear in the SQL text: bindings are positional.
    const item = `(select row_to_json(p) from (select ${projection(read, alias).join(', ')}) as p)`;
    const terms = orderTerms(read, alias);
    const where = [...(link ? [link] : []), ...conditionsOf(read, alias)];
    const keys = terms.map((term, i) => `${term.sql} as o${i}`);
    const order = terms.map((term, i) => `o${i} ${term.direction}`);
    return {
      sql: `select ${item} as j, ${keys.join(', ')} from ${source(target.name)} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''} order by ${order.join(', ')}${limitOffset(read)}`,
      order,
    };
  };

  const limitOffset = (read: ReadQuery): string => `${read.limit === null ? '' : ` limit ${bind(read.limit)}`}${read.offset > 0 ? ` offset ${bind(read.offset)}` : ''}`;

  /** The items of `read` as an ordered JSON array (only their keys when `keysOnly`). */
  const list = (read: ReadQuery, alias: string, link: string | null, keysOnly = false): string => {
    if (keysOnly) {
      // Keys alone: a plain array, which PostgreSQL builds far cheaper than JSON objects.
      const target = collectionOf(read.collection);
      const where = [...(link ? [link] : []), ...conditionsOf(read, alias)];
      const order = orderTerms(read, alias).map((term) => `${term.sql} ${term.direction}`);
      const key = output(column(alias, target.primaryKey.field), target.primaryKey.type);
      return `to_json(array(select ${key} from ${source(target.name)} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''} order by ${order.join(', ')}${limitOffset(read)}))`;
    }
    const { sql, order } = page(read, alias, link);
    const rows = nextAlias();
    return `(select coalesce(json_agg(${rows}.j order by ${order.map((term) => `${rows}.${term}`).join(', ')}), '[]'::json) from (${sql}) as ${rows})`;
  };

  /** Aggregate rows (one per group, or one for all), as Directus shapes them: {group…, fn: {field: value}}. */
  const aggregateList = (read: ReadQuery, alias: string): string => {
    const target = collectionOf(read.collection);
    const groups = (read.groupBy ?? []).map((group) => ({
      as: group.as,
      sql: group.fn ? dateFunction(group.fn, column(alias, group.field)) : column(alias, group.field),
      out: group.fn ? dateFunction(group.fn, column(alias, group.field)) : output(column(alias, group.field), typeOf(target, group.field)),
    }));
    const byFunction = new Map<string, string[]>();
    const pairs: string[] = groups.map((group) => `${literal(group.as)}, ${group.out}`);
    for (const node of read.aggregate ?? []) {
      if (node.field === null) {
        pairs.push(`${literal(node.fn)}, count(*)::text`);
        continue;
      }
      const distinct = node.fn.endsWith('Distinct') ? 'distinct ' : '';
      const sqlFunction = node.fn.replace('Distinct', '').replace('countAll', 'count');
      const value = `${sqlFunction}(${distinct}${column(alias, node.field)})`;
      const shown = node.fn === 'min' || node.fn === 'max' ? output(value, typeOf(target, node.field)) : `${value}::text`;
      byFunction.set(node.fn, [...(byFunction.get(node.fn) ?? []), `${literal(node.field)}, ${shown}`]);
    }
    for (const [fn, entries] of byFunction) pairs.push(`${literal(fn)}, json_build_object(${entries.join(', ')})`);
    const where = conditionsOf(read, alias);
    // Groups come in the order of their values (nulls last); without groups there is one row.
    const order = groups.map((g) => g.sql).join(', ');
    const grouped = groups.length > 0 ? ` group by ${order} order by ${order}${read.limit !== null ? ` limit ${bind(read.limit)}` : ''}` : '';
    return `(select coalesce(json_agg(r.v order by r.n), '[]'::json) from (select json_build_object(${pairs.join(', ')}) as v, row_number() over (${groups.length > 0 ? `order by ${order}` : ''}) as n from ${source(target.name)} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''}${grouped}) as r)`;
  };

  const conditionsOf = (read: ReadQuery, alias: string): string[] => [
    ...(read.filter ? [filterSql(read.filter, read.collection, alias)] : []),
    ...(read.search !== null ? [searchSql(read.search, collectionOf(read.collection), alias)] : []),
  ];

  /**
   * A filter on rows of `alias`. The request's filters see related rows through the caller's view;
   * a permission's own filter (`rule`) is config, evaluated on the tables as they are.
   */
  const filterSql = (node: FilterNode, collectionName: string, alias: string, rule = false): string => {
    const from = (name: string) => (rule ? qualified(rules?.model.project.schema ?? schema, name) : source(name));
    const keyOf = (name: string) => (rule && rules ? rules.model : model).collections[name]!.primaryKey.field;
    switch (node.kind) {
      case 'and':
      case 'or':
        // An empty group ({} or _and: []) constrains nothing.
        if (node.children.length === 0) return node.kind === 'and' ? 'true' : 'false';
        return `(${node.children.map((child) => filterSql(child, collectionName, alias, rule)).join(` ${node.kind} `)})`;
      case 'm2o': {
        const inner = nextAlias();
        return `exists (select 1 from ${from(node.related)} as ${inner} where ${column(inner, node.relatedKey)} = ${column(alias, node.field)} and ${filterSql(node.filter, node.related, inner, rule)})`;
      }
      case 'many': {
        const inner = nextAlias();
        const key = keyOf(collectionName);
        const exists = `exists (select 1 from ${from(node.related)} as ${inner} where ${column(inner, node.foreignKey)} = ${column(alias, key)} and ${filterSql(node.filter, node.related, inner, rule)})`;
        return node.quantifier === 'some' ? exists : `not ${exists}`;
      }
      case 'compare': {
        if (!node.count) return comparison(node, alias);
        // count(relation): the related rows pointing at this item, as the reader sees them (rules: as stored).
        const inner = nextAlias();
        return comparison(node, alias, `(select count(*)::int from ${from(node.count.related)} as ${inner} where ${column(inner, node.count.foreignKey)} = ${column(alias, keyOf(collectionName))})`);
      }
    }
  };

  const comparison = (node: Extract<FilterNode, { kind: 'compare' }>, alias: string, counted?: string): string => {
    // A csv field is a text[]: text operators look at its comma-joined form. A function compares its integer.
    const target = counted ?? (node.fn ? dateFunction(node.fn, column(alias, node.field)) : node.type === 'csv' ? `array_to_string(${column(alias, node.field)}, ',')` : column(alias, node.field));
    const { operator, value } = node;
    if (operator in COMPARISON) {
      if (value === null) return `${target} is ${operator === '_eq' ? '' : 'not '}null`;
      return `${target} ${COMPARISON[operator]} ${bind(value)}`;
    }
    if (operator === '_null' || operator === '_nnull') return `${target} is ${(operator === '_null') === value ? '' : 'not '}null`;
    if (operator === '_empty' || operator === '_nempty') {
      const empty = ['string', 'text', 'csv', 'hash'].includes(node.type) ? `(${target} is null or ${target} = '')` : `${target} is null`;
      return (operator === '_empty') === value ? empty : `not ${empty}`;
    }
    if (operator === '_in' || operator === '_nin') {
      // Only a dynamic list ($CURRENT_ROLES) can be empty: in nothing, or not in nothing.
      if ((value as unknown[]).length === 0) return operator === '_in' ? 'false' : 'true';
      return `${target} ${operator === '_nin' ? 'not ' : ''}in (${(value as unknown[]).map(bind).join(', ')})`;
    }
    if (operator === '_between' || operator === '_nbetween') {
      const [low, high] = value as unknown[];
      return `${target} ${operator === '_nbetween' ? 'not ' : ''}between ${bind(low)} and ${bind(high)}`;
    }
    const like = LIKE[operator];
    if (like) {
      const pattern = like.pattern(escapeLike(String(value)));
      const subject = like.insensitive ? `lower(${target})` : target;
      return `${subject} ${like.negate ? 'not ' : ''}like ${like.insensitive ? `lower(${bind(pattern)})` : bind(pattern)} escape '\\'`;
    }
    throw new TypeError(`No SQL for operator ${operator}`); // parseReadQuery lets only known operators through
  };

  const searchSql = (term: string, collection: Collection, alias: string): string => {
    const parts: string[] = [];
    const pattern = `%${escapeLike(term.toLowerCase())}%`;
    const number = term.trim() !== '' && Number.isFinite(Number(term)) ? Number(term) : undefined;
    // Only whole numbers a column can hold: anything else would be a database error, not "no match".
    const int32 = number !== undefined && isInt32(number);
    const int64 = isInt64(term);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(term);
    const readable = rules?.readable(collection.name);
    const fields = [{ name: collection.primaryKey.field, type: collection.primaryKey.type as string }, ...Object.values(collection.fields).map((f) => ({ name: f.name, type: f.type as string }))].filter(
      // Only what the caller may read: a search must not find a row by a value it cannot see.
      (field) => rules === undefined || readable?.has(field.name) === true,
    );
    for (const field of fields) {
      if (field.type === 'string' || field.type === 'text') parts.push(`lower(${column(alias, field.name)}) like ${bind(pattern)} escape '\\'`);
      else if (field.type === 'bigInteger') {
        if (int64) parts.push(`${column(alias, field.name)} = ${bind(term)}`);
      } else if (number !== undefined && ['integer', 'float', 'decimal'].includes(field.type) && (field.type !== 'integer' || int32)) {
        parts.push(`${column(alias, field.name)} = ${bind(number)}`);
      } else if (uuid && field.type === 'uuid') parts.push(`${column(alias, field.name)} = ${bind(term)}`);
    }
    return parts.length === 0 ? 'false' : `(${parts.join(' or ')})`;
  };

  const sortSql = (node: SortNode, alias: string): string => {
    if (node.kind === 'column') return column(alias, node.field);
    const inner = nextAlias();
    return `(select ${sortSql(node.sort, inner)} from ${source(node.related)} as ${inner} where ${column(inner, node.relatedKey)} = ${column(alias, node.field)})`;
  };
  const direction = (node: SortNode): boolean => (node.kind === 'column' ? node.descending : direction(node.sort));

  /** The requested sort, then the primary key, so that pages never overlap. */
  const orderTerms = (read: ReadQuery, alias: string): { sql: string; direction: 'asc' | 'desc' }[] => {
    const key = collectionOf(read.collection).primaryKey.field;
    const terms = read.sort.map((node) => ({ sql: sortSql(node, alias), direction: direction(node) ? ('desc' as const) : ('asc' as const) }));
    if (!read.sort.some((node) => node.kind === 'column' && node.field === key)) terms.push({ sql: column(alias, key), direction: 'asc' });
    return terms;
  };


  return { bindings, bind, nextAlias, page, list, aggregateList, conditionsOf, source, filterSql };
}
