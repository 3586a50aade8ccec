/**
 * Write permissions, checked inside the write's transaction for every item
 * it touches, nested ones included: the fields a payload sets must be
 * granted, presets fill in what the payload leaves out, the rows an update
 * or delete targets must be within the permission's item filter (before,
 * and for an update after), and the written row must pass the permission's
 * validation rule. The administrator has no guard.
 */
import type { Knex } from 'knex';
import { runStatement } from '../../db/index.ts';
import { FailedValidationError, ForbiddenError, type CairnError } from '../../errors/index.ts';
import type { Action, Collection, Model, Permission } from '../../model/index.ts';
import { dynamicValuesOf, junctionGrants, permissionsOf } from '../../permissions/index.ts';
import { compileRuleCheck, parseRuleFilter, resolveDynamic, type FilterNode } from '../../query/index.ts';
import type { Accountability } from '../accountability.ts';
import type { ItemKey } from './item-keys.ts';

export interface WriteGuard {
  /** Before a create or update: refuses fields no permission grants; returns the payload with presets under it. */
  prepare(collection: Collection, action: 'create' | 'update', payload: unknown): unknown;
  /** Before an update or delete: every key must be a row the caller may change (and may change these fields of). Runs in the write's transaction, or alone. */
  checkRows(trx: Knex | Knex.Transaction, collection: Collection, action: 'update' | 'delete', keys: readonly ItemKey[], fields: readonly string[]): Promise<void>;
  /** After a create or update: the row passes validation and, for an update, is still within the item filter. */
  checkWritten(trx: Knex.Transaction, collection: Collection, action: 'create' | 'update', key: ItemKey): Promise<void>;
}

interface ParsedPermission {
  fields: ReadonlySet<string> | 'all';
  filter: FilterNode | null;
  validation: { raw: Record<string, unknown>; node: FilterNode } | null;
  presets: Record<string, unknown>;
}

function forbidden(collection: string): CairnError {
  return new ForbiddenError({ reason: `You don't have permission to access collection "${collection}" or it does not exist.` });
}

