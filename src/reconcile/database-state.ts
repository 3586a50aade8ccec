/**
 * The shape of a PostgreSQL schema as the reconciler compares it: tables,
 * columns, keys, foreign keys and indexes, in PostgreSQL's own spelling of
 * types (format_type) so that desired and introspected states compare as
 * plain data. Built from the Model (desired) or read from the catalogs (actual).
 */

export interface DatabaseState {
  /** The PostgreSQL schema the collections live in. */
  schema: string;
  /** By table name. Cairn's own cairn_* tables are never included. */
  tables: Record<string, TableState>;
}

export interface TableState {
  name: string;
  /** By column name, in column order. */
  columns: Record<string, ColumnState>;
  primaryKey: { name: string; columns: string[] } | null;
  /** Unique constraints (not unique indexes), by constraint name. */
  uniques: Record<string, { name: string; columns: string[] }>;
  /** By constraint name. */
  foreignKeys: Record<string, ForeignKeyState>;
  /** Indexes that back no constraint, by index name. */
  indexes: Record<string, IndexState>;
}

export interface ColumnState {
  name: string;
  /** format_type() spelling: `character varying(200)`, `timestamp with time zone`, `numeric(10,2)`, `text[]`. */
  type: string;
  nullable: boolean;
  /** pg_get_expr() of the default, e.g. `'draft'::character varying`, `now()`; null when none. */
  default: string | null;
  /** Identity column (`generated … as identity`), or null. */
  identity: 'always' | 'by default' | null;
}

export type ReferentialAction = 'set null' | 'cascade' | 'restrict' | 'no action' | 'set default';

export interface ForeignKeyState {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
}

export interface IndexState {
  name: string;
  columns: string[];
  unique: boolean;
}
