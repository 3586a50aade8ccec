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
}

/**
 * One statement answering one row: `data`, the items as a JSON array (in the
 * requested order), and the requested counts. Values are formatted as
 * Directus's API shows them: bigint and decimal as strings, timestamps as
 * ISO 8601 in UTC, hashes concealed.
 */
export function compileRead(model: Model, query: ReadQuery, meta: ReadMeta = {}): CompiledQuery {
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

  /** `expr as "name"` for every requested field of an item of `read.collection` held in `alias`. */
  const projection = (read: ReadQuery, alias: string): string[] => read.fields.map((node) => `${fieldExpression(node, read, alias)} as ${quoteIdent(node.as)}`);

  const fieldExpression = (node: FieldNode, read: ReadQuery, alias: string): string => {
    const collection = collectionOf(read.collection);
    if (node.kind === 'column') {
      return output(column(alias, node.field), typeOf(collection, node.field));
    }
    if (node.kind === 'function') return dateFunction(node.fn, column(alias, node.field));
    if (node.kind === 'count') {
      const inner = nextAlias();
      return `(select count(*)::int from ${qualified(schema, node.related)} as ${inner} where ${column(inner, node.foreignKey)} = ${column(alias, collection.primaryKey.field)})`;
    }
    if (node.kind === 'm2o') {
      const related = collectionOf(node.read.collection);
      const inner = nextAlias();
      return `(select (select row_to_json(p) from (select ${projection(node.read, inner).join(', ')}) as p) from ${qualified(schema, related.name)} as ${inner} where ${column(inner, related.primaryKey.field)} = ${column(alias, node.field)})`;
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
      sql: `select ${item} as j, ${keys.join(', ')} from ${qualified(schema, target.name)} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''} order by ${order.join(', ')}${limitOffset(read)}`,
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
      return `to_json(array(select ${key} from ${qualified(schema, target.name)} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''} order by ${order.join(', ')}${limitOffset(read)}))`;
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
    return `(select coalesce(json_agg(r.v order by r.n), '[]'::json) from (select json_build_object(${pairs.join(', ')}) as v, row_number() over (${groups.length > 0 ? `order by ${order}` : ''}) as n from ${qualified(schema, target.name)} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''}${grouped}) as r)`;
  };

  const conditionsOf = (read: ReadQuery, alias: string): string[] => [
    ...(read.filter ? [filterSql(read.filter, read.collection, alias)] : []),
    ...(read.search !== null ? [searchSql(read.search, collectionOf(read.collection), alias)] : []),
  ];

  const filterSql = (node: FilterNode, collectionName: string, alias: string): string => {
    switch (node.kind) {
      case 'and':
      case 'or':
        // An empty group ({} or _and: []) constrains nothing.
        if (node.children.length === 0) return node.kind === 'and' ? 'true' : 'false';
        return `(${node.children.map((child) => filterSql(child, collectionName, alias)).join(` ${node.kind} `)})`;
      case 'm2o': {
        const inner = nextAlias();
        return `exists (select 1 from ${qualified(schema, node.related)} as ${inner} where ${column(inner, node.relatedKey)} = ${column(alias, node.field)} and ${filterSql(node.filter, node.related, inner)})`;
      }
      case 'many': {
        const inner = nextAlias();
        const key = collectionOf(collectionName).primaryKey.field;
        const exists = `exists (select 1 from ${qualified(schema, node.related)} as ${inner} where ${column(inner, node.foreignKey)} = ${column(alias, key)} and ${filterSql(node.filter, node.related, inner)})`;
        return node.quantifier === 'some' ? exists : `not ${exists}`;
      }
      case 'compare':
        return comparison(node, alias);
    }
  };

  const comparison = (node: Extract<FilterNode, { kind: 'compare' }>, alias: string): string => {
    // A csv field is a text[]: text operators look at its comma-joined form. A function compares its integer.
    const target = node.fn ? dateFunction(node.fn, column(alias, node.field)) : node.type === 'csv' ? `array_to_string(${column(alias, node.field)}, ',')` : column(alias, node.field);
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
    const fields = [{ name: collection.primaryKey.field, type: collection.primaryKey.type as string }, ...Object.values(collection.fields).map((f) => ({ name: f.name, type: f.type as string }))];
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
    return `(select ${sortSql(node.sort, inner)} from ${qualified(schema, node.related)} as ${inner} where ${column(inner, node.relatedKey)} = ${column(alias, node.field)})`;
  };
  const direction = (node: SortNode): boolean => (node.kind === 'column' ? node.descending : direction(node.sort));

  /** The requested sort, then the primary key, so that pages never overlap. */
  const orderTerms = (read: ReadQuery, alias: string): { sql: string; direction: 'asc' | 'desc' }[] => {
    const key = collectionOf(read.collection).primaryKey.field;
    const terms = read.sort.map((node) => ({ sql: sortSql(node, alias), direction: direction(node) ? ('desc' as const) : ('asc' as const) }));
    if (!read.sort.some((node) => node.kind === 'column' && node.field === key)) terms.push({ sql: column(alias, key), direction: 'asc' });
    return terms;
  };

  const first = meta.data === 'first-text' && !query.aggregate;
  // One item: its JSON object as it is, without building an array to take it out again.
  const data = first ? `(select r.j::text from (${page(query, nextAlias(), null).sql}) as r)` : query.aggregate ? aggregateList(query, nextAlias()) : list(query, nextAlias(), null);
  const counts: string[] = [];
  const table = qualified(schema, query.collection);
  if (meta.filterCount) {
    const alias = nextAlias();
    const where = conditionsOf(query, alias);
    counts.push(`(select count(*) from ${table} as ${alias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''}) as filter_count`);
  }
  if (meta.totalCount) counts.push(`(select count(*) from ${table} as ${nextAlias()}) as total_count`);
  const shaped = meta.data === 'text' ? `${data}::text` : meta.data === 'first-text' && !first ? `(${data} -> 0)::text` : data;
  const sql = `select ${[`${shaped} as data`, ...counts].join(', ')}`;
  return { sql, bindings };
}
