/**
 * `cairn export`, the pure half: the config repository that describes an
 * existing schema, so Cairn can be adopted on top of a database it did not
 * create. A DatabaseState in; YAML files, the SQL that gives the database
 * Cairn's names (adopt.sql), and warnings out.
 *
 * The bar is "export, run adopt.sql, plan: no changes". So everything is
 * exported the way desired-state.ts would plan it back, and what cannot be
 * planned back exactly is left out, never approximated: a column whose type
 * or default Cairn cannot express is not exported (the reconciler leaves
 * columns it does not manage alone) rather than exported with a plan that
 * would alter it. Each default is checked by planning it back (defaultExpression)
 * and comparing the way diff() does (normalizeDefault).
 *
 * Names: Cairn finds its constraints and indexes by name (`<table>_<col>_key`,
 * `_fkey`, `_idx`, `<table>_pkey`), and a foreign database names them its own
 * way. The export never changes the database itself; it writes the renames
 * (and the few key changes Cairn's primary keys need: serial → identity) as
 * statements for the operator to review and run.
 */
import { Document, isMap, isPair, isScalar } from 'yaml';
import { identifierProblem, type Field, type KeyType, type OnDelete, type ScalarFieldType, type Special } from '../model/index.ts';
import { normalizeDefault, parseArrayLiteral, parseDefaultExpression } from './compare-columns.ts';
import type { ColumnState, DatabaseState, TableState } from './database-state.ts';
import { constraintName, defaultExpression } from './desired-state.ts';
import { qualified, quoteIdent, quoteLiteral } from './sql.ts';

export interface ExportOptions {
  /** The project name for cairn.yaml (`^[a-z0-9][a-z0-9_-]*$`). */
  project: string;
}

/** One statement of adopt.sql: what it does to which table, and why Cairn needs it. */
export interface AdoptStep {
  table: string;
  sql: string;
  why: string;
}

