/**
 * The config collections' rows for one caller: what the applied model holds
 * (roles, policies, access, permissions, collections, fields, relations),
 * reduced to what the caller may see, as the JSON text the query compiler
 * reads them from. Records are built once per model; callers other than the
 * administrator get a filtered copy:
 * - roles and access: the caller's roles; policies and permissions: the caller's policies;
 * - flows: active manual flows on collections the caller may read (no operations);
 * - collections, fields and relations: what the caller may read (a relation by its m2o field,
 *   with the field that reads it back from the other side only when that one is readable too).
 */
import type { Model } from '../model/index.ts';
import type { FieldAccess } from '../query/index.ts';
import type { Accountability } from './accountability.ts';
import { accessRecords, permissionRecords, policyRecords, roleRecords } from './access.ts';
import { collectionRecords, fieldRecords, relationRecords, type RelationRecord } from './schema-records.ts';
import { flowRecords, operationRecords } from './flow-records.ts';
import { ACCESS, COLLECTIONS, FIELDS, FLOWS, OPERATIONS, PERMISSIONS, POLICIES, RELATIONS, ROLES, type ConfigCollection } from './system-collections.ts';

type Row = Record<string, unknown>;
type Records = Record<ConfigCollection, Row[]>;

const built = new WeakMap<Model, { records: Records; json: Map<ConfigCollection, string> }>();

function recordsOf(model: Model): { records: Records; json: Map<ConfigCollection, string> } {
  let found = built.get(model);
  if (!found) {
    const records: Records = {
      [ROLES]: roleRecords(model) as unknown as Row[],
      [POLICIES]: policyRecords(model) as unknown as Row[],
      [ACCESS]: accessRecords(model) as unknown as Row[],
      [PERMISSIONS]: permissionRecords(model) as unknown as Row[],
      [COLLECTIONS]: collectionRecords(model) as unknown as Row[],
      [FIELDS]: fieldRecords(model) as unknown as Row[],
      [RELATIONS]: relationRecords(model) as unknown as Row[],
      [FLOWS]: flowRecords(model) as unknown as Row[],
      [OPERATIONS]: operationRecords(model) as unknown as Row[],
    };
    found = { records, json: new Map() };
    built.set(model, found);
  }
  return found;
}

/** The rows of `collection` the caller may see. `readable` is the caller's read access to the project's collections. */
function visibleRows(records: Records, collection: ConfigCollection, accountability: Accountability, readable: FieldAccess): Row[] {
  const rows = records[collection];
  const canRead = (name: unknown, field: unknown) => readable.readable(String(name))?.has(String(field)) === true;
  switch (collection) {
    case ROLES:
      return rows.filter((row) => accountability.roles.includes(String(row.id)));
    case ACCESS:
      return rows.filter((row) => accountability.roles.includes(String(row.role)));
    case POLICIES:
      return rows.filter((row) => accountability.policies.includes(String(row.id)));
    case PERMISSIONS:
      return rows.filter((row) => accountability.policies.includes(String(row.policy)));
    case COLLECTIONS:
      return rows.filter((row) => readable.readable(String(row.collection)) !== null);
    case FIELDS:
      return rows.filter((row) => canRead(row.collection, row.field));
    case RELATIONS:
      return rows
        .filter((row) => canRead(row.collection, row.field))
        .map((row) => {
          const meta = (row as unknown as RelationRecord).meta;
          return meta.one_field !== null && !canRead(meta.one_collection, meta.one_field) ? { ...row, meta: { ...meta, one_field: null } } : row;
        });
    // Others see the manual flows of collections they may read (a console shows them as buttons), not their operations.
    case FLOWS:
      return rows
        .filter((row) => row.trigger === 'manual' && row.status === 'active' && ((row.options as { collections?: string[] }).collections ?? []).some((name) => readable.readable(name) !== null))
        .map((row) => ({ ...row, operation: null, operations: [] }));
    case OPERATIONS:
      return [];
  }
}

/**
 * The compiler's `rows` for one read: JSON text of the rows of a config
 * collection, undefined for anything else. `readable` undefined: the administrator (every row).
 */
export function configRows(model: Model, accountability: Accountability, readable: FieldAccess | undefined): (collection: string) => string | undefined {
  const { records, json } = recordsOf(model);
  return (collection) => {
    if (!(collection in records)) return undefined;
    const name = collection as ConfigCollection;
    if (readable === undefined) {
      let text = json.get(name);
      if (text === undefined) json.set(name, (text = JSON.stringify(records[name])));
      return text;
    }
    return JSON.stringify(visibleRows(records, name, accountability, readable));
  };
}
