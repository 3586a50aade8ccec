/**
 * The caller's read permissions as the query layer takes them: which fields
 * of which collection the parser lets a query touch (FieldAccess), and the
 * rows and per-row fields the compiler builds into the SQL (ReadRules). The
 * administrator has none: everything is readable. Pure.
 */
import type { Model, Permission } from '../model/index.ts';
import { parseRuleFilter, type DynamicContext, type FieldAccess, type ReadPermission, type ReadRules } from '../query/index.ts';
import type { Accountability } from '../services/accountability.ts';
import { junctionGrants } from './junction-grants.ts';
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

/** What $NOW, $CURRENT_USER, $CURRENT_ROLE(S) and $CURRENT_POLICIES stand for in one request. */
export function dynamicValuesOf(accountability: Accountability, now: Date): DynamicContext {
  return { now, user: accountability.user, role: accountability.role, roles: accountability.roles, policies: accountability.policies };
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
  const dynamic = dynamicValuesOf(accountability, now);
  const parsed = new Map<string, ReadPermission[]>();
  const permissions = (collection: string): readonly ReadPermission[] => {
    let found = parsed.get(collection);
    if (found === undefined) {
      found = permissionsOf(model, accountability, collection, 'read').map((permission) => ({
        fields: permission.fields.includes('*') ? 'all' : new Set(permission.fields),
        filter: permission.filter ? parseRuleFilter(model, collection, permission.filter, dynamic) : null,
      }));
      if (found.length === 0 && model.collections[collection]?.junction) found = junctionGrants(model, collection, permissions);
      parsed.set(collection, found);
    }
    return found;
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