export interface ExportResult {
  /** Repository path → file text: cairn.yaml, collections/<table>.yaml, and adopt.sql when there are steps. */
  files: Record<string, string>;
  /** The statements of adopt.sql, in order. Empty when the database already has Cairn's names and key forms. */
  adopt: AdoptStep[];
  /** What was left out or left alone, naming table.column and why. */
  warnings: string[];
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ADOPT_FILE = 'adopt.sql';

/** The live column types of Cairn's key types (format_type spelling). */
const KEY_TYPES: Record<string, KeyType> = { integer: 'integer', bigint: 'bigInteger', uuid: 'uuid', 'character varying(255)': 'string' };

const SIMPLE_TYPES: Record<string, ScalarFieldType> = {
  text: 'text',
  boolean: 'boolean',
  integer: 'integer',
  bigint: 'bigInteger',
  'double precision': 'float',
  date: 'date',
  'time without time zone': 'time',
  'timestamp without time zone': 'dateTime',
  'timestamp with time zone': 'timestamp',
  jsonb: 'json',
  uuid: 'uuid',
  'text[]': 'csv',
};

const ON_DELETE: readonly string[] = ['set null', 'cascade', 'restrict', 'no action'] satisfies OnDelete[];

/** The scalar field a column type maps to, with its options; null when Cairn has no field type for it. */
function scalarFor(type: string): { type: ScalarFieldType; options: Record<string, unknown> } | null {
  const varchar = /^character varying\((\d+)\)$/.exec(type);
  if (varchar) return { type: 'string', options: { maxLength: Number(varchar[1]) } };
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(type);
  if (numeric) return { type: 'decimal', options: { precision: Number(numeric[1]), scale: Number(numeric[2]) } };
  const simple = SIMPLE_TYPES[type];
  return simple ? { type: simple, options: {} } : null;
}

// The value patterns of collection.schema.json, so an exported default always validates.
const VALUE_PATTERNS: Partial<Record<ScalarFieldType, RegExp>> = {
  date: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
  time: /^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$/,
  dateTime: /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$/,
  timestamp: /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
};

type DefaultOutcome = { default?: unknown; special?: Special } | { problem: string };

/** A parsed default: a quoted literal, a bare number or boolean, or an expression. */
/** Trailing zeros and a trailing point off a decimal, so `10.50` and `10.5` compare equal. */
function canonicalDecimal(text: string): string {
  let result = text.replace(/^\+/, '').replace(/^(-?)0+(?=\d)/, '$1');
  if (result.includes('.')) result = result.replace(/0+$/, '').replace(/\.$/, '');
  return result === '-0' ? '0' : result;
}

function numberFrom(text: string, type: ScalarFieldType): number | string {
  if (type === 'integer' || type === 'bigInteger') {
    if (!/^-?\d+$/.test(text)) return `${text} is not an integer`;
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return `${text} is too large to write exactly in YAML`;
    if (type === 'integer' && (value < -2147483648 || value > 2147483647)) return `${text} does not fit an integer`;
    return value;
  }
  if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return `${text} is not a number`;
  const value = Number(text);
  if (!Number.isFinite(value)) return `${text} is not a finite number`;
  if (type === 'decimal' && canonicalDecimal(String(value)) !== canonicalDecimal(text)) return `${text} has more digits than YAML numbers keep`;
  return value;
}

function defaultCandidate(column: ColumnState, type: ScalarFieldType, options: Record<string, unknown>): DefaultOutcome {
  const parsed = parseDefaultExpression(column.default!);
  if (parsed.kind === 'bare') {
    const text = parsed.text;
    if (/^(now\(\)|CURRENT_TIMESTAMP)$/i.test(text) && (type === 'timestamp' || type === 'dateTime' || type === 'date')) return { special: 'date-created' };
    if (/^gen_random_uuid\(\)$/i.test(text) && type === 'uuid') return { special: 'uuid' };
    if (type === 'boolean' && (text === 'true' || text === 'false')) return { default: text === 'true' };
    if (type === 'integer' || type === 'bigInteger' || type === 'float' || type === 'decimal') {
      const value = numberFrom(text, type);
      return typeof value === 'number' ? { default: value } : { problem: value };
    }
    return { problem: `the expression ${column.default} has no Cairn equivalent` };
  }
  const { value } = parsed;
  switch (type) {
    case 'string':
      if (value.length > (options.maxLength as number)) return { problem: `the default is longer than the column's ${String(options.maxLength)} characters` };
      return { default: value };
    case 'text':
      return { default: value };
    case 'boolean':
      return value === 'true' || value === 'false' ? { default: value === 'true' } : { problem: `${column.default} is not a boolean literal` };
    case 'integer':
    case 'bigInteger':
    case 'float':
    case 'decimal': {
      const number = numberFrom(value, type);
      return typeof number === 'number' ? { default: number } : { problem: number };
    }
    case 'json':
      try {
        return { default: JSON.parse(value) as unknown };
      } catch {
        return { problem: `${column.default} is not JSON` };
      }
    case 'csv': {
      const items = parseArrayLiteral(value);
      return items ? { default: items } : { problem: `${column.default} is not a plain list of strings` };
    }
    default: {
      const pattern = VALUE_PATTERNS[type];
      return pattern && !pattern.test(value) ? { problem: `${column.default} is not in the form a ${type} default is written` } : { default: value };
    }
  }
}

/** The field Cairn would build from the exported options: just enough for defaultExpression(). */
function probeField(name: string, type: ScalarFieldType, outcome: { default?: unknown; special?: Special }): Field {
  return {
    name,
    type,
    dbType: null,
    required: false,
    nullable: true,
    unique: false,
    ...('default' in outcome ? { default: outcome.default } : {}),
    maxLength: null,
    precision: null,
    scale: null,
    enum: null,
    note: null,
    special: outcome.special ?? null,
    index: false,
    renamedFrom: null,
    relation: null,
  };
}

/** The default as field options, or why it cannot be one: it must plan back to a default diff() sees as the same. */
function exportDefault(column: ColumnState, type: ScalarFieldType, options: Record<string, unknown>): DefaultOutcome {
  if (column.default === null) return {};
  const outcome = defaultCandidate(column, type, options);
  if ('problem' in outcome) return outcome;
  const planned = defaultExpression(probeField(column.name, type, outcome));
  if (normalizeDefault(planned) !== normalizeDefault(column.default)) return { problem: `${column.default} would be planned back as ${planned ?? 'no default'}, which Cairn does not see as the same` };
  return outcome;
}

function nameProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `"${name}" is not a name Cairn accepts (a letter or _, then letters, digits or _)`;
  return identifierProblem(name);
}

