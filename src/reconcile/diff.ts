/**
 * diff(desired, actual) → the changes and ordered SQL steps that turn the
 * live schema into the desired one. Pure: the live data is consulted later,
 * through each change's data checks. Cairn drops only what it manages (what
 * the last applied model has); everything else in the schema is reported as
 * unmanaged and left alone. Renames happen only where `renamedFrom` says so.
 */
import type { Model } from '../model/index.ts';
import { classifyTypeChange, normalizeDefault } from './compare-columns.ts';
import type { ColumnState, DatabaseState, ForeignKeyState, TableState } from './database-state.ts';
import type { Blocker, Change, ChangeKind, DataCheck, Risk, Step, StepPhase } from './plan-types.ts';
import { columnList, qualified, quoteIdent } from './sql.ts';

export interface DiffInput {
  desired: DatabaseState;
  actual: DatabaseState;
  /** The state of the last applied model: what Cairn created and may drop. Null before the first apply. */
  managed: DatabaseState | null;
  /** The desired model, for rename hints. */
  model: Model;
}

export interface DiffResult {
  changes: Change[];
  steps: Step[];
  unmanaged: { tables: string[]; columns: string[] };
  blockers: Blocker[];
}

export const PHASE_ORDER: readonly StepPhase[] = ['rename', 'drop-constraint', 'create', 'alter', 'constraint', 'index', 'drop', 'config'];

