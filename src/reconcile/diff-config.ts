/**
 * diffConfig(desired, actual): the config rows to insert, update and delete,
 * each described in plain words ("policy editor gains update on
 * articles.status"), with the SQL that does it. Pure.
 */
import { canonicalJson } from '../model/index.ts';
import type { ConfigState, PermissionRow } from './config-state.ts';
import type { Change, ChangeKind, Step } from './plan-types.ts';
import { quoteIdent, quoteLiteral } from './sql.ts';

type Row = Record<string, unknown>;

interface TableSpec<R extends Row> {
  table: string;
  /** What the row is called in descriptions: `role editor`. */
  noun: (row: R) => string;
  keys: (keyof R & string)[];
  /** Plain-words descriptions of an update, one per difference. */
  describeUpdate: (before: R, after: R) => string[];
  kinds: { add: ChangeKind; remove: ChangeKind; update: ChangeKind };
  addWords: (row: R) => string;
  removeWords: (row: R) => string;
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quoteLiteral(value);
  return `${quoteLiteral(JSON.stringify(value))}::jsonb`;
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const brief = (value: unknown) => (value === null || value === undefined ? 'none' : JSON.stringify(value));

function changedColumns(before: Row, after: Row): string[] {
  return Object.keys(after).filter((column) => !same(before[column], after[column]));
}

const roles: TableSpec<Row> = {
  table: 'cairn_roles',
  noun: (r) => `role ${r.name}`,
  keys: ['name'],
  kinds: { add: 'role.create', remove: 'role.drop', update: 'role.update' },
  addWords: (r) => `create role ${r.name}${r.parent ? ` (parent ${r.parent})` : ''}`,
  removeWords: (r) => `remove role ${r.name}`,
  describeUpdate: (b, a) => changedColumns(b, a).map((c) => `role ${a.name}: ${c} ${brief(b[c])} → ${brief(a[c])}`),
};

const policies: TableSpec<Row> = {
  table: 'cairn_policies',
  noun: (r) => `policy ${r.name}`,
  keys: ['name'],
  kinds: { add: 'policy.create', remove: 'policy.drop', update: 'policy.update' },
  addWords: (r) => `create policy ${r.name}${r.admin_access ? ' with admin access' : ''}${r.public ? ' (public)' : ''}`,
  removeWords: (r) => `remove policy ${r.name}`,
  describeUpdate: (b, a) => changedColumns(b, a).map((c) => `policy ${a.name}: ${c.replace('_', ' ')} ${brief(b[c])} → ${brief(a[c])}`),
};

const access: TableSpec<Row> = {
  table: 'cairn_access',
  noun: (r) => `role ${r.role}`,
  keys: ['role', 'policy'],
  kinds: { add: 'access.grant', remove: 'access.revoke', update: 'access.update' },
  addWords: (r) => `role ${r.role} gains policy ${r.policy}`,
  removeWords: (r) => `role ${r.role} loses policy ${r.policy}`,
  describeUpdate: (_b, a) => [`role ${a.role}: policy ${a.policy} moves to position ${Number(a.sort) + 1}`],
};

const fieldWords = (fields: unknown) => (Array.isArray(fields) && fields.includes('*') ? 'all fields' : `fields ${(fields as string[]).join(', ')}`);

const permissions: TableSpec<Row> = {
  table: 'cairn_permissions',
  noun: (r) => `policy ${r.policy}`,
  keys: ['policy', 'collection', 'action'],
  kinds: { add: 'permission.grant', remove: 'permission.revoke', update: 'permission.update' },
  addWords: (r) => `policy ${r.policy} gains ${r.action} on ${r.collection} (${fieldWords(r.fields)}${r.filter ? ', filtered' : ''})`,
  removeWords: (r) => `policy ${r.policy} loses ${r.action} on ${r.collection}`,
  describeUpdate: (b, a) => {
    const before = b as unknown as PermissionRow;
    const after = a as unknown as PermissionRow;
    const words: string[] = [];
    if (!same(before.fields, after.fields)) {
      const wasAll = before.fields.includes('*');
      const isAll = after.fields.includes('*');
      if (wasAll || isAll) words.push(`policy ${after.policy}: ${after.action} on ${after.collection} now covers ${fieldWords(after.fields)}`);
      else {
        for (const field of after.fields.filter((f) => !before.fields.includes(f))) words.push(`policy ${after.policy} gains ${after.action} on ${after.collection}.${field}`);
        for (const field of before.fields.filter((f) => !after.fields.includes(f))) words.push(`policy ${after.policy} loses ${after.action} on ${after.collection}.${field}`);
      }
    }
    for (const rule of ['filter', 'validation', 'presets'] as const) {
      if (!same(before[rule], after[rule])) words.push(`policy ${after.policy}: ${after.action} on ${after.collection} ${rule} ${brief(before[rule])} → ${brief(after[rule])}`);
    }
    return words;
  },
};

const definitions = (noun: 'flow' | 'extension'): TableSpec<Row> => ({
  table: noun === 'flow' ? 'cairn_flows' : 'cairn_extensions',
  noun: (r) => `${noun} ${r.name}`,
  keys: ['name'],
  kinds: noun === 'flow' ? { add: 'flow.create', remove: 'flow.drop', update: 'flow.update' } : { add: 'extension.create', remove: 'extension.drop', update: 'extension.update' },
  addWords: (r) => `create ${noun} ${r.name}`,
  removeWords: (r) => `remove ${noun} ${r.name}`,
  describeUpdate: (b, a) => {
    const before = b.definition as Row;
    const after = a.definition as Row;
    const parts = Object.keys({ ...before, ...after }).filter((key) => !same(before[key], after[key]));
    return [`${noun} ${a.name} changes: ${parts.join(', ')}`];
  },
});

const SPECS: [keyof ConfigState, TableSpec<Row>][] = [
  ['roles', roles],
  ['policies', policies],
  ['access', access],
  ['permissions', permissions],
  ['flows', definitions('flow')],
  ['extensions', definitions('extension')],
];

export function diffConfig(desired: ConfigState, actual: ConfigState): { changes: Change[]; steps: Step[] } {
  const changes: Change[] = [];
  const steps: Step[] = [];
  for (const [part, spec] of SPECS) {
    const key = (row: Row) => spec.keys.map((k) => String(row[k])).join('/');
    const live = new Map((actual[part] as unknown as Row[]).map((row) => [key(row), row]));
    const wanted = new Map((desired[part] as unknown as Row[]).map((row) => [key(row), row]));
    const where = (row: Row) => spec.keys.map((k) => `${quoteIdent(k)} = ${literal(row[k])}`).join(' and ');
    const record = (kind: ChangeKind, row: Row, words: string, before: unknown, after: unknown, sql: string) => {
      const id = `${kind}:${key(row)}`;
      changes.push({ id, kind, target: `${part}:${key(row)}`, risk: 'safe', description: words, before, after, checks: [] });
      steps.push({ change: id, phase: 'config', sql, destructive: false });
    };
    for (const [k, row] of wanted) {
      const existing = live.get(k);
      const columns = Object.keys(row);
      if (!existing) {
        record(spec.kinds.add, row, spec.addWords(row), null, row, `insert into ${spec.table} (${columns.map(quoteIdent).join(', ')}) values (${columns.map((c) => literal(row[c])).join(', ')})`);
      } else if (changedColumns(existing, row).length > 0) {
        const set = changedColumns(existing, row).map((c) => `${quoteIdent(c)} = ${literal(row[c])}`).join(', ');
        record(spec.kinds.update, row, spec.describeUpdate(existing, row).join('; '), existing, row, `update ${spec.table} set ${set} where ${where(row)}`);
      }
    }
    for (const [k, row] of live) {
      if (!wanted.has(k)) record(spec.kinds.remove, row, spec.removeWords(row), row, null, `delete from ${spec.table} where ${where(row)}`);
    }
  }
  return { changes, steps };
}