/** A sequence named in a serial default, `nextval('orders_id_seq'::regclass)`, schema-qualified. */
function serialSequence(expression: string | null, schema: string): string | null {
  const match = /^nextval\('((?:[^']|'')+)'::regclass\)$/.exec(expression ?? '');
  if (!match) return null;
  const name = match[1]!.replace(/''/g, "'");
  // regclass prints a name outside the search_path qualified; inside it, it is (as serial makes it) in the table's schema.
  let inQuotes = false;
  for (const char of name) {
    if (char === '"') inQuotes = !inQuotes;
    else if (char === '.' && !inQuotes) return name;
  }
  return `${quoteIdent(schema)}.${name}`;
}

interface KeyDecision {
  type: KeyType;
  steps: AdoptStep[];
}

/** How a table's primary key becomes a Cairn key, with the statements that get it there; or why it cannot. */
function decideKey(table: TableState, schema: string): KeyDecision | { problem: string } {
  const pk = table.primaryKey;
  if (!pk) return { problem: 'it has no primary key' };
  if (pk.columns.length !== 1) return { problem: `its primary key spans several columns (${pk.columns.join(', ')}); Cairn needs a single-column key` };
  const column = table.columns[pk.columns[0]!]!;
  const problem = nameProblem(column.name);
  if (problem) return { problem: `its primary key column: ${problem}` };
  const type = KEY_TYPES[column.type];
  if (!type) return { problem: `its primary key ${column.name} is ${column.type}; Cairn keys are integer, bigint, uuid or character varying(255)` };
  const target = qualified(schema, table.name);
  const col = quoteIdent(column.name);
  const step = (sql: string, why: string): AdoptStep => ({ table: table.name, sql, why });
  const steps: AdoptStep[] = [];
  if (type === 'integer' || type === 'bigInteger') {
    // Cairn's auto-increment keys are `generated by default as identity` with no default.
    const restart = (sequenceValue: string) =>
      `select setval(pg_get_serial_sequence(${quoteLiteral(target)}, ${quoteLiteral(column.name)}), greatest(coalesce(max(${col}), 0), ${sequenceValue}) + 1, false) from ${target}`;
    if (column.identity === 'always') {
      steps.push(step(`alter table ${target} alter column ${col} set generated by default`, `${table.name}.${column.name}: identity "always" → "by default", as Cairn declares keys`));
    } else if (column.identity === null) {
      const sequence = serialSequence(column.default, schema);
      if (sequence) {
        const why = `${table.name}.${column.name}: serial → identity (Cairn's auto-increment), continuing where ${sequence} left off`;
        steps.push(
          step(`alter table ${target} alter column ${col} drop default`, why),
          step(`alter sequence ${sequence} owned by none`, why),
          step(`alter table ${target} alter column ${col} add generated by default as identity`, why),
          step(restart(`(select case when is_called then last_value else last_value - 1 end from ${sequence})`), why),
          step(`drop sequence ${sequence}`, why),
        );
      } else if (column.default === null) {
        const why = `${table.name}.${column.name}: the key becomes auto-increment (identity), starting after the highest existing key`;
        steps.push(step(`alter table ${target} alter column ${col} add generated by default as identity`, why), step(restart('0'), why));
      } else {
        return { problem: `its primary key ${column.name} has the default ${column.default}; Cairn's ${type} keys are identity columns` };
      }
    } else if (column.default !== null) {
      return { problem: `its primary key ${column.name} is an identity column with a default` };
    }
  } else if (type === 'uuid') {
    if (column.identity !== null) return { problem: `its primary key ${column.name} is an identity column` };
    if (normalizeDefault(column.default) !== 'gen_random_uuid()') {
      steps.push(step(`alter table ${target} alter column ${col} set default gen_random_uuid()`, `${table.name}.${column.name}: Cairn generates uuid keys with gen_random_uuid() (was ${column.default ?? 'no default'})`));
    }
  } else if (column.default !== null || column.identity !== null) {
    return { problem: `its primary key ${column.name} has a default; Cairn's string keys are set by the client` };
  }
  return { type, steps };
}