export function diff(input: DiffInput): DiffResult {
  const { desired, model } = input;
  const schema = desired.schema;
  const actual = structuredClone(input.actual);
  const managed = structuredClone(input.managed ?? { schema, tables: {} });
  const changes: Change[] = [];
  const steps: Step[] = [];
  const blockers: Blocker[] = [];
  const unmanaged = { tables: [] as string[], columns: [] as string[] };
  const table = (name: string) => qualified(schema, name);
  // Data checks run before any step, so they must name tables and columns as they are now, before renames.
  const originalTable = new Map<string, string>();
  const originalColumn = new Map<string, string>();
  const current: CurrentNames = {
    table: (name) => qualified(schema, originalTable.get(name) ?? name),
    column: (tableName, column) => quoteIdent(originalColumn.get(`${tableName}.${column}`) ?? column),
  };

  const change = (kind: ChangeKind, target: string, risk: Risk, description: string, before: unknown, after: unknown, checks: DataCheck[] = []): string => {
    const id = `${kind}:${target}`;
    changes.push({ id, kind, target, risk, description, before, after, checks });
    return id;
  };
  const step = (id: string, phase: StepPhase, sql: string, destructive = false) => steps.push({ change: id, phase, sql, destructive });

  // 1. Renames, so that everything after compares renamed objects.
  for (const collection of Object.values(model.collections)) {
    const from = collection.renamedFrom;
    if (from === null || from === collection.name) continue;
    if (actual.tables[collection.name]) {
      if (actual.tables[from]) {
        blockers.push({ change: null, code: 'RENAME_CONFLICT', message: `collection ${collection.name} says renamedFrom: ${from}, but both tables exist; drop or rename one by hand, or remove the hint` });
      }
      continue;
    }
    const source = actual.tables[from];
    if (!source) {
      // A database Cairn never applied to gets the new name directly; on a managed one the hint
      // must name something, or it would silently turn into drop + create.
      if (input.managed && managed.tables[from]) {
        blockers.push({ change: null, code: 'RENAME_CONFLICT', message: `collection ${collection.name} says renamedFrom: ${from}, but there is no table ${from} to rename (dropped by hand?); refusing to create ${collection.name} empty instead` });
      }
      continue;
    }
    const id = change('collection.rename', collection.name, 'safe', `rename collection ${from} to ${collection.name}`, from, collection.name);
    step(id, 'rename', `alter table ${table(from)} rename to ${quoteIdent(collection.name)}`);
    const renamed = renameTable(source, from, collection.name, (sql) => step(id, 'rename', sql), schema);
    originalTable.set(collection.name, from);
    delete actual.tables[from];
    actual.tables[collection.name] = renamed;
    if (managed.tables[from]) {
      managed.tables[collection.name] = renameTable(managed.tables[from]!, from, collection.name, () => undefined, schema);
      delete managed.tables[from];
    }
  }
  for (const collection of Object.values(model.collections)) {
    const live = actual.tables[collection.name];
    if (!live) continue;
    for (const field of Object.values(collection.fields)) {
      const from = field.renamedFrom;
      if (from === null || from === field.name || field.dbType === null) continue;
      const target = `${collection.name}.${field.name}`;
      if (live.columns[field.name]) {
        if (live.columns[from]) {
          blockers.push({ change: null, code: 'RENAME_CONFLICT', message: `field ${target} says renamedFrom: ${from}, but both columns exist; remove the hint or the old column` });
        }
        continue;
      }
      if (!live.columns[from]) {
        if (managed.tables[collection.name]?.columns[from]) {
          blockers.push({ change: null, code: 'RENAME_CONFLICT', message: `field ${target} says renamedFrom: ${from}, but there is no column ${from} to rename (dropped by hand?); refusing to add ${field.name} empty instead` });
        }
        continue;
      }
      const id = change('field.rename', target, 'safe', `rename field ${collection.name}.${from} to ${field.name}`, from, field.name);
      step(id, 'rename', `alter table ${table(collection.name)} rename column ${quoteIdent(from)} to ${quoteIdent(field.name)}`);
      renameColumn(live, from, field.name, (sql) => step(id, 'rename', sql), schema);
      originalColumn.set(`${collection.name}.${field.name}`, from);
      const managedTable = managed.tables[collection.name];
      if (managedTable?.columns[from]) renameColumn(managedTable, from, field.name, () => undefined, schema);
    }
  }

  // 2. Tables that appear or go.
  for (const wanted of Object.values(desired.tables)) {
    if (actual.tables[wanted.name]) continue;
    const columns = Object.values(wanted.columns);
    const id = change('collection.create', wanted.name, 'safe', `create collection ${wanted.name} (${columns.length} column${columns.length === 1 ? '' : 's'})`, null, wanted);
    const definitions = [
      ...columns.map(columnDefinition),
      ...(wanted.primaryKey ? [`constraint ${quoteIdent(wanted.primaryKey.name)} primary key (${columnList(wanted.primaryKey.columns)})`] : []),
      ...Object.values(wanted.uniques).map((u) => `constraint ${quoteIdent(u.name)} unique (${columnList(u.columns)})`),
    ];
    step(id, 'create', `create table ${table(wanted.name)} (\n  ${definitions.join(',\n  ')}\n)`);
    for (const fk of Object.values(wanted.foreignKeys)) step(id, 'constraint', addForeignKey(schema, wanted.name, fk));
    for (const index of Object.values(wanted.indexes)) step(id, 'index', createIndex(schema, wanted.name, index));
  }
  for (const live of Object.values(actual.tables)) {
    if (desired.tables[live.name]) continue;
    if (!managed.tables[live.name]) {
      unmanaged.tables.push(live.name);
      continue;
    }
    const id = change('collection.drop', live.name, 'destructive', `drop collection ${live.name} and all its rows`, live, null, [
      { sql: `select count(*) as count from ${table(live.name)}`, meaning: 'at-stake' },
    ]);
    // Its foreign keys go first, so tables dropped together never wait on each other.
    for (const fk of Object.values(live.foreignKeys)) step(id, 'drop-constraint', `alter table ${table(live.name)} drop constraint ${quoteIdent(fk.name)}`, true);
    step(id, 'drop', `drop table ${table(live.name)}`, true);
  }

  // 3. Tables on both sides: columns, then constraints and indexes.
  const liveTables = new Set(Object.keys(actual.tables));
  for (const wanted of Object.values(desired.tables)) {
    const live = actual.tables[wanted.name];
    if (!live) continue;
    const owned = managed.tables[wanted.name];
    diffColumns({ wanted, live, owned, schema, current, change, step, unmanaged });
    diffConstraints({ wanted, live, owned, schema, current, liveTables, change, step });
  }

  steps.sort((a, b) => PHASE_ORDER.indexOf(a.phase) - PHASE_ORDER.indexOf(b.phase));
  unmanaged.tables.sort();
  unmanaged.columns.sort();
  return { changes, steps, unmanaged, blockers };
}

/** How a table or column is called in the database before the plan's renames. */
interface CurrentNames {
  table(name: string): string;
  column(table: string, column: string): string;
}

type ChangeFn = (kind: ChangeKind, target: string, risk: Risk, description: string, before: unknown, after: unknown, checks?: DataCheck[]) => string;
type StepFn = (id: string, phase: StepPhase, sql: string, destructive?: boolean) => void;