export function writeGuardFor(model: Model, accountability: Accountability, now: Date): WriteGuard | undefined {
  if (accountability.admin) return undefined;
  const dynamic = dynamicValuesOf(accountability, now);
  const cache = new Map<string, ParsedPermission[]>();

  const parse = (collection: string, permission: Pick<Permission, 'fields' | 'filter' | 'validation' | 'presets'>): ParsedPermission => ({
    fields: permission.fields.includes('*') ? 'all' : new Set(permission.fields),
    filter: permission.filter ? parseRuleFilter(model, collection, permission.filter, dynamic) : null,
    validation: permission.validation ? { raw: permission.validation, node: parseRuleFilter(model, collection, permission.validation, dynamic) } : null,
    presets: Object.fromEntries(Object.entries(permission.presets ?? {}).map(([field, value]) => [field, typeof value === 'string' && value.startsWith('$') ? resolveDynamic(value, dynamic) : value])),
  });

  /** The caller's permissions for `action` on `collection`; a generated junction's come from the m2m field they serve. */
  const permissions = (collection: string, action: Action): ParsedPermission[] => {
    const id = `${collection}\u0000${action}`;
    let found = cache.get(id);
    if (found === undefined) {
      found = permissionsOf(model, accountability, collection, action).map((permission) => parse(collection, permission));
      if (found.length === 0 && model.collections[collection]?.junction) {
        found = junctionGrants(model, collection, (source) => permissions(source, 'update')).map((grant) => ({ ...grant, validation: null, presets: {} }));
      }
      cache.set(id, found);
    }
    return found;
  };


  const grants = (permission: ParsedPermission, field: string) => permission.fields === 'all' || permission.fields.has(field);
  /** The payload's fields a permission must grant: not the key of an update (it only names the item), not special fields (Cairn fills them). */
  const fieldsSet = (collection: Collection, action: 'create' | 'update', payload: Record<string, unknown>) =>
    Object.keys(payload).filter((name) => (name === collection.primaryKey.field ? action === 'create' : collection.fields[name]?.special == null));

  const run = (trx: Knex | Knex.Transaction, collection: Collection, keys: readonly ItemKey[], conditions: (FilterNode | null)[]) =>
    runStatement(trx, compileRuleCheck(model, collection.name, keys, conditions));

  return {
    prepare(collection, action, payload) {
      const granted = permissions(collection.name, action);
      if (granted.length === 0) throw forbidden(collection.name);
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload; // validatePayload refuses it
      for (const field of fieldsSet(collection, action, payload as Record<string, unknown>)) {
        if (!granted.some((permission) => grants(permission, field))) {
          throw new ForbiddenError({ reason: `You don't have permission to ${action} field "${field}" in collection "${collection.name}"` });
        }
      }
      // Presets are defaults: what the payload says wins (as in Directus).
      return { ...Object.assign({}, ...granted.map((permission) => permission.presets)), ...(payload as Record<string, unknown>) };
    },

    async checkRows(trx, collection, action, keys, fields) {
      const granted = permissions(collection.name, action);
      if (granted.length === 0) throw forbidden(collection.name);
      if (keys.length === 0) return;
      const rows = await run(trx, collection, keys, granted.map((permission) => permission.filter));
      const byKey = new Map(rows.map((row) => [String(row.key), row]));
      for (const key of keys) {
        const row = byKey.get(String(key));
        // A row outside every permission and a row that does not exist look the same.
        const matching = row ? granted.filter((_, i) => row[`c${i}`] === true) : [];
        if (matching.length === 0) throw forbidden(collection.name);
        const denied = fields.find((field) => (field !== collection.primaryKey.field || action !== 'update') && collection.fields[field]?.special == null && !matching.some((permission) => grants(permission, field)));
        if (denied !== undefined) throw new ForbiddenError({ reason: `You don't have permission to ${action} field "${denied}" in collection "${collection.name}"` });
      }
    },

    async checkWritten(trx, collection, action, key) {
      const granted = permissions(collection.name, action);
      const conditions = [...granted.map((permission) => (action === 'update' ? permission.filter : null)), ...granted.map((permission) => permission.validation?.node ?? null)];
      const [row] = await run(trx, collection, [key], conditions);
      if (!row) return; // deleted by its own nested write: nothing left to check
      const n = granted.length;
      // Some permission must hold the row after the change and accept it by its validation rule.
      if (granted.some((_, i) => row[`c${i}`] === true && row[`c${n + i}`] === true)) return;
      if (!granted.some((_, i) => row[`c${i}`] === true)) throw forbidden(collection.name);
      throw await failedValidation(trx, collection, key, granted.find((permission, i) => row[`c${i}`] === true && permission.validation)!.validation!.raw);
    },
  };

  /** Which part of a validation rule the row fails: its first top-level condition that does not hold. */
  async function failedValidation(trx: Knex.Transaction, collection: Collection, key: ItemKey, rule: Record<string, unknown>): Promise<CairnError> {
    const parts = Object.entries(rule).flatMap(([name, value]) => (name === '_and' && Array.isArray(value) ? (value as Record<string, unknown>[]) : [{ [name]: value }]));
    const nodes = parts.map((part) => parseRuleFilter(model, collection.name, part, dynamic));
    const [row] = await run(trx, collection, [key], nodes);
    const failing = parts.find((_, i) => row?.[`c${i}`] !== true) ?? rule;
    const [field, condition] = Object.entries(failing)[0] ?? ['', {}];
    const operator = condition !== null && typeof condition === 'object' ? (Object.keys(condition)[0] ?? '_eq') : '_eq';
    return new FailedValidationError({ field, type: operator.replace(/^_/, ''), path: [] });
  }
}