/**
 * Names in use, so a rename never takes one: relations (tables, indexes — a key
 * or unique constraint is its index) per schema, constraints per table.
 */
class Names {
  private readonly relations = new Set<string>();
  private readonly constraints = new Map<string, Set<string>>();

  constructor(state: DatabaseState) {
    for (const table of Object.values(state.tables)) {
      this.relations.add(table.name);
      const own = new Set<string>();
      this.constraints.set(table.name, own);
      if (table.primaryKey) {
        this.relations.add(table.primaryKey.name);
        own.add(table.primaryKey.name);
      }
      for (const unique of Object.values(table.uniques)) {
        this.relations.add(unique.name);
        own.add(unique.name);
      }
      for (const fk of Object.values(table.foreignKeys)) own.add(fk.name);
      for (const index of Object.values(table.indexes)) this.relations.add(index.name);
    }
  }

  /** Moves `from` to `to` if `to` is free; false when it is taken. */
  claim(table: string, kind: 'relation' | 'constraint' | 'both', from: string, to: string): boolean {
    const own = this.constraints.get(table)!;
    const relation = kind !== 'constraint';
    const constraint = kind !== 'relation';
    // `to` may be held by `from` itself (a unique index becoming a constraint of the same name).
    if ((relation && to !== from && this.relations.has(to)) || (constraint && to !== from && own.has(to))) return false;
    if (relation) this.relations.delete(from);
    if (constraint) own.delete(from);
    if (relation) this.relations.add(to);
    if (constraint) own.add(to);
    return true;
  }
}

type FieldDoc = Record<string, unknown>;

export function exportRepository(state: DatabaseState, options: ExportOptions): ExportResult {
  if (!PROJECT_NAME.test(options.project) || options.project.length > 63) {
    throw new Error(`"${options.project}" is not a project name (lower-case letters, digits, - and _, starting with a letter or digit)`);
  }
  const { schema } = state;
  const warnings: string[] = [];
  const adopt: AdoptStep[] = [];
  const names = new Names(state);
  const tables = Object.values(state.tables).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Pass 1: which tables can be collections, and their keys; every m2o needs its target's.
  const keys = new Map<string, KeyDecision>();
  const lowerNames = new Map<string, string>();
  for (const table of tables) {
    const problem = nameProblem(table.name);
    const clash = lowerNames.get(table.name.toLowerCase());
    const key = problem || clash ? null : decideKey(table, schema);
    if (problem) warnings.push(`${table.name}: not exported: ${problem}`);
    else if (clash) warnings.push(`${table.name}: not exported: its name differs from ${clash} only in case, and Cairn compares names ignoring case`);
    else if (key && 'problem' in key) warnings.push(`${table.name}: not exported: ${key.problem}`);
    else if (key) {
      keys.set(table.name, key);
      lowerNames.set(table.name.toLowerCase(), table.name);
    }
  }

  const files: Record<string, string> = {};
  for (const table of tables) {
    const key = keys.get(table.name);
    if (!key) continue;
    const { doc, steps } = exportTable({ table, key, keys, state, names, warnings });
    adopt.push(...key.steps, ...steps);
    files[`collections/${table.name}.yaml`] = yamlFile('collection', doc, `Exported by cairn export from the table ${schema}.${table.name}.`);
  }

  const project: Record<string, unknown> = { project: options.project };
  if (schema !== 'public') project.database = { schema };
  files['cairn.yaml'] = yamlFile('cairn', project, 'The project file, written by cairn export.');
  if (adopt.length > 0) files[ADOPT_FILE] = renderAdoptSql(adopt);
  return { files: sortByKey(files), adopt, warnings };
}