function diffColumns(options: {
  wanted: TableState;
  live: TableState;
  owned: TableState | undefined;
  schema: string;
  current: CurrentNames;
  change: ChangeFn;
  step: StepFn;
  unmanaged: { columns: string[] };
}): void {
  const { wanted, live, owned, schema, current, change, step } = options;
  const table = qualified(schema, wanted.name);
  const checked = current.table(wanted.name);
  const checkedColumn = (column: string) => current.column(wanted.name, column);
  for (const column of Object.values(wanted.columns)) {
    const target = `${wanted.name}.${column.name}`;
    const existing = live.columns[column.name];
    if (!existing) {
      // A NOT NULL column without a default cannot be added to a table that has rows.
      const needsEmpty = !column.nullable && column.default === null && column.identity === null;
      const id = change('field.add', target, needsEmpty ? 'data-dependent' : 'safe', `add field ${target} (${describeColumn(column)})`, null, column, needsEmpty ? [{ sql: `select count(*) as count from ${checked}`, meaning: 'offending' }] : []);
      step(id, 'alter', `alter table ${table} add column ${columnDefinition(column)}`);
      continue;
    }
    const alterations: string[] = [];
    const checks: DataCheck[] = [];
    let risk = 'safe' as Risk;
    const raise = (to: Risk) => {
      if (to === 'destructive' || (to === 'data-dependent' && risk === 'safe')) risk = to;
    };
    if (existing.type !== column.type) {
      const typeChange = classifyTypeChange(existing.type, column.type);
      if (typeChange.kind === 'narrowing-length') {
        raise('data-dependent');
        checks.push({ sql: `select count(*) as count from ${checked} where length(${checkedColumn(column.name)}) > ${typeChange.length}`, meaning: 'offending' });
      } else if (typeChange.kind === 'conversion') {
        raise('destructive');
        checks.push({ sql: `select count(*) as count from ${checked} where ${checkedColumn(column.name)} is not null`, meaning: 'at-stake' });
      }
      alterations.push(`alter column ${quoteIdent(column.name)} type ${column.type} using ${quoteIdent(column.name)}::${column.type}`);
    }
    if (normalizeDefault(existing.default) !== normalizeDefault(column.default)) {
      alterations.push(column.default === null ? `alter column ${quoteIdent(column.name)} drop default` : `alter column ${quoteIdent(column.name)} set default ${column.default}`);
    }
    if (existing.nullable !== column.nullable) {
      if (!column.nullable) {
        raise('data-dependent');
        checks.push({ sql: `select count(*) as count from ${checked} where ${checkedColumn(column.name)} is null`, meaning: 'offending' });
      }
      alterations.push(`alter column ${quoteIdent(column.name)} ${column.nullable ? 'drop' : 'set'} not null`);
    }
    if (existing.identity !== column.identity) {
      if (existing.identity !== null) alterations.push(`alter column ${quoteIdent(column.name)} drop identity`);
      if (column.identity !== null) alterations.push(`alter column ${quoteIdent(column.name)} add generated ${column.identity} as identity`);
    }
    if (alterations.length === 0) continue;
    const id = change('field.alter', target, risk, `change field ${target}: ${describeColumnChange(existing, column)}`, existing, column, checks);
    step(id, 'alter', `alter table ${table} ${alterations.join(', ')}`, risk === 'destructive');
  }
  for (const column of Object.values(live.columns)) {
    if (wanted.columns[column.name]) continue;
    const target = `${wanted.name}.${column.name}`;
    if (!owned?.columns[column.name]) {
      options.unmanaged.columns.push(target);
      continue;
    }
    const id = change('field.drop', target, 'destructive', `drop field ${target} and its values`, column, null, [
      { sql: `select count(*) as count from ${checked} where ${checkedColumn(column.name)} is not null`, meaning: 'at-stake' },
    ]);
    step(id, 'drop', `alter table ${table} drop column ${quoteIdent(column.name)}`, true);
  }
}

