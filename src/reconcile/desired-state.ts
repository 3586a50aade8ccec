/**
 * The DatabaseState a Model asks for: one table per collection (junctions
 * included), one column per field that has one, keys, foreign keys and
 * indexes with deterministic names that fit PostgreSQL's 63 bytes, types in
 * format_type() spelling and defaults as SQL expressions.
 */
import { createHash } from 'node:crypto';
import type { Collection, Field, Model } from '../model/index.ts';
import type { ColumnState, DatabaseState, TableState } from './database-state.ts';
import { quoteLiteral } from './sql.ts';

const MAX_NAME_BYTES = 63;

/** `<table>_<columns>_<suffix>`, shortened with a hash when it would exceed 63 bytes (PostgreSQL would truncate it silently). */
export function constraintName(table: string, columns: readonly string[], suffix: 'pkey' | 'key' | 'fkey' | 'idx'): string {
  const name = suffix === 'pkey' ? `${table}_pkey` : `${table}_${columns.join('_')}_${suffix}`;
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME_BYTES - hash.length - suffix.length - 2)}_${hash}_${suffix}`;
}

/** The model's dbType in format_type() spelling. */
export function formatType(dbType: string): string {
  const varchar = /^varchar\((\d+)\)$/.exec(dbType);
  if (varchar) return `character varying(${varchar[1]})`;
  const numeric = /^numeric\((\d+),\s*(\d+)\)$/.exec(dbType);
  if (numeric) return `numeric(${numeric[1]},${numeric[2]})`;
  switch (dbType) {
    case 'timestamptz':
      return 'timestamp with time zone';
    case 'timestamp':
      return 'timestamp without time zone';
    case 'time':
      return 'time without time zone';
    default:
      return dbType;
  }
}

/** The column default a field asks for, as SQL; null for none. */
export function defaultExpression(field: Field): string | null {
  if (field.special === 'date-created') return 'now()';
  if (field.special === 'uuid') return 'gen_random_uuid()';
  if (!('default' in field) || field.default === undefined || field.default === null) return null;
  const value = field.default;
  switch (field.type) {
    case 'integer':
    case 'bigInteger':
    case 'float':
    case 'decimal':
      return String(Number(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'json':
      return `${quoteLiteral(JSON.stringify(value))}::jsonb`;
    case 'csv':
      return `${quoteLiteral(`{${(value as string[]).map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`)}::text[]`;
    default:
      return quoteLiteral(String(value));
  }
}

function primaryKeyColumn(collection: Collection): ColumnState {
  const { field, type, dbType } = collection.primaryKey;
  return {
    name: field,
    type: formatType(dbType),
    nullable: false,
    default: type === 'uuid' ? 'gen_random_uuid()' : null,
    identity: type === 'integer' || type === 'bigInteger' ? 'by default' : null,
  };
}

export function tableFromCollection(collection: Collection): TableState {
  const table = collection.name;
  const columns: Record<string, ColumnState> = { [collection.primaryKey.field]: primaryKeyColumn(collection) };
  const state: TableState = {
    name: table,
    columns,
    primaryKey: { name: constraintName(table, [collection.primaryKey.field], 'pkey'), columns: [collection.primaryKey.field] },
    uniques: {},
    foreignKeys: {},
    indexes: {},
  };
  for (const field of Object.values(collection.fields)) {
    if (field.dbType === null) continue;
    columns[field.name] = { name: field.name, type: formatType(field.dbType), nullable: field.nullable, default: defaultExpression(field), identity: null };
    if (field.unique) {
      const name = constraintName(table, [field.name], 'key');
      state.uniques[name] = { name, columns: [field.name] };
    }
    if (field.relation?.kind === 'm2o') {
      const name = constraintName(table, [field.name], 'fkey');
      state.foreignKeys[name] = { name, columns: [field.name], referencedTable: field.relation.related, referencedColumns: [], onDelete: field.relation.onDelete };
    }
    if (field.index) {
      const name = constraintName(table, [field.name], 'idx');
      state.indexes[name] = { name, columns: [field.name], unique: false };
    }
  }
  return state;
}

export function desiredState(model: Model): DatabaseState {
  const tables: Record<string, TableState> = {};
  for (const collection of Object.values(model.collections)) tables[collection.name] = tableFromCollection(collection);
  // Foreign keys reference the target's primary key column, known once every table is.
  for (const table of Object.values(tables)) {
    for (const fk of Object.values(table.foreignKeys)) fk.referencedColumns = tables[fk.referencedTable]?.primaryKey?.columns ?? [];
  }
  return { schema: model.project.schema, tables: sortByName(tables) };
}

function sortByName<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