function exportTable(options: {
  table: TableState;
  key: KeyDecision;
  keys: ReadonlyMap<string, KeyDecision>;
  state: DatabaseState;
  names: Names;
  warnings: string[];
}): { doc: Record<string, unknown>; steps: AdoptStep[] } {
  const { table, key, keys, state, names, warnings } = options;
  const { schema } = state;
  const target = qualified(schema, table.name);
  const steps: AdoptStep[] = [];
  const pkField = table.primaryKey!.columns[0]!;
  const fields: Record<string, FieldDoc> = {};
  const lowerNames = new Map<string, string>([[pkField.toLowerCase(), pkField]]);
  const usedUniques = new Set<string>();
  const usedForeignKeys = new Set<string>();
  const usedIndexes = new Set<string>();
  const warn = (message: string) => warnings.push(message);

  /** Gives a constraint or index Cairn's name, by a statement in adopt.sql; false if the name is taken. */
  const rename = (kind: 'primary key' | 'unique' | 'foreign key' | 'index' | 'unique index', from: string, to: string, what: string): boolean => {
    // A unique index becomes a unique constraint (of the same name, if it has Cairn's already).
    if (from === to && kind !== 'unique index') return true;
    const namespace = kind === 'foreign key' ? 'constraint' : kind === 'index' ? 'relation' : 'both';
    if (!names.claim(table.name, namespace, from, to)) {
      warn(`${what}: Cairn would name its ${kind === 'unique index' ? 'unique constraint' : kind} ${to}, and that name is taken by another object; ${from} is not exported`);
      return false;
    }
    if (kind === 'index') steps.push({ table: table.name, sql: `alter index ${qualified(schema, from)} rename to ${quoteIdent(to)}`, why: `${what}: index ${from} → ${to}` });
    else if (kind === 'unique index') steps.push({ table: table.name, sql: `alter table ${target} add constraint ${quoteIdent(to)} unique using index ${quoteIdent(from)}`, why: `${what}: unique index ${from} → unique constraint ${to}` });
    else steps.push({ table: table.name, sql: `alter table ${target} rename constraint ${quoteIdent(from)} to ${quoteIdent(to)}`, why: `${what}: ${kind} ${from} → ${to}` });
    return true;
  };

  // The key constraint's name is not compared by the planner, but renames of the table carry `<table>_pkey` along.
  rename('primary key', table.primaryKey!.name, constraintName(table.name, [], 'pkey'), `${table.name}.${pkField}`);

  for (const column of Object.values(table.columns)) {
    if (column.name === pkField) continue;
    const where = `${table.name}.${column.name}`;
    const skipped = (reason: string) => {
      const blocksInserts = !column.nullable && column.default === null && column.identity === null;
      warn(`${where}: not exported: ${reason}; the column stays as it is, unmanaged${blocksInserts ? ' (it is NOT NULL without a default: creating items through Cairn fails until it is managed or given a default)' : ''}`);
    };
    const problem = nameProblem(column.name);
    if (problem) {
      skipped(problem);
      continue;
    }
    const clash = lowerNames.get(column.name.toLowerCase());
    if (clash) {
      skipped(`its name differs from ${clash} only in case`);
      continue;
    }
    if (column.identity !== null) {
      skipped(`it is an identity column (${column.type}); only primary keys are identities in Cairn`);
      continue;
    }

    const field = columnField({ table, column, keys, state, where, warn, skipped });
    if (!field) continue;
    lowerNames.set(column.name.toLowerCase(), column.name);
    if (field.fk) {
      if (rename('foreign key', field.fk, constraintName(table.name, [column.name], 'fkey'), where)) usedForeignKeys.add(field.fk);
      else {
        skipped(`its foreign key ${field.fk} cannot take Cairn's name`);
        continue;
      }
    }
    const doc = field.doc;

    const unique = Object.values(table.uniques).find((u) => u.columns.length === 1 && u.columns[0] === column.name);
    const uniqueIndex = unique ? undefined : Object.values(table.indexes).find((i) => i.unique && i.columns.length === 1 && i.columns[0] === column.name);
    if (unique && rename('unique', unique.name, constraintName(table.name, [column.name], 'key'), where)) {
      doc.unique = true;
      usedUniques.add(unique.name);
    } else if (uniqueIndex && rename('unique index', uniqueIndex.name, constraintName(table.name, [column.name], 'key'), where)) {
      doc.unique = true;
      usedIndexes.add(uniqueIndex.name);
    }
    const index = Object.values(table.indexes).find((i) => !i.unique && i.columns.length === 1 && i.columns[0] === column.name);
    if (index && rename('index', index.name, constraintName(table.name, [column.name], 'idx'), where)) {
      doc.index = true;
      usedIndexes.add(index.name);
    }
    fields[column.name] = doc;
  }

  // What stays in the database, unmanaged: Cairn neither plans nor drops it.
  const kept = (what: string) => warn(`${table.name}: ${what} is kept in the database but not managed by Cairn`);
  for (const unique of Object.values(table.uniques)) if (!usedUniques.has(unique.name)) kept(`unique constraint ${unique.name} (${unique.columns.join(', ')})`);
  for (const fk of Object.values(table.foreignKeys)) if (!usedForeignKeys.has(fk.name)) kept(`foreign key ${fk.name} (${fk.columns.join(', ')} → ${fk.referencedTable})`);
  for (const index of Object.values(table.indexes)) {
    if (usedIndexes.has(index.name)) continue;
    kept(`${index.unique ? 'unique index' : 'index'} ${index.name}${index.columns.length > 0 ? ` (${index.columns.join(', ')})` : ' (on expressions, partial, or not a plain btree)'}`);
  }

  const doc: Record<string, unknown> = { collection: table.name, primaryKey: { field: pkField, type: key.type } };
  if (Object.keys(fields).length > 0) doc.fields = fields;
  return { doc, steps };
}