function diffConstraints(options: {
  wanted: TableState;
  live: TableState;
  owned: TableState | undefined;
  schema: string;
  current: CurrentNames;
  liveTables: ReadonlySet<string>;
  change: ChangeFn;
  step: StepFn;
}): void {
  const { wanted, live, owned, schema, current, change, step } = options;
  const table = qualified(schema, wanted.name);
  const checked = current.table(wanted.name);
  const checkedColumn = (column: string) => current.column(wanted.name, column);
  const ours = (kind: 'uniques' | 'foreignKeys' | 'indexes', name: string) => owned?.[kind][name] !== undefined;

  for (const unique of Object.values(wanted.uniques)) {
    if (live.uniques[unique.name]) continue;
    const target = `${wanted.name}.${unique.columns.join(',')}`;
    // Columns added by this plan are empty: nothing to check on them.
    const existingColumns = unique.columns.every((c) => live.columns[c]);
    const id = change('unique.add', target, existingColumns ? 'data-dependent' : 'safe', `make ${target} unique`, null, unique, existingColumns ? [
      {
        sql: `select count(*) as count from (select 1 from ${checked} where ${unique.columns.map((c) => `${checkedColumn(c)} is not null`).join(' and ')} group by ${unique.columns.map(checkedColumn).join(', ')} having count(*) > 1) as duplicates`,
        meaning: 'offending',
      },
    ] : []);
    step(id, 'constraint', `alter table ${table} add constraint ${quoteIdent(unique.name)} unique (${columnList(unique.columns)})`);
  }
  for (const unique of Object.values(live.uniques)) {
    if (wanted.uniques[unique.name] || !ours('uniques', unique.name)) continue;
    const target = `${wanted.name}.${unique.columns.join(',')}`;
    const id = change('unique.drop', target, 'safe', `${target} no longer unique`, unique, null);
    step(id, 'drop-constraint', `alter table ${table} drop constraint ${quoteIdent(unique.name)}`);
  }

  for (const fk of Object.values(wanted.foreignKeys)) {
    const existing = live.foreignKeys[fk.name];
    if (existing && sameForeignKey(existing, fk)) continue;
    const target = `${wanted.name}.${fk.columns.join(',')}`;
    const column = checkedColumn(fk.columns[0]!);
    // Orphans: values with no row to point at. A column added by this plan is empty; a target
    // table created by this plan is empty, so every value in the column would be an orphan.
    const checks: DataCheck[] = !live.columns[fk.columns[0]!]
      ? []
      : [
          {
            sql: options.liveTables.has(fk.referencedTable)
              ? `select count(*) as count from ${checked} as t where t.${column} is not null and not exists (select 1 from ${current.table(fk.referencedTable)} as r where r.${current.column(fk.referencedTable, fk.referencedColumns[0] ?? 'id')} = t.${column})`
              : `select count(*) as count from ${checked} where ${column} is not null`,
            meaning: 'offending',
          },
        ];
    const id = change('relation.add', target, checks.length > 0 ? 'data-dependent' : 'safe', `${target} references ${fk.referencedTable} (on delete ${fk.onDelete})`, existing ?? null, fk, checks);
    if (existing) step(id, 'drop-constraint', `alter table ${table} drop constraint ${quoteIdent(existing.name)}`);
    step(id, 'constraint', addForeignKey(schema, wanted.name, fk));
  }
  for (const fk of Object.values(live.foreignKeys)) {
    if (wanted.foreignKeys[fk.name] || !ours('foreignKeys', fk.name)) continue;
    const target = `${wanted.name}.${fk.columns.join(',')}`;
    const id = change('relation.drop', target, 'safe', `${target} no longer references ${fk.referencedTable}`, fk, null);
    step(id, 'drop-constraint', `alter table ${table} drop constraint ${quoteIdent(fk.name)}`);
  }

  for (const index of Object.values(wanted.indexes)) {
    if (live.indexes[index.name]) continue;
    const id = change('index.add', `${wanted.name}.${index.columns.join(',')}`, 'safe', `index ${wanted.name} on ${index.columns.join(', ')}`, null, index);
    step(id, 'index', createIndex(schema, wanted.name, index));
  }
  for (const index of Object.values(live.indexes)) {
    if (wanted.indexes[index.name] || !ours('indexes', index.name)) continue;
    const id = change('index.drop', `${wanted.name}.${index.columns.join(',')}`, 'safe', `drop index ${index.name}`, index, null);
    step(id, 'drop-constraint', `drop index ${qualified(schema, index.name)}`);
  }
}

function sameForeignKey(a: ForeignKeyState, b: ForeignKeyState): boolean {
  return a.referencedTable === b.referencedTable && a.onDelete === b.onDelete && a.columns.join() === b.columns.join() && a.referencedColumns.join() === b.referencedColumns.join();
}

