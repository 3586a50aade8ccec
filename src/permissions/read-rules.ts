/**
 * The caller's read permissions as the query layer takes them: which fields
 * of which collection the parser lets a query touch (FieldAccess), and the
 * rows and per-row fields the compiler builds into the SQL (ReadRules). The
 * administrator has none: everything is readable. Pure.
 */
import type { Model, Permission } from '../model/index.ts';
import { parseRuleFilter, type FieldAccess, type ReadPermission, type ReadRules } from '../query/index.ts';
import type { Accountability } from '../services/accountability.ts';
import { policyOf } from './resolve-access.ts';

/** Cairn's history tables, readable by signed-in callers for the items they may read. */
export interface HistoryTables {
  activity: string;
  revisions: string;
  versions: string;
}

/** Activity fields only the administrator reads: where a change came from. */
const PRIVATE_ACTIVITY_FIELDS = new Set(['ip', 'user_agent', 'origin']);

export interface CallerReadAccess {
  access: FieldAccess;
  rules: ReadRules;
}

/** The permission rows of `action` on `collection` the caller's policies hold, in policy order. */
export function permissionsOf(model: Model, accountability: Accountability, collection: string, action: Permission['action']): Permission[] {
  const found: Permission[] = [];
  for (const name of accountability.policies) {
    for (const permission of policyOf(model, name)?.permissions ?? []) if (permission.collection === collection && permission.action === action) found.push(permission);
  }
  return found;
}

/** Every field of a collection, its key included, for permissions that grant `*`. */
function allFields(model: Model, collection: string): string[] {
  const target = model.collections[collection];
  return target ? [target.primaryKey.field, ...Object.keys(target.fields)] : [];
}

export function readAccessFor(options: {
  model: Model;
  accountability: Accountability;
  now: Date;
  history?: HistoryTables & { fields: Record<string, readonly string[]> };
}): CallerReadAccess | undefined {
  const { model, accountability, now, history } = options;
  if (accountability.admin) return undefined;
  const dynamic = { now, user: accountability.user, role: accountability.role, roles: accountability.roles, policies: accountability.policies };
  const parsed = new Map<string, ReadPermission[]>();
  const permissions = (collection: string): readonly ReadPermission[] => {
    let found = parsed.get(collection);
    if (found === undefined) {
      found = permissionsOf(model, accountability, collection, 'read').map((permission) => ({
        fields: permission.fields.includes('*') ? 'all' : new Set(permission.fields),
        filter: permission.filter ? parseRuleFilter(model, collection, permission.filter, dynamic) : null,
      }));
      if (found.length === 0 && model.collections[collection]?.junction) found = junctionPermissions(collection);
      parsed.set(collection, found);
    }
    return found;
  };
  /**
   * A junction Cairn generated for an m2m has no permissions of its own in config: its rows are
   * readable where the m2m field is, that is for the source items a permission granting the field
   * lets the caller read.
   */
  const junctionPermissions = (junction: string): ReadPermission[] => {
    const derived: ReadPermission[] = [];
    for (const source of Object.values(model.collections)) {
      for (const field of Object.values(source.fields)) {
        const relation = field.relation;
        if (relation?.kind !== 'm2m' || relation.junction !== junction || !relation.generated) continue;
        for (const permission of permissions(source.name)) {
          if (permission.fields !== 'all' && !permission.fields.has(field.name)) continue;
          derived.push({
            fields: 'all',
            filter: permission.filter && { kind: 'm2o', field: relation.sourceField, related: source.name, relatedKey: source.primaryKey.field, filter: permission.filter },
          });
        }
      }
    }
    return derived;
  };
  const readable = new Map<string, ReadonlySet<string> | null>();
  const access: FieldAccess = {
    readable(collection) {
      if (readable.has(collection)) return readable.get(collection)!;
      let fields: ReadonlySet<string> | null;
      if (history && [history.activity, history.revisions, history.versions].includes(collection)) {
        // The public has no history; signed-in callers see it for what they may read.
        const all = history.fields[collection] ?? [];
        fields = accountability.user === null ? null : new Set(all.filter((field) => collection !== history.activity || !PRIVATE_ACTIVITY_FIELDS.has(field)));
      } else {
        const granted = permissions(collection);
        fields = granted.length === 0 ? null : new Set(granted.flatMap((permission) => (permission.fields === 'all' ? allFields(model, collection) : [...permission.fields])));
      }
      readable.set(collection, fields);
      return fields;
    },
  };
  return { access, rules: { model, permissions, readable: (collection) => access.readable(collection), ...(history ? { history: { activity: history.activity, revisions: history.revisions, versions: history.versions } } : {}) } };
}