/** The field for one column, and the foreign key it stands for; null (with a warning) when the column cannot be a field. */
function columnField(options: {
  table: TableState;
  column: ColumnState;
  keys: ReadonlyMap<string, KeyDecision>;
  state: DatabaseState;
  where: string;
  warn: (message: string) => void;
  skipped: (reason: string) => void;
}): { doc: FieldDoc; fk: string | null } | null {
  const { table, column, keys, state, where, warn, skipped } = options;
  const foreignKeys = Object.values(table.foreignKeys).filter((fk) => fk.columns.length === 1 && fk.columns[0] === column.name);
  for (const fk of foreignKeys) {
    const related = state.tables[fk.referencedTable];
    const relatedKey = related?.primaryKey?.columns;
    const why = !keys.has(fk.referencedTable)
      ? `${fk.referencedTable} is not exported`
      : relatedKey?.length !== 1 || fk.referencedColumns.length !== 1 || fk.referencedColumns[0] !== relatedKey[0]
        ? `it references ${fk.referencedTable}.${fk.referencedColumns.join(', ')}, not its primary key`
        : !ON_DELETE.includes(fk.onDelete)
          ? `its on delete ${fk.onDelete} has no Cairn equivalent`
          : column.type !== related!.columns[relatedKey[0]!]!.type
            ? `the column is ${column.type} and the key it references ${related!.columns[relatedKey[0]!]!.type}`
            : column.default !== null
              ? `the column has a default (${column.default}), which an m2o field cannot have`
              : null;
    if (why !== null) {
      warn(`${where}: the foreign key ${fk.name} is not exported as an m2o field (${why})`);
      continue;
    }
    const doc: FieldDoc = { type: 'm2o', related: fk.referencedTable, onDelete: fk.onDelete };
    // A required m2o cannot be "set null" (the model refuses it); NOT NULL without `required` says the same to the database.
    if (!column.nullable) {
      if (fk.onDelete === 'set null') doc.nullable = false;
      else doc.required = true;
    }
    return { doc, fk: fk.name };
  }

  const scalar = scalarFor(column.type);
  if (!scalar) {
    skipped(`its type ${column.type} has no Cairn field type`);
    return null;
  }
  const outcome = exportDefault(column, scalar.type, scalar.options);
  if ('problem' in outcome) {
    skipped(`its default cannot be expressed: ${outcome.problem}`);
    return null;
  }
  const doc: FieldDoc = { type: scalar.type, ...scalar.options };
  // `required` also means "a value is required on create"; with a default there is one, so only NOT NULL is said.
  if (!column.nullable) {
    if (column.default !== null) doc.nullable = false;
    else doc.required = true;
  }
  if ('default' in outcome) doc.default = outcome.default;
  if (outcome.special) doc.special = outcome.special;
  return { doc, fk: null };
}