export function columnDefinition(column: ColumnState): string {
  return [
    quoteIdent(column.name),
    column.type,
    column.identity ? `generated ${column.identity} as identity` : '',
    column.nullable ? '' : 'not null',
    column.default !== null ? `default ${column.default}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function addForeignKey(schema: string, tableName: string, fk: ForeignKeyState): string {
  return `alter table ${qualified(schema, tableName)} add constraint ${quoteIdent(fk.name)} foreign key (${columnList(fk.columns)}) references ${qualified(schema, fk.referencedTable)} (${columnList(fk.referencedColumns)}) on delete ${fk.onDelete}`;
}

function createIndex(schema: string, tableName: string, index: { name: string; columns: string[]; unique: boolean }): string {
  return `create ${index.unique ? 'unique ' : ''}index ${quoteIdent(index.name)} on ${qualified(schema, tableName)} (${columnList(index.columns)})`;
}

function describeColumn(column: ColumnState): string {
  return [column.type, column.nullable ? null : 'not null', column.default !== null ? `default ${column.default}` : null].filter(Boolean).join(', ');
}

function describeColumnChange(before: ColumnState, after: ColumnState): string {
  const parts: string[] = [];
  if (before.type !== after.type) parts.push(`type ${before.type} → ${after.type}`);
  if (before.nullable !== after.nullable) parts.push(after.nullable ? 'nullable' : 'not null');
  if (normalizeDefault(before.default) !== normalizeDefault(after.default)) parts.push(`default ${before.default ?? 'none'} → ${after.default ?? 'none'}`);
  if (before.identity !== after.identity) parts.push(`identity ${before.identity ?? 'none'} → ${after.identity ?? 'none'}`);
  return parts.join(', ');
}

/** Renames a table's Cairn-named constraints and indexes along with it (names start with `<table>_`). */
function renameTable(state: TableState, from: string, to: string, emit: (sql: string) => void, schema: string): TableState {
  const rename = (name: string) => (name.startsWith(`${from}_`) ? `${to}_${name.slice(from.length + 1)}` : name);
  const renamed: TableState = structuredClone({ ...state, name: to });
  const renameIn = <T extends { name: string }>(record: Record<string, T>, sqlFor: (oldName: string, newName: string) => string): Record<string, T> =>
    Object.fromEntries(
      Object.values(record).map((item) => {
        const next = rename(item.name);
        if (next !== item.name) emit(sqlFor(item.name, next));
        return [next, { ...item, name: next }];
      }),
    );
  const constraintSql = (oldName: string, newName: string) => `alter table ${qualified(schema, to)} rename constraint ${quoteIdent(oldName)} to ${quoteIdent(newName)}`;
  if (renamed.primaryKey) {
    const next = rename(renamed.primaryKey.name);
    if (next !== renamed.primaryKey.name) emit(constraintSql(renamed.primaryKey.name, next));
    renamed.primaryKey = { ...renamed.primaryKey, name: next };
  }
  renamed.uniques = renameIn(renamed.uniques, constraintSql);
  renamed.foreignKeys = renameIn(renamed.foreignKeys, constraintSql);
  renamed.indexes = renameIn(renamed.indexes, (oldName, newName) => `alter index ${qualified(schema, oldName)} rename to ${quoteIdent(newName)}`);
  return renamed;
}

/** Renames a column, and the Cairn-named constraints and indexes on it (`<table>_<column>_<suffix>`). */
function renameColumn(state: TableState, from: string, to: string, emit: (sql: string) => void, schema: string): void {
  const column = state.columns[from]!;
  state.columns = Object.fromEntries(Object.entries(state.columns).map(([name, c]) => (name === from ? [to, { ...column, name: to }] : [name, c])));
  const prefix = `${state.name}_${from}_`;
  const rename = (name: string) => (name.startsWith(prefix) ? `${state.name}_${to}_${name.slice(prefix.length)}` : name);
  const swapColumns = (columns: string[]) => columns.map((c) => (c === from ? to : c));
  for (const kind of ['uniques', 'foreignKeys', 'indexes'] as const) {
    const record = state[kind] as Record<string, { name: string; columns: string[] }>;
    const next: Record<string, { name: string; columns: string[] }> = {};
    for (const item of Object.values(record)) {
      const newName = rename(item.name);
      if (newName !== item.name) {
        emit(
          kind === 'indexes'
            ? `alter index ${qualified(schema, item.name)} rename to ${quoteIdent(newName)}`
            : `alter table ${qualified(schema, state.name)} rename constraint ${quoteIdent(item.name)} to ${quoteIdent(newName)}`,
        );
      }
      next[newName] = { ...item, name: newName, columns: swapColumns(item.columns) };
    }
    (state as unknown as Record<string, unknown>)[kind] = next;
  }
  if (state.primaryKey) state.primaryKey = { ...state.primaryKey, columns: swapColumns(state.primaryKey.columns) };
}
