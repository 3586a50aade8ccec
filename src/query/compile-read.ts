/**
 * Compiles a ReadQuery into ONE SQL statement: the root rows as columns, each
 * expanded m2o as a row_to_json subquery, each o2m/m2m as an ordered,
 * limited json_agg subquery, filters on relations as EXISTS. Values are bind
 * parameters (`?` for knex.raw); identifiers come from the model and are
 * quoted by the one quoting function. However deep the nesting, one
 * statement: never one query per row or per relation.
 */
import type { Collection, Model } from '../model/index.ts';
import { qualified, quoteIdent } from '../reconcile/sql.ts';
import type { FieldNode, FilterNode, ReadQuery, SortNode } from './ast.ts';

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

/** `%` and `_` in a value are matched literally (Directus does not escape them; Cairn does). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function compileRead(model: Model, query: ReadQuery): CompiledQuery {
  const bindings: unknown[] = [];
  let aliases = 0;
  const schema = model.project.schema;
  const bind = (value: unknown): string => {
    bindings.push(value);
    return '?';
  };
  const nextAlias = () => `t${aliases++}`;
  const collectionOf = (name: string): Collection => model.collections[name]!;
  const column = (alias: string, field: string) => `${alias}.${quoteIdent(field)}`;

  /** `expr as "name"` for every requested field of an item of `read.collection` held in `alias`. */
  const projection = (read: ReadQuery, alias: string): string[] => read.fields.map((node) => `${fieldExpression(node, read, alias)} as ${quoteIdent(node.as)}`);

  const fieldExpression = (node: FieldNode, read: ReadQuery, alias: string): string => {
    const collection = collectionOf(read.collection);
    if (node.kind === 'column') {
      return column(alias, node.field);
    }
    if (node.kind === 'm2o') {
      const related = collectionOf(node.read.collection);
      const inner = nextAlias();
      return `(select (select row_to_json(p) from (select ${projection(node.read, inner).join(', ')}) as p) from ${qualified(schema, related.name)} as ${inner} where ${column(inner, related.primaryKey.field)} = ${column(alias, node.field)})`;
    }
    const target = collectionOf(node.read.collection);
    const inner = nextAlias();
    const value = node.keysOnly ? column(inner, target.primaryKey.field) : `(select row_to_json(p) from (select ${projection(node.read, inner).join(', ')}) as p)`;
    const where = [`${column(inner, node.foreignKey)} = ${column(alias, collection.primaryKey.field)}`];
    if (node.read.filter) where.push(filterSql(node.read.filter, node.read.collection, inner));
    const order = orderBy(node.read, inner);
    const limit = node.read.limit === null ? '' : ` limit ${bind(node.read.limit)}`;
    // Ordered by row number: json_agg keeps the order the sort asked for.
    return `(select coalesce(json_agg(r.v order by r.n), '[]'::json) from (select ${value} as v, row_number() over (order by ${order}) as n from ${qualified(schema, target.name)} as ${inner} where ${where.join(' and ')} order by ${order}${limit}) as r)`;
  };

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
    // A csv field is a text[]: text operators look at its comma-joined form.
    const target = node.type === 'csv' ? `array_to_string(${column(alias, node.field)}, ',')` : column(alias, node.field);
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
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(term);
    const fields = [{ name: collection.primaryKey.field, type: collection.primaryKey.type as string }, ...Object.values(collection.fields).map((f) => ({ name: f.name, type: f.type as string }))];
    for (const field of fields) {
      if (field.type === 'string' || field.type === 'text') parts.push(`lower(${column(alias, field.name)}) like ${bind(pattern)} escape '\\'`);
      else if (number !== undefined && ['integer', 'bigInteger', 'float', 'decimal'].includes(field.type) && (field.type !== 'integer' || (Number.isSafeInteger(number) && Math.abs(number) <= 2_147_483_647))) {
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
  const orderBy = (read: ReadQuery, alias: string): string => {
    const key = collectionOf(read.collection).primaryKey.field;
    const parts = read.sort.map((node) => `${sortSql(node, alias)} ${direction(node) ? 'desc' : 'asc'}`);
    if (!read.sort.some((node) => node.kind === 'column' && node.field === key)) parts.push(`${column(alias, key)} asc`);
    return parts.join(', ');
  };

  const root = nextAlias();
  const collection = collectionOf(query.collection);
  const select = projection(query, root);
  const where: string[] = [];
  if (query.filter) where.push(filterSql(query.filter, query.collection, root));
  if (query.search !== null) where.push(searchSql(query.search, collection, root));
  let sql = `select ${select.join(', ')} from ${qualified(schema, collection.name)} as ${root}`;
  if (where.length > 0) sql += ` where ${where.join(' and ')}`;
  sql += ` order by ${orderBy(query, root)}`;
  if (query.limit !== null) sql += ` limit ${bind(query.limit)}`;
  if (query.offset > 0) sql += ` offset ${bind(query.offset)}`;
  return { sql, bindings };
}
