/**
 * A junction Cairn generated for an m2m has no permissions of its own in
 * config: its rows are granted where the m2m field is, for the source items
 * a permission granting that field grants. Reads derive from read
 * permissions, writes from update permissions (links are changed by
 * updating the item that holds the field). Pure.
 */
import type { Model } from '../model/index.ts';
import type { FilterNode } from '../query/index.ts';

interface Grant {
  fields: ReadonlySet<string> | 'all';
  filter: FilterNode | null;
}

export function junctionGrants(model: Model, junction: string, permissionsOn: (source: string) => readonly Grant[]): { fields: 'all'; filter: FilterNode | null }[] {
  const derived: { fields: 'all'; filter: FilterNode | null }[] = [];
  for (const source of Object.values(model.collections)) {
    for (const field of Object.values(source.fields)) {
      const relation = field.relation;
      if (relation?.kind !== 'm2m' || relation.junction !== junction || !relation.generated) continue;
      for (const permission of permissionsOn(source.name)) {
        if (permission.fields !== 'all' && !permission.fields.has(field.name)) continue;
        const filter: FilterNode | null = permission.filter && { kind: 'm2o', field: relation.sourceField, related: source.name, relatedKey: source.primaryKey.field, filter: permission.filter };
        derived.push({ fields: 'all', filter });
      }
    }
  }
  return derived;
}