/** One object per file, the schema line first so editors validate it, fields one per line as flow maps. */
function yamlFile(kind: 'cairn' | 'collection', body: Record<string, unknown>, comment: string): string {
  const document = new Document(body);
  const flow = (node: unknown) => {
    if (isMap(node)) node.flow = true;
  };
  const root = document.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      if (!isPair(pair)) continue;
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      if (key === 'primaryKey' || key === 'database') flow(pair.value);
      if (key === 'fields' && isMap(pair.value)) {
        for (const field of pair.value.items) {
          flow(field.value);
          // `2024-01-01`, `12:00:00`, `yes` are strings in YAML 1.2, but a YAML 1.1 reader takes them for dates, numbers, booleans.
          const value = isMap(field.value) ? field.value.get('default', true) : undefined;
          if (isScalar(value) && typeof value.value === 'string' && /^([0-9][0-9:.\- T+Z]*|y|n|yes|no|on|off)$/i.test(value.value)) value.type = 'QUOTE_DOUBLE';
        }
      }
    }
  }
  const schemaPath = kind === 'cairn' ? '.schemas/cairn.schema.json' : '../.schemas/collection.schema.json';
  return `# yaml-language-server: $schema=${schemaPath}\n# ${comment}\n${document.toString({ lineWidth: 0 })}`;
}

/** adopt.sql: the statements in one transaction, each under a comment saying why. */
export function renderAdoptSql(steps: readonly AdoptStep[]): string {
  const lines = [
    '-- adopt.sql, written by `cairn export`. Review it, run it once (psql -f adopt.sql), then `cairn plan`.',
    '-- It changes no data: it gives constraints and indexes the names Cairn gives them, and primary keys',
    '-- the form Cairn declares them in (identity for integers, gen_random_uuid() for uuids), so that the',
    '-- exported configuration plans to no changes. All or nothing: one transaction.',
    '-- Check first that nothing uses the old names (INSERT … ON CONFLICT ON CONSTRAINT <name>, other migration tools).',
    'begin;',
  ];
  let previousWhy = '';
  for (const step of steps) {
    if (step.why !== previousWhy) lines.push('', `-- ${step.why}`);
    previousWhy = step.why;
    lines.push(`${step.sql};`);
  }
  lines.push('', 'commit;', '');
  return lines.join('\n');
}

function sortByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
