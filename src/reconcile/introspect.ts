/**
 * Reads the live shape of one PostgreSQL schema into a DatabaseState, the
 * form the reconciler diffs against the desired state. The catalogs are read
 * with ONE statement, whatever the number of tables: one round trip and one
 * snapshot, so a concurrent ALTER cannot produce a torn state (a foreign key
 * to a table the same read does not see). Cairn's own cairn_* tables,
 * partitions and tables owned by extensions are left out.
 *
 * Types and defaults are PostgreSQL's own spelling (format_type,
 * pg_get_expr). PostgreSQL 15 and PGlite (PostgreSQL 18) were compared on 65
 * column types and default forms — every type the reconciler uses, serial,
 * identity, arrays, enums, domains, CURRENT_* and literal defaults — and spell
 * them identically, so nothing is normalised here. Two spellings depend on
 * the session rather than the server: a timestamptz literal default is shown
 * in the session's TimeZone, and names outside the search_path (a sequence in
 * nextval(), an enum type) come out schema-qualified.
 */
import type { Database } from '../db/index.ts';
import type { ColumnState, DatabaseState, ReferentialAction, TableState } from './database-state.ts';

export interface IntrospectOptions {
  /** The PostgreSQL schema to read, e.g. `public`. */
  schema: string;
}

export interface IntrospectionResult {
  state: DatabaseState;
  /** Catalog statements executed: constant, never a function of the number of tables. */
  queries: number;
}

/** Prefix of Cairn's own tables, which are never part of the user's schema. */
const SYSTEM_TABLE_PREFIX = 'cairn_';

interface ColumnRow {
  table: string;
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  identity: '' | 'a' | 'd';
}

interface ConstraintRow {
  table: string;
  name: string;
  kind: 'p' | 'u' | 'f';
  columns: string[];
  referencedSchema: string | null;
  referencedTable: string | null;
  referencedColumns: string[] | null;
  onDelete: string | null;
}

interface IndexRow {
  table: string;
  name: string;
  unique: boolean;
  /** null when the index cannot be described as a plain list of columns. */
  columns: string[] | null;
}

interface CatalogRow {
  tables: string[];
  columns: ColumnRow[];
  constraints: ConstraintRow[];
  indexes: IndexRow[];
}

/*
 * Each part is aggregated to a JSON array in the order the state needs, so
 * the result is deterministic; names sort by the `name` type's C collation,
 * identical on every server whatever its locale.
 *
 * Indexes: only those that back no primary key, unique or exclusion
 * constraint of their own table. (A foreign key also records an index in
 * conindid — the referenced table's unique index — which must not hide it.)
 * An index IndexState cannot describe faithfully — on expressions, partial,
 * not btree, with INCLUDE columns, or with DESC/NULLS FIRST keys — is listed
 * by name with `columns: []`, so it is seen but never mistaken for a plain one.
 */
