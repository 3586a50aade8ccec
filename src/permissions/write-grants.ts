/**
 * What the caller may write, as a schema shows it: per collection and
 * action, the fields its permissions grant. Derived
 * as the write guard derives them (write-permissions.ts): the caller's own
 * permissions, or for a generated junction without any, the update
 * permissions of the m2m field it serves. Item filters and validation
 * rules are left to the guard, which stays the real enforcement. Pure.
 */
import type { Model } from '../model/index.ts';
import type { Accountability } from '../services/accountability.ts';
import { junctionGrants } from './junction-grants.ts';
import { permissionsOf } from './read-rules.ts';

export type WriteAction = 'create' | 'update' | 'delete';

export interface WriteGrants {
  /** The fields the caller may set ('all' for every field), or null when it may not `action` the collection at all. */
  fields(collection: string, action: WriteAction): ReadonlySet<string> | 'all' | null;
}

/** The caller's write grants; undefined for the administrator, who may write everything. */
export function writeGrantsFor(model: Model, accountability: Accountability): WriteGrants | undefined {
  if (accountability.admin) return undefined;
  const grantsOf = (collection: string, action: WriteAction): { fields: ReadonlySet<string> | 'all' }[] => {
    const found = permissionsOf(model, accountability, collection, action).map((permission) => ({ fields: permission.fields.includes('*') ? ('all' as const) : new Set(permission.fields) }));
    if (found.length > 0 || !model.collections[collection]?.junction) return found;
    return junctionGrants(model, collection, (source) => grantsOf(source, 'update').map((grant) => ({ ...grant, filter: null })));
  };
  return {
    fields(collection, action) {
      const granted = grantsOf(collection, action);
      if (granted.length === 0) return null;
      if (granted.some((grant) => grant.fields === 'all')) return 'all';
      return new Set(granted.flatMap((grant) => [...(grant.fields as ReadonlySet<string>)]));
    },
  };
}