const CATALOG_QUERY = `
with tables as (
  select c.oid, c.relname
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = ?
    and c.relkind in ('r', 'p')
    and not c.relispartition
    and not starts_with(c.relname::text, ?)
    and not exists (
      select 1 from pg_catalog.pg_depend dep
      where dep.classid = 'pg_catalog.pg_class'::regclass and dep.objid = c.oid and dep.deptype = 'e'
    )
),
columns as (
  select t.relname, a.attnum, json_build_object(
    'table', t.relname,
    'name', a.attname,
    'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
    'nullable', not a.attnotnull,
    -- A generated column's expression lives in pg_attrdef too, but it is not a default.
    'default', case when a.attgenerated = '' then pg_catalog.pg_get_expr(d.adbin, d.adrelid) end,
    'identity', a.attidentity::text
  ) as item
  from tables t
  join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
  left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
),
constraints as (
  select t.relname, con.conname, json_build_object(
    'table', t.relname,
    'name', con.conname,
    'kind', con.contype::text,
    'columns', (
      select json_agg(a.attname order by k.ord)
      from unnest(con.conkey) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
    ),
    'referencedSchema', rn.nspname,
    'referencedTable', rc.relname,
    'referencedColumns', (
      select json_agg(a.attname order by k.ord)
      from unnest(con.confkey) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum
    ),
    'onDelete', case when con.contype = 'f' then con.confdeltype::text end
  ) as item
  from tables t
  join pg_catalog.pg_constraint con on con.conrelid = t.oid and con.contype in ('p', 'u', 'f')
  left join pg_catalog.pg_class rc on rc.oid = con.confrelid
  left join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
),
indexes as (
  select t.relname, ic.relname as indexname, json_build_object(
    'table', t.relname,
    'name', ic.relname,
    'unique', i.indisunique,
    'columns', case
      when i.indexprs is null and i.indpred is null and am.amname = 'btree'
        and i.indnatts = i.indnkeyatts and 0 = all (i.indoption::int2[])
      then (
        select json_agg(a.attname order by k.ord)
        from unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      )
    end
  ) as item
  from tables t
  join pg_catalog.pg_index i on i.indrelid = t.oid
  join pg_catalog.pg_class ic on ic.oid = i.indexrelid
  join pg_catalog.pg_am am on am.oid = ic.relam
  where not exists (
    select 1 from pg_catalog.pg_constraint con
    where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
  )
)
select
  (select coalesce(json_agg(relname order by relname), '[]') from tables) as tables,
  (select coalesce(json_agg(item order by relname, attnum), '[]') from columns) as columns,
  (select coalesce(json_agg(item order by relname, conname), '[]') from constraints) as constraints,
  (select coalesce(json_agg(item order by relname, indexname), '[]') from indexes) as indexes
`;

const REFERENTIAL_ACTIONS: Record<string, ReferentialAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

const IDENTITY: Record<ColumnRow['identity'], ColumnState['identity']> = { '': null, a: 'always', d: 'by default' };

/**
 * Reads `options.schema`. Takes anything holding a knex — the Database, or
 * `{ knex: trx }` to read inside a transaction (apply re-introspects under
 * its lock; on PGlite a read outside the open transaction would wait forever).
 */
export async function introspect(db: Pick<Database, 'knex'>, options: IntrospectOptions): Promise<IntrospectionResult> {
  const { rows } = (await db.knex.raw(CATALOG_QUERY, [options.schema, SYSTEM_TABLE_PREFIX])) as { rows: CatalogRow[] };
  return { state: buildState(options.schema, rows[0]!), queries: 1 };
}

function buildState(schema: string, row: CatalogRow): DatabaseState {
  const tables: Record<string, TableState> = {};
  for (const name of row.tables) {
    tables[name] = { name, columns: {}, primaryKey: null, uniques: {}, foreignKeys: {}, indexes: {} };
  }
  for (const column of row.columns) {
    tables[column.table]!.columns[column.name] = {
      name: column.name,
      type: column.type,
      nullable: column.nullable,
      default: column.default,
      identity: IDENTITY[column.identity],
    };
  }
  for (const constraint of row.constraints) {
    const table = tables[constraint.table]!;
    const { name, columns } = constraint;
    if (constraint.kind === 'p') table.primaryKey = { name, columns };
    else if (constraint.kind === 'u') table.uniques[name] = { name, columns };
    else {
      table.foreignKeys[name] = {
        name,
        columns,
        referencedTable: qualify(schema, constraint.referencedSchema!, constraint.referencedTable!),
        referencedColumns: constraint.referencedColumns!,
        onDelete: REFERENTIAL_ACTIONS[constraint.onDelete!]!,
      };
    }
  }
  for (const index of row.indexes) {
    tables[index.table]!.indexes[index.name] = { name: index.name, columns: index.columns ?? [], unique: index.unique };
  }
  return { schema, tables };
}

/** A table in the introspected schema by its name; one elsewhere (rare: hand-made) as `schema.table`. */
function qualify(schema: string, referencedSchema: string, table: string): string {
  return referencedSchema === schema ? table : `${referencedSchema}.${table}`;
}
